"""A format declared once: its commands, the buttons that mirror them, and its timer jobs.

A format module reads top to bottom, each declaration next to its function::

    lc = Format("leancoffee", N_("Lean coffee"), N_("Propose, dot-vote, discuss."))
    NEXT = lc.route("next:{session:int}:{topic:int}")

    @lc.command("next", help=N_("Start the next topic."), role=Role.CORE,
                words=N_("move on to the next topic"), button=NEXT)
    async def next_topic(ctx: Context, args: dict[str, Any]) -> None:
        ...  # from the button, args holds "session" and "topic"; typed, never split by hand

    @lc.job("timer")
    async def timer(ctx: JobContext, payload: dict[str, Any]) -> None: ...

    (copkit_register_formats, copkit_register_commands,
     copkit_register_actions, copkit_register_jobs) = lc.hookimpls()

A button declared with ``button=`` (or ``@lc.button(ROUTE, mirrors="next")``) has the role of its
command *and* answers to the community's ``roles require … <command>`` override, because its
permission is the command's name. The object emits the same :class:`Command`, :class:`Action`
and :class:`JobType` lists the register hooks always took, so plugins written against the hooks
directly keep working.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .hookspecs import hookimpl
from .roles import Role
from .routes import Route
from .specs import Action, Arg, Command, FormatInfo, Handler, JobHandler, JobType

H = TypeVar("H", bound=Handler)
J = TypeVar("J", bound=JobHandler)


@dataclass(frozen=True, slots=True)
class _Button:
    route: Route
    handler: Handler
    mirrors: tuple[str, ...] | None
    role: Role | None
    words: str


class Format:
    """Everything one format declares; see the module's docstring."""

    def __init__(
        self, name: str, title: str, description: str, *, enabled_by_default: bool = True
    ) -> None:
        self.info = FormatInfo(name, title, description, enabled_by_default)
        self.routes: dict[str, Route] = {}
        self._commands: dict[tuple[str, ...], Command] = {}
        self._buttons: list[_Button] = []
        self._jobs: dict[str, JobType] = {}

    @property
    def name(self) -> str:
        return self.info.name

    # Declarations -----------------------------------------------------------------------------

    def route(self, template: str) -> Route:
        """A typed action id in this format: ``route("vote:{topic:int}")`` → ``<name>:vote:7``."""
        route = Route(f"{self.name}:{template}")
        if route.prefix in self.routes:
            raise ValueError(f"route prefix {route.prefix!r} declared twice")
        self.routes[route.prefix] = route
        return route

    def command(
        self,
        *path: str,
        help: str,
        args: Sequence[Arg] = (),
        role: Role = Role.MEMBER,
        words: str = "",
        button: Route | Sequence[Route] | None = None,
        top: bool = False,
    ) -> Callable[[H], H]:
        """Declare the command ``<format> <path…>`` (with ``top``, ``<path…>`` alone: a format
        may own a word such as ``goals``); with ``button``, the button(s) that do the same, with
        the same role and override. ``words`` completes "only … can <words>"."""
        if top and not path:
            raise ValueError("a top-level command needs a name")
        full = tuple(path) if top else (self.name, *path)
        routes = [button] if isinstance(button, Route) else list(button or ())

        def decorate(fn: H) -> H:
            if full in self._commands:
                raise ValueError(f"command {' '.join(full)!r} declared twice")
            self._commands[full] = Command(full, help, fn, tuple(args), role, self.name, words)
            for route in routes:
                self._buttons.append(_Button(route, fn, full, None, ""))
            return fn

        return decorate

    def button(
        self,
        route: Route,
        *,
        mirrors: str | None = None,
        role: Role | None = None,
        words: str = "",
    ) -> Callable[[H], H]:
        """Declare what a button, choice or form with ids of ``route`` does. ``mirrors`` names
        the command it stands for (``"voting open"``): it then has that command's role and
        override. Without it, ``role`` (default: member) applies, checked as the route's prefix."""
        mirrored = (self.name, *mirrors.split()) if mirrors else None

        def decorate(fn: H) -> H:
            self._buttons.append(_Button(route, fn, mirrored, role, words))
            return fn

        return decorate

    def job(self, name: str) -> Callable[[J], J]:
        """Declare the timer job ``<format>.<name>`` (a dotted ``name`` is taken as it is)."""
        full = name if "." in name else f"{self.name}.{name}"

        def decorate(fn: J) -> J:
            if full in self._jobs:
                raise ValueError(f"job {full!r} declared twice")
            self._jobs[full] = JobType(full, fn)
            return fn

        return decorate

    # What the register hooks return -------------------------------------------------------------

    def commands(self) -> list[Command]:
        return list(self._commands.values())

    def actions(self) -> list[Action]:
        out: dict[str, Action] = {}
        for b in self._buttons:
            prefix = b.route.prefix
            if prefix in out:
                raise ValueError(f"two buttons for route {prefix!r}")
            if b.mirrors is not None:
                cmd = self._commands.get(b.mirrors)
                if cmd is None:
                    raise ValueError(f"{prefix!r} mirrors unknown command {' '.join(b.mirrors)!r}")
                role, permission, words = cmd.role, cmd.name, cmd.action or cmd.name
            else:
                role, permission, words = b.role or Role.MEMBER, prefix, b.words
            out[prefix] = Action(
                prefix,
                _typed(b.route, b.handler),
                self.name,
                role,
                permission,
                words,
            )
        return list(out.values())

    def jobs(self) -> list[JobType]:
        return list(self._jobs.values())

    def hookimpls(self) -> tuple[Callable[[], Any], ...]:
        """The four register hooks, for a plugin module to bind at its top level."""

        @hookimpl
        def copkit_register_formats() -> list[FormatInfo]:
            return [self.info]

        @hookimpl
        def copkit_register_commands() -> list[Command]:
            return self.commands()

        @hookimpl
        def copkit_register_actions() -> list[Action]:
            return self.actions()

        @hookimpl
        def copkit_register_jobs() -> list[JobType]:
            return self.jobs()

        return (
            copkit_register_formats,
            copkit_register_commands,
            copkit_register_actions,
            copkit_register_jobs,
        )

    def plugin(self) -> object:
        """An object to register with the plugin manager (when the format is not a module)."""
        plugin = _FormatPlugin()
        plugin.__dict__.update({fn.__name__: fn for fn in self.hookimpls()})
        return plugin


class _FormatPlugin:
    """A plugin object carrying one format's register hooks."""


def _typed(route: Route, fn: Handler) -> Handler:
    """The registry's handler for ``route``: parse the id's rest into typed values (a stale or
    forged id is refused with "out of date"), then call ``fn`` with them and the values sent."""

    async def handler(ctx: Any, args: dict[str, Any]) -> None:
        values = {k: v for k, v in args.items() if k != "id"}
        await fn(ctx, {**values, **route.parse(args.get("id", ""))})

    handler.__name__ = getattr(fn, "__name__", "handler")
    handler.__doc__ = fn.__doc__
    return handler
