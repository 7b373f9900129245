from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Community',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('platform', fields.CharField(max_length=20)),
                ('external_id', fields.CharField(max_length=200)),
                ('name', fields.CharField(default='', max_length=200)),
                ('locale', fields.CharField(default='en', max_length=20)),
                ('timezone', fields.CharField(default='UTC', max_length=64)),
                ('core_role', fields.CharField(null=True, max_length=200)),
                ('settings', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'copkit_community', 'app': 'core', 'unique_together': (('platform', 'external_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FormatSetting',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='format_settings', on_delete=OnDelete.CASCADE)),
                ('format', fields.CharField(max_length=50)),
                ('enabled', fields.BooleanField()),
            ],
            options={'table': 'copkit_format_setting', 'app': 'core', 'unique_together': (('community', 'format'),), 'pk_attr': 'id', 'table_description': "Whether a format is enabled in a community (absent: the format's default)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Job',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', null=True, db_constraint=True, to_field='id', related_name='jobs', on_delete=OnDelete.CASCADE)),
                ('handler', fields.CharField(max_length=100)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('room_id', fields.CharField(default='', max_length=300)),
                ('due_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(null=True, max_length=100)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('done_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('cancelled', fields.BooleanField(default=False)),
                ('error', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'copkit_job', 'app': 'core', 'pk_attr': 'id', 'table_description': 'A persisted timer: run ``handler`` with ``payload`` at ``due_at``, exactly once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LogEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='log', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('member', fields.CharField(default='', max_length=200)),
                ('kind', fields.CharField(max_length=50)),
                ('ref', fields.CharField(default='', max_length=200)),
                ('text', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'copkit_log', 'app': 'core', 'pk_attr': 'id', 'table_description': "The community's log: every contribution and every decision, for transparency."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Membership',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='memberships', on_delete=OnDelete.CASCADE)),
                ('person_id', fields.CharField(max_length=200)),
                ('name', fields.CharField(default='', max_length=200)),
                ('role', fields.SmallIntField(default=0)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'copkit_membership', 'app': 'core', 'unique_together': (('community', 'person_id'),), 'pk_attr': 'id', 'table_description': "A person's role in a community. Only people with a role above member need a row."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Room',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='rooms', on_delete=OnDelete.CASCADE)),
                ('external_id', fields.CharField(max_length=300)),
                ('name', fields.CharField(default='', max_length=200)),
                ('kind', fields.CharField(default='text', max_length=20)),
                ('data', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'copkit_room', 'app': 'core', 'unique_together': (('community', 'external_id'),), 'pk_attr': 'id', 'table_description': "A room seen by an adapter, with the adapter's data (e.g. a Teams conversation reference)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ShownView',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='views', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=200)),
                ('room_id', fields.CharField(max_length=300)),
                ('ref', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'copkit_shown_view', 'app': 'core', 'unique_together': (('community', 'key'),), 'pk_attr': 'id', 'table_description': 'Where a keyed view was posted, so it can be updated in place after a restart.'},
            bases=['Model'],
        ),
    ]
