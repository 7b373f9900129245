"""The demos played in French and German leave no English of copkit's own: every message the
transcript shows is translated (typed commands, narration and what people wrote stay as typed)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from copkit.cli import demo_script

ROOT = Path(__file__).resolve().parent.parent
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def english_fragments(lang: str) -> set[str]:
    """Pieces of English messages long enough to be unmistakable, for messages whose translation
    differs from the English."""
    with (ROOT / "copkit" / "locale" / lang / "LC_MESSAGES" / "copkit.po").open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    out: set[str] = set()
    for m in catalog:
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        for english in ids:
            if english in strings:
                continue
            for piece in _PLACEHOLDER.split(english):
                for line in piece.split("\n"):
                    line = line.strip(" .:,;!?()“”*-—·")
                    if len(line) >= 18 and line.count(" ") >= 3:
                        out.add(line)
    return out


@pytest.mark.parametrize("lang", ["fr", "de"])
@pytest.mark.parametrize("demo", ["leancoffee", "healthcheck"])
def test_a_demo_in_another_language_has_no_english_left(tmp_path, lang, demo):
    script = [f"language {lang}", *demo_script(demo)]
    env = {**os.environ, "COPKIT_FILES_DIR": str(tmp_path / "files")}
    env.pop("COPKIT_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-m", "copkit", "console", "--script", "-"],
        input="\n".join(script) + "\n",
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    shown = "\n".join(
        line
        for line in done.stdout.splitlines()
        if line.startswith(("│", "┌")) and "@" not in line.split(">")[0]
    )
    left = sorted(f for f in english_fragments(lang) if f in shown)
    assert not left, f"{len(left)} English messages in the {lang} transcript, e.g. {left[:5]}"


@pytest.mark.parametrize("lang", ["fr", "de"])
def test_every_demo_with_locale_has_no_english_left(tmp_path, lang):
    """``copkit console --locale fr --demo all``: every shipped demo, in one community whose
    language comes from the option (no ``language`` command), shows no English message."""
    env = {**os.environ, "COPKIT_FILES_DIR": str(tmp_path / "files")}
    env.pop("COPKIT_CONFIG", None)
    done = subprocess.run(
        [sys.executable, "-m", "copkit", "console", "--locale", lang, "--demo", "all"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    shown = "\n".join(
        line
        for line in done.stdout.splitlines()
        if line.startswith(("│", "┌")) and "@" not in line.split(">")[0]
    )
    assert shown.count("\n") > 2000, "the demos did not all play"
    left = sorted(f for f in english_fragments(lang) if f in shown)
    assert not left, f"{len(left)} English messages in the {lang} transcript, e.g. {left[:5]}"
