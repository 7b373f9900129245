"""The README's plugin example and its test work as printed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README, re.S)


def test_quick_start_has_exactly_two_command_lines():
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    lines = re.findall(r"```sh\n(.*?)```", quick, re.S)
    assert [len(b.strip().splitlines()) for b in lines] == [1, 1]
    assert "pytest" in lines[1]


def test_plugin_example_passes_in_a_plugin_project_with_no_pytest_configuration(tmp_path):
    """A plugin author's project — the README's plugin and its test, no conftest, no pytest
    settings — passes under plain ``pytest``: copkit's pytest plugin brings the fixtures."""
    assert (
        'copkit = "copkit.pytest_plugin"' in PYPROJECT.split("[project.entry-points.pytest11]")[1]
    )
    if "copkit" not in {ep.name for ep in entry_points(group="pytest11")}:
        pytest.skip("copkit is installed without its pytest11 entry point: pip install -e .")
    plugin, test = _blocks()[:2]
    project = tmp_path / "my-kudos"
    project.mkdir()
    (project / "my_kudos.py").write_text(plugin)
    (project / "test_kudos.py").write_text(test)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout, done.stdout
