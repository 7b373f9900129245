from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_job_attempts'), ('core', '0003_delivery'), ('core', '0004_log_and_role_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Place',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='places', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=200)),
                ('kind', fields.CharField(max_length=20)),
                ('room_id', fields.CharField(max_length=300)),
                ('parent_id', fields.CharField(default='', max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'copkit_place', 'app': 'core', 'unique_together': (('community', 'key', 'kind'),), 'pk_attr': 'id', 'table_description': "A room copkit opened for part of an activity and remembers by ``key``: a group's"},
            bases=['Model'],
        ),
    ]
