"""Slash command names and descriptions in the user's Discord language, from copkit's own
catalogues. A name is translated as ``pgettext("slash command name", word)`` (e.g. ``start`` →
``starten``), a dashed one word by word (``roles-core-add``); the words are declared in
:mod:`.names`. A translation Discord would refuse (upper case, spaces, too long) is left out."""

from __future__ import annotations

from discord import Locale, app_commands

from copkit.core.i18n import available_locales, pgettext, use_locale

from .commands import _valid_name, fit_description

NAME_CONTEXT = "slash command name"
_NAMES = (
    app_commands.TranslationContextLocation.command_name,
    app_commands.TranslationContextLocation.group_name,
)


def translate_name(name: str, language: str) -> str:
    """``name`` in ``language``: each dash-separated word as the catalogue has it."""
    with use_locale(language):
        return "-".join(pgettext(NAME_CONTEXT, word) for word in name.split("-"))


class CatalogueTranslator(app_commands.Translator):
    """Translates the names and descriptions :mod:`.commands` builds into every Discord locale
    whose language has a copkit catalogue."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: Locale,
        context: app_commands.TranslationContext,
    ) -> str | None:
        build = string.extras.get("build")
        language = locale.value.split("-")[0]
        if language == "en" or language not in available_locales():
            return None
        if context.location in _NAMES:
            name = translate_name(string.message, language)
            return name if name != string.message and _valid_name(name) else None
        if build is None:
            return None
        with use_locale(language):
            text = fit_description(build())
        return None if text == string.message else text
