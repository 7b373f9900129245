from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_job_attempts'), ('core', '0003_delivery')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Action',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='reflect_actions', on_delete=OnDelete.CASCADE)),
                ('ref', fields.CharField(max_length=200)),
                ('opened_at', fields.BigIntField(null=True)),
                ('closed_at', fields.BigIntField(null=True)),
            ],
            options={'table': 'reflect_action', 'app': 'reflect', 'unique_together': (('community', 'ref'),), 'indexes': [Index(fields=['community_id', 'opened_at'])], 'pk_attr': 'id', 'table_description': 'An action the log saw opened (``action``) and perhaps closed (``action.done``).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Cursor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='reflect_cursor', on_delete=OnDelete.CASCADE)),
                ('last_id', fields.BigIntField(default=0)),
            ],
            options={'table': 'reflect_cursor', 'app': 'reflect', 'unique_together': (('community',),), 'pk_attr': 'id', 'table_description': "How far the aggregates have read the community's log (its last ``copkit_log.id``)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DigestSent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='reflect_digests', on_delete=OnDelete.CASCADE)),
                ('month', fields.CharField(max_length=7)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reflect_digest', 'app': 'reflect', 'unique_together': (('community', 'month'),), 'pk_attr': 'id', 'table_description': 'A monthly digest sent (``month`` as ``2026-01``): never twice.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Event',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='reflect_events', on_delete=OnDelete.CASCADE)),
                ('ref', fields.CharField(max_length=200)),
                ('format', fields.CharField(max_length=50)),
                ('host', fields.CharField(default='', max_length=200)),
                ('started_at', fields.BigIntField(null=True)),
                ('ended_at', fields.BigIntField(null=True)),
            ],
            options={'table': 'reflect_event', 'app': 'reflect', 'unique_together': (('community', 'ref'),), 'indexes': [Index(fields=['community_id', 'ended_at'])], 'pk_attr': 'id', 'table_description': 'An activity the log saw start or end (``ref`` is ``<format>:<id>``).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Member',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='reflect_members', on_delete=OnDelete.CASCADE)),
                ('member', fields.CharField(max_length=200)),
                ('first_at', fields.BigIntField()),
                ('last_at', fields.BigIntField()),
                ('first_give_at', fields.BigIntField(null=True)),
                ('presented_at', fields.BigIntField(null=True)),
            ],
            options={'table': 'reflect_member', 'app': 'reflect', 'unique_together': (('community', 'member'),), 'indexes': [Index(fields=['community_id', 'first_at'])], 'pk_attr': 'id', 'table_description': 'A member the log has seen: when first, when they first gave, when they first presented.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MemberMonth',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='reflect_months', on_delete=OnDelete.CASCADE)),
                ('member', fields.CharField(max_length=200)),
                ('month', fields.IntField()),
                ('kind', fields.CharField(max_length=50)),
                ('n', fields.IntField(default=0)),
            ],
            options={'table': 'reflect_member_month', 'app': 'reflect', 'unique_together': (('community', 'month', 'member', 'kind'),), 'indexes': [Index(fields=['community_id', 'member', 'month'])], 'pk_attr': 'id', 'table_description': 'How many contributions of one kind a member made in one month (``month`` = y*12+m-1).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Nudge',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='reflect_nudges', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=30)),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('week', fields.CharField(max_length=10)),
            ],
            options={'table': 'reflect_nudge', 'app': 'reflect', 'unique_together': (('community', 'week'),), 'pk_attr': 'id', 'table_description': 'A nudge the coach sent, at most one a week per community (checked under a lock).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OptOut',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='reflect_optouts', on_delete=OnDelete.CASCADE)),
                ('member', fields.CharField(max_length=200)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reflect_optout', 'app': 'reflect', 'unique_together': (('community', 'member'),), 'pk_attr': 'id', 'table_description': 'A member who asked to be left out of the statistics (``me private``).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Timers',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='reflect_timers', on_delete=OnDelete.CASCADE)),
                ('coach_job', fields.IntField(null=True)),
                ('digest_job', fields.IntField(null=True)),
            ],
            options={'table': 'reflect_timers', 'app': 'reflect', 'unique_together': (('community',),), 'pk_attr': 'id', 'table_description': "The community's coach and digest jobs, scheduled once (a unique row per community)."},
            bases=['Model'],
        ),
    ]
