from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_job_attempts'), ('core', '0003_delivery')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='LogEntry',
            index=Index(fields=['community_id', 'id']),
        ),
        ops.AddIndex(
            model_name='LogEntry',
            index=Index(fields=['community_id', 'at']),
        ),
        ops.AddIndex(
            model_name='Membership',
            index=Index(fields=['community_id', 'role']),
        ),
    ]
