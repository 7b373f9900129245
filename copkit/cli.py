"""The ``copkit`` command: run, console, plugins, db upgrade, teams manifest, version."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import tempfile
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .core.config import Settings
from .core.errors import ConfigError, StartupError
from .logs import FORMATS, RUN_LOGGER, configure_logging
from .settings import load_settings

if TYPE_CHECKING:
    import asyncio

# Cheap commands stay cheap: the ORM, the plugins and the adapters are imported by the commands
# that use them (``copkit version`` loads none of them).

DEMOS = (
    "tour",
    "leancoffee",
    "healthcheck",
    "brownbag",
    "lightning",
    "workshop",
    "reflect",
    "retro",
    "xtremreading",
    "xtremwatch",
)
LOG_FORMAT_ENV = "COPKIT_LOG_FORMAT"


def _plugins(settings: Settings) -> list[str]:
    from .core.plugins import DEFAULT_PLUGINS

    return [p for p in DEFAULT_PLUGINS if p.rsplit(".", 1)[-1] not in settings.plugins_disabled]


def demo_script(name: str) -> list[str]:
    """The lines of a shipped demo script."""
    text = resources.files("copkit").joinpath("demo", f"{name}.txt").read_text(encoding="utf-8")
    return text.splitlines()


def cmd_version(args: argparse.Namespace, settings: Settings) -> int:
    print(f"copkit {__version__}")
    return 0


def cmd_plugins(args: argparse.Namespace, settings: Settings) -> int:
    from .core.plugins import build_registry, describe_plugins, make_plugin_manager

    pm = make_plugin_manager(_plugins(settings))
    reg = build_registry(pm)
    for name, commands in describe_plugins(pm, reg):
        print(f"{name}")
        for c in commands:
            print(f"    {c}")
    print(f"formats: {', '.join(sorted(reg.formats)) or '-'}")
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from .core.plugins import build_registry, make_plugin_manager
    from .core.storage import hide_password, upgrade_database

    reg = build_registry(make_plugin_manager(_plugins(settings)))
    asyncio.run(upgrade_database(settings.database_url, reg.models))
    print(f"database {hide_password(settings.database_url)} is up to date")
    return 0


def cmd_db_makemigrations(args: argparse.Namespace, settings: Settings) -> int:
    """For plugin authors: write a migration for model changes of APP."""
    import asyncio

    from tortoise.migrations.autodetector import MigrationAutodetector

    from .core.plugins import build_registry, make_plugin_manager
    from .core.storage import tortoise_config

    reg = build_registry(make_plugin_manager(_plugins(settings)))

    async def go() -> None:
        from tortoise import Tortoise

        with tempfile.TemporaryDirectory() as tmp:
            config = tortoise_config(f"sqlite://{tmp}/mk.db", reg.models)
            await Tortoise.init(config=config)
            try:
                # Detect over every app, so a migration depends on the apps it refers to
                # (e.g. core.Community); then write only the apps asked for.
                detector = MigrationAutodetector(Tortoise.apps, config["apps"])
                writers = [
                    w for w in await detector.changes() if not args.app or w.app_label in args.app
                ]
                for w in writers:
                    print(f"created {w.app_label}.{w.name} at {w.write()}")
                if not writers:
                    print("no changes")
            finally:
                await Tortoise.close_connections()

    asyncio.run(go())
    return 0


def cmd_console(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from .adapters.console import run_console

    script: list[str] | None = None
    if args.demo:
        script = []
        for name in DEMOS if args.demo == "all" else [args.demo]:
            try:
                script += demo_script(name)
            except FileNotFoundError:
                if args.demo != "all":
                    raise StartupError(
                        f"no demo called {name!r} (known: {', '.join(DEMOS)}, all)"
                    ) from None
    elif args.script:
        if args.script == "-":
            script = sys.stdin.read().splitlines()
        else:
            try:
                script = Path(args.script).read_text(encoding="utf-8").splitlines()
            except OSError as exc:
                raise StartupError(f"cannot read {args.script}: {exc.strerror}") from exc
    elif not sys.stdin.isatty():
        script = sys.stdin.read().splitlines()
    locale = settings.locale
    if args.locale:
        from .core.i18n import available_locales, normalize_locale

        locale = normalize_locale(args.locale) or ""
        if not locale:
            raise StartupError(
                f"no language {args.locale!r} (available: {', '.join(available_locales())})"
            )
    url = args.database or settings.database_url
    tmp = None
    if script is not None and not args.database:
        tmp = tempfile.TemporaryDirectory()
        url = f"sqlite://{tmp.name}/console.db"
    try:
        return asyncio.run(
            run_console(
                url,
                script=script,
                user=settings.console_user,
                plugins=_plugins(settings),
                community_defaults={"locale": locale, "timezone": settings.timezone},
            )
        )
    finally:
        if tmp:
            tmp.cleanup()


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    # Signals first: a SIGTERM while copkit is still importing stops it cleanly too.
    import asyncio

    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    say = logging.getLogger(RUN_LOGGER).info
    stopping = False

    def on_signal() -> None:
        nonlocal stopping
        if stopping:  # a second Ctrl-C: stop now, without a traceback
            say("stopped at once")
            os._exit(130)
        stopping = True
        say("stopping: finishing what is in flight (Ctrl-C again to stop at once)")
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, on_signal)
        except NotImplementedError:
            pass
    try:
        return _run(loop, stop, args, settings)
    finally:
        loop.close()
        # From here on only the interpreter's exit is left: a Ctrl-C now ends it quietly.
        signal.signal(signal.SIGINT, lambda *_: os._exit(130))


def _run(
    loop: asyncio.AbstractEventLoop, stop: asyncio.Event, args: argparse.Namespace, s: Settings
) -> int:
    import asyncio

    from .app import serve

    discord, teams, http = s.adapters["discord"], s.adapters["teams"], s.adapters["http"]
    if args.shard_ids:
        try:
            discord.shard_ids = [int(x) for x in args.shard_ids.split(",") if x.strip()]
        except ValueError:
            raise StartupError(
                f"--shard-ids must be numbers like 0,1, not {args.shard_ids!r}"
            ) from None
    if args.shard_count:
        discord.shard_count = args.shard_count
    if args.port is not None:
        http.port = args.port
    if args.host:
        http.host = args.host
    if args.teams is not None:
        teams.enabled = args.teams
    if args.discord is not None:
        discord.enabled = args.discord
    main = loop.create_task(serve(s, _plugins(s), stop))
    try:
        code = loop.run_until_complete(main)
    except asyncio.CancelledError:
        code = 0
    if stop.is_set():
        logging.getLogger(RUN_LOGGER).info("stopped")
    return code


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Every community's archive as Markdown files under DIR/<id>-<name>/."""
    import asyncio

    from .core.context import Scope
    from .core.models import Community
    from .core.plugins import make_plugin_manager
    from .core.runtime import Copkit
    from .plugins.site import export

    if not args.markdown:
        raise StartupError("say where: copkit export --markdown DIR")
    out = Path(args.markdown)

    async def go() -> None:
        runtime = Copkit(settings.database_url, pm=make_plugin_manager(_plugins(settings)))
        await runtime.open()
        try:
            query = Community.all().order_by("id")
            if args.community is not None:
                query = query.filter(id=args.community)
            communities = await query
            if not communities:
                raise StartupError("no community to export")
            for c in communities:
                folder = out / f"{c.id}-{export.slug(c.name)}"
                n = await export.write(Scope(runtime.services, c, ""), folder)
                print(f"{folder}: {n} event files")
        finally:
            await runtime.close()

    try:
        asyncio.run(go())
    except OSError as exc:
        raise StartupError(f"cannot write to {out}: {exc.strerror or exc}") from exc
    return 0


def cmd_teams_manifest(args: argparse.Namespace, settings: Settings) -> int:
    from .adapters.teams.manifest import write_package
    from .core.plugins import build_registry, make_plugin_manager

    reg = build_registry(make_plugin_manager(_plugins(settings)))
    app_id = args.app_id or settings.adapters["teams"].app_id
    if not app_id:
        raise StartupError("give --app-id (the Azure Bot's Microsoft App ID) or set MicrosoftAppId")
    path = write_package(
        reg,
        app_id=app_id,
        out=Path(args.out),
        name=args.name,
        domain=args.domain,
        version=args.app_version,
        meeting_tab_url=settings.adapters["teams"].meeting_tab_url,
    )
    print(f"wrote {path}: upload it in Teams (Apps › Manage your apps › Upload an app)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="copkit", description="Run a Community of Practice in your chat."
    )
    p.add_argument("--config", help="a TOML config file (default: ./copkit.toml or $COPKIT_CONFIG)")
    p.add_argument("-v", "--verbose", action="store_true", help="log more")
    p.add_argument("--version", action="version", version=f"copkit {__version__}")
    p.add_argument(
        "--log-format",
        choices=FORMATS,
        help=f"text (default) or json: one JSON object per line (or ${LOG_FORMAT_ENV})",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser(
        "run",
        help="start the configured adapters (Discord, Teams)",
        description="Start copkit: the configured chat adapters (Discord, Teams), its timers and its HTTP server (probes, /metrics, the Teams endpoint, the community site).",
    )
    s.add_argument("--shard-ids", help="Discord shard ids this process runs, e.g. 0,1")
    s.add_argument("--shard-count", type=int, help="total Discord shards")
    s.add_argument(
        "--port",
        type=int,
        help="HTTP port: probes, /metrics, the Teams endpoint (default [http] port, else 3978)",
    )
    s.add_argument(
        "--host",
        help="HTTP address (default [http] host; 0.0.0.0 with Teams credentials, else 127.0.0.1)",
    )
    s.add_argument(
        "--teams",
        action=argparse.BooleanOptionalAction,
        help="serve the Teams endpoint (default: [teams] enabled, true)",
    )
    s.add_argument(
        "--discord",
        action=argparse.BooleanOptionalAction,
        help="connect to Discord when a token is set (default: [discord] enabled, true)",
    )
    s.set_defaults(fn=cmd_run)

    s = sub.add_parser(
        "console",
        help="a local community in this terminal",
        description="A local community in this terminal: type commands as different people, press buttons, let time pass. With --script or --demo, a fake clock and a fresh temporary database.",
    )
    s.add_argument("--script", help="run commands from FILE (- for stdin) instead of the keyboard")
    s.add_argument(
        "--demo", nargs="?", const="tour", help=f"run a shipped demo: {', '.join(DEMOS)} or all"
    )
    s.add_argument("--database", help="database URL (scripts use a fresh temporary one by default)")
    s.add_argument(
        "--locale",
        help="the language of a new community and of the console (fr, de …; default: "
        "[community] locale, else en)",
    )
    s.set_defaults(fn=cmd_console)

    s = sub.add_parser(
        "export",
        help="write the communities' archives as Markdown files",
        description="Write every community's archive (one Markdown file per event, with front "
        "matter) into a folder, for a wiki or a git repository.",
    )
    s.add_argument("--markdown", metavar="DIR", help="the folder to write to")
    s.add_argument("--community", type=int, help="only this community (its number)")
    s.set_defaults(fn=cmd_export)

    s = sub.add_parser(
        "plugins",
        help="list installed plugins and their commands",
        description="List the installed plugins, the formats they bring and their commands.",
    )
    s.set_defaults(fn=cmd_plugins)

    db_parser = sub.add_parser(
        "db",
        help="database maintenance",
        description="Database maintenance: apply migrations, or write new ones after changing a plugin's models.",
    )
    db_parser.set_defaults(help_of=db_parser)
    db = db_parser.add_subparsers(dest="db_command", metavar="ACTION")
    s = db.add_parser(
        "upgrade",
        help="apply pending migrations",
        description="Apply pending migrations to the configured database (copkit run does it at start-up too).",
    )
    s.set_defaults(fn=cmd_db_upgrade)
    s = db.add_parser(
        "makemigrations",
        help="write migrations for changed models (plugin authors)",
        description="Write migrations for models that changed (for plugin authors).",
    )
    s.add_argument("app", nargs="*", help="app labels (default: all)")
    s.set_defaults(fn=cmd_db_makemigrations)

    teams_parser = sub.add_parser(
        "teams",
        help="Microsoft Teams tools",
        description="Microsoft Teams tools: build the app package to upload in Teams.",
    )
    teams_parser.set_defaults(help_of=teams_parser)
    teams = teams_parser.add_subparsers(dest="teams_command", metavar="ACTION")
    s = teams.add_parser(
        "manifest",
        help="build the Teams app package",
        description="Build the Teams app package (manifest.json and icons in a zip).",
    )
    s.add_argument("--app-id", help="the Azure Bot's Microsoft App ID")
    s.add_argument(
        "--out", default="copkit-teams.zip", help="output zip (default copkit-teams.zip)"
    )
    s.add_argument("--name", default="copkit", help="the app's short name")
    s.add_argument("--domain", default="", help="your bot's domain, for validDomains")
    s.add_argument(
        "--app-version",
        help="the package version (default: copkit's); raise it to update an uploaded app",
    )
    s.set_defaults(fn=cmd_teams_manifest)

    s = sub.add_parser("version", help="print the version", description="Print copkit's version.")
    s.set_defaults(fn=cmd_version)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    log_format = args.log_format or os.environ.get(LOG_FORMAT_ENV, "").strip().lower() or "text"
    if log_format not in FORMATS:
        print(f"copkit: {LOG_FORMAT_ENV} must be text or json, not {log_format!r}", file=sys.stderr)
        return 2
    # Never log SQL with its values or Discord's payloads, even with -v: they hold answers.
    configure_logging(args.verbose, log_format)
    if not getattr(args, "fn", None):
        # "copkit db" or "copkit teams" alone: that group's own help
        getattr(args, "help_of", parser).print_help()
        return 0 if args.command is None else 2
    try:
        settings = load_settings(args.config)
        return args.fn(args, settings)
    except (ConfigError, StartupError) as exc:
        if log_format == "json":
            logging.getLogger(RUN_LOGGER).error("%s", exc)
        else:
            print(f"copkit: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    os._exit(main())
