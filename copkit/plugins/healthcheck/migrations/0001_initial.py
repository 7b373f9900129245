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
            name='Dimension',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='healthcheck_dimensions', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=60)),
                ('title', fields.CharField(max_length=100)),
                ('awesome', fields.CharField(max_length=300)),
                ('crappy', fields.CharField(max_length=300)),
                ('position', fields.IntField(default=0)),
                ('default_key', fields.CharField(null=True, max_length=60)),
                ('retired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'healthcheck_dimension', 'app': 'healthcheck', 'unique_together': (('community', 'key'),), 'pk_attr': 'id', 'table_description': "One card of a community's deck. Never deleted: a retired dimension keeps its history."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DeckChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='healthcheck_deck_changes', on_delete=OnDelete.CASCADE)),
                ('dimension', fields.ForeignKeyField('healthcheck.Dimension', source_field='dimension_id', null=True, db_constraint=True, to_field='id', related_name='changes', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('member', fields.CharField(default='', max_length=200)),
                ('action', fields.CharField(max_length=20)),
                ('before', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('after', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'healthcheck_deck_change', 'app': 'healthcheck', 'pk_attr': 'id', 'table_description': "The deck's history: who added, edited, moved, retired, restored or reset what, and how."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Pulse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='healthcheck_pulses', on_delete=OnDelete.CASCADE)),
                ('room_id', fields.CharField(default='', max_length=300)),
                ('question', fields.CharField(max_length=300)),
                ('options', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharField(default='open', max_length=10)),
                ('opened_by', fields.CharField(default='', max_length=200)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('min_responses', fields.IntField(default=3)),
                ('voters', fields.IntField(default=0)),
                ('counts', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('enough', fields.BooleanField(default=False)),
                ('close_job_id', fields.IntField(null=True)),
                ('writes', fields.IntField(default=0)),
            ],
            options={'table': 'healthcheck_pulse', 'app': 'healthcheck', 'pk_attr': 'id', 'table_description': 'A quick one-question anonymous poll. Votes are counted into ``counts`` and deleted at close.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PulseVote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('pulse', fields.ForeignKeyField('healthcheck.Pulse', source_field='pulse_id', db_constraint=True, to_field='id', related_name='votes', on_delete=OnDelete.CASCADE)),
                ('member', fields.CharField(max_length=200)),
                ('option', fields.IntField()),
            ],
            options={'table': 'healthcheck_pulse_vote', 'app': 'healthcheck', 'unique_together': (('pulse', 'member'),), 'pk_attr': 'id', 'table_description': 'One vote per member while the pulse is open, deleted when it closes.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Round',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='healthcheck_rounds', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('room_id', fields.CharField(default='', max_length=300)),
                ('status', fields.CharField(default='open', max_length=10)),
                ('open_slot', fields.IntField(null=True, unique=True)),
                ('opened_by', fields.CharField(default='', max_length=200)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('min_responses', fields.IntField(default=3)),
                ('responses', fields.IntField(default=0)),
                ('members', fields.IntField(default=0)),
                ('enough', fields.BooleanField(default=False)),
                ('close_job_id', fields.IntField(null=True)),
                ('remind_job_id', fields.IntField(null=True)),
                ('writes', fields.IntField(default=0)),
            ],
            options={'table': 'healthcheck_round', 'app': 'healthcheck', 'unique_together': (('community', 'number'),), 'pk_attr': 'id', 'table_description': 'A health-check round. ``open_slot`` holds the community id while open (NULL after), so a'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Ballot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('healthcheck.Round', source_field='round_id', db_constraint=True, to_field='id', related_name='ballots', on_delete=OnDelete.CASCADE)),
                ('member', fields.CharField(max_length=200)),
                ('token', fields.CharField(unique=True, max_length=64)),
            ],
            options={'table': 'healthcheck_ballot', 'app': 'healthcheck', 'unique_together': (('round', 'member'),), 'pk_attr': 'id', 'table_description': 'While a round is open: member → random token, so they can change their answers.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Note',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('healthcheck.Round', source_field='round_id', db_constraint=True, to_field='id', related_name='notes', on_delete=OnDelete.CASCADE)),
                ('token', fields.CharField(null=True, db_index=True, max_length=64)),
                ('text', fields.TextField(unique=False)),
            ],
            options={'table': 'healthcheck_note', 'app': 'healthcheck', 'unique_together': (('round', 'token'),), 'pk_attr': 'id', 'table_description': 'An answer to "What did we forget?". No member column, ``token`` is NULL once closed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Respondent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('healthcheck.Round', source_field='round_id', db_constraint=True, to_field='id', related_name='respondents', on_delete=OnDelete.CASCADE)),
                ('member', fields.CharField(max_length=200)),
            ],
            options={'table': 'healthcheck_respondent', 'app': 'healthcheck', 'unique_together': (('round', 'member'),), 'pk_attr': 'id', 'table_description': 'Who answered a round (participation, duplicates). Nothing here says what they answered.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RoundDimension',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('healthcheck.Round', source_field='round_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('dimension', fields.ForeignKeyField('healthcheck.Dimension', source_field='dimension_id', db_constraint=True, to_field='id', related_name='round_items', on_delete=OnDelete.CASCADE)),
                ('position', fields.IntField()),
                ('title', fields.CharField(max_length=100)),
                ('awesome', fields.CharField(max_length=300)),
                ('crappy', fields.CharField(max_length=300)),
            ],
            options={'table': 'healthcheck_round_dimension', 'app': 'healthcheck', 'unique_together': (('round', 'dimension'),), 'pk_attr': 'id', 'table_description': 'The deck as it was when a round started (edits apply from the next round).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Answer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('round', fields.ForeignKeyField('healthcheck.Round', source_field='round_id', db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.CASCADE)),
                ('item', fields.ForeignKeyField('healthcheck.RoundDimension', source_field='item_id', db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.CASCADE)),
                ('token', fields.CharField(null=True, db_index=True, max_length=64)),
                ('colour', fields.CharField(null=True, max_length=5)),
                ('trend', fields.CharField(null=True, max_length=6)),
                ('comment', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'healthcheck_answer', 'app': 'healthcheck', 'unique_together': (('round', 'token', 'item'),), 'pk_attr': 'id', 'table_description': 'One answer on one dimension. No member column, and ``token`` is NULL once the round closed.'},
            bases=['Model'],
        ),
    ]
