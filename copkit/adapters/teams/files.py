"""The files of a view as Bot Framework attachments: their bytes inline, within a budget per
message (the card itself gets what is left)."""

from __future__ import annotations

import base64
from typing import Any

from copkit.core.views import View

JSON = dict[str, Any]
FILE_BUDGET = 16_000  # bytes of base64 for the files sent with one message (the card gets less)


def fits(view: View) -> list[bool]:
    """Which of the view's files travel in the message (in order, within ``FILE_BUDGET``)."""
    left = FILE_BUDGET
    out = []
    for att in view.attachments:
        size = len(att.data) * 4 // 3 + 4 + len(att.mime_type) + 13
        out.append(size <= left)
        if size <= left:
            left -= size
    return out


def files(view: View) -> list[JSON]:
    """The view's files as Bot Framework attachments with their bytes inline (a ``data:`` URI
    in ``contentUrl``, the form the Bot Connector accepts for files a bot sends without a
    SharePoint or OneDrive upload). Files too large for one message are left out; the card says so."""
    out: list[JSON] = []
    for att, ok in zip(view.attachments, fits(view), strict=True):
        if ok:
            data = base64.b64encode(att.data).decode("ascii")
            out.append(
                {
                    "contentType": att.mime_type,
                    "contentUrl": f"data:{att.mime_type};base64,{data}",
                    "name": att.filename,
                }
            )
    return out
