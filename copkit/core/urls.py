"""Database URLs: the default, telling PostgreSQL apart, hiding passwords (no ORM import, so the
settings and the logs load fast)."""

from __future__ import annotations

import re

DEFAULT_URL = "sqlite://copkit.db"


_URL = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<netloc>[^/?#\s]*)(?P<rest>\S*)", re.I)
_SECRET_PARAM = re.compile(r"([?&;](?:password|passwd|pwd|sslpassword|secret)=)[^&#;\s]*", re.I)


def hide_password(text: str) -> str:
    """Every URL in ``text`` with its password masked: ``postgres://bob:secret@host/db`` →
    ``postgres://bob:***@host/db``; the userinfo ends at the last ``@`` (``bob:pa@ss@host``), and
    a ``?password=…`` (or ``sslpassword``, ``passwd``, ``pwd``) parameter is masked too."""

    def one(m: re.Match[str]) -> str:
        netloc = m["netloc"]
        user, at, host = netloc.rpartition("@")
        if at and ":" in user:
            netloc = f"{user.split(':', 1)[0]}:***@{host}"
        return m["scheme"] + netloc + _SECRET_PARAM.sub(r"\1***", m["rest"])

    return _URL.sub(one, text)


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "asyncpg://", "psycopg://"))
