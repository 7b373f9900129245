"""The ``[http]`` section: where every ``copkit run`` process serves its HTTP endpoints (probes,
metrics, the Teams endpoint, the site), and how long it waits for work in flight at shutdown."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from copkit.core.config import Schema
from copkit.core.errors import ConfigError


def _number(env: Mapping[str, str], name: str, kind: type) -> Any:
    try:
        return kind(env[name])
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {env[name]!r}") from None


@dataclass
class HttpSettings:
    SECTION: ClassVar[str] = "http"
    SCHEMA: ClassVar[Schema] = {
        "host": str,
        "port": int,
        "shutdown_timeout": (int, float),
    }

    host: str = ""
    """Empty: 0.0.0.0 when Teams has credentials, else 127.0.0.1 (env ``COPKIT_HTTP_HOST``)."""
    port: int | None = None
    """None: the Teams port ([teams] port, 3978); 0 picks a free port (env ``COPKIT_HTTP_PORT``)."""
    shutdown_timeout: float = 20.0
    """Seconds SIGTERM waits for requests and timers in flight (env ``COPKIT_SHUTDOWN_TIMEOUT``)."""

    @classmethod
    def from_config(cls, values: Mapping[str, Any], env: Mapping[str, str]) -> HttpSettings:
        s = cls(**values)
        s.host = env.get("COPKIT_HTTP_HOST") or s.host
        if env.get("COPKIT_HTTP_PORT"):
            s.port = _number(env, "COPKIT_HTTP_PORT", int)
        if env.get("COPKIT_SHUTDOWN_TIMEOUT"):
            s.shutdown_timeout = _number(env, "COPKIT_SHUTDOWN_TIMEOUT", float)
        if s.port is not None and not 0 <= s.port <= 65535:
            raise ConfigError(f"the HTTP port must be between 0 and 65535, not {s.port}")
        if s.shutdown_timeout < 0:
            raise ConfigError("shutdown_timeout must not be negative")
        return s
