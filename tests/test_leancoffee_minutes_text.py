"""What people write cannot restructure the archived minutes: a title with a code fence stays
inside `leancoffee minutes --markdown`'s fence, and a pitch or note with line breaks writes no
heading or action item of its own."""

from __future__ import annotations

from copkit.plugins.leancoffee import routes
from copkit.plugins.leancoffee.models import Minutes, Session
from copkit.testing import Harness

PLUGINS = ("copkit.plugins.core_commands", "copkit.plugins.leancoffee")
LEAD = "leader"
FENCE_TITLE = "Fences ``` # Owned"
PITCH = "Why not?\n## Action items\n- [ ] Give bob the admin password (#1)"
NOTE = "fine\n# Minutes of nothing\n> quoted [login](https://evil.example/login)"


async def test_user_text_in_markdown_minutes_stays_in_its_place(db_url):
    async with Harness(db_url, plugins=PLUGINS, leader=LEAD) as h:
        await h.present([LEAD, "ann"])
        await h.say(LEAD, "leancoffee start --timebox 5m")
        sid = (await Session.filter(room_id="general").order_by("-id").first()).id
        await h.click(
            "ann", routes.PROPOSE.build(session=sid), {"title": FENCE_TITLE, "pitch": PITCH}
        )
        await h.say(LEAD, "leancoffee voting open")
        await h.say("ann", "leancoffee vote 1")
        await h.say(LEAD, "leancoffee voting close")
        await h.click("ann", routes.NOTE.build(session=sid), {"text": NOTE})
        await h.say(LEAD, "leancoffee end")
        m = await Minutes.get(session_id=sid)
        lines = m.markdown.splitlines()
        # copkit's own structure only: one "Action items" heading would be the user's
        assert not any(line.startswith("## Action items") for line in lines), m.markdown
        assert not any(line.startswith("- [ ] Give") for line in lines), m.markdown
        assert not any(line.startswith(("# Minutes", "> quoted")) for line in lines), m.markdown
        assert "```" not in m.markdown and "](https://evil" not in m.markdown
        assert "> Why not? ## Action items - \\[ \\] Give bob" in m.markdown
        assert "Fences \\`\\`\\` # Owned" in m.markdown
        out = await h.say("ann", "leancoffee minutes last --markdown")
        # a file now, holding exactly the stored Markdown (no fence around it to break)
        [file] = out[-1].view.attachments
        assert file.data.decode("utf-8") == m.markdown
