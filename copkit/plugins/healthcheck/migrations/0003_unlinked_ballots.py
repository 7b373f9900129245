from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0003_delivery'), ('healthcheck', '0002_pulse_public')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Answer',
            name='approved',
            field=fields.BooleanField(default=True),
        ),
        ops.AddField(
            model_name='Note',
            name='approved',
            field=fields.BooleanField(default=True),
        ),
        ops.AddField(
            model_name='Pulse',
            name='secret',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AlterModelOptions(
            name='PulseVote',
            options={'table': 'healthcheck_pulse_vote', 'app': 'healthcheck', 'unique_together': (('pulse', 'member'),), 'pk_attr': 'id', 'table_description': 'One vote per member while the pulse is open, deleted when it closes. ``member`` holds the'},
        ),
        ops.AddField(
            model_name='Round',
            name='closed_by',
            field=fields.CharField(default='', max_length=200),
        ),
        ops.AddField(
            model_name='Round',
            name='moderate',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='Round',
            name='secret',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.DeleteModel(name='Ballot'),
    ]
