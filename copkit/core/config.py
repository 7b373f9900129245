"""Settings: a TOML file, with environment variables for secrets and deployment details.

The core reads its own sections ([database], [community], [plugins], [console]) and keeps every
other known section raw; each adapter owns its section's schema and typed settings (an
:class:`AdapterSection` class in the adapter's own ``settings`` module), handed
to :func:`load_settings` by the composition root. The core knows no adapter.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol

from .errors import ConfigError
from .urls import DEFAULT_URL

ENV_DEFAULT_FILE = "COPKIT_CONFIG"

Schema = dict[str, type | tuple[type, ...]]


class AdapterSection(Protocol):
    """An adapter's settings class: its TOML section, the section's keys and types, and how to
    build itself from the (checked) section and the environment."""

    SECTION: ClassVar[str]
    SCHEMA: ClassVar[Schema]

    @classmethod
    def from_config(cls, values: Mapping[str, Any], env: Mapping[str, str]) -> Any: ...


@dataclass
class Settings:
    database_url: str = DEFAULT_URL
    locale: str = "en"
    timezone: str = "UTC"
    plugins_disabled: list[str] = field(default_factory=list)
    console_user: str = "you"
    source: str = ""
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Every adapter section as read from the file (checked against its adapter's schema)."""
    adapters: dict[str, Any] = field(default_factory=dict)
    """Each adapter's typed settings, by section name: ``settings.adapters["discord"]``."""

    def __getattr__(self, name: str) -> Any:  # settings.discord, settings.teams
        adapters = self.__dict__.get("adapters") or {}
        if name in adapters:
            return adapters[name]
        raise AttributeError(name)


CORE_SCHEMA: dict[str, Schema] = {
    "database": {"url": str},
    "community": {"locale": str, "timezone": str},
    "plugins": {"disabled": list},
    "console": {"user": str},
}


def _line_of(text: str, section: str, key: str) -> int:
    in_section = False
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            in_section = stripped.strip("[] ") == section
        elif in_section and re.match(rf"{re.escape(key)}\s*=", stripped):
            return n
    return 0


def load_settings(
    path: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    adapters: Sequence[type[AdapterSection]] = (),
) -> Settings:
    """Read the TOML file (if any) and apply environment overrides. Raises :class:`ConfigError`
    naming the file, line and key when the file is malformed. ``adapters`` are the adapter
    settings classes whose sections are allowed (each builds its typed settings)."""
    env = os.environ if env is None else env  # read only (a test records what is read)
    schema = {**CORE_SCHEMA, **{a.SECTION: a.SCHEMA for a in adapters}}
    settings = Settings()
    data: dict[str, Any] = {}
    chosen = (
        path
        or env.get(ENV_DEFAULT_FILE)
        or ("copkit.toml" if Path("copkit.toml").is_file() else None)
    )
    if chosen:
        p = Path(chosen)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{p}: cannot read the config file ({exc.strerror})") from exc
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{p}: {exc}") from exc
        for section, values in data.items():
            if section not in schema or not isinstance(values, dict):
                raise ConfigError(f"{p}: unknown section [{section}] (known: {', '.join(schema)})")
            for key, value in values.items():
                expected = schema[section].get(key)
                line = _line_of(text, section, key)
                where = f"{p}:{line}" if line else str(p)
                if expected is None:
                    raise ConfigError(f"{where}: unknown key {section}.{key}")
                if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                    name = expected.__name__ if isinstance(expected, type) else str(expected)
                    raise ConfigError(f"{where}: {section}.{key} must be a {name}")
        _apply(settings, data)
        settings.source = str(p)
    settings.database_url = env.get("COPKIT_DATABASE_URL") or settings.database_url
    for adapter in adapters:
        raw = dict(data.get(adapter.SECTION, {}))
        settings.sections[adapter.SECTION] = raw
        settings.adapters[adapter.SECTION] = adapter.from_config(raw, env)
    return settings


def _apply(s: Settings, data: dict[str, Any]) -> None:
    s.database_url = data.get("database", {}).get("url", s.database_url)
    s.locale = data.get("community", {}).get("locale", s.locale)
    s.timezone = data.get("community", {}).get("timezone", s.timezone)
    s.plugins_disabled = list(data.get("plugins", {}).get("disabled", s.plugins_disabled))
    s.console_user = data.get("console", {}).get("user", s.console_user)


def env_flag(env: Mapping[str, str], name: str) -> bool | None:
    """A yes/no environment variable (1/0, true/false, yes/no, on/off); ``None`` when unset."""
    value = env.get(name, "").strip().lower()
    if not value:
        return None
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")
