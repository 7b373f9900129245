"""The command line explains itself: groups alone print their own help, every subcommand's
--help has a description, --version, and the demo list in errors names "all"."""

from __future__ import annotations

import pytest

from copkit.cli import build_parser, main


@pytest.mark.parametrize(("group", "action"), [("db", "upgrade"), ("teams", "manifest")])
def test_a_group_alone_prints_its_own_help(capsys, group, action):
    assert main([group]) == 2
    out = capsys.readouterr().out
    assert out.startswith(f"usage: copkit {group} ") and action in out


def test_every_subcommand_has_a_description():
    parser = build_parser()
    seen = 0
    stack = [parser]
    while stack:
        p = stack.pop()
        for action in p._actions:
            choices = getattr(action, "choices", None)
            if isinstance(choices, dict):
                for name, sub in choices.items():
                    assert sub.description, f"copkit … {name} --help has no description"
                    seen += 1
                    stack.append(sub)
    assert seen >= 9


def test_version_flag(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("copkit ")


def test_an_unknown_demo_lists_all(capsys):
    assert main(["console", "--demo", "nope"]) != 0
    assert ", all)" in capsys.readouterr().err
