"""What a log line is about: the request it belongs to, its platform and community id.

Set by the dispatcher for each request (and by adapters as soon as they know the platform); the
JSON log format (:mod:`copkit.logs`) adds them to every line logged meanwhile. Never a person,
a name or anything typed.
"""

from __future__ import annotations

import os
from contextvars import ContextVar, Token

request_id: ContextVar[str | None] = ContextVar("copkit_request_id", default=None)
platform: ContextVar[str | None] = ContextVar("copkit_platform", default=None)
community_id: ContextVar[int | None] = ContextVar("copkit_community_id", default=None)


def new_request_id() -> str:
    """16 random hex digits (64 bits, as many as a uuid4 cut to 16), unique across processes."""
    return os.urandom(8).hex()


class request_scope:  # noqa: N801 - used as the context manager function it was
    """A fresh request id (kept if one is already set by the adapter) and the platform:
    ``with request_scope(platform) as rid: …``."""

    __slots__ = ("_platform", "_tokens")

    def __init__(self, on_platform: str | None) -> None:
        self._platform = on_platform
        self._tokens: tuple[Token[str | None], Token[str | None], Token[int | None]] | None = None

    def __enter__(self) -> str:
        rid = request_id.get() or new_request_id()
        self._tokens = (request_id.set(rid), platform.set(self._platform), community_id.set(None))
        return rid

    def __exit__(self, *exc: object) -> None:
        assert self._tokens is not None
        rid, plat, cid = self._tokens
        community_id.reset(cid)
        platform.reset(plat)
        request_id.reset(rid)


def current() -> dict[str, object]:
    """The fields set now (only those set)."""
    fields: dict[str, object] = {}
    if (rid := request_id.get()) is not None:
        fields["request_id"] = rid
    if (p := platform.get()) is not None:
        fields["platform"] = p
    if (cid := community_id.get()) is not None:
        fields["community_id"] = cid
    return fields
