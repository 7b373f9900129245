"""The web site's settings: the ``[web]`` section (env ``COPKIT_WEB_PORT``,
``COPKIT_BASE_URL``, ``COPKIT_WEB_ENABLED``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from copkit.core.config import Schema, env_flag
from copkit.core.errors import ConfigError

_URL = re.compile(r"^https?://[^\s/?#]+(/[^\s?#]*)?$")


@dataclass
class WebSettings:
    SECTION: ClassVar[str] = "web"
    SCHEMA: ClassVar[Schema] = {"enabled": bool, "host": str, "port": int, "base_url": str}

    enabled: bool = True
    host: str = "127.0.0.1"
    """Where the site listens when it has a port of its own."""
    port: int | None = None
    """Unset (or the HTTP server's port): the site is served by the process's HTTP server
    (``[http] port``, by default the Teams port). Another port: the site and the calendar
    feeds listen there instead, on ``host``."""
    base_url: str = ""
    """The address people open (behind your HTTPS proxy), e.g. ``https://cop.example.org``;
    by default ``http://<host>:<port>``."""

    def address(self, port: int) -> str:
        """The site's public address when it listens on ``port``."""
        return (self.base_url or f"http://{self.host}:{port}").rstrip("/")

    @classmethod
    def from_config(cls, values: Mapping[str, Any], env: Mapping[str, str]) -> WebSettings:
        s = cls(**values)
        if env.get("COPKIT_WEB_PORT"):
            try:
                s.port = int(env["COPKIT_WEB_PORT"])
            except ValueError:
                raise ConfigError("COPKIT_WEB_PORT must be a number") from None
        s.base_url = env.get("COPKIT_BASE_URL") or s.base_url
        enabled = env_flag(env, "COPKIT_WEB_ENABLED")
        if enabled is not None:
            s.enabled = enabled
        if s.port is not None and not 0 <= s.port <= 65535:
            raise ConfigError(f"web.port must be between 1 and 65535, not {s.port}")
        if s.base_url and not _URL.match(s.base_url):
            raise ConfigError(
                f"web.base_url must be an address like https://cop.example.org, not {s.base_url!r}"
            )
        return s
