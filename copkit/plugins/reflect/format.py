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
