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
            name='Workshop',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='workshops', on_delete=OnDelete.CASCADE)),
                ('room_id', fields.CharField(max_length=300)),
                ('running_key', fields.CharField(null=True, unique=True, max_length=320)),
                ('status', fields.CharField(default='running', max_length=20)),
                ('step', fields.CharField(max_length=20)),
                ('stage', fields.CharField(max_length=20)),
                ('version', fields.IntField(default=0)),
                ('dots', fields.SmallIntField(default=3)),
                ('minutes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('forcefield', fields.BooleanField(default=True)),
                ('facilitator', fields.CharField(max_length=200)),
                ('facilitator_name', fields.CharField(default='', max_length=200)),
                ('name', fields.CharField(null=True, max_length=100)),
                ('leader_id', fields.CharField(null=True, max_length=200)),
                ('leader_name', fields.CharField(null=True, max_length=200)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'workshop_workshop', 'app': 'workshop', 'indexes': [Index(fields=['community_id', 'status'])], 'pk_attr': 'id', 'table_description': 'A vision workshop: its steps, timeboxes, dot budget and what it decided.'},
            bases=['Model'],
        ),
    ]
