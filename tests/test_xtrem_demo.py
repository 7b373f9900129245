"""``copkit console --demo xtremreading`` and ``--demo xtremwatch`` play whole sessions with
a restart in the middle: the book list (a book added twice refused), picks, groups in their
own threads, two rounds with a swap, a late joiner, a group merged when its people left,
ratings (7 refused) and the minutes; topics private until the pitch, a timer passing the
word, a dot vote, sources in the groups' threads, presentations in turn (out of turn refused)
and the source list in the minutes."""

from __future__ import annotations

from copkit.cli import DEMOS, main


def play(name: str, tmp_path, monkeypatch, capsys) -> str:
    assert name in DEMOS
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COPKIT_CONFIG", raising=False)
    assert main(["console", "--demo", name]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert "Sorry, something went wrong" not in captured.out
    return captured.out


def in_order(out: str, story: list[str]) -> None:
    at = 0
    for line in story:
        found = out.find(line, at)
        assert found >= 0, f"not found after position {at}: {line!r}"
        at = found


def test_copkit_console_demo_xtremreading(tmp_path, monkeypatch, capsys):
    out = play("xtremreading", tmp_path, monkeypatch, capsys)
    in_order(
        out,
        [
            "│ 📚 Added: 1. Accelerate — Nicole Forsgren · delivery",
            "│ “Accelerate” is on the list already (book 1).",
            "│ Removed from the list: A book I changed my mind about.",
            "┌ (only you see this) Pitfalls to name (for you, the timekeeper)",
            "│ - It is skimming, not reading",
            "│ Xtrem Reading needs at least two readers: 1 has picked a book so far.",
            "│ bob picked that book already; choose another.",
            "│ ⚠ 3 books on the list for 3 readers: bring more books than readers.",
            "│ - Group 1 · delivery: ann, cat",
            "┌ (new thread «Group 1 · delivery»)",
            "┌ (new thread «Group 2 · teams»)",
            "│ ↪ cat moves to group 2.",
            "┌ (#Group 1 · delivery)\n│ 💡 Techniques: the table of contents",
            "┌ (#Group 1 · delivery)\n│ 📝 ann on “Accelerate”: Four key metrics",
            "│ Welcome! You're in group 1: ann, bob, eve.",
            "│ You're in group 1 already.",
            "│ ⏱ One minute left.",
            "│ ⏰ Time's up: the facilitator moves on.",
            "┌ (#Group 2 · teams)\n│ 🔁 Swap!\n│ - 📖 dan: “The DevOps Handbook”",
            "│ 🔀 Group 2 was merged into group 1.",
            "│ ⏸ Paused, 17:00 left.",
            "  … copkit restarted",
            "│ ⏱ One minute left.",
            "│ ⏰ Time's up: the facilitator moves on.",
            "│ 💡 ann: Put our lead time on the team board",
            "│ Readability is a whole number from 1 to 5.",
            "┌ (#general) Xtrem Reading — minutes",
            "│   - “Accelerate” — Nicole Forsgren: ann (round 1, hoping to find: How to measure",
            "│   - ann — “Accelerate”: Four key metrics",
            "│   - ann — “Accelerate”: readability 4/5, recommendation 5/5",
            "│   read by ann, bob · readability 3.5/5, recommended 4.5/5 (2 ratings)",
        ],
    )
    assert "(#Group 1 · delivery) Pitfalls" not in out
    pitfalls = out.index("Pitfalls to name")
    assert out.rfind("┌ ", 0, pitfalls) == out.rfind("┌ (only you see this)", 0, pitfalls)


def test_copkit_console_demo_xtremwatch(tmp_path, monkeypatch, capsys):
    out = play("xtremwatch", tmp_path, monkeypatch, capsys)
    in_order(
        out,
        [
            "│ - Sources cannot be checked in the time: treat them as leads.",
            "│ Topic #1 kept: only you see it until the pitch.",
            "│ Xtrem Watch needs at least four people: 3 are taking part so far.",
            "│ 👀 The topics:",
            "│ 🎤 ann, your minute:",
            "│ ⏰ Time's up: the word passes on.",
            "│ 🎤 bob, your minute:",
            "│ 🗳 2 dots each",
            "│ You have used all your 2 dots.",
            "┌ (new thread «Group 1 · WebAssembly on the server»)",
            "┌ (#Group 1 · WebAssembly on the server)\n│ 🔗 #1 ann: https://webassembly.org/",
            "│ That link is on the list already (#1, found by ann).",
            "│ A link starts with http:// or https://.",
            "  … copkit restarted",
            "┌ (#Group 2 · Passkeys instead of passwords)\n│ 🔗 #4 dan:",
            "│ 🎤 Group 1's turn (5 min): WebAssembly on the server.",
            "│ It's group 1's turn: wait for yours.",
            "│ 🎤 Group 1 presents: WebAssembly on the server — 5 min.",
            "│ Your presentation is under way.",
            "│ 🎤 Group 2 presents",
            "│ 💡 cat: Offer passkeys on the staff portal first",
            "┌ (#general) Xtrem Watch — minutes",
            "│   - https://webassembly.org/ — WebAssembly on the server, found by ann (The standard)",
        ],
    )
    # before the pitch, no topic is shown anywhere but privately to its author
    before = out[: out.index("│ 👀 The topics:")]
    for block in before.split("┌ ")[1:]:
        if "Passkeys for our customers" in block.split("\n└")[0]:
            assert block.startswith("(only you see this)"), block
