"""Inbound events already answered, recorded in the database so that a platform's re-delivery
(Teams retries an activity it thinks was lost, possibly to another process) is answered once."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from tortoise.exceptions import IntegrityError

from .clock import Clock
from .models import Delivery

log = logging.getLogger("copkit")


class Deliveries:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._count = 0

    async def answered(self, platform: str, key: str) -> tuple[int, Any] | None:
        """The answer already given to the inbound event ``key`` (by any process), or ``None``.

        Adapters call this first, and :meth:`remember` after."""
        try:
            row = await Delivery.get_or_none(platform=platform, key=key[:300])
        except Exception:  # the database is down: handling the event will say so
            log.debug("could not look up a delivery", exc_info=True)
            return None
        return (row.status, row.body) if row is not None else None

    async def remember(self, platform: str, key: str, status: int, body: Any) -> None:
        """Record that ``key`` was answered with ``status`` and ``body`` (kept for a day)."""
        now = self.clock.now()
        try:
            await Delivery.create(
                platform=platform, key=key[:300], status=status, body=body, at=now
            )
            self._count += 1
            if self._count % 500 == 1:
                await Delivery.filter(at__lt=now - timedelta(days=1)).delete()
        except IntegrityError:
            pass  # answered twice at the same moment: the first answer stands
        except Exception:
            log.warning("could not remember an answered delivery", exc_info=True)
