"""What plugins declare at start-up: formats, commands, actions, job handlers and models."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from .roles import Role

if TYPE_CHECKING:
    from .context import Context, JobContext

ArgType = Literal["text", "int", "flag", "duration", "person", "list", "rest", "file"]
"""``text`` a string; ``int``; ``flag`` an on/off switch; ``duration`` like 90s, 8m, 3d;
``person`` a mention (@name or a platform user); ``list`` comma-separated values;
``rest`` every remaining positional word (one list); ``file`` a file sent with the command
(a :class:`~copkit.core.events.Upload`: Discord's attachment option, else the first file of the
message, or a path in the console; never typed as text)."""


@dataclass(frozen=True, slots=True)
class Arg:
    """One argument of a command. Positional arguments come first in the declared order."""

    name: str
    help: str
    type: ArgType = "text"
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    positional: bool = False
    max_length: int | None = None
    normalize: Callable[[str], str | None] | None = None
    """For ``choices``: the choice a word people type stands for ("yes", "Going", "oui" →
    "going"), or None. Choices match without regard to case in any event."""

    def usage(self) -> str:
        if self.type == "file":
            return f"[+{self.name}]"
        if self.positional:
            word = f"{self.name}…" if self.type == "rest" else self.name
            return f"<{word}>" if self.required else f"[{word}]"
        if self.type == "flag":
            return f"[--{self.name}]"
        value = "|".join(self.choices) if self.choices else self.name.upper()
        return f"--{self.name} {value}" if self.required else f"[--{self.name} {value}]"


Handler = Callable[["Context", dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Command:
    """A command declared once and offered on every platform.

    ``path`` is the words that name it, e.g. ``("leancoffee", "start")``; ``format`` is the format
    it belongs to (``None`` for the core). ``role`` is the least role that may run it; a plugin may
    let ``copkit_permission`` decide otherwise per community.
    """

    path: tuple[str, ...]
    help: str
    handler: Handler
    args: tuple[Arg, ...] = ()
    role: Role = Role.MEMBER
    format: str | None = None
    action: str = ""  # words for "only … can <action>"; defaults to the command name

    @property
    def name(self) -> str:
        return " ".join(self.path)

    def usage(self) -> str:
        return " ".join([self.name, *(a.usage() for a in self.args)])


@dataclass(frozen=True, slots=True)
class Action:
    """Handles interactions whose action id starts with ``prefix`` followed by ``:`` or the end.

    The handler receives the context and ``{"id": <rest of the id>, **values}``. ``permission``
    names what the role check is about (a mirrored command's name, so a community's ``roles
    require`` override of that command applies to the button too); ``words`` complete "only …
    can <words>". Declared through :class:`copkit.core.formats.Format`, the handler receives
    the route's typed values instead of ``id``.
    """

    prefix: str
    handler: Handler
    format: str | None = None
    role: Role = Role.MEMBER
    permission: str = ""
    words: str = ""


JobHandler = Callable[["JobContext", dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class JobType:
    """A named timer handler: ``schedule("leancoffee.timebox", at, payload)`` runs it at ``at``."""

    name: str
    handler: JobHandler


@dataclass(frozen=True, slots=True)
class FormatInfo:
    """An event format a community can enable."""

    name: str
    title: str
    description: str
    enabled_by_default: bool = True
    log_words: tuple[tuple[str, str], ...] = ()
    """How its log lines read: ``(kind, template)`` pairs, see :mod:`copkit.core.logwords`."""


@dataclass(frozen=True, slots=True)
class Models:
    """A plugin's tortoise models: an app label, its models module and its migrations package."""

    app: str
    module: str
    migrations: str | None = None


@dataclass(frozen=True, slots=True)
class Measure:
    """A value a plugin measured for a signal over a period (see ``copkit_signals``);
    ``detail`` says what it is made of, in words (e.g. the dimensions red twice)."""

    name: str
    value: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class OpenAction:
    """An action item a format still holds open (see ``copkit_open_actions``): ``key`` is
    ``<format>:<id>`` (unique in the community), ``since`` when it was agreed."""

    key: str
    source: str
    text: str
    since: datetime
    owner_name: str = ""
    due: date | None = None


@dataclass(frozen=True, slots=True)
class Section:
    """A section contributed to an activity's minutes."""

    title: str
    text: str
    order: int = 100


@dataclass(slots=True)
class Registry:
    """Everything plugins declared, indexed for dispatch."""

    formats: dict[str, FormatInfo] = field(default_factory=dict)
    commands: dict[tuple[str, ...], Command] = field(default_factory=dict)
    actions: dict[str, Action] = field(default_factory=dict)
    jobs: dict[str, JobType] = field(default_factory=dict)
    models: list[Models] = field(default_factory=list)
    owners: dict[str, str] = field(default_factory=dict)  # command name -> plugin name
    _groups: tuple[int, frozenset[tuple[str, ...]]] = field(
        default=(-1, frozenset()), init=False, repr=False, compare=False
    )

    def is_group(self, path: tuple[str, ...]) -> bool:
        """Whether ``path`` starts longer command paths and is no command itself (a group's
        name alone: ``leancoffee``, ``roles core``)."""
        if path in self.commands:
            return False
        count, groups = self._groups
        if count != len(self.commands):  # (commands were added: the prefixes again)
            groups = frozenset(c[:n] for c in self.commands for n in range(1, len(c)))
            self._groups = (len(self.commands), groups)
        return path in groups

    def add_commands(self, commands: Sequence[Command], plugin: str) -> None:
        for cmd in commands:
            if cmd.path in self.commands:
                raise ValueError(f"command {cmd.name!r} declared twice ({plugin})")
            self.commands[cmd.path] = cmd
            self.owners[cmd.name] = plugin
        self._groups = (-1, frozenset())

    def find_action(self, action_id: str) -> tuple[Action, str] | None:
        """The action whose prefix matches ``action_id`` best, and the rest of the id."""
        parts = action_id.split(":")
        for n in range(len(parts), 0, -1):
            action = self.actions.get(":".join(parts[:n]))
            if action:
                return action, ":".join(parts[n:])
        return None
