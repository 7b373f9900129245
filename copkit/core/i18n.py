"""gettext for every user-facing string, with the language chosen per community.

Source strings are English. Catalogues are ``copkit/locale/<lang>/LC_MESSAGES/copkit.po``; they are
compiled in memory with Babel when first needed, so no build step is required. The active language
is a context variable that the dispatcher sets from the community's locale.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext as _gettext
from collections.abc import Iterator
from functools import cache
from io import BytesIO
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "copkit"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("copkit_locale", default="en")


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    """The catalogue for ``locale`` (``de``, ``fr_CA`` …), falling back to English."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for candidate in (locale, locale.split("_")[0]):
        po = LOCALE_DIR / candidate / "LC_MESSAGES" / f"{DOMAIN}.po"
        if po.is_file():
            with po.open("rb") as fh:
                catalog = read_po(fh, locale=candidate)
            buf = BytesIO()
            write_mo(buf, catalog)
            buf.seek(0)
            return _gettext.GNUTranslations(buf)
    return _gettext.NullTranslations()


def available_locales() -> list[str]:
    """Languages with a catalogue, plus English."""
    found = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return sorted(found | {"en"})


def normalize_locale(text: str | None) -> str | None:
    """The available language ``text`` names (``de-DE``, ``EN``, ``fr_CA`` → ``de``, ``en``,
    ``fr``), or ``None``."""
    raw = (text or "").strip().replace("-", "_")
    if not raw or len(raw) > 20:
        return None
    known = {loc.lower(): loc for loc in available_locales()}
    for candidate in (raw.lower(), raw.lower().split("_")[0]):
        if candidate in known:
            return known[candidate]
    return None


def current_locale() -> str:
    return _current.get()


@contextlib.contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Run a block with ``locale`` as the active language."""
    token = _current.set(locale or "en")
    try:
        yield
    finally:
        _current.reset(token)


def set_locale(locale: str) -> None:
    """Set the active language for the rest of the current task."""
    _current.set(locale or "en")


def gettext(message: str) -> str:
    """Translate ``message`` into the active language."""
    locale = _current.get()
    if locale == "en":
        return message
    return translations(locale).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Translate with a plural form chosen by ``n``."""
    locale = _current.get()
    if locale == "en":
        return singular if n == 1 else plural
    return translations(locale).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """Translate ``message`` said in ``context`` (e.g. a slash command's name)."""
    locale = _current.get()
    if locale == "en":
        return message
    return translations(locale).pgettext(context, message)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now (translate it when shown)."""
    return message


_ = gettext
