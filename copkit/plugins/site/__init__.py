"""The community site's chat side: the leader's ``site public|members|off`` and ``site
revoke``, a member's ``site`` (the link, given privately), the search index and the Markdown
export. The pages themselves are served by :mod:`copkit.adapters.web`."""

from __future__ import annotations

from copkit.core.hookspecs import hookimpl
from copkit.core.specs import Command, Models

from . import commands


@hookimpl
def copkit_register_commands() -> list[Command]:
    return commands.COMMANDS


@hookimpl
def copkit_register_models() -> list[Models]:
    return [
        Models(
            app="site",
            module="copkit.plugins.site.models",
            migrations="copkit.plugins.site.migrations",
        )
    ]
