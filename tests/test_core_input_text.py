"""What people type is normalised where it enters the core (text, command arguments, form and
choice values, display names): NFC, without zero-width or bidi control characters, and without
copkit's own user-text marks. So "Yes" and "Yes\u200b" are the same pulse option."""

from __future__ import annotations

import pytest
from test_healthcheck_helpers import PLUGINS as HC_PLUGINS

from copkit.core.events import Person
from copkit.core.usertext import END, START
from copkit.plugins.leancoffee.models import Session, Topic
from copkit.plugins.leancoffee.routes import PROPOSE
from copkit.testing import Harness

LC_PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee")


@pytest.mark.parametrize("twin", ["Yes\u200b", "Y\u200ces", "\ufeffYes", "Yes\u2060", "Yes\u202e"])
async def test_pulse_options_that_look_the_same_are_the_same(db_url, twin):
    async with Harness(db_url, plugins=HC_PLUGINS) as h:
        out = await h.say("leader", f'healthcheck pulse "Pizza?" Yes {twin} --public')
        assert "Two options are the same." in out[-1].view.text
        out = await h.command(
            "leader", ("healthcheck", "pulse"), {"question": "Pizza?", "options": f"Yes {twin}"}
        )
        assert "Two options are the same." in out[-1].view.text


async def test_form_values_and_names_are_cleaned_before_plugins_see_them(db_url):
    async with Harness(db_url, plugins=LC_PLUGINS, leader="leader") as h:
        await h.say("leader", "leancoffee start")
        sid = (await Session.filter(room_id="general").order_by("-id").first()).id
        mallory = Person("m", "Mal\u202elory\u200b")
        values = {"title": f"Cafe\u0301 {START}forged{END}\u2066", "pitch": "x\u200by"}
        await h.click(mallory, PROPOSE.build(session=sid), values)
        t = await Topic.get(session_id=sid, number=1)
        assert (t.title, t.pitch, t.author_name) == ("Café forged", "xy", "Mallory")
        await h.say("ann", "leancoffee propose Tea\u200b\u202a time")
        assert (await Topic.get(session_id=sid, number=2)).title == "Tea time"
