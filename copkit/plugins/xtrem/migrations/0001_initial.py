from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0005_place')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Book',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='xtrem_books', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('title', fields.CharField(max_length=200)),
                ('author', fields.CharField(default='', max_length=120)),
                ('link', fields.CharField(default='', max_length=500)),
                ('theme', fields.CharField(default='', max_length=60)),
                ('fold', fields.CharField(max_length=330)),
                ('added_by', fields.CharField(max_length=200)),
                ('added_by_name', fields.CharField(default='', max_length=200)),
                ('added_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('removed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'xtrem_book', 'app': 'xtrem', 'unique_together': (('community', 'fold'), ('community', 'number')), 'pk_attr': 'id', 'table_description': "A book on the community's list: ``fold`` (the title and author folded) is unique, so"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Session',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('community', fields.ForeignKeyField('core.Community', source_field='community_id', db_constraint=True, to_field='id', related_name='xtrem_sessions', on_delete=OnDelete.CASCADE)),
                ('format', fields.CharField(max_length=20)),
                ('room_id', fields.CharField(max_length=300)),
                ('running_key', fields.CharField(null=True, unique=True, max_length=320)),
                ('status', fields.CharField(default='running', max_length=20)),
                ('step', fields.CharField(max_length=20)),
                ('turn', fields.SmallIntField(default=0)),
                ('version', fields.IntField(default=0)),
                ('seconds', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('options', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('facilitator', fields.CharField(max_length=200)),
                ('facilitator_name', fields.CharField(default='', max_length=200)),
                ('record', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'xtrem_session', 'app': 'xtrem', 'indexes': [Index(fields=['community_id', 'status'])], 'pk_attr': 'id', 'table_description': 'An Xtrem Reading or Xtrem Watch session in a room: its step, timeboxes and record.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Rating',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('xtrem.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='ratings', on_delete=OnDelete.CASCADE)),
                ('book', fields.ForeignKeyField('xtrem.Book', source_field='book_id', db_constraint=True, to_field='id', related_name='ratings', on_delete=OnDelete.CASCADE)),
                ('member', fields.CharField(max_length=200)),
                ('name', fields.CharField(default='', max_length=200)),
                ('readability', fields.SmallIntField()),
                ('recommendation', fields.SmallIntField()),
            ],
            options={'table': 'xtrem_rating', 'app': 'xtrem', 'unique_together': (('session', 'member', 'book'),), 'pk_attr': 'id', 'table_description': "A reader's rating of a book they read: readability and recommendation, 1 to 5."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Reading',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('xtrem.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='readings', on_delete=OnDelete.CASCADE)),
                ('book', fields.ForeignKeyField('xtrem.Book', source_field='book_id', db_constraint=True, to_field='id', related_name='readings', on_delete=OnDelete.CASCADE)),
                ('member', fields.CharField(max_length=200)),
                ('name', fields.CharField(default='', max_length=200)),
                ('round', fields.SmallIntField()),
                ('hope', fields.CharField(default='', max_length=300)),
            ],
            options={'table': 'xtrem_reading', 'app': 'xtrem', 'unique_together': (('session', 'member', 'round'),), 'indexes': [Index(fields=['book_id'])], 'pk_attr': 'id', 'table_description': 'Who reads which book in which round (1: their pick, 2: after the swap), and what they'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Source',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('xtrem.Session', source_field='session_id', db_constraint=True, to_field='id', related_name='sources', on_delete=OnDelete.CASCADE)),
                ('number', fields.IntField()),
                ('group', fields.SmallIntField()),
                ('topic', fields.CharField(default='', max_length=300)),
                ('url', fields.CharField(max_length=500)),
                ('about', fields.CharField(default='', max_length=300)),
                ('finder', fields.CharField(max_length=200)),
                ('finder_name', fields.CharField(default='', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'xtrem_source', 'app': 'xtrem', 'unique_together': (('session', 'url'), ('session', 'number')), 'pk_attr': 'id', 'table_description': 'A link a group found in Xtrem Watch: its topic and who found it.'},
            bases=['Model'],
        ),
    ]
