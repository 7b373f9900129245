"""``copkit console --demo lightning`` plays end to end: sign-ups by form and command, the
waiting list and a promotion, the cutoff, a seeded shuffle, the run of show across a restart."""

from __future__ import annotations

from copkit.cli import DEMOS, main
from copkit.plugins.lightningtalks.logic import shuffled


def test_copkit_console_demo_lightning(tmp_path, monkeypatch, capsys):
    assert "lightning" in DEMOS
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COPKIT_CONFIG", raising=False)
    assert main(["console", "--demo", "lightning"]) == 0
    captured = capsys.readouterr()
    out = captured.out
    assert "copkit:" not in captured.err, captured.err
    assert "Traceback" not in out + captured.err

    order = shuffled(["ann", "cat", "dan"], 2026)  # the line-up in sign-up order, seed 2026
    story = [
        "┌ (#general) Lightning talks: CoP lightning",
        "│ When: Mon 5 Jan 2026, 13:00 (Europe/Paris)",
        "│ Sign-ups close Mon 5 Jan 2026, 12:00 (Europe/Paris).",
        "┌ (new thread «Lightning talks: CoP lightning») Line-up: CoP lightning",
        "│ You're in the line-up of “CoP lightning” with “Property tests in five minutes”.",
        "│ w1. dan — “Why we write ADRs”\n│ w2. eve — “A tour of our CI”",
        "│ You are already signed up.",
        "┌ (only dan sees) Lightning talks\n│ A slot opened: “Why we write ADRs” is now in the line-up",
        "│ 3. dan — “Why we write ADRs”\n│ \n│ Waiting list\n│ w1. eve — “A tour of our CI”",
        "┌ (#Lightning talks: CoP lightning)\n│ Sign-ups are closed.",
        "│ Sign-ups for these lightning talks are closed.",
        f"│ Order drawn with seed 2026: {', '.join(order)}.",
        f"│ Now (1/3): {order[0]} — ",
        "│ Time: 5 min, until 13:05",
        "  … copkit restarted",
        f"│ One minute left, {order[0]}.",
        f"│ Time! Thank you, {order[0]}.",
        f"│ Now (2/3): {order[1]} — ",
        "│ A talk was skipped, so a slot opened: “A tour of our CI” is now at the end",
        f"│ Now (3/4): {order[2]} — ",
        "│ Now (4/4): eve — “A tour of our CI”",
        "┌ (#general) Record of lightning talks #1: CoP lightning",
        "┌ (#general) How were the lightning talks?",
        "┌ (updated) (#general) Done: CoP lightning\n│ 3 talks given. Thank you, everyone!",
        "│ Average rating: 4.5/5 (2 ratings)",
    ]
    positions = [out.index(line) for line in story]
    assert positions == sorted(positions), "the story is told in order"
    record = out[out.rindex("┌ (#general) Record of lightning talks #1") :]
    assert f"│ 2. {order[1]} — " in record and "(skipped)" in record
    assert "· https://slides.example/property-tests" in record
    assert out.count(f"One minute left, {order[0]}.") == 2  # the notice and the run of show
