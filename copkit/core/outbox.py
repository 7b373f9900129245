"""The outbox: a step done after a state change, exactly when that change is committed.

Some steps must follow a change in the database and must not be lost: post a health check's
results once the round is closed, announce the next topic once the board moved on. Done inline
after the commit, a platform failure (a 502 from the Bot Connector) or a ``kill -9`` between the
commit and the post loses the step for good: the round is closed, the results never appear.

Make the step its own timer job instead, scheduled *inside* the transaction that makes the
change::

    from tortoise.transactions import in_transaction
    from copkit.core import outbox

    async with in_transaction():
        closed = await Round.filter(id=r.id, status=OPEN).update(status=CLOSED)
        if closed:  # only the request that closed it posts the results
            await outbox.step(scope, "healthcheck.post_results", {"round": r.id})

    # declared with the plugin's other jobs: JobType("healthcheck.post_results", post_results)
    async def post_results(ctx: JobContext, payload: dict) -> None:
        r = await Round.get(id=payload["round"])
        await ctx.show(results_view(r), key=f"healthcheck:results:{r.id}")

What this gives:

- **with the change or not at all**: the job row is written in the same transaction, so it
  exists exactly when the change was committed (rolled back together, never half);
- **survives a crash**: the job is a row; if the process dies before or while running it, the
  next worker claims it (at once if unclaimed, after the lease if claimed by the dead one);
- **survives platform failures**: a :class:`~copkit.core.errors.PlatformError` or an
  unavailable database makes the scheduler run the job again with exponential backoff, up to
  its limit (then it is marked failed and logged as an error, the row kept);
- **posted once**: a retried job may run its handler again, so show what it posts under a
  ``key``: a view already posted under that key is edited in place, not posted a second time.
  Steps with other side effects should check the state first (e.g. "results already posted")
  so that running twice does what running once does.
  Limits: a view posted when the database went away before its key was recorded is edited on
  a retry by the same process (it remembers it), but posted again by another process; a
  ``kill -9`` between the platform's answer and the record also posts it again. Chat platforms
  offer no idempotent post, so "once" holds up to that moment.

The step runs on the scheduler's next poll (at most ``poll_interval`` later; in tests, on the
next ``Harness.advance``)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .context import Scope


async def step(
    scope: Scope,
    handler: str,
    payload: dict[str, Any] | None = None,
    *,
    delay: timedelta = timedelta(0),
) -> int:
    """Run the job type ``handler`` with ``payload`` as its own job, due now (or after
    ``delay``). Call it inside the transaction of the state change it follows; returns the id."""
    return await scope.schedule(handler, delay, payload or {})
