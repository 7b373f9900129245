"""Web links people give a format (a recording, slides): checked before they are stored."""

from __future__ import annotations

from .errors import UserError
from .i18n import _

LINK_MAX = 500


def check_link(url: object) -> str:
    """``url`` if it is an http(s) link without spaces, at most :data:`LINK_MAX` long."""
    text = str(url or "").strip()
    if not text.lower().startswith(("https://", "http://")) or len(text) > LINK_MAX or " " in text:
        raise UserError(_("“{value}” is not a web link (https://…).").format(value=text[:60]))
    return text
