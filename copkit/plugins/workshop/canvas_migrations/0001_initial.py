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
            name='CanvasVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='canvas_versions', on_delete=OnDelete.CASCADE)),
                ('version', fields.IntField()),
                ('data', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('change', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('member', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'canvas_version', 'app': 'canvas', 'unique_together': (('community', 'version'),), 'pk_attr': 'id', 'table_description': "One version of a community's canvas. Every change writes a new row with the next"},
            bases=['Model'],
        ),
    ]
