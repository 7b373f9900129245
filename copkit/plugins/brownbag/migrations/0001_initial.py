from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0002_job_attempts')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Talk',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='brownbag_talks', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('proposer_id', fields.CharField(max_length=200)),
                ('status', fields.CharField(default='open', max_length=20)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'brownbag_talk', 'app': 'brownbag', 'pk_attr': 'id', 'table_description': 'A talk someone could give or would like to hear (the backlog).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='brownbag_sessions', on_delete=OnDelete.CASCADE)),
                ('uid', fields.CharField(unique=True, max_length=100)),
                ('talk', fields.ForeignKeyField('brownbag.Talk', source_field='talk_id', null=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('speaker_id', fields.CharField(max_length=200)),
                ('speaker_name', fields.CharField(default='', max_length=200)),
                ('starts_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('minutes', fields.IntField(default=45)),
                ('where', fields.CharField(default='', max_length=500)),
                ('room_id', fields.CharField(default='', max_length=300)),
                ('status', fields.CharField(default='scheduled', max_length=20)),
                ('sequence', fields.IntField(default=0)),
                ('remind_day_job', fields.IntField(null=True)),
                ('remind_soon_job', fields.IntField(null=True)),
                ('end_job', fields.IntField(null=True)),
                ('attendance', fields.IntField(null=True)),
                ('recording_url', fields.CharField(default='', max_length=500)),
                ('slides_url', fields.CharField(default='', max_length=500)),
                ('created_by', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('done_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'brownbag_session', 'app': 'brownbag', 'pk_attr': 'id', 'table_description': 'A scheduled brown bag: one speaker, one topic, one time.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Feedback',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('brownbag.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='feedback', on_delete=OnDelete.CASCADE)),
                ('member_id', fields.CharField(max_length=200)),
                ('rating', fields.SmallIntField()),
                ('apply', fields.CharField(default='', max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'brownbag_feedback', 'app': 'brownbag', 'unique_together': (('session', 'member_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Rsvp',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('brownbag.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='rsvps', on_delete=OnDelete.CASCADE)),
                ('member_id', fields.CharField(max_length=200)),
                ('answer', fields.CharField(max_length=10)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'brownbag_rsvp', 'app': 'brownbag', 'unique_together': (('session', 'member_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Upvote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('talk', fields.ForeignKeyField('brownbag.Talk', source_field='talk_id', db_constraint=True, to_field='id', related_name='upvotes', on_delete=OnDelete.CASCADE)),
                ('member_id', fields.CharField(max_length=200)),
            ],
            options={'table': 'brownbag_upvote', 'app': 'brownbag', 'unique_together': (('talk', 'member_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Volunteer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('talk', fields.ForeignKeyField('brownbag.Talk', source_field='talk_id', db_constraint=True, to_field='id', related_name='volunteers', on_delete=OnDelete.CASCADE)),
                ('member_id', fields.CharField(max_length=200)),
                ('name', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'brownbag_volunteer', 'app': 'brownbag', 'unique_together': (('talk', 'member_id'),), 'pk_attr': 'id', 'table_description': 'Someone who could give a talk of the backlog.'},
            bases=['Model'],
        ),
    ]
