"""The dot count of each topic, kept by the database (migration 0002).

A dot is a ``leancoffee_vote`` row; ``leancoffee_topic.dot_count`` is the number of rows naming the
topic. Triggers keep it in the same transaction as the dots they count: an insert adds, a delete
takes away, moving dots to another topic (a merge) does both. On PostgreSQL the triggers run once
per statement over its rows (a batch of a thousand dots is one update per topic, its rows locked
in id order so that two batches never deadlock); SQLite's run per row.
"""

from __future__ import annotations

from typing import Any

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
        IF TG_OP = 'INSERT' THEN
            PERFORM 1 FROM leancoffee_topic WHERE id IN (SELECT topic_id FROM new_dots)
                ORDER BY id FOR UPDATE;
            UPDATE leancoffee_topic t SET dot_count = t.dot_count + d.n
                FROM (SELECT topic_id, count(*) AS n FROM new_dots GROUP BY topic_id) d
                WHERE t.id = d.topic_id;
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM 1 FROM leancoffee_topic WHERE id IN (SELECT topic_id FROM old_dots)
                ORDER BY id FOR UPDATE;
            UPDATE leancoffee_topic t SET dot_count = t.dot_count - d.n
                FROM (SELECT topic_id, count(*) AS n FROM old_dots GROUP BY topic_id) d
                WHERE t.id = d.topic_id;
        ELSE
            PERFORM 1 FROM leancoffee_topic
                WHERE id IN (SELECT topic_id FROM old_dots UNION SELECT topic_id FROM new_dots)
                ORDER BY id FOR UPDATE;
            UPDATE leancoffee_topic t SET dot_count = t.dot_count + d.n
                FROM (SELECT topic_id, sum(n) AS n FROM (
                        SELECT topic_id, -1 AS n FROM old_dots
                        UNION ALL SELECT topic_id, 1 FROM new_dots) c
                      GROUP BY topic_id HAVING sum(n) <> 0) d
                WHERE t.id = d.topic_id;
        END IF;
        RETURN NULL;
    END $$""",
    "DROP TRIGGER IF EXISTS leancoffee_vote_added ON leancoffee_vote",
    """CREATE TRIGGER leancoffee_vote_added AFTER INSERT ON leancoffee_vote
    REFERENCING NEW TABLE AS new_dots
    FOR EACH STATEMENT EXECUTE FUNCTION leancoffee_count_dots()""",
    "DROP TRIGGER IF EXISTS leancoffee_vote_removed ON leancoffee_vote",
    """CREATE TRIGGER leancoffee_vote_removed AFTER DELETE ON leancoffee_vote
    REFERENCING OLD TABLE AS old_dots
    FOR EACH STATEMENT EXECUTE FUNCTION leancoffee_count_dots()""",
    "DROP TRIGGER IF EXISTS leancoffee_vote_moved ON leancoffee_vote",
    """CREATE TRIGGER leancoffee_vote_moved AFTER UPDATE ON leancoffee_vote
    REFERENCING OLD TABLE AS old_dots NEW TABLE AS new_dots
    FOR EACH STATEMENT EXECUTE FUNCTION leancoffee_count_dots()""",
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
