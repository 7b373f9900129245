"""The Teams adapter's settings: the ``[teams]`` section and the Bot Framework's variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from copkit.core.config import Schema, env_flag
from copkit.core.errors import ConfigError

SDKS = ("agents", "botbuilder")
AUTH_TYPES = (
    "ClientSecret",
    "Certificate",
    "SystemManagedIdentity",
    "UserManagedIdentity",
    "FederatedCredentials",
    "WorkloadIdentity",
)


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
        "sdk": str,
        "auth_type": str,
        "certificate_file": str,
        "federated_client_id": str,
        "federated_token_file": str,
        "authority": str,
        "meeting_tab_url": str,
    }

    app_id: str = ""
    app_password: str = ""
    tenant_id: str = ""
    app_type: str = "MultiTenant"
    host: str = ""
    port: int = 3978
    enabled: bool = True
    """``false`` (or ``copkit run --no-teams``): this process serves no Teams endpoint."""
    sdk: str = "agents"
    """``agents`` (the Microsoft 365 Agents SDK) or ``botbuilder`` (the archived Bot Framework
    SDK, supported until a later release)."""
    auth_type: str = "ClientSecret"
    """How copkit proves who it is to Azure AD (Agents SDK only beyond ``ClientSecret``): one
    of :data:`AUTH_TYPES`."""
    certificate_file: str = ""
    """``Certificate``: the PFX file (private key and certificate, no password)."""
    federated_client_id: str = ""
    """``FederatedCredentials``: the client id of the managed identity whose token is exchanged."""
    federated_token_file: str = ""
    """``WorkloadIdentity``: the file holding the federated token (Kubernetes)."""
    authority: str = ""
    """The Azure AD authority (``https://login.microsoftonline.com/<tenant>`` by default)."""
    meeting_tab_url: str = ""
    """The page a meeting's tab and side panel show (default: the community site's event page)."""

    @property
    def has_credentials(self) -> bool:
        if self.auth_type.lower() == "clientsecret":
            return bool(self.app_id and self.app_password)
        return bool(self.app_id)

    def credentials_problem(self) -> str:
        """What is missing or wrong in the credentials (empty if nothing)."""
        needs = {
            "Certificate": ("certificate_file", self.certificate_file),
            "FederatedCredentials": ("federated_client_id", self.federated_client_id),
            "WorkloadIdentity": ("federated_token_file", self.federated_token_file),
        }
        if self.auth_type != "ClientSecret" and self.sdk != "agents":
            return f'auth_type = "{self.auth_type}" needs sdk = "agents"'
        if self.auth_type != "ClientSecret" and not self.app_id:
            return f'auth_type = "{self.auth_type}" needs the app id (MicrosoftAppId)'
        if self.auth_type in needs and not needs[self.auth_type][1]:
            return f'auth_type = "{self.auth_type}" needs [teams] {needs[self.auth_type][0]}'
        return ""

    @classmethod
    def from_config(cls, values: Mapping[str, Any], env: Mapping[str, str]) -> TeamsSettings:
        s = cls(**values)
        s.app_id = env.get("MicrosoftAppId") or s.app_id
        s.app_password = env.get("MicrosoftAppPassword") or s.app_password
        s.tenant_id = env.get("MicrosoftAppTenantId") or s.tenant_id
        s.app_type = env.get("MicrosoftAppType") or s.app_type
        s.sdk = (env.get("COPKIT_TEAMS_SDK") or s.sdk).strip().lower()
        if s.sdk not in SDKS:
            raise ConfigError(f"[teams] sdk must be one of {', '.join(SDKS)}, not {s.sdk!r}")
        s.auth_type = env.get("COPKIT_TEAMS_AUTH_TYPE") or s.auth_type
        known = {t.lower(): t for t in AUTH_TYPES}
        if s.auth_type.lower() not in known:
            raise ConfigError(f"[teams] auth_type must be one of {', '.join(AUTH_TYPES)}")
        s.auth_type = known[s.auth_type.lower()]
        if env.get("COPKIT_TEAMS_PORT"):
            try:
                s.port = int(env["COPKIT_TEAMS_PORT"])
            except ValueError:
                raise ConfigError("COPKIT_TEAMS_PORT must be a number") from None
        enabled = env_flag(env, "COPKIT_TEAMS_ENABLED")
        if enabled is not None:
            s.enabled = enabled
        return s
