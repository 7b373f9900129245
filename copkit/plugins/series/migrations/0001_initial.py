from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_job_attempts'), ('core', '0003_delivery')]

    initial = True

    operations = [
        ops.CreateModel(
            name='CalendarSetting',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.OneToOneField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='calendar_setting', on_delete=OnDelete.CASCADE)),
                ('public', fields.BooleanField(default=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'series_calendar_setting', 'app': 'series', 'pk_attr': 'id', 'table_description': "Whether a community's calendar feed is served to anyone with its address."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Series',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='series', on_delete=OnDelete.CASCADE)),
                ('uid', fields.CharField(unique=True, max_length=100)),
                ('format', fields.CharField(max_length=50)),
                ('room_id', fields.CharField(default='', max_length=300)),
                ('title', fields.CharField(max_length=200)),
                ('every', fields.CharField(max_length=100)),
                ('rule', fields.CharField(max_length=200)),
                ('first_local', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('tz', fields.CharField(default='UTC', max_length=64)),
                ('minutes', fields.IntField(default=60)),
                ('options', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('announce_minutes', fields.IntField(default=1440)),
                ('remind_minutes', fields.IntField(default=15)),
                ('where', fields.CharField(default='', max_length=500)),
                ('status', fields.CharField(default='active', max_length=20)),
                ('sequence', fields.IntField(default=0)),
                ('created_by', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'series_series', 'app': 'series', 'pk_attr': 'id', 'table_description': 'An event of one format that comes back: ``rule`` is an RFC 5545 RRULE value counted'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Occurrence',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('series', fields.ForeignKeyField('series.Series', source_field='series_id', db_constraint=True, to_field='id', related_name='occurrences', on_delete=OnDelete.CASCADE)),
                ('original_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('starts_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('status', fields.CharField(default='planned', max_length=20)),
                ('moved', fields.BooleanField(default=False)),
                ('sequence', fields.IntField(default=0)),
                ('announce_job', fields.IntField(null=True)),
                ('remind_job', fields.IntField(null=True)),
                ('open_job', fields.IntField(null=True)),
                ('announced_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('reminded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('opened_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('opened_by', fields.CharField(default='', max_length=100)),
                ('ref', fields.CharField(default='', max_length=200)),
            ],
            options={'table': 'series_occurrence', 'app': 'series', 'unique_together': (('series', 'original_start'),), 'pk_attr': 'id', 'table_description': 'One date of a series, stored once it is planned, skipped or moved. ``(series,'},
            bases=['Model'],
        ),
    ]
