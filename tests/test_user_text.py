"""User text stays marked through formatting and is shown literally on every platform: never
bold, never a masked link, never a heading or a list, never a mention, never a terminal escape."""

from __future__ import annotations

from fakes.bot_connector import card_text

from copkit.adapters.console.render import render as console_render
from copkit.adapters.discord.render import render as discord_render
from copkit.adapters.teams import cards
from copkit.core.i18n import _
from copkit.core.usertext import (
    clean_input,
    escape_markdown,
    plain_text,
    render_text,
    segments,
    split_lines,
)
from copkit.core.views import Button, Field, Poll, UserText, View, plain_view

PHISH = "**FREE NITRO** [login here](https://evil.example/login)"
HOSTILE = PHISH + "\n# Heading\n- list\n> quote\n||spoiler|| `code` ~~gone~~ _it_ <@123> <@&9>"


def test_user_text_survives_format_fstrings_concatenation_and_join():
    u = UserText(PHISH)
    made = [
        _("Added #{n} {title}.").format(n=1, title=u),
        f"**#1** {u}",
        "“" + u + "”",
        ", ".join([u, UserText("bob")]),
        "%s!" % u,  # noqa: UP031
    ]
    for text in made:
        assert [chunk for is_user, chunk in segments(text) if is_user][0] == PHISH, repr(text)
        assert PHISH in plain_text(text)
    assert plain_text(made[0]) == f"Added #1 {PHISH}."
    # wrapping twice marks once; empty stays empty (so ``UserText(x) or "—"`` still works)
    assert UserText(u) == u and UserText("") == "" and (UserText("") or "—") == "—"
    assert u.raw == PHISH


def test_cut_marks_err_on_the_side_of_user_text():
    text = "own " + UserText("**x**") + " own"
    assert list(segments(text[:8])) == [(False, "own "), (True, "**x")]  # unclosed start
    assert list(segments(text[7:])) == [(True, "x**"), (False, " own")]  # lone end
    assert render_text(text[7:], str.upper) == "X** own"


def test_user_text_over_several_lines_stays_marked_on_each():
    lines = split_lines("a " + UserText("b\nc") + " d")
    assert [plain_text(x) for x in lines] == ["a b", "c d"]
    assert [[u for is_user, u in segments(x) if is_user] for x in lines] == [["b"], ["c"]]


def _hostile_view() -> View:
    u = UserText(HOSTILE)
    return View(
        title=_("Brown bag #{id}: {title}").format(id=1, title=UserText(PHISH)),
        text=f"**#1** {u} — *{UserText('[x](https://evil.example)')}*",
        fields=[Field("**Speaker**", UserText(PHISH)), Field(UserText(PHISH), "ok")],
        buttons=[Button("x:go", UserText(PHISH))],
    )


def test_discord_escapes_user_markdown_and_keeps_copkits_own():
    r = discord_render(_hostile_view())
    embed = r.embeds[0].to_dict()
    desc = embed["description"]
    assert desc.startswith(
        "**#1** \\*\\*FREE NITRO\\*\\* \\[login here\\]\\(https://evil.example/login\\)"
    )
    for raw in ("[login here](", "\n# Heading", "\n- list", "\n> quote", "||spoiler||", "`code`"):
        assert raw not in desc, raw
    assert "\\~\\~gone\\~\\~" in desc and "\\_it\\_" in desc
    assert "\\<@123\\>" in desc and "\\<@&9\\>" in desc  # shown as typed, not as a mention
    assert desc.endswith("— *\\[x\\]\\(https://evil.example\\)*")  # copkit's italics still apply
    assert "[login here](" not in embed["title"] and embed["title"].startswith(
        "Brown bag #1: \\*\\*"
    )
    assert embed["fields"][0]["name"] == "**Speaker**"  # copkit's markup is kept
    assert embed["fields"][0]["value"].startswith("\\*\\*FREE NITRO\\*\\* \\[login")
    assert embed["fields"][1]["name"].startswith("\\*\\*FREE")
    labels = [c["label"] for row in r.components.to_components() for c in row["components"]]
    assert labels == [PHISH[:80]]  # a label shows no Markdown: as typed, no marks
    assert all("\ufdd0" not in str(v) for v in (embed, labels))


def test_discord_plain_message_content_is_escaped_too():
    r = discord_render(View(text=_("Added #{n} {title}.").format(n=1, title=UserText(PHISH))))
    assert (
        r.content
        == "Added #1 \\*\\*FREE NITRO\\*\\* \\[login here\\]\\(https://evil.example/login\\)."
    )


def test_discord_native_poll_shows_options_as_typed_within_limits():
    poll = Poll(
        "p:1", UserText("**Q** [x](https://e.example)"), (UserText("Yes" * 18), UserText("No"))
    )
    r = discord_render(View(text="vote", poll=poll))
    assert r.poll is not None  # the marks do not count against the 55 characters
    assert [a.text for a in r.poll.answers] == ["Yes" * 18, "No"]
    assert r.poll.question == "**Q** [x](https://e.example)"  # polls render no Markdown


def _blocks(card: dict) -> list[str]:
    out: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                out.append(node["text"])
            if "facts" in node:
                out.extend(f["title"] + " | " + f["value"] for f in node["facts"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(card)
    return out


def test_teams_card_escapes_user_markdown_and_keeps_copkits_own():
    card = cards.render(_hostile_view())
    texts = _blocks(card)
    joined = "\n".join(texts)
    assert "[login here](" not in joined and "**FREE" not in joined
    assert texts[1].startswith("**#1** \\*\\*FREE NITRO\\*\\* \\[login here\\]\\(https://evil")
    # the user's line breaks start no heading, list or quote: each line is escaped
    assert "\\# Heading" in texts and "\\- list" in texts and "\\> quote" in texts
    assert any(t.endswith("— _\\[x\\]\\(https://evil.example\\)_") for t in texts)
    assert "<at>" not in joined and "\\<@123\\>" in joined
    facts = [t for t in texts if " | " in t]
    assert facts[0].startswith("Speaker | \\*\\*FREE")
    assert facts[1].startswith("\\*\\*FREE NITRO\\*\\* \\[login here\\]")
    (button,) = [a for a in card["body"][-1]["actions"]]
    assert button["title"] == PHISH  # an action title renders no Markdown: as typed
    assert "\ufdd0" not in str(card)
    assert cards.fallback_text(_hostile_view()).startswith("Brown bag #1: " + PHISH)


def test_teams_at_tags_in_user_text_are_no_mention():
    card = cards.render(View(text=_("Added {t}").format(t=UserText("<at>Everyone</at> hi"))))
    assert "msteams" not in card or "entities" not in card["msteams"]
    assert "<at>" not in card_text({"attachments": [{"content": card}]})


def test_console_shows_user_text_as_typed_without_terminal_controls():
    text = "**Added** " + UserText(PHISH + " \x1b[2J\x1b]0;pwned\x07 \u202eevil")
    shown = console_render(View(text=text, buttons=[Button("a", UserText("**b**"))]), lambda _: 1)
    assert "│ Added " + PHISH in shown  # copkit's bold dropped, the user's link kept as typed
    assert "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown
    assert "\\x1b[2J" in shown and "[1] **b**" in shown
    assert "👩\u200d💻" in console_render(View(text=UserText("👩\u200d💻")), lambda _: 1)


def test_plain_view_drops_the_marks_everywhere():
    view = plain_view(_hostile_view())
    assert "\ufdd0" not in repr(view) and "\ufdd1" not in repr(view)
    assert view.buttons[0].label == PHISH


def test_markdown_documents_escape_user_text_on_one_line():
    md = escape_markdown("```\n## Action items\n- [ ] pwn")
    assert md == "\\`\\`\\` ## Action items - \\[ \\] pwn"
    assert escape_markdown("## x") == "\\## x" and escape_markdown("- [ ] y") == "\\- \\[ \\] y"


def test_input_is_normalised():
    assert clean_input("Yes\u200b") == "Yes" == clean_input("\ufeffY\u2060e\u200ds\u202e")
    assert clean_input("Cafe\u0301") == "Café"
    assert clean_input("👩\u200d💻") == "👩\u200d💻"  # an emoji sequence keeps its joiner
    assert clean_input("a\ufdd0b\ufdd1") == "ab"  # nobody can forge copkit's marks
    assert clean_input("red\x1b[2J\x07\x85 x\ty\r\nz") == "red[2J x\ty\r\nz"  # no terminal controls
