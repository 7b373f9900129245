"""Ratings from 1 to 5 with "one thing I'll apply": reading them, the five buttons that ask for
them, and how an average reads. Shared by every format that asks for feedback."""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal

from .errors import UserError
from .i18n import _, current_locale, ngettext
from .routes import Route
from .views import Button, Form, FormInput

APPLY_MAX = 300
"""The longest "one thing I'll apply" kept."""


def parse_rating(raw: object) -> int:
    """``1`` … ``5`` (typed or from a button); a short error otherwise."""
    text = str(raw if raw is not None else "").strip()
    if text not in {"1", "2", "3", "4", "5"}:
        raise UserError(_("A rating is a whole number from 1 to 5."))
    return int(text)


def check_apply(text: object) -> str:
    """ "One thing I'll apply", spaces tidied; a short error when it is too long."""
    tidy = " ".join(str(text or "").split())
    if len(tidy) > APPLY_MAX:
        raise UserError(_("Please keep it under {n} characters.").format(n=APPLY_MAX))
    return tidy


def rating_buttons(route: Route, **values: Any) -> list[Button]:
    """Five buttons, 1 to 5, with ids of ``route`` (which has a ``{rating:int}`` placeholder
    besides ``values``); each opens a short form for "one thing I'll apply"."""
    buttons = []
    for n in range(1, 6):
        action_id = route.build(**values, rating=n)
        form = Form(
            action_id=action_id,
            title=_("Your feedback: {n}/5").format(n=n),
            inputs=(
                FormInput(
                    "apply",
                    _("One thing I'll apply"),
                    max_length=APPLY_MAX,
                    required=False,
                    multiline=True,
                ),
            ),
        )
        buttons.append(Button(action_id, str(n), "primary" if n >= 4 else "secondary", form=form))
    return buttons


def average(ratings: list[int]) -> float | None:
    return round(sum(ratings) / len(ratings), 1) if ratings else None


def rating_text(avg: float | None, n: int) -> str:
    """``4.3/5 (3 ratings)``, or that there are none yet."""
    if avg is None:
        return _("no ratings yet")
    shown = format_decimal(avg, "0.0", locale=current_locale().replace("-", "_"))  # 4,5 in fr
    return ngettext("{avg}/5 ({n} rating)", "{avg}/5 ({n} ratings)", n).format(avg=shown, n=n)
