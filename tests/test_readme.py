"""The README's plugin example and its test work as printed."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, re.S)


def test_quick_start_has_exactly_two_command_lines():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    lines = re.findall(r"```sh\n(.*?)```", quick, re.S)
    assert [len(b.strip().splitlines()) for b in lines] == [1, 1]
    assert "pytest" in lines[1]


async def test_plugin_example_runs(tmp_path, monkeypatch):
    plugin, test = _blocks()[:2]
    (tmp_path / "my_kudos.py").write_text(plugin)
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("my_kudos", None)
    importlib.invalidate_caches()
    namespace: dict = {}
    exec(compile(test, "README-test", "exec"), namespace)
    await namespace["test_kudos"](tmp_path)
