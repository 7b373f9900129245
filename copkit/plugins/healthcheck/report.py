"""What the health check shows of a closed round: its results, or why there are none, and the
traffic-light grid's cells. Builders only, as in :mod:`.views`."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from copkit.core.i18n import _, ngettext
from copkit.core.views import Field, Image, UserText, View

from .logic import Line, Results
from .models import Round
from .tally import COLOURS, Tally, band, participation
from .views import ARROW, DOT, FIELD_MAX, day, quote, when


def _counts(t: Tally) -> str:
    return " · ".join(f"{DOT[c]} {getattr(t, c)}" for c in COLOURS)


def _trend_votes(t: Tally) -> str:
    return " · ".join(f"{ARROW[k]} {getattr(t, k)}" for k in ARROW)


def _change(line: Line) -> str:
    prev = line.previous
    if prev is None or prev.score is None or line.tally.score is None:
        return _("first time asked") if prev is None else ""
    delta = line.tally.score - prev.score
    was = f"{DOT[prev.dominant]} {prev.score}"
    if delta == 0:
        return _("unchanged since #{n} (was {was})").format(n=line.previous_number, was=was)
    arrow = f"▲ +{delta}" if delta > 0 else f"▼ {delta}"
    return _("{arrow} since #{n} (was {was})").format(arrow=arrow, n=line.previous_number, was=was)


def _clip(lines: list[str], limit: int = FIELD_MAX) -> tuple[str, list[str]]:
    """Join lines up to ``limit`` characters; return the text and the lines left over."""
    out: list[str] = []
    size = 0
    for i, line in enumerate(lines):
        if size + len(line) + 1 > limit:
            return "\n".join(out), lines[i:]
        out.append(line)
        size += len(line) + 1
    return "\n".join(out), []


def results(res: Results, tz: ZoneInfo, png: bytes | None) -> tuple[View, list[View]]:
    """The result view, and follow-up views with any comments that did not fit."""
    r = res.round
    pct = participation(r.responses, r.members)
    dominant = [ln.tally.dominant for ln in res.lines if ln.tally.answered >= r.min_responses]
    summary = " · ".join(f"{DOT[c]} {dominant.count(c)}" for c in COLOURS)
    text = [
        _("{k} of {m} members answered ({pct}%).").format(k=r.responses, m=r.members, pct=pct),
        _("Dimensions by main colour: {summary}").format(summary=summary),
    ]
    if res.held:
        text.append(
            ngettext(
                "{k} comment waits for the leader's approval.",
                "{k} comments wait for the leader's approval.",
                res.held,
            ).format(k=res.held)
        )
    flagged = [ln.title for ln in res.lines if ln.red_twice]
    if flagged:
        text.append(
            _("⚠ **Red two rounds running:** {names}").format(
                names=", ".join(UserText(t) for t in flagged)
            )
        )
    fields: list[Field] = []
    overflow: list[str] = []
    for ln in res.lines:
        t = ln.tally
        if t.answered < r.min_responses:
            name = f"{DOT[None]} {UserText(ln.title)}"
            body = [
                ngettext(
                    "Only {k} answer: too few to show and stay anonymous.",
                    "Only {k} answers: too few to show and stay anonymous.",
                    t.answered,
                ).format(k=t.answered)
            ]
        else:
            name = f"{DOT[t.dominant]} {UserText(ln.title)}"
            if ln.red_twice:
                name += " — " + _("⚠ red two rounds running")
            change = _change(ln)
            body = [
                _counts(t)
                + (f" · {_('score')} {t.score}" if t.score is not None else "")
                + (f" · {change}" if change else ""),
                _("Heading: {votes}").format(votes=_trend_votes(t)),
            ]
        # A hidden dimension hides its comments too.
        comments = [f"- {quote(c)}" for c in t.comments] if t.answered >= r.min_responses else []
        value, rest = _clip(body + comments)
        if rest:
            overflow += [f"**{UserText(ln.title)}**", *rest]
            value += "\n" + _("(more comments below)")
        fields.append(Field(name, value))
    if res.notes:
        value, rest = _clip([f"- {quote(n)}" for n in res.notes])
        if rest:
            overflow += [f"**{_('What did we forget?')}**", *rest]
            value += "\n" + _("(more below)")
        fields.append(Field(_("What did we forget?"), value))
    view = View(
        title=_("Health check #{n}: results").format(n=r.number),
        text="\n".join(text),
        fields=fields,
        images=[
            Image(f"healthcheck-{r.number}.png", png, _("Traffic-light grid of the health checks"))
        ]
        if png
        else [],
        footer=_("Answers are anonymous: nothing links them to anyone."),
        tone="info",
    )
    extra: list[View] = []
    while overflow:
        chunk, overflow = _clip(overflow, 3500)
        if not chunk:  # a single line longer than the limit
            chunk, overflow = overflow[0][:3500], overflow[1:]
        extra.append(
            View(title=_("Health check #{n}: more comments").format(n=r.number), text=chunk)
        )
    return view, extra


def not_enough(r: Round, others: int) -> View:
    """``others``: the respondents who count (not whoever opened or closed the round)."""
    return View(
        title=_("Health check #{n}: results").format(n=r.number),
        text="\n".join(
            [
                ngettext(
                    "Only {k} member answered ({min} needed): not enough answers to stay anonymous.",
                    "Only {k} members answered ({min} needed): not enough answers to stay anonymous.",
                    others,
                ).format(k=others, min=r.min_responses),
                _("Whoever opens or closes a round is not counted towards the minimum."),
                _("The answers were discarded unread."),
            ]
        ),
        tone="warning",
    )


def still_open(r: Round, tz: ZoneInfo) -> View:
    return View(
        text=_("Health check #{n} is still open: results come at the close ({close}).").format(
            n=r.number, close=when(r.closes_at, tz)
        )
    )


def grid_cells(
    rounds: Sequence[Round],
    dims: Sequence[tuple[int, str]],
    tallies: dict[int, dict[int, Tally]],
    asked: dict[int, set[int]],
) -> list[list[tuple[str | None, str, bool]]]:
    """The grid's cells: the score and the colour of its band (see :func:`.tally.band`), ``–``
    for hidden, blank if not asked."""
    rows = []
    for dim_id, _title in dims:
        row: list[tuple[str | None, str, bool]] = []
        previous: str | None = None
        for r in rounds:
            if dim_id not in asked.get(r.id, set()):
                row.append((None, "", False))
                continue
            t = tallies.get(r.id, {}).get(dim_id)
            if not r.enough or t is None or t.answered < r.min_responses:
                row.append((None, "–", False))
                continue
            colour = band(t.score)
            row.append((colour, str(t.score), colour == "red" and previous == "red"))
            previous = colour
        rows.append(row)
    return rows


def round_label(r: Round, tz: ZoneInfo) -> str:
    return f"#{r.number}\n{day(r.opened_at, tz)}"
