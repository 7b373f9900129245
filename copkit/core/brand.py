"""A community's brand: its name, a tagline, an accent colour and a logo, on every view.

One function gives the brand of a community, for any code that shows something of it (an
announcement, an invitation, a picture)::

    brand = await scope.brand()        # in a handler or a job: a views.Brand, always filled
    brand.name, brand.tagline, brand.accent, brand.icon

The core puts the brand on every view of a community once the leader chose a part of it
(``brand set …``): :meth:`Brands.dress` runs in :meth:`copkit.core.output.Output.show_now`, so a
format never writes brand code, and each adapter renders :attr:`copkit.core.views.View.brand`
(the embed colour and footer, the card's header and accent strip, the console's header, the site)
and every picture gets a band in the accent on top. Until then views look as copkit's own.

The name is the leader's choice, else the one the workshop's name vote chose (the canvas, read
through ``copkit_canvas``), else the platform's name for the community. An accent colour is
refused when it would not stand out on the platform's light or dark theme (WCAG 2 AA for large
text and interface parts: a contrast of 3:1; see :func:`check_accent`).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import brand_picture, store
from .brand_models import BrandRow
from .colours import contrast, ink_on, mix, parse_colour
from .errors import UserError
from .i18n import _
from .lru import LRUDict
from .singleflight import SingleFlight
from .views import Brand, Image, View

if TYPE_CHECKING:
    from .models import Community
    from .plugins import Hooks

DEFAULT_ACCENT = "#3b82f6"
NAME_MAX = 80
TAGLINE_MAX = 120
CONTRAST_MIN = 3.0  # WCAG 2 AA: large text (1.4.3) and interface parts (1.4.11)
PARTS = ("name", "tagline", "colour", "logo")

Theme = tuple[str, str]
"""A platform theme's name and background colour: ``("dark", "#313338")``."""
DEFAULT_THEMES: tuple[Theme, ...] = (("light", "#ffffff"), ("dark", "#1e1e1e"))
"""The themes an accent is checked against where the adapter names none (``Messenger.themes``)."""

BRANDS_KEPT = 2_000  # brands cached per process (each holds a small icon)
PICTURES_KEPT = 64  # pictures already banded (a live view re-shown keeps its bytes)


@dataclass(frozen=True, slots=True)
class Stored:
    """What a community chose (``None``/empty: not chosen)."""

    name: str | None = None
    name_source: str = ""
    tagline: str = ""
    colour: str | None = None
    logo: bool = False
    icon: bytes | None = None

    @property
    def chosen(self) -> bool:
        return bool(self.name or self.tagline or self.colour or self.logo)


async def stored(community_id: int) -> Stored:
    rows = await BrandRow.filter(community_id=community_id).values(
        "name", "name_source", "tagline", "colour", "icon"
    )
    if not rows:
        return Stored()
    r = rows[0]
    return Stored(
        name=r["name"] or None,
        name_source=r["name_source"] or "",
        tagline=r["tagline"] or "",
        colour=r["colour"] or None,
        logo=bool(r["icon"]),
        icon=bytes(r["icon"]) if r["icon"] else None,
    )


async def logo_of(community_id: int) -> bytes | None:
    """The community's logo as uploaded (square PNG), or ``None``."""
    row = await BrandRow.filter(community_id=community_id).values_list("logo", flat=True)
    return bytes(row[0]) if row and row[0] else None


def compose(s: Stored, community_name: str, canvas_name: str = "") -> Brand:
    """The brand shown: what was chosen, the rest filled in."""
    name = s.name or canvas_name or community_name or "copkit"
    accent = s.colour or DEFAULT_ACCENT
    icon = s.icon or brand_picture.monogram(name, accent)
    return Brand(name=name, tagline=s.tagline, accent=accent, ink=ink_on(accent), icon=icon)


async def composed(community: Community, s: Stored, hooks: Hooks | None) -> Brand:
    """The brand shown for what ``community`` stored (its canvas's name when it chose none)."""
    canvas_name = ""
    if not s.name and hooks is not None:
        canvas = await hooks.canvas(community.id)
        canvas_name = canvas.name if canvas is not None else ""
    return compose(s, community.name, canvas_name)


# Checking values ---------------------------------------------------------------------------------


def check_name(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise UserError(_("Give the community's name after “brand set name”."))
    if len(text) > NAME_MAX:
        raise UserError(_("The name is too long (at most {n} characters).").format(n=NAME_MAX))
    return text


def check_tagline(text: str) -> str:
    text = " ".join((text or "").split())
    if len(text) > TAGLINE_MAX:
        raise UserError(
            _("The tagline is too long (at most {n} characters).").format(n=TAGLINE_MAX)
        )
    return text


def check_accent(text: str, themes: Sequence[Theme], platform: str) -> str:
    """``text`` as ``#rrggbb`` if it stands out on every theme of the platform (a contrast of
    at least 3:1), else a :class:`UserError` saying on which theme, the ratio, and a near
    colour that would do."""
    colour = parse_colour(text)
    for theme, background in themes:
        ratio = contrast(colour, background)
        if ratio < CONTRAST_MIN:
            near = nearest_readable(colour, themes)
            hint = (
                " " + _("{colour} is a near colour that reads on both.").format(colour=near)
                if near
                else ""
            )
            raise UserError(
                _(
                    "{colour} is hard to read on the {theme} theme of {platform} ({background}): "
                    "a contrast of {ratio}:1, where WCAG AA asks at least 3:1 for headings "
                    "and coloured bars."
                ).format(
                    colour=colour,
                    platform=platform,
                    theme=_theme_word(theme),
                    background=background,
                    ratio=f"{ratio:.1f}",
                )
                + hint
            )
    return colour


def _theme_word(theme: str) -> str:
    return {"light": _("light"), "dark": _("dark")}.get(theme, theme)


def readable(colour: str, themes: Sequence[Theme]) -> bool:
    return all(contrast(colour, bg) >= CONTRAST_MIN for _t, bg in themes)


def nearest_readable(colour: str, themes: Sequence[Theme]) -> str | None:
    """The colour nearest ``colour`` (towards white or black, in 5 % steps) that reads on
    every theme, or ``None``."""
    for step in range(1, 20):
        for towards in ("#ffffff", "#000000"):
            candidate = mix(colour, towards, step / 20)
            if readable(candidate, themes):
                return candidate
    return None


# Changing it ---------------------------------------------------------------------------------------


async def change(community_id: int, by: str, now: datetime, **values: Any) -> None:
    """Store some of ``name``, ``name_source``, ``tagline``, ``colour``, ``logo``, ``icon``
    (``None``: back to the default)."""
    unknown = set(values) - {"name", "name_source", "tagline", "colour", "logo", "icon"}
    if unknown:
        raise TypeError(f"cannot change {sorted(unknown)}")
    await store.upsert(
        BrandRow,
        {"community_id": community_id},
        {**values, "updated_at": now, "updated_by": by[:200]},
    )


# The cache and the views -----------------------------------------------------------------------------


@dataclass
class _Entry:
    at: float  # when it was read (monotonic)
    stored: Stored
    brand: Brand | None = None


class Brands:
    """The brands of communities, cached per process (``ttl`` as the settings' cache; dropped
    at once when a community's settings change, here or in another process), and the views
    dressed in them."""

    def __init__(
        self, hooks: Hooks | None, ttl: float, listening: Callable[[], bool] = lambda: False
    ) -> None:
        self.hooks = hooks
        self.ttl = ttl
        self.listening = listening  # changes elsewhere drop the cache at once: no timed reload
        self._cache: LRUDict[int, _Entry] = LRUDict(BRANDS_KEPT)
        self._banded: LRUDict[tuple[bytes, str], bytes] = LRUDict(PICTURES_KEPT)
        self._loading = SingleFlight()  # one reload of a brand at a time

    async def _entry(self, community: Community) -> _Entry:
        hit = self._cache.get(community.id)
        if hit is not None and (
            not self.ttl or self.listening() or time.monotonic() - hit.at < self.ttl
        ):
            return hit
        return await self._loading.run(community.id, lambda: self._load(community.id))

    async def _load(self, community_id: int) -> _Entry:
        entry = _Entry(time.monotonic(), await stored(community_id))
        self._cache[community_id] = entry
        return entry

    async def of(self, community: Community) -> tuple[Brand, bool]:
        """The community's brand and whether it chose any part of it."""
        entry = await self._entry(community)
        if entry.brand is None:  # composed when first asked for (a monogram is drawn)
            entry.brand = await composed(community, entry.stored, self.hooks)
        return entry.brand, entry.stored.chosen

    def forget(self, community_id: int | None) -> None:
        if community_id is None:
            self._cache.clear()
        else:
            self._cache.pop(community_id, None)

    async def dress(self, community: Community, view: View) -> View:
        """``view`` with the community's brand on it (and its pictures banded), once the
        community chose one; else ``view`` as it is."""
        if view.brand is not None:
            return view
        if not (await self._entry(community)).stored.chosen:
            return view  # nothing composed, nothing drawn: most communities choose no brand
        brand, _chosen = await self.of(community)
        images = [await self._band(img, brand) for img in view.images]
        return replace(view, brand=brand, images=images)

    async def _band(self, img: Image, brand: Brand) -> Image:
        if img.unbranded:
            return img
        key = (hashlib.sha256(img.png).digest(), f"{brand.name}|{brand.tagline}|{brand.accent}")
        banded = self._banded.get(key)
        if banded is None:
            try:
                banded = await asyncio.to_thread(
                    brand_picture.band, img.png, brand.name, brand.accent, brand.icon, brand.tagline
                )
            except OSError:  # not a picture Pillow reads: shown as it is
                return img
            self._banded[key] = banded
        return replace(img, png=banded, unbranded=True)
