"""An answer and a pulse vote are each saved in one round trip on PostgreSQL, by functions of the
database's own that do what copkit does in aiosqlite's thread on SQLite, as one transaction:

* ``healthcheck_save`` (:mod:`copkit.plugins.healthcheck.ballots`): take the open round's row
  lock, count the member in once, write the answer (or the note) and read back the member's own
  answers. Each of its statements reads what was committed before it ran, so the count it
  returns after the lock is exact, as it was with one statement per round trip.
* ``healthcheck_pulse_vote`` (:mod:`copkit.plugins.healthcheck.pulse`): take the open pulse's row
  lock, then set, change or take back the member's one vote. Returns -1 if the pulse closed,
  else 1 if the vote changed and 0 if not.

Nothing to do on SQLite."""

from typing import Any

from tortoise import migrations
from tortoise.migrations import operations as ops

CREATE_SAVE = """CREATE OR REPLACE FUNCTION healthcheck_save(
    p_round integer, p_secret text, p_member text, p_token text, p_item integer,
    p_field text, p_value text)
RETURNS TABLE(r_count integer, r_item integer, r_colour text, r_trend text, r_comment text,
    r_note text)
LANGUAGE plpgsql AS $$
DECLARE
    n integer := 0;
BEGIN
    UPDATE healthcheck_round SET writes = writes + 1
        WHERE id = p_round AND status = 'open' AND secret = p_secret;
    IF NOT FOUND THEN  -- closed (or closing): nothing is written
        RETURN QUERY SELECT -1, NULL::integer, NULL::text, NULL::text, NULL::text, NULL::text;
        RETURN;
    END IF;
    INSERT INTO healthcheck_respondent (round_id, member) VALUES (p_round, p_member)
        ON CONFLICT (round_id, member) DO NOTHING;
    IF FOUND THEN
        SELECT count(*) INTO n FROM healthcheck_respondent WHERE round_id = p_round;
    END IF;
    IF p_field = 'note' THEN
        IF p_value IS NULL THEN
            DELETE FROM healthcheck_note WHERE round_id = p_round AND token = p_token;
        ELSE
            INSERT INTO healthcheck_note AS t (round_id, token, text, approved)
                VALUES (p_round, p_token, p_value, true)
                ON CONFLICT (round_id, token) DO UPDATE SET text = EXCLUDED.text;
        END IF;
    ELSIF p_field = 'colour' THEN
        INSERT INTO healthcheck_answer AS a (round_id, item_id, token, colour, approved)
            VALUES (p_round, p_item, p_token, p_value, true)
            ON CONFLICT (round_id, token, item_id) DO UPDATE SET colour = EXCLUDED.colour;
    ELSIF p_field = 'trend' THEN
        INSERT INTO healthcheck_answer AS a (round_id, item_id, token, trend, approved)
            VALUES (p_round, p_item, p_token, p_value, true)
            ON CONFLICT (round_id, token, item_id) DO UPDATE SET trend = EXCLUDED.trend;
    ELSIF p_field = 'comment' THEN
        INSERT INTO healthcheck_answer AS a (round_id, item_id, token, comment, approved)
            VALUES (p_round, p_item, p_token, p_value, true)
            ON CONFLICT (round_id, token, item_id) DO UPDATE SET comment = EXCLUDED.comment;
    ELSE
        RAISE EXCEPTION 'healthcheck_save: unknown field %', p_field;
    END IF;
    RETURN QUERY SELECT n, NULL::integer, NULL::text, NULL::text, NULL::text, NULL::text;
    RETURN QUERY SELECT n, a.item_id, a.colour::text, a.trend::text, a.comment, NULL::text
        FROM healthcheck_answer a WHERE a.round_id = p_round AND a.token = p_token;
    RETURN QUERY SELECT n, NULL::integer, NULL::text, NULL::text, NULL::text, t.text
        FROM healthcheck_note t WHERE t.round_id = p_round AND t.token = p_token;
END $$"""

CREATE_PULSE_VOTE = """CREATE OR REPLACE FUNCTION healthcheck_pulse_vote(
    p_pulse integer, p_secret text, p_token text, p_option integer, p_withdraw boolean)
RETURNS integer
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE healthcheck_pulse SET writes = writes + 1
        WHERE id = p_pulse AND status = 'open' AND secret = p_secret;
    IF NOT FOUND THEN  -- closed (or closing): nothing is written
        RETURN -1;
    END IF;
    IF p_withdraw THEN
        DELETE FROM healthcheck_pulse_vote
            WHERE pulse_id = p_pulse AND member = p_token AND option = p_option;
        RETURN 1;
    END IF;
    INSERT INTO healthcheck_pulse_vote AS v (pulse_id, member, option)
        VALUES (p_pulse, p_token, p_option)
        ON CONFLICT (pulse_id, member) DO UPDATE SET option = EXCLUDED.option
        WHERE v.option <> EXCLUDED.option;
    IF FOUND THEN
        RETURN 1;
    END IF;
    RETURN 0;
END $$"""

DROP = (
    "DROP FUNCTION IF EXISTS healthcheck_save(integer, text, text, text, integer, text, text)",
    "DROP FUNCTION IF EXISTS healthcheck_pulse_vote(integer, text, text, integer, boolean)",
)


async def create_functions(_apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if str(client.capabilities.dialect) == "postgres":
        for statement in (CREATE_SAVE, CREATE_PULSE_VOTE):
            await client.execute_script(statement)


async def drop_functions(_apps: Any, schema_editor: Any) -> None:
    client = schema_editor.client
    if str(client.capabilities.dialect) == "postgres":
        for statement in DROP:
            await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [("healthcheck", "0003_unlinked_ballots")]

    initial = False

    operations = [ops.RunPython(create_functions, drop_functions)]
