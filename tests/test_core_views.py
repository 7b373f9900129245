"""Views: limits and the language follows the community's locale (live views: test_core_live)."""

from __future__ import annotations

from copkit.core.views import Poll
from copkit.testing import Harness


def test_poll_limits_are_checked():
    import pytest

    with pytest.raises(ValueError):
        Poll("p", "Q?", tuple(str(i) for i in range(11)))


async def test_language_follows_the_community_locale(db_url):
    async with Harness(db_url, plugins=["copkit.plugins.core_commands"]) as h:
        out = await h.say("leader", "language de")
        assert out[0].view.text == "Sprache ist jetzt de."
        out = await h.say("bob", "formats disable x")
        assert out[0].view.text == "Nur die Leitung kann Formate abschalten."
        out = await h.say("leader", "language en")
        assert out[0].view.text == "Language set to en."
