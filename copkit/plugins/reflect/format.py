"""The reflect format: its declaration and routes; the commands sit in :mod:`.goals_commands`,
:mod:`.people` and :mod:`.coach`."""

from __future__ import annotations

from copkit.core.formats import Format
from copkit.core.i18n import N_

rf = Format(
    "reflect",
    N_("Reflect"),
    N_("Goals measured, participation in aggregate, and a coach for the leader."),
)

rf.log_words(
    {
        "goals.added": N_("{who} added the goal “{text}”"),
        "goals.changed": N_("{who} changed the goal “{text}”"),
        "goals.removed": N_("{who} removed the goal “{text}”"),
        "goals.value": N_("{who} recorded a value for goal #{number}"),
        "reflect.coach/on": N_("{who} switched the coach's “{ref}” nudge on"),
        "reflect.coach/off": N_("{who} switched the coach's “{ref}” nudge off"),
        "reflect.coach": N_("{who} changed the coach's “{ref}” nudge"),
        "reflect.sponsor": N_("{who} named {person} sponsor (they get the monthly digest)"),
        "reflect.window": N_("{who} set participation to be counted over {text} months"),
    }
)
