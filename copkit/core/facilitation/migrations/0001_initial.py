from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_job_attempts'), ('core', '0003_delivery')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Ballot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='facilitation_ballots', on_delete=OnDelete.CASCADE)),
                ('owner', fields.CharField(max_length=100)),
                ('name', fields.CharField(max_length=60)),
                ('budget', fields.SmallIntField()),
                ('per_item', fields.SmallIntField(default=0)),
                ('status', fields.CharField(default='open', max_length=20)),
                ('version', fields.IntField(default=0)),
            ],
            options={'table': 'facilitation_ballot', 'app': 'facilitation', 'unique_together': (('owner', 'name'),), 'pk_attr': 'id', 'table_description': 'A dot vote: a budget of dots each, at most per_item on one option (0: no limit).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Election',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='facilitation_elections', on_delete=OnDelete.CASCADE)),
                ('owner', fields.CharField(max_length=100)),
                ('name', fields.CharField(max_length=40)),
                ('status', fields.CharField(default='nominating', max_length=20)),
                ('round', fields.SmallIntField(default=1)),
                ('budget', fields.SmallIntField(default=1)),
                ('per_item', fields.SmallIntField(default=1)),
                ('ballot_id', fields.IntField(null=True)),
                ('winner_key', fields.CharField(null=True, max_length=200)),
                ('winner_label', fields.CharField(default='', max_length=500)),
                ('version', fields.IntField(default=0)),
            ],
            options={'table': 'facilitation_election', 'app': 'facilitation', 'unique_together': (('owner', 'name'),), 'pk_attr': 'id', 'table_description': 'Nominations, a vote (with run-offs on a tie), and the answer of the person elected.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Option',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ballot', fields.ForeignKeyField('facilitation.Ballot', source_field='ballot_id', db_constraint=True, to_field='id', related_name='options', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=200)),
                ('label', fields.CharField(max_length=500)),
                ('author', fields.CharField(default='', max_length=200)),
                ('status', fields.CharField(default='open', max_length=20)),
                ('merged_into', fields.IntField(null=True)),
                ('position', fields.IntField(default=0)),
            ],
            options={'table': 'facilitation_option', 'app': 'facilitation', 'unique_together': (('ballot', 'key'),), 'pk_attr': 'id', 'table_description': 'What the dots of a ballot go on: a note, a name, a candidate (named by its key).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Dot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ballot', fields.ForeignKeyField('facilitation.Ballot', source_field='ballot_id', db_constraint=True, to_field='id', related_name='dots', on_delete=OnDelete.CASCADE)),
                ('option', fields.ForeignKeyField('facilitation.Option', source_field='option_id', db_constraint=True, to_field='id', related_name='dots', on_delete=OnDelete.CASCADE)),
                ('member', fields.CharField(max_length=200)),
                ('dot', fields.SmallIntField()),
            ],
            options={'table': 'facilitation_dot', 'app': 'facilitation', 'unique_together': (('ballot', 'member', 'dot'),), 'indexes': [Index(fields=['option_id'])], 'pk_attr': 'id', 'table_description': 'One dot, its index below the ballot budget: at most that many rows per member.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Participant',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='facilitation_people', on_delete=OnDelete.CASCADE)),
                ('owner', fields.CharField(max_length=100)),
                ('member', fields.CharField(max_length=200)),
                ('name', fields.CharField(default='', max_length=200)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('left_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'facilitation_participant', 'app': 'facilitation', 'unique_together': (('owner', 'member'),), 'pk_attr': 'id', 'table_description': 'Someone taking part in an activity, until they leave.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Phase',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='facilitation_phases', on_delete=OnDelete.CASCADE)),
                ('owner', fields.CharField(max_length=100)),
                ('name', fields.CharField(max_length=40)),
                ('job', fields.CharField(max_length=100)),
                ('status', fields.CharField(default='pending', max_length=20)),
                ('seconds', fields.IntField()),
                ('ends_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('paused_left', fields.IntField(null=True)),
                ('warn_job', fields.IntField(null=True)),
                ('end_job', fields.IntField(null=True)),
                ('version', fields.IntField(default=0)),
                ('counter', fields.IntField(default=0)),
                ('revealed', fields.BooleanField(default=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'facilitation_phase', 'app': 'facilitation', 'unique_together': (('owner', 'name'),), 'pk_attr': 'id', 'table_description': 'A timeboxed step of an activity, with a shared timer (its end, or the time left paused).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Done',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('phase', fields.ForeignKeyField('facilitation.Phase', source_field='phase_id', db_constraint=True, to_field='id', related_name='done', on_delete=OnDelete.CASCADE)),
                ('member', fields.CharField(max_length=200)),
            ],
            options={'table': 'facilitation_done', 'app': 'facilitation', 'unique_together': (('phase', 'member'),), 'pk_attr': 'id', 'table_description': 'Someone said they are done writing in a phase (counted, never listed).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Note',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('phase', fields.ForeignKeyField('facilitation.Phase', source_field='phase_id', db_constraint=True, to_field='id', related_name='notes', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('author', fields.CharField(max_length=200)),
                ('author_name', fields.CharField(default='', max_length=200)),
                ('text', fields.CharField(max_length=500)),
                ('box', fields.CharField(default='', max_length=40)),
                ('tag', fields.CharField(null=True, max_length=20)),
                ('strength', fields.SmallIntField(null=True)),
                ('status', fields.CharField(default='open', max_length=20)),
                ('merged_into', fields.IntField(null=True)),
                ('coauthors', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'facilitation_note', 'app': 'facilitation', 'unique_together': (('phase', 'number'),), 'indexes': [Index(fields=['phase_id', 'author'])], 'pk_attr': 'id', 'table_description': 'One idea, seen only by its author until the phase is revealed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Nudge',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('phase', fields.ForeignKeyField('facilitation.Phase', source_field='phase_id', db_constraint=True, to_field='id', related_name='nudges', on_delete=OnDelete.CASCADE)),
                ('member', fields.CharField(max_length=200)),
            ],
            options={'table': 'facilitation_nudge', 'app': 'facilitation', 'unique_together': (('phase', 'member'),), 'pk_attr': 'id', 'table_description': 'The one private nudge a member got in a phase.'},
            bases=['Model'],
        ),
    ]
