"""What a log line is about: the request it belongs to, its platform and community id.

Set by the dispatcher for each request (and by adapters as soon as they know the platform); the
JSON log format (:mod:`copkit.logs`) adds them to every line logged meanwhile. Never a person,
a name or anything typed.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar

request_id: ContextVar[str | None] = ContextVar("copkit_request_id", default=None)
platform: ContextVar[str | None] = ContextVar("copkit_platform", default=None)
community_id: ContextVar[int | None] = ContextVar("copkit_community_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex[:16]


@contextlib.contextmanager
def request_scope(on_platform: str | None) -> Iterator[str]:
    """A fresh request id (kept if one is already set by the adapter) and the platform."""
    rid = request_id.get() or new_request_id()
    tokens = (request_id.set(rid), platform.set(on_platform), community_id.set(None))
    try:
        yield rid
    finally:
        community_id.reset(tokens[2])
        platform.reset(tokens[1])
        request_id.reset(tokens[0])


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
