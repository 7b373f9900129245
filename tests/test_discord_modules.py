"""The Discord adapter's shape: inbound and outbound halves without an import cycle (the request
is passed explicitly, no contextvar), no file over 500 lines, and a core that knows no adapter
(each adapter owns its settings)."""

from __future__ import annotations

import ast
from pathlib import Path

import copkit

ROOT = Path(copkit.__file__).parent
DISCORD = ROOT / "adapters" / "discord"


def imports_of(path: Path, package: str) -> set[str]:
    """Modules of copkit that ``path`` imports, TYPE_CHECKING imports included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
                if node.module is None:
                    found.update(f"{mod}.{a.name}" for a in node.names)
                else:
                    found.add(mod)
            elif node.module and node.module.startswith("copkit"):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("copkit"))
    return found


def test_the_discord_adapter_has_no_import_cycle():
    package = "copkit.adapters.discord"
    graph = {
        f"{package}.{p.stem}": {
            m for m in imports_of(p, f"{package}.{p.stem}") if m.startswith(package + ".")
        }
        for p in DISCORD.glob("*.py")
        if p.stem != "__init__"
    }

    def visit(node: str, path: list[str]) -> None:
        for nxt in graph.get(node, ()):
            assert nxt not in path, f"import cycle: {' -> '.join([*path, nxt])}"
            visit(nxt, [*path, nxt])

    for module in graph:
        visit(module, [module])
    assert f"{package}.bot" not in graph[f"{package}.messenger"]


def test_no_contextvar_carries_the_discord_request():
    for p in DISCORD.glob("*.py"):
        assert "contextvars" not in p.read_text(encoding="utf-8"), p.name


def test_discord_files_stay_under_500_lines():
    for p in DISCORD.glob("*.py"):
        assert len(p.read_text(encoding="utf-8").splitlines()) <= 500, p.name


def test_the_core_knows_no_adapter():
    for p in (ROOT / "core").rglob("*.py"):
        text = p.read_text(encoding="utf-8")
        assert not any(m.startswith("copkit.adapters") for m in imports_of(p, "copkit.core.x")), p
        if p.name == "config.py":
            assert "DiscordSettings" not in text and "TeamsSettings" not in text
