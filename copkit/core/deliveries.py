"""Inbound events already answered, recorded in the database so that a platform's re-delivery
(Teams retries an activity it thinks was lost, possibly to another process) is answered once."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from . import store
from .clock import Clock
from .dberrors import is_conflict_in
from .errors import Redelivered
from .metrics import Metrics
from .models import Delivery
from .writer import Row

__all__ = ["Claim", "Deliveries", "Redelivered", "before_effect"]

log = logging.getLogger("copkit")


DELIVERY_KEPT = timedelta(days=1)  # how long an answered delivery is remembered
DELIVERY_PURGE = timedelta(minutes=10)  # old deliveries are purged at most this often


class Deliveries:
    def __init__(self, clock: Clock, metrics: Metrics | None = None) -> None:
        self.clock = clock
        self.metrics = metrics or Metrics()
        self._purged: datetime | None = None

    def claim(self, platform: str, key: str) -> Claim:
        """Start answering the event ``key``: the record joins the request's first effect (see
        :class:`Claim`; call :meth:`finish` with the answer at the end)."""
        claim = Claim(platform, key[:300], self.clock.now(), asyncio.current_task())
        store.first_write.set(claim)
        return claim

    async def finish(self, claim: Claim, status: int, body: Any, *, private: bool) -> bool:
        """Record the answer of a claimed event: claimed already (with its writes), only its
        body is added if anyone may see it; not yet, one ``INSERT`` with the answer. A failed
        answer is not recorded, except when its writes committed (doing them again would be
        worse than a neutral answer to a retry). ``False`` when another delivery of the event
        was recorded meanwhile (answer it as a re-delivery: see :meth:`earlier`)."""
        store.first_write.set(None)
        kept = None if private else body
        ok = 200 <= status < 300
        new = True
        try:
            if claim.state == _CLAIMED:
                if not ok and claim.standalone:  # it only sent something: let a retry redo it
                    await Delivery.filter(platform=claim.platform, key=claim.key).delete()
                elif kept is not None:
                    await store.execute(
                        "UPDATE copkit_delivery SET body = ? WHERE platform = ? AND key = ?",
                        [_db("body", kept), claim.platform, claim.key],
                    )
            elif ok:
                new = bool(await store.rows(_CLAIM, claim.values(status, kept)))
        except Exception:
            log.warning("could not remember an answered delivery", exc_info=True)
            return True
        await self._purge(claim.at)
        return new

    async def earlier(self, platform: str, key: str) -> tuple[int, Any]:
        """The answer recorded for an event claimed by another delivery (see :class:`Claim`);
        a neutral one if that answer is gone or still being made."""
        self.metrics.redelivered(platform)
        try:
            row = await Delivery.get_or_none(platform=platform, key=key[:300])
        except Exception:
            log.debug("could not look up a delivery", exc_info=True)
            row = None
        if row is None:
            return (200, None)
        return (row.status, row.body)

    async def _purge(self, now: datetime) -> None:
        last = self._purged
        if last is None or abs(now - last) >= DELIVERY_PURGE:  # a clock set back purges too
            self._purged = now
            try:
                await Delivery.filter(at__lt=now - DELIVERY_KEPT).delete()
            except Exception:
                log.warning("could not purge old deliveries", exc_info=True)

    async def answered(self, platform: str, key: str) -> tuple[int, Any] | None:
        """The answer already given to the inbound event ``key`` (by any process), or ``None``.

        Adapters call this first, and :meth:`remember` after."""
        try:
            row = await Delivery.get_or_none(platform=platform, key=key[:300])
        except Exception:  # the database is down: handling the event will say so
            log.debug("could not look up a delivery", exc_info=True)
            return None
        if row is None:
            return None
        self.metrics.redelivered(platform)
        return (row.status, row.body)

    async def remember(
        self, platform: str, key: str, status: int, body: Any, *, private: bool = False
    ) -> None:
        """Record that ``key`` was answered with ``status`` and ``body`` (kept for a day).

        A ``private`` answer (for one person: their own card, their vote) is recorded as
        answered without its body, so no row says what a person was told. ``key`` must not
        name a person (adapters pass a keyed hash). Rows older than a day are purged at most
        every few minutes, whatever the traffic."""
        now = self.clock.now()
        try:
            await Delivery.create(
                platform=platform,
                key=key[:300],
                status=status,
                body=None if private else body,
                at=now,
            )
        except IntegrityError:
            pass  # answered twice at the same moment: the first answer stands
        except Exception:
            log.warning("could not remember an answered delivery", exc_info=True)
            return
        await self._purge(now)


# Claims: the record joins the request's own commit ---------------------------------------------

_PENDING, _CLAIMING, _IN_TRANSACTION, _CLAIMED = "pending", "claiming", "in transaction", "claimed"

_CLAIM = (
    "INSERT INTO copkit_delivery (platform, key, status, body, at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (platform, key) DO NOTHING RETURNING id"
)


def _db(field: str, value: Any) -> Any:
    """``value`` as the ORM writes it to ``copkit_delivery.<field>`` (JSON text, timestamps)."""
    return None if value is None else Delivery._meta.fields_map[field].to_db_value(value, Delivery)


@dataclass
class Claim:
    """An inbound event being answered, recorded as answered at its first effect.

    The record is one ``INSERT … ON CONFLICT DO NOTHING`` whose ``RETURNING`` says whether the
    event is new, made inside the request's first transaction (:func:`copkit.core.store.
    transaction`), so that it commits with the request's writes or not at all; or, for a request
    that writes nothing, before its first message goes out; or at the end. Only the task that
    made the claim takes part (tasks it starts inherit the context, not the claim)."""

    platform: str
    key: str
    at: datetime
    task: asyncio.Task[Any] | None
    state: str = _PENDING
    standalone: bool = False  # claimed on its own, not with any write

    @property
    def joinable(self) -> bool:
        return self.state == _PENDING and self.task is asyncio.current_task()

    def values(self, status: int = 200, body: Any = None) -> list[Any]:
        return [self.platform, self.key, status, _db("body", body), _db("at", self.at)]

    async def join(self, conn: Any) -> None:
        """Claim inside the transaction on ``conn``; :class:`Redelivered` if claimed before."""
        self.state = _IN_TRANSACTION
        got = await conn.execute_query_dict(store.sql(_CLAIM), self.values())
        if not got:
            self.state = _PENDING
            raise Redelivered(self.key)

    def join_row(self) -> Row:
        """The record as one row of the request's first write (:mod:`copkit.core.writer`): a
        plain ``INSERT``, so that a record made before fails that write, all of it."""
        self.state = _IN_TRANSACTION
        values = {"platform": self.platform, "key": self.key, "status": 200, "at": self.at}
        return Row(Delivery, values)

    def refusal(self, exc: BaseException) -> BaseException | None:
        """:class:`Redelivered` when the write carrying the record failed on it."""
        return Redelivered(self.key) if is_conflict_in(exc, "copkit_delivery") else None

    def committed(self, ok: bool) -> None:
        if self.state == _IN_TRANSACTION:
            self.state = _CLAIMED if ok else _PENDING

    async def before_effect(self) -> None:
        """Claim on its own before something leaves (a message): :class:`Redelivered` if the
        event was claimed before. A database that cannot be reached does not stop the
        message (the request says so itself if it needs the database)."""
        if not self.joinable:
            return
        self.state = _CLAIMING  # (its own statement is not a first write)
        try:
            got = await store.rows(_CLAIM, self.values())
        except Exception:
            self.state = _PENDING
            log.debug("could not claim a delivery", exc_info=True)
            return
        if not got:
            self.state = _PENDING
            raise Redelivered(self.key)
        self.state = _CLAIMED
        self.standalone = True

    async def join_here(self, conn: Any) -> None:
        """Claim inside a transaction opened without :func:`copkit.core.store.transaction`
        (a plugin's own ``in_transaction()``), before its first write: committed with it.
        :class:`Redelivered` if claimed before."""
        await self.join(conn)
        self.state = _CLAIMED  # (its end is not seen here: a rollback fails the request)


async def before_effect() -> None:
    """Called before a request's first message leaves (adapters): see :class:`Claim`."""
    claim = store.first_write.get()
    if claim is not None:
        await claim.before_effect()
