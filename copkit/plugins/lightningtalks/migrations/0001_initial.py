from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_job_attempts')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Event',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='lightning_events', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('room_id', fields.CharField(default='', max_length=300)),
                ('thread_id', fields.CharField(default='', max_length=300)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('slots', fields.SmallIntField()),
                ('minutes', fields.SmallIntField()),
                ('cutoff_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharField(default='open', max_length=20)),
                ('counter', fields.IntField(default=0)),
                ('shuffle_seed', fields.BigIntField(null=True)),
                ('current_talk', fields.IntField(null=True)),
                ('talk_ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('warn_job', fields.IntField(null=True)),
                ('time_job', fields.IntField(null=True)),
                ('cutoff_job', fields.IntField(null=True)),
                ('created_by', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lightning_event', 'app': 'lightningtalks', 'pk_attr': 'id', 'table_description': 'An evening of lightning talks: slots of a few minutes, a sign-up thread, a run of show.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Feedback',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('lightningtalks.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='feedback', on_delete=OnDelete.CASCADE)),
                ('member_id', fields.CharField(max_length=200)),
                ('rating', fields.SmallIntField()),
                ('apply', fields.CharField(default='', max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'lightning_feedback', 'app': 'lightningtalks', 'unique_together': (('event', 'member_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Talk',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('lightningtalks.Event', source_field='event_id', db_constraint=True, to_field='id', related_name='talks', on_delete=OnDelete.CASCADE)),
                ('speaker_id', fields.CharField(max_length=200)),
                ('speaker_name', fields.CharField(default='', max_length=200)),
                ('title', fields.CharField(max_length=100)),
                ('seq', fields.IntField()),
                ('position', fields.IntField()),
                ('status', fields.CharField(max_length=20)),
                ('active_key', fields.CharField(null=True, unique=True, max_length=250)),
                ('link', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'lightning_talk', 'app': 'lightningtalks', 'pk_attr': 'id', 'table_description': "One person's talk: in the line-up, waiting, given, skipped, withdrawn or removed."},
            bases=['Model'],
        ),
    ]
