"""Every SDK type stays behind its backend module of the seam (``adapters/teams/seam.py``): the
Agents SDK in ``sdk_agents.py``, the archived botbuilder in ``sdk_botbuilder.py``; nothing else in
copkit imports either, and neither backend imports the other's SDK."""

from __future__ import annotations

import ast
from pathlib import Path

import copkit

ROOT = Path(copkit.__file__).parent
SDK_PACKAGES = ("botbuilder", "botframework", "msrest", "microsoft_agents")
TEAMS = ROOT / "adapters" / "teams"
BACKENDS = {
    TEAMS / "sdk_botbuilder.py": {"botbuilder", "botframework", "msrest"},
    TEAMS / "sdk_agents.py": {"microsoft_agents"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_seam_imports_the_sdk():
    offenders = [
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*.py")
        if _imports(p) & (set(SDK_PACKAGES) - BACKENDS.get(p, set()))
    ]
    assert offenders == []
    assert {"botbuilder", "botframework"} <= _imports(TEAMS / "sdk_botbuilder.py")
    assert {"microsoft_agents"} <= _imports(TEAMS / "sdk_agents.py")
