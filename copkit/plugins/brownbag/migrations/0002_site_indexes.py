from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('brownbag', '0001_initial'), ('core', '0001_initial'), ('core', '0002_job_attempts'), ('core', '0003_delivery'), ('core', '0004_log_and_role_indexes')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Session',
            index=Index(fields=['community_id', 'starts_at']),
        ),
    ]
