"""Dispatch: from an adapter's event (a line, a command, an interaction, presence, a due job) to
a plugin handler, with the answers for user errors, conflicts, outages and bugs."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from . import helptext, logcontext, parsing, writer
from .communities import CommunityState
from .context import Context, JobContext
from .dberrors import is_bad_input, is_conflict, is_unavailable
from .errors import Redelivered, Unavailable, UsageError, UserError
from .events import CommunityRef, Interaction, Person, RoomRef, Upload
from .i18n import _, normalize_locale, set_locale
from .metrics import Metrics
from .models import Community, Job
from .services import Services
from .specs import Command
from .views import Private, View, notice
from .writer import Row

log = logging.getLogger("copkit")


class Dispatcher:
    def __init__(self, services: Services, metrics: Metrics | None = None) -> None:
        self.s = services
        self.metrics = metrics or Metrics()

    async def text(
        self,
        community: CommunityRef,
        room: RoomRef,
        person: Person,
        text: str,
        *,
        request: Any = None,
        mentions: dict[str, Person] | None = None,
        uploads: tuple[Upload, ...] = (),
    ) -> None:
        await self._guarded(
            "text", community, room, person, request, self._text, text, uploads, mentions=mentions
        )

    async def command(
        self,
        community: CommunityRef,
        room: RoomRef,
        person: Person,
        path: tuple[str, ...],
        args: dict[str, Any],
        *,
        request: Any = None,
        mentions: dict[str, Person] | None = None,
    ) -> None:
        await self._guarded(
            "command",
            community,
            room,
            person,
            request,
            self._structured,
            path,
            args,
            mentions=mentions,
        )

    async def interaction(
        self,
        community: CommunityRef,
        room: RoomRef,
        person: Person,
        interaction: Interaction,
        *,
        request: Any = None,
    ) -> None:
        await self._guarded(
            "interaction", community, room, person, request, self._interaction, interaction
        )

    async def presence(self, community: CommunityRef, room: RoomRef, present: list[Person]) -> None:
        try:
            state = await self.s.communities.get(community)
        except Exception as exc:
            if is_unavailable(exc):
                raise Unavailable(str(exc)) from exc
            raise
        key = (state.row.id, room.id)
        before = set(self.s.presence.get(key, []))
        now = [p.id for p in present]
        self.s.presence[key] = now
        joined = [p for p in now if p not in before]
        left = [p for p in before if p not in set(now)]
        if joined or left:
            await self.s.hooks.presence_changed(state.row, room.id, now, joined, left)

    async def job(self, job: Job) -> None:
        jt = self.s.registry.jobs.get(job.handler)
        if jt is None:
            log.error("no handler for job type %s; job %s dropped", job.handler, job.id)
            return
        if job.community_id is None:
            raise ValueError("job without community")
        community = await self.s.communities.by_id(job.community_id)
        set_locale(community.locale)
        ctx = JobContext(self.s, community, job.room_id, job.id, job.handler)
        await jt.handler(ctx, dict(job.payload or {}))
        await self.s.hooks.job_due(ctx)

    # Guarding a request -----------------------------------------------------------------------

    async def _guarded(
        self,
        kind: str,
        community: CommunityRef,
        room: RoomRef,
        person: Person,
        request: Any,
        fn: Any,
        *args: Any,
        mentions: dict[str, Person] | None = None,
    ) -> None:
        started = time.perf_counter()
        outcome = "ok"
        try:
            with logcontext.request_scope(community.platform):
                outcome = await self._run_guarded(
                    community, room, person, request, fn, *args, mentions=mentions
                )
        except asyncio.CancelledError:
            outcome = ""
            raise
        except Unavailable:
            outcome = "unavailable"
            raise
        except Redelivered:  # answered before: this delivery stops (not counted)
            outcome = ""
            raise
        except BaseException:
            outcome = "bug"
            raise
        finally:
            if outcome:
                self.metrics.request(
                    community.platform, kind, outcome, time.perf_counter() - started
                )

    async def _run_guarded(
        self,
        community: CommunityRef,
        room: RoomRef,
        person: Person,
        request: Any,
        fn: Any,
        *args: Any,
        mentions: dict[str, Person] | None = None,
    ) -> str:
        """Runs ``fn``; returns the outcome (ok, user_error, bug) or raises Unavailable."""
        set_locale("en")
        state: CommunityState | None = None
        try:
            state = await self.s.communities.get(community)
            logcontext.community_id.set(state.row.id)
            set_locale(normalize_locale(person.locale) or state.row.locale)
            await self.s.communities.remember_room(state.row, room)
            seen = self.s.communities.person_row(state.row, person)
            role = self.s.communities.role_of(state, person)
            ctx = Context(self.s, state.row, room, person, role, request)
            ctx.mentions = mentions or {}
            if seen is None:
                await fn(ctx, state, *args)
            else:  # stored with the request's first write, or at its end
                await self._with_person(ctx, state, seen, person, fn, *args)
        except UserError as exc:
            if state is not None:
                await self._answer(state.row, room, person, request, notice(exc.message, "error"))
            return "user_error"
        except Exception as exc:
            if not is_unavailable(exc):
                return await self._bug(exc, community, state, room, person, request)
            log.warning("database unavailable: %s", exc)
            if state is not None:
                try:
                    await self._answer(
                        state.row,
                        room,
                        person,
                        request,
                        notice(_("I can't reach my database. Try again in a moment."), "warning"),
                    )
                except Exception:
                    log.debug("could not tell the user", exc_info=True)
            raise Unavailable(str(exc)) from exc
        return "ok"

    async def _with_person(
        self, ctx: Context, state: CommunityState, seen: Row, person: Person, fn: Any, *args: Any
    ) -> None:
        with writer.pending_rows([seen]) as pending:
            try:
                await fn(ctx, state, *args)
            finally:
                if pending:
                    try:
                        await writer.flush_pending()
                    except BaseException:
                        self.s.communities.forget_person(state.row, person)
                        raise

    async def _bug(
        self,
        exc: Exception,
        community: CommunityRef,
        state: CommunityState | None,
        room: RoomRef,
        person: Person,
        request: Any,
    ) -> str:
        outcome = "user_error"
        if is_conflict(exc):
            log.info("conflict while handling a request in %s: %s", community, exc)
            text = _("Someone changed this at the same moment. Please try again.")
        elif is_bad_input(exc):  # a value the database refused: checked too late, not a bug
            log.warning("the database refused a value in %s: %s", community, exc)
            text = _("A value is too long or out of range. Please shorten or correct it.")
        else:
            log.error("bug while handling a request in %s", community, exc_info=exc)
            text = _("Sorry, something went wrong on my side. It has been logged.")
            outcome = "bug"
        if state is not None:
            try:
                await self._answer(state.row, room, person, request, notice(text, "error"))
            except Exception:
                log.exception("could not apologise")
        return outcome

    async def _answer(
        self, community: Community, room: RoomRef, person: Person, request: Any, view: View
    ) -> None:
        await self.s.output.show(
            community, Private(person.id), view, request=request, room_id=room.id
        )

    # From what arrived to a handler -----------------------------------------------------------

    async def _run_command(
        self, ctx: Context, state: CommunityState, cmd: Command, args: dict[str, Any]
    ) -> None:
        self.s.access.check_format(state, cmd.format)
        ctx.require(cmd.role, cmd.name, _(cmd.action) if cmd.action else cmd.name)
        for arg in cmd.args:  # a file argument: the first file sent with the message
            if arg.type == "file" and not isinstance(args.get(arg.name), Upload):
                args[arg.name] = ctx.uploads[0] if ctx.uploads else None
        await cmd.handler(ctx, args)

    async def _text(
        self, ctx: Context, state: CommunityState, text: str, uploads: tuple[Upload, ...] = ()
    ) -> None:
        ctx.uploads = uploads
        words = parsing.tokenize(text.strip())
        if not words:
            raise UsageError(_("Type “help” to see what I can do."))
        if words[0].lower() in ("copkit", "/copkit") and len(words) > 1:
            words = words[1:]
        words[0] = words[0].lstrip("/")
        if len(words) > 1 and words[-1].lower() in ("--help", "-h"):
            await helptext.answer_help(ctx, words[:-1])  # "leancoffee start --help"
            return
        lowered = tuple(w.lower() for w in words)
        if self.s.registry.is_group(lowered):  # a group's name alone: "leancoffee", "roles core"
            await helptext.answer_help(ctx, words)
            return
        cmd, rest = parsing.resolve(self.s.registry.commands, words)
        if cmd.args:
            args = parsing.bind(cmd, rest)
        elif rest:
            raise UsageError(_("Too many words.") + "\n" + parsing.usage_line(cmd))
        else:
            args = {}
        await self._run_command(ctx, state, cmd, args)

    async def _structured(
        self, ctx: Context, state: CommunityState, path: tuple[str, ...], given: dict[str, Any]
    ) -> None:
        cmd = self.s.registry.commands.get(tuple(p.lower() for p in path))
        if cmd is None:
            parsing.resolve(self.s.registry.commands, list(path))  # raises with suggestions
            raise UsageError(_("Unknown command."))
        await self._run_command(ctx, state, cmd, parsing.convert_structured(cmd, given))

    async def _interaction(
        self, ctx: Context, state: CommunityState, interaction: Interaction
    ) -> None:
        found = self.s.registry.find_action(interaction.action_id)
        if found is None:
            raise UserError(_("That button no longer works."))
        action, rest = found
        self.s.access.check_format(state, action.format)
        words = _(action.words) if action.words else action.permission or action.prefix
        ctx.require(action.role, action.permission or action.prefix, words)
        await action.handler(ctx, {"id": rest, **interaction.values})
