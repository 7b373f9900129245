"""Each topic keeps its dot count (``leancoffee_topic.dot_count``), maintained by the database itself:
triggers on ``leancoffee_vote`` add and take away dots in the transaction that writes them,
whatever code writes them (one vote, a batch of votes, a merge, a removal). The board then reads
its topics only, however many dots the session has. Existing topics are counted once here."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from copkit.plugins.leancoffee.dotcount import create_triggers, drop_triggers


class Migration(migrations.Migration):
    dependencies = [("leancoffee", "0001_initial")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Topic",
            name="dot_count",
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.RunPython(create_triggers, drop_triggers),
    ]
