from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_job_attempts'), ('core', '0003_delivery')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Document',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='site_documents', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=200)),
                ('event_ref', fields.CharField(max_length=100)),
                ('format', fields.CharField(max_length=50)),
                ('kind', fields.CharField(max_length=20)),
                ('title', fields.CharField(max_length=300)),
                ('day', fields.DateField()),
                ('body', fields.TextField(unique=False)),
                ('digest', fields.CharField(max_length=64)),
                ('whole', fields.BooleanField(default=False)),
            ],
            options={'table': 'site_document', 'app': 'site', 'unique_together': (('community', 'key'),), 'pk_attr': 'id', 'table_description': "One searchable piece of a community's archive (see ``copkit.core.site.SiteDocument``)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IndexState',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.OneToOneField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='site_index', on_delete=OnDelete.CASCADE)),
                ('log_id', fields.IntField(default=0)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'site_index_state', 'app': 'site', 'pk_attr': 'id', 'table_description': "How far a community's index is: the community log's last entry when it was refreshed"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Secret',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=50)),
                ('value', fields.CharField(max_length=200)),
            ],
            options={'table': 'site_secret', 'app': 'site', 'pk_attr': 'id', 'table_description': 'A key generated on first use and kept, so every process signs links alike.'},
            bases=['Model'],
        ),
    ]
