"""Slash command descriptions in the user's Discord language, from copkit's own catalogues."""

from __future__ import annotations

from discord import Locale, app_commands

from copkit.core.i18n import available_locales, use_locale

from .commands import fit_description


class CatalogueTranslator(app_commands.Translator):
    """Translates the descriptions :mod:`.commands` builds (names stay as they are) into every
    Discord locale whose language has a copkit catalogue."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: Locale,
        context: app_commands.TranslationContext,
    ) -> str | None:
        build = string.extras.get("build")
        language = locale.value.split("-")[0]
        if build is None or language == "en" or language not in available_locales():
            return None
        with use_locale(language):
            text = fit_description(build())
        return None if text == string.message else text
