"""The Teams adapter's settings: the ``[teams]`` section and the Bot Framework's variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from copkit.core.config import Schema, env_flag
from copkit.core.errors import ConfigError


@dataclass
class TeamsSettings:
    SECTION: ClassVar[str] = "teams"
    SCHEMA: ClassVar[Schema] = {
        "enabled": bool,
        "app_id": str,
        "app_password": str,
        "tenant_id": str,
        "app_type": str,
        "host": str,
        "port": int,
    }

    app_id: str = ""
    app_password: str = ""
    tenant_id: str = ""
    app_type: str = "MultiTenant"
    host: str = ""
    port: int = 3978
    enabled: bool = True
    """``false`` (or ``copkit run --no-teams``): this process serves no Teams endpoint."""

    @property
    def has_credentials(self) -> bool:
        return bool(self.app_id and self.app_password)

    @classmethod
    def from_config(cls, values: Mapping[str, Any], env: Mapping[str, str]) -> TeamsSettings:
        s = cls(**values)
        s.app_id = env.get("MicrosoftAppId") or s.app_id
        s.app_password = env.get("MicrosoftAppPassword") or s.app_password
        s.tenant_id = env.get("MicrosoftAppTenantId") or s.tenant_id
        s.app_type = env.get("MicrosoftAppType") or s.app_type
        if env.get("COPKIT_TEAMS_PORT"):
            try:
                s.port = int(env["COPKIT_TEAMS_PORT"])
            except ValueError:
                raise ConfigError("COPKIT_TEAMS_PORT must be a number") from None
        enabled = env_flag(env, "COPKIT_TEAMS_ENABLED")
        if enabled is not None:
            s.enabled = enabled
        return s
