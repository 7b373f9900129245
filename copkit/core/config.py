"""Settings: a TOML file, with environment variables for secrets and deployment details."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .storage import DEFAULT_URL

ENV_DEFAULT_FILE = "COPKIT_CONFIG"


@dataclass
class DiscordSettings:
    token: str = ""
    shard_ids: list[int] | None = None
    shard_count: int | None = None
    members_intent: bool = False


@dataclass
class TeamsSettings:
    app_id: str = ""
    app_password: str = ""
    tenant_id: str = ""
    app_type: str = "MultiTenant"
    host: str = ""
    port: int = 3978

    @property
    def has_credentials(self) -> bool:
        return bool(self.app_id and self.app_password)


@dataclass
class Settings:
    database_url: str = DEFAULT_URL
    locale: str = "en"
    timezone: str = "UTC"
    plugins_disabled: list[str] = field(default_factory=list)
    console_user: str = "you"
    discord: DiscordSettings = field(default_factory=DiscordSettings)
    teams: TeamsSettings = field(default_factory=TeamsSettings)
    source: str = ""


_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "database": {"url": str},
    "community": {"locale": str, "timezone": str},
    "plugins": {"disabled": list},
    "console": {"user": str},
    "discord": {"token": str, "shard_ids": list, "shard_count": int, "members_intent": bool},
    "teams": {
        "app_id": str,
        "app_password": str,
        "tenant_id": str,
        "app_type": str,
        "host": str,
        "port": int,
    },
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


def load_settings(path: str | Path | None = None, env: dict[str, str] | None = None) -> Settings:
    """Read the TOML file (if any) and apply environment overrides. Raises :class:`ConfigError`
    naming the file, line and key when the file is malformed."""
    env = dict(os.environ) if env is None else env
    settings = Settings()
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
            if section not in _SCHEMA or not isinstance(values, dict):
                raise ConfigError(f"{p}: unknown section [{section}] (known: {', '.join(_SCHEMA)})")
            for key, value in values.items():
                expected = _SCHEMA[section].get(key)
                line = _line_of(text, section, key)
                where = f"{p}:{line}" if line else str(p)
                if expected is None:
                    raise ConfigError(f"{where}: unknown key {section}.{key}")
                if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                    name = expected.__name__ if isinstance(expected, type) else str(expected)
                    raise ConfigError(f"{where}: {section}.{key} must be a {name}")
        _apply(settings, data)
        settings.source = str(p)
    _apply_env(settings, env)
    return settings


def _apply(s: Settings, data: dict[str, Any]) -> None:
    s.database_url = data.get("database", {}).get("url", s.database_url)
    s.locale = data.get("community", {}).get("locale", s.locale)
    s.timezone = data.get("community", {}).get("timezone", s.timezone)
    s.plugins_disabled = list(data.get("plugins", {}).get("disabled", s.plugins_disabled))
    s.console_user = data.get("console", {}).get("user", s.console_user)
    for key, value in data.get("discord", {}).items():
        setattr(s.discord, key, value)
    for key, value in data.get("teams", {}).items():
        setattr(s.teams, key, value)


def _apply_env(s: Settings, env: dict[str, str]) -> None:
    s.database_url = env.get("COPKIT_DATABASE_URL") or s.database_url
    s.discord.token = env.get("DISCORD_TOKEN") or s.discord.token
    s.teams.app_id = env.get("MicrosoftAppId") or s.teams.app_id
    s.teams.app_password = env.get("MicrosoftAppPassword") or s.teams.app_password
    s.teams.tenant_id = env.get("MicrosoftAppTenantId") or s.teams.tenant_id
    s.teams.app_type = env.get("MicrosoftAppType") or s.teams.app_type
    if env.get("COPKIT_TEAMS_PORT"):
        try:
            s.teams.port = int(env["COPKIT_TEAMS_PORT"])
        except ValueError:
            raise ConfigError("COPKIT_TEAMS_PORT must be a number") from None
