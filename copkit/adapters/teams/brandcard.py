"""A community's brand on top of its cards: the accent as a strip, then logo, name, tagline."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from copkit.core.brand_picture import swatch
from copkit.core.views import Brand, UserText

JSON = dict[str, Any]


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def brand_header(
    brand: Brand, markdown: Callable[[str], str], plain: Callable[[str], str]
) -> list[JSON]:
    """The community's brand on top of the card: a strip in its accent colour (a picture of
    the colour: a card has no colour of its own), then its logo, name and tagline
    (``markdown`` and ``plain`` as the cards write text)."""
    strip = {
        "type": "Container",
        "bleed": True,
        "minHeight": "6px",
        "spacing": "none",
        "backgroundImage": {"url": _data_uri(swatch(brand.accent)), "fillMode": "repeat"},
        "items": [],
    }
    words: list[JSON] = [
        {
            "type": "TextBlock",
            "text": markdown(UserText(brand.name)),
            "weight": "bolder",
            "wrap": True,
        }
    ]
    if brand.tagline:
        words.append(
            {
                "type": "TextBlock",
                "text": markdown(UserText(brand.tagline)),
                "isSubtle": True,
                "size": "small",
                "spacing": "none",
                "wrap": True,
            }
        )
    columns: list[JSON] = []
    if brand.icon:
        columns.append(
            {
                "type": "Column",
                "width": "auto",
                "verticalContentAlignment": "center",
                "items": [
                    {
                        "type": "Image",
                        "url": _data_uri(brand.icon),
                        "size": "small",
                        "altText": plain(UserText(brand.name)),
                    }
                ],
            }
        )
    columns.append(
        {"type": "Column", "width": "stretch", "verticalContentAlignment": "center", "items": words}
    )
    return [strip, {"type": "ColumnSet", "columns": columns}]
