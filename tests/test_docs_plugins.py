"""docs/plugins.md: its code blocks, put together, are a working format, and its test passes."""

from __future__ import annotations

import importlib
import re
import sys
from pathlib import Path

DOC = (Path(__file__).resolve().parent.parent / "docs" / "plugins.md").read_text(encoding="utf-8")


async def test_the_guide_example_is_a_working_format(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", DOC, re.S)
    *module, test = blocks
    (tmp_path / "my_retro.py").write_text("\n\n".join(module))
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("my_retro", None)
    importlib.invalidate_caches()
    namespace: dict = {}
    exec(compile(test, "docs/plugins.md", "exec"), namespace)
    await namespace["test_a_card_is_hidden_until_the_reveal"](tmp_path)
