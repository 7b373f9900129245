"""The Bot Framework SDK is archived: every botbuilder type stays behind one seam module, so a port
to the Microsoft 365 Agents SDK rewrites ``copkit/adapters/teams/sdk.py`` and nothing else."""

from __future__ import annotations

import ast
from pathlib import Path

import copkit

ROOT = Path(copkit.__file__).parent
SDK_PACKAGES = ("botbuilder", "botframework", "msrest", "microsoft_agents")
SEAM = ROOT / "adapters" / "teams" / "sdk.py"


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
        if p != SEAM and _imports(p) & set(SDK_PACKAGES)
    ]
    assert offenders == []
    assert {"botbuilder", "botframework"} <= _imports(SEAM)
