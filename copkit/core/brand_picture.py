"""The brand's pictures (Pillow): a logo checked and resized, a monogram in the accent colour,
and the band in the accent colour that every picture of a branded community carries on top.

Pure functions of bytes and values (no database); run them in a thread (:func:`asyncio.to_thread`)
where a request waits on them.
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .colours import ink_on, rgb_of
from .errors import UserError
from .i18n import _

if TYPE_CHECKING:
    from PIL.ImageFont import FreeTypeFont

LOGO_BYTES_MAX = 2 * 1024 * 1024  # what a leader may upload
LOGO_SIDE = 512  # the stored logo, at most this many pixels a side
ICON_SIDE = 48  # the small picture in card headers and picture bands
LOGO_SIDE_MIN = 32
PIXELS_MAX = 40_000_000  # a picture with more pixels is refused before it is decoded
SQUARE_SLACK = 0.02  # a side may differ by 2 % (a crop a pixel off is still square)


def _fonts_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@functools.lru_cache(maxsize=16)
def _font(size: int) -> FreeTypeFont:
    from PIL import ImageFont

    return ImageFont.truetype(str(_fonts_dir() / "DejaVuSans-Bold.ttf"), size)


@functools.lru_cache(maxsize=1)
def _glyphs() -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(str(_fonts_dir() / "DejaVuSans-Bold.ttf")).get_charmap())


def drawable(text: str) -> str:
    """``text`` without the characters the font cannot draw (no empty boxes in a picture)."""
    glyphs = _glyphs()
    return "".join(c for c in text if ord(c) in glyphs or c == " ")


def _png(img: Any) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def check_logo(data: bytes) -> tuple[bytes, bytes]:
    """A logo as uploaded → ``(logo, icon)``: the logo as a PNG of at most :data:`LOGO_SIDE`
    pixels a side and its :data:`ICON_SIDE` icon. Refuses (a :class:`UserError`, short) a
    file over 2 MB, one that is not a picture, and a picture that is not square."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > LOGO_BYTES_MAX:
        raise UserError(
            _("That file is {size} MB: a logo may be 2 MB at most.").format(
                size=f"{len(data) / 1024 / 1024:.1f}"
            )
        )
    try:
        img = Image.open(io.BytesIO(data))
        width, height = img.size
        if width * height > PIXELS_MAX:
            raise UserError(_("That picture is too large: send a logo of at most 4096 pixels."))
        img.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise UserError(_("That file is not a picture: send the logo as a PNG.")) from None
    if abs(width - height) > SQUARE_SLACK * max(width, height):
        raise UserError(
            _("A logo must be square; this one is {width}×{height} pixels.").format(
                width=width, height=height
            )
        )
    if min(width, height) < LOGO_SIDE_MIN:
        raise UserError(
            _("That logo is too small: send one of at least {n}×{n} pixels.").format(
                n=LOGO_SIDE_MIN
            )
        )
    rgba = img.convert("RGBA")
    side = min(width, height, LOGO_SIDE)
    logo = rgba.resize((side, side), Image.Resampling.LANCZOS)
    return _png(logo), icon_of(logo)


def icon_of(img: Any) -> bytes:
    """A small square icon of ``img`` (a Pillow image), few colours: it travels in cards."""
    from PIL import Image

    small = img.convert("RGBA").resize((ICON_SIDE, ICON_SIDE), Image.Resampling.LANCZOS)
    return _png(small.quantize(64, method=Image.Quantize.FASTOCTREE))


def initials(name: str) -> str:
    """One or two letters standing for ``name`` (``Python Guild`` → ``PG``)."""
    words = [w for w in drawable(name).split() if any(c.isalnum() for c in w)]
    letters = [next(c for c in w if c.isalnum()) for w in words[:2]]
    return "".join(letters).upper() or "•"


@functools.lru_cache(maxsize=256)
def monogram(name: str, accent: str, side: int = ICON_SIDE) -> bytes:
    """A round badge in ``accent`` with the initials of ``name``, as a PNG of ``side`` pixels."""
    from PIL import Image, ImageDraw

    scale = 4  # drawn large, then reduced: smooth edges
    big = side * scale
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.ellipse((0, 0, big - 1, big - 1), fill=rgb_of(accent))
    letters = initials(name)
    font = _font(int(big * (0.42 if len(letters) > 1 else 0.5)))
    draw.text((big / 2, big / 2), letters, font=font, fill=rgb_of(ink_on(accent)), anchor="mm")
    return _png(img.resize((side, side), Image.Resampling.LANCZOS))


def band(png: bytes, name: str, accent: str, icon: bytes, tagline: str = "") -> bytes:
    """``png`` with a band in ``accent`` on top: the icon and the community's name (and
    tagline) in black or white, whichever reads on the accent."""
    from PIL import Image, ImageDraw

    img = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = img.size
    tall = max(28, min(64, width // 20))
    out = Image.new("RGB", (width, height + tall), rgb_of(accent))
    out.paste(img, (0, tall))
    pad = max(4, tall // 7)
    x = pad
    if icon:
        mark = Image.open(io.BytesIO(icon)).convert("RGBA")
        mark = mark.resize((tall - 2 * pad, tall - 2 * pad), Image.Resampling.LANCZOS)
        out.paste(mark, (pad, pad), mark)
        x += tall - pad
    draw = ImageDraw.Draw(out)
    font = _font(max(10, int(tall * 0.45)))
    words = drawable(name + (f" · {tagline}" if tagline else ""))
    while words and font.getlength(words) > width - x - pad:
        words = words[:-2].rstrip() + "…" if len(words) > 2 else ""
    draw.text((x, tall / 2), words, font=font, fill=rgb_of(ink_on(accent)), anchor="lm")
    return _png(out)


def swatch(colour: str, width: int = 8, height: int = 4) -> bytes:
    """A small PNG filled with ``colour`` (a strip of the accent on a card)."""
    from PIL import Image

    return _png(Image.new("RGB", (width, height), rgb_of(colour)))
