from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_job_attempts'), ('core', '0003_delivery'), ('core', '0004_log_and_role_indexes'), ('facilitation', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Group',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='facilitation_groups', on_delete=OnDelete.CASCADE)),
                ('owner', fields.CharField(max_length=100)),
                ('number', fields.SmallIntField()),
                ('theme', fields.CharField(default='', max_length=200)),
                ('status', fields.CharField(default='open', max_length=20)),
                ('merged_into', fields.SmallIntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'facilitation_group', 'app': 'facilitation', 'unique_together': (('owner', 'number'),), 'pk_attr': 'id', 'table_description': 'A small group of an activity (2–3 people around a theme), numbered from 1. A group'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GroupMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('facilitation.Group', source_field='group_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('owner', fields.CharField(max_length=100)),
                ('member', fields.CharField(max_length=200)),
                ('name', fields.CharField(default='', max_length=200)),
                ('position', fields.IntField(default=0)),
                ('joined_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('left_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'facilitation_group_member', 'app': 'facilitation', 'unique_together': (('owner', 'member'),), 'indexes': [Index(fields=['group_id'])], 'pk_attr': 'id', 'table_description': "Someone's place in a group: one row per (activity, member), so nobody is in two"},
            bases=['Model'],
        ),
    ]
