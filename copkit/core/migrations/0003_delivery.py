from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_job_attempts')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('platform', fields.CharField(max_length=20)),
                ('key', fields.CharField(max_length=300)),
                ('status', fields.SmallIntField()),
                ('body', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'copkit_delivery', 'app': 'core', 'unique_together': (('platform', 'key'),), 'pk_attr': 'id', 'table_description': 'An inbound platform event already answered, with its answer.'},
            bases=['Model'],
        ),
    ]
