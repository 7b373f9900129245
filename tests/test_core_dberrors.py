"""Telling a database outage apart from a conflict, a bug and a chat platform's network error."""

from __future__ import annotations

from tortoise.exceptions import DBConnectionError, IntegrityError

from copkit.core.dberrors import is_conflict, is_unavailable
from copkit.core.errors import PlatformError


def _raised(outer: Exception, inner: Exception) -> Exception:
    try:
        try:
            raise inner
        except Exception as exc:
            raise outer from exc
    except Exception as exc:
        return exc


def test_a_lost_database_connection_is_an_outage():
    assert is_unavailable(
        _raised(DBConnectionError("gone"), ConnectionRefusedError(111, "refused"))
    )
    assert is_unavailable(ConnectionResetError(104, "reset"))


def test_a_conflict_or_a_bug_is_not_an_outage():
    assert not is_unavailable(IntegrityError("unique"))
    assert is_conflict(_raised(RuntimeError("handler"), IntegrityError("unique")))
    assert not is_unavailable(ValueError("bug"))


def test_a_platform_network_error_is_not_a_database_outage():
    err = _raised(PlatformError("send failed"), ConnectionRefusedError(111, "refused"))
    assert not is_unavailable(err)
    assert not is_unavailable(_raised(RuntimeError("in a plugin"), err))
