"""Who may open a community's site: its visibility (``off`` by default, ``members`` or
``public``, kept in the community's settings) and the signed, expiring links of ``members``.

A link carries ``<community>.<epoch>.<expires>.<signature>``: an HMAC-SHA256 under the process's
key (``COPKIT_SECRET``, or one generated and stored on first use). ``site revoke`` raises the
community's epoch, which voids every link given before.

A member's calendar feed (``/c/<community>/k/<token>/calendar.ics``) has a token of the same
shape signed for another purpose (so it opens the feed only, never the site, and a site link
never opens the feed): it lasts a year, as calendar programs keep polling a subscription, and
``site revoke`` voids it with the site's links.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from copkit.core.models import Community
from copkit.core.site import VISIBILITIES, SiteOptions, Visibility
from copkit.core.store import insert_if_absent

from .models import Secret

log = logging.getLogger("copkit.site")

ENV_SECRET = "COPKIT_SECRET"
LINK_DAYS = 30
CALENDAR_DAYS = 365
Check = Literal["ok", "bad", "expired", "revoked"]
Purpose = Literal["site", "calendar"]
_PURPOSE = {"site": "", "calendar": "calendar:"}  # what the signature covers besides the body


def site_settings(community: Community) -> dict[str, Any]:
    raw = (community.settings or {}).get("site")
    return dict(raw) if isinstance(raw, dict) else {}


def visibility(community: Community) -> Visibility:
    v = site_settings(community).get("visibility")
    return v if v in VISIBILITIES else "off"


def epoch(community: Community) -> int:
    e = site_settings(community).get("epoch", 0)
    return e if isinstance(e, int) else 0


async def secret(options: SiteOptions) -> bytes:
    """The signing key: ``COPKIT_SECRET``, else the stored one (made on first use, with a
    warning: set ``COPKIT_SECRET`` so the key lives outside the database)."""
    if options.secret is not None:
        return options.secret
    given = os.environ.get(ENV_SECRET, "")
    if given:
        options.secret = given.encode()
        return options.secret
    row = await Secret.get_or_none(name="links")
    if row is None:
        made = await insert_if_absent(Secret, name="links", value=secrets.token_urlsafe(32))
        if made is not None:
            log.warning(
                "%s is not set: generated a key for the site's links and stored it in the "
                "database; set %s to keep it outside",
                ENV_SECRET,
                ENV_SECRET,
            )
        row = made or await Secret.get(name="links")
    options.secret = row.value.encode()
    return options.secret


def _mac(key: bytes, body: str, purpose: Purpose = "site") -> str:
    digest = hmac.new(key, (_PURPOSE[purpose] + body).encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(
    key: bytes, community_id: int, epoch_: int, expires: datetime, purpose: Purpose = "site"
) -> str:
    body = f"{community_id}.{epoch_}.{int(expires.timestamp())}"
    return f"{body}.{_mac(key, body, purpose)}"


def check(
    key: bytes, token: str, community: Community, now: datetime, purpose: Purpose = "site"
) -> Check:
    """Whether ``token`` opens ``community``'s site (or, for ``calendar``, its feed) at ``now``."""
    parts = token.split(".")
    if len(parts) != 4 or not all(p.isascii() for p in parts) or len(token) > 120:
        return "bad"
    body, mac = ".".join(parts[:3]), parts[3]
    if not hmac.compare_digest(_mac(key, body, purpose), mac):
        return "bad"
    if parts[0] != str(community.id):
        return "bad"
    try:
        given_epoch, expires = int(parts[1]), int(parts[2])
    except ValueError:
        return "bad"
    if given_epoch != epoch(community):
        return "revoked"
    if expires <= now.timestamp():
        return "expired"
    return "ok"


def members_link(key: bytes, community: Community, now: datetime, days: int = LINK_DAYS) -> str:
    return sign(key, community.id, epoch(community), now + timedelta(days=days))


def calendar_token(key: bytes, community: Community, now: datetime) -> str:
    """A member's calendar feed token: valid a year from today (the same all day long, so the
    address on the site's pages does not change with every page)."""
    day = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return sign(
        key, community.id, epoch(community), day + timedelta(days=CALENDAR_DAYS), "calendar"
    )


def calendar_path(community_id: int, token: str = "") -> str:
    """The address of a community's calendar feed (with a token: a member's signed one)."""
    return (
        f"/c/{community_id}/k/{token}/calendar.ics" if token else f"/c/{community_id}/calendar.ics"
    )
