"""Inbound events already answered, recorded in the database so that a platform's re-delivery
(Teams retries an activity it thinks was lost, possibly to another process) is answered once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from .clock import Clock
from .metrics import Metrics
from .models import Delivery

log = logging.getLogger("copkit")


DELIVERY_KEPT = timedelta(days=1)  # how long an answered delivery is remembered
DELIVERY_PURGE = timedelta(minutes=10)  # old deliveries are purged at most this often


class Deliveries:
    def __init__(self, clock: Clock, metrics: Metrics | None = None) -> None:
        self.clock = clock
        self.metrics = metrics or Metrics()
        self._purged: datetime | None = None

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
        last = self._purged
        if last is None or abs(now - last) >= DELIVERY_PURGE:  # a clock set back purges too
            self._purged = now
            try:
                await Delivery.filter(at__lt=now - DELIVERY_KEPT).delete()
            except Exception:
                log.warning("could not purge old deliveries", exc_info=True)
