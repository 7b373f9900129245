"""gettext for every user-facing string, with the language chosen per community.

Source strings are English. Catalogues are ``copkit/locale/<lang>/LC_MESSAGES/copkit.po``; they are
compiled in memory with Babel when first needed, so no build step is required. The active language
is a context variable that the dispatcher sets from the community's locale.
"""

from __future__ import annotations

import contextvars
import gettext as _gettext
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
    return list(_available())


@cache
def _available() -> tuple[str, ...]:  # (the catalogues ship with copkit: looked for once)
    found = {p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return tuple(sorted(found | {"en"}))


@cache
def _known() -> dict[str, str]:
    return {loc.lower(): loc for loc in _available()}


def normalize_locale(text: str | None) -> str | None:
    """The available language ``text`` names (``de-DE``, ``EN``, ``fr_CA`` → ``de``, ``en``,
    ``fr``), or ``None``."""
    raw = (text or "").strip().replace("-", "_")
    if not raw or len(raw) > 20:
        return None
    known = _known()
    for candidate in (raw.lower(), raw.lower().split("_")[0]):
        if candidate in known:
            return known[candidate]
    return None


def current_locale() -> str:
    return _current.get()


class use_locale:  # noqa: N801 - used as the context manager function it was
    """Run a block with ``locale`` as the active language: ``with use_locale("de"): …``."""

    __slots__ = ("_locale", "_token")

    def __init__(self, locale: str) -> None:
        self._locale = locale or "en"
        self._token: contextvars.Token[str] | None = None

    def __enter__(self) -> None:
        self._token = _current.set(self._locale)

    def __exit__(self, *exc: object) -> None:
        assert self._token is not None
        _current.reset(self._token)


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
