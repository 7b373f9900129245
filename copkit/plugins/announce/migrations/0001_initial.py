from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_job_attempts'), ('core', '0003_delivery'), ('core', '0004_log_and_role_indexes')]

    initial = True

    operations = [
        ops.CreateModel(
            name='AnnounceSetting',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.OneToOneField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='announce_setting', on_delete=OnDelete.CASCADE)),
                ('room_id', fields.CharField(default='', max_length=300)),
                ('room_name', fields.CharField(default='', max_length=200)),
                ('set_by', fields.CharField(default='', max_length=200)),
                ('set_in', fields.CharField(default='', max_length=300)),
                ('notify_role', fields.CharField(default='', max_length=100)),
                ('before_minutes', fields.IntField(default=60)),
                ('broken_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('sweep_job', fields.IntField(null=True)),
                ('whatson_rule', fields.CharField(default='', max_length=200)),
                ('whatson_first', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('whatson_every', fields.CharField(default='', max_length=100)),
                ('whatson_room', fields.CharField(default='', max_length=300)),
                ('whatson_job', fields.IntField(null=True)),
            ],
            options={'table': 'announce_setting', 'app': 'announce', 'pk_attr': 'id', 'table_description': "Where a community's announcements go (``room_id`` empty: nowhere) and when."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Announcement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='announcements', on_delete=OnDelete.CASCADE)),
                ('event', fields.CharField(max_length=200)),
                ('kind', fields.CharField(max_length=20)),
                ('occurrence', fields.CharField(default='', max_length=40)),
                ('title', fields.CharField(default='', max_length=200)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('posted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'announce_announcement', 'app': 'announce', 'unique_together': (('community', 'event', 'kind', 'occurrence'),), 'pk_attr': 'id', 'table_description': 'One announcement of one event: ``event`` is its calendar UID, ``kind`` scheduled,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotifyOptIn',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='notify_optins', on_delete=OnDelete.CASCADE)),
                ('person_id', fields.CharField(max_length=200)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'announce_notify', 'app': 'announce', 'unique_together': (('community', 'person_id'),), 'pk_attr': 'id', 'table_description': 'A member who asked to be notified of announcements (``notify me``).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WhatsOnPost',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='whatson_posts', on_delete=OnDelete.CASCADE)),
                ('week', fields.CharField(max_length=10)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('skipped', fields.BooleanField(default=False)),
            ],
            options={'table': 'announce_whatson', 'app': 'announce', 'unique_together': (('community', 'week'),), 'pk_attr': 'id', 'table_description': 'The week\'s "what\'s on" (``week`` like ``2026-W02``, in the community\'s zone): one row a'},
            bases=['Model'],
        ),
    ]
