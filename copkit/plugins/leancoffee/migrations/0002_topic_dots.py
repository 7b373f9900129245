"""Each topic keeps its dot count (``leancoffee_topic.dot_count``), maintained by the database
itself: triggers on ``leancoffee_vote`` add and take away dots in the transaction that writes them,
whatever code writes them (one vote, a batch of votes, a merge, a removal). The board then reads
its topics only, however many dots the session has. Existing topics are counted once here.

A dot is a ``leancoffee_vote`` row; ``leancoffee_topic.dot_count`` is the number of rows naming the
topic. Triggers keep it in the same transaction as the dots they count: an insert adds, a delete
takes away, moving dots to another topic (a merge) does both, row by row on both databases.
"""

from typing import Any

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


SQLITE = (
    """CREATE TRIGGER IF NOT EXISTS leancoffee_vote_added AFTER INSERT ON leancoffee_vote
    BEGIN UPDATE leancoffee_topic SET dot_count = dot_count + 1 WHERE id = NEW.topic_id; END""",
    """CREATE TRIGGER IF NOT EXISTS leancoffee_vote_removed AFTER DELETE ON leancoffee_vote
    BEGIN UPDATE leancoffee_topic SET dot_count = dot_count - 1 WHERE id = OLD.topic_id; END""",
    """CREATE TRIGGER IF NOT EXISTS leancoffee_vote_moved AFTER UPDATE OF topic_id
    ON leancoffee_vote WHEN OLD.topic_id <> NEW.topic_id
    BEGIN
        UPDATE leancoffee_topic SET dot_count = dot_count - 1 WHERE id = OLD.topic_id;
        UPDATE leancoffee_topic SET dot_count = dot_count + 1 WHERE id = NEW.topic_id;
    END""",
)

POSTGRES = (
    """CREATE OR REPLACE FUNCTION leancoffee_count_dots() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            UPDATE leancoffee_topic SET dot_count = dot_count - 1 WHERE id = OLD.topic_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            UPDATE leancoffee_topic SET dot_count = dot_count + 1 WHERE id = NEW.topic_id;
        END IF;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER IF EXISTS leancoffee_vote_added ON leancoffee_vote",
    """CREATE TRIGGER leancoffee_vote_added AFTER INSERT ON leancoffee_vote
    FOR EACH ROW EXECUTE FUNCTION leancoffee_count_dots()""",
    "DROP TRIGGER IF EXISTS leancoffee_vote_removed ON leancoffee_vote",
    """CREATE TRIGGER leancoffee_vote_removed AFTER DELETE ON leancoffee_vote
    FOR EACH ROW EXECUTE FUNCTION leancoffee_count_dots()""",
    "DROP TRIGGER IF EXISTS leancoffee_vote_moved ON leancoffee_vote",
    """CREATE TRIGGER leancoffee_vote_moved AFTER UPDATE OF topic_id ON leancoffee_vote
    FOR EACH ROW WHEN (OLD.topic_id <> NEW.topic_id)
    EXECUTE FUNCTION leancoffee_count_dots()""",
)

RECOUNT = """UPDATE leancoffee_topic SET dot_count = (
    SELECT COUNT(*) FROM leancoffee_vote v WHERE v.topic_id = leancoffee_topic.id)
    WHERE id IN (SELECT topic_id FROM leancoffee_vote)"""

DROP_SQLITE = tuple(
    f"DROP TRIGGER IF EXISTS {name}"
    for name in ("leancoffee_vote_added", "leancoffee_vote_removed", "leancoffee_vote_moved")
)
DROP_POSTGRES = (
    *(
        f"DROP TRIGGER IF EXISTS {name} ON leancoffee_vote"
        for name in ("leancoffee_vote_added", "leancoffee_vote_removed", "leancoffee_vote_moved")
    ),
    "DROP FUNCTION IF EXISTS leancoffee_count_dots()",
)


def _is_sqlite(client: Any) -> bool:
    return str(client.capabilities.dialect) == "sqlite"


async def create_triggers(_apps: Any, schema_editor: Any) -> None:
    """Migration 0002: the triggers, then the dots already given counted once."""
    client = schema_editor.client
    for statement in SQLITE if _is_sqlite(client) else POSTGRES:
        await client.execute_script(statement)
    await client.execute_script(RECOUNT)


async def drop_triggers(_apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    for statement in DROP_SQLITE if _is_sqlite(client) else DROP_POSTGRES:
        await client.execute_script(statement)


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
