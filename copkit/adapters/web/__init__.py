"""The community web site, served from copkit's aiohttp application.

:func:`setup_site` adds the site's routes to an application (the one ``copkit run`` serves on
``[web] port``). Pages are server-rendered with Jinja2 (autoescape on), with one CSS file and no
JavaScript. See ``docs/site.md``. (Importing this package is cheap: the settings are read at
start-up, before the pages' modules are needed.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aiohttp import web

    from copkit.core.runtime import Copkit

__all__ = ["setup_site"]


def setup_site(app: web.Application, runtime: Copkit, *, base_url: str = "") -> None:
    """Add the community site to ``app``: ``/c/<community>/…`` (public) and
    ``/c/<community>/k/<token>/…`` (members' signed links), and ``/static/site.css``.

    ``base_url`` is the site's public address, used in the links the ``site`` command gives."""
    from .app import setup_site as setup

    setup(app, runtime, base_url=base_url)
