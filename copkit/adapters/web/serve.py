"""Serving the site from ``copkit run``: its routes on an HTTP server of the process (the main
one, or its own on ``[web] port``, see :func:`copkit.app.site_apart`)."""

from __future__ import annotations

from aiohttp import web

from copkit.core.runtime import Copkit

from .app import setup_site
from .settings import WebSettings


def add_site(app: web.Application, runtime: Copkit, settings: WebSettings, port: int) -> None:
    """The site on ``app`` (which listens on ``port``)."""
    setup_site(app, runtime, base_url=settings.address(port))
