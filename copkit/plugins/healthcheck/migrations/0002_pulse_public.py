from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_job_attempts'), ('healthcheck', '0001_initial')]

    initial = False

    operations = [
        ops.AlterModelOptions(
            name='Pulse',
            options={'table': 'healthcheck_pulse', 'app': 'healthcheck', 'pk_attr': 'id', 'table_description': 'A quick one-question poll, anonymous unless ``public``. Votes are counted into ``counts``'},
        ),
        ops.AddField(
            model_name='Pulse',
            name='public',
            field=fields.BooleanField(default=False),
        ),
    ]
