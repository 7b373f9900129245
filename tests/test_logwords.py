"""Issue 17 item 8: the community log in human words, the same function everywhere."""

from __future__ import annotations

import pytest

from copkit.core.i18n import use_locale
from copkit.core.logwords import CORE_WORDS, Line, describe, words_of
from copkit.core.usertext import plain_text
from copkit.testing import Harness


def test_a_role_change_reads_as_a_sentence():
    names = {"ann": "Ann", "bob": "Bob"}
    line = describe(Line("role.changed", "ann", "bob", "leader"), names, CORE_WORDS)
    assert plain_text(line) == "Ann handed the leadership to Bob"
    line = describe(Line("role.changed", "ann", "bob", "core"), names, CORE_WORDS)
    assert plain_text(line) == "Ann added Bob to the core team"


def test_names_and_texts_stay_user_text():
    line = describe(Line("role.changed", "x", "bob", "leader"), {"x": "**@everyone**"}, CORE_WORDS)
    assert "\ufdd0**@everyone**\ufdd1" in line


def test_an_unknown_kind_or_id_still_reads():
    line = describe(Line("custom.thing", "zed", "a:1", "t"), {}, CORE_WORDS)
    assert plain_text(line) == "zed: custom.thing a:1 t"
    line = describe(Line("format.enabled", "", "leancoffee"), {}, CORE_WORDS)
    assert plain_text(line) == "copkit enabled the format leancoffee"


def test_a_broken_translation_falls_back_to_english(monkeypatch):
    import copkit.core.logwords as lw

    monkeypatch.setattr(lw, "_", lambda s: "{oops" if s.startswith("{who} handed") else s)
    line = describe(Line("role.changed", "a", "b", "leader"), {}, CORE_WORDS)
    assert plain_text(line) == "a handed the leadership to b"


@pytest.mark.parametrize("locale", ["en", "de"])
def test_every_format_kind_has_words_and_formats(locale):
    from copkit.core.plugins import DEFAULT_PLUGINS, build_registry, make_plugin_manager

    registry = build_registry(make_plugin_manager(DEFAULT_PLUGINS, entry_points_group=None))
    words = words_of(registry)
    for kind in ("leancoffee.started", "brownbag.rsvp/going", "vote@brownbag", "lightning.opened"):
        assert kind in words
    with use_locale(locale):
        for kind in words:
            base, _, variant = kind.partition("/")
            base = base.partition("@")[0]
            assert "?" not in plain_text(
                describe(Line(base, "a", "x:1", variant or "t"), {}, words)
            )


async def test_log_command_speaks_in_words(db_url):
    async with Harness(db_url) as h:
        await h.say("ann", "help")
        await h.say("leader", "roles core add ann")
        await h.say("leader", "roles leader ann")
        await h.say("ann", 'lightning open "Friday talks" --at "tomorrow 12:30"')
        out = await h.say("bob", "log")
        text = out[-1].view.text
        assert "copkit joined the community “Cop”" in text
        assert "leader added ann to the core team" in text
        assert "leader handed the leadership to ann" in text
        assert "ann opened sign-ups for the lightning talks “Friday talks”" in text
        assert "role.changed" not in text


def test_every_kind_the_code_logs_has_words():
    """Every log kind the core and every plugin write (``.log("kind", …)``, and the
    series' statuses) reads as a sentence: the site's Log page shows no ``site.visibility public`` line."""
    import re
    from pathlib import Path

    from copkit.core.plugins import DEFAULT_PLUGINS, build_registry, make_plugin_manager

    words = words_of(build_registry(make_plugin_manager(DEFAULT_PLUGINS, entry_points_group=None)))
    root = Path(__file__).resolve().parent.parent / "copkit"
    pattern = re.compile(
        r"""\.log\(\s*(?:\n\s*)?"([a-z_]+\.[a-z_.]+)"(?:\s+if\s+\w+\s+else\s+"([a-z_]+\.[a-z_.]+)")?"""
    )
    kinds = {"series.paused", "series.resumed", "series.ended"}
    # Every module of the core and of every shipped plugin, formats included.
    paths = [*(root / "core").rglob("*.py"), *(root / "plugins").rglob("*.py")]
    for path in paths:
        for found in pattern.findall(path.read_text(encoding="utf-8")):
            kinds.update(k for k in found if k)
    assert {"site.visibility", "calendar.off", "series.created", "activity.ended"} <= kinds
    missing = sorted(
        k for k in kinds if not any(w == k or w.startswith((k + "/", k + "@")) for w in words)
    )
    assert not missing, missing
