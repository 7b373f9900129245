"""``copkit teams manifest``: the app package a Teams admin uploads."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from fakes.teams_plugin import TeamsDemo
from PIL import Image

from copkit.adapters.teams.manifest import MAX_COMMANDS, manifest
from copkit.cli import main
from copkit.core.errors import StartupError
from copkit.core.plugins import build_registry, make_plugin_manager

APP_ID = "6f1c3c52-7b7a-4d8e-9f3e-2b1a0c9d8e7f"


def _build(tmp_path, *extra: str) -> zipfile.ZipFile:
    out = tmp_path / "copkit-teams.zip"
    assert main(["teams", "manifest", "--app-id", APP_ID, "--out", str(out), *extra]) == 0
    return zipfile.ZipFile(out)


def test_package_has_manifest_and_icons_at_its_root(tmp_path, capsys):
    zf = _build(tmp_path)
    assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
    assert "upload" in capsys.readouterr().out.lower()
    data = json.loads(zf.read("manifest.json"))
    major, minor = (int(x) for x in data["manifestVersion"].split("."))
    assert (major, minor) >= (1, 17)  # a current schema
    assert data["$schema"].endswith(f"/v{data['manifestVersion']}/MicrosoftTeams.schema.json")
    assert data["id"] == APP_ID
    (bot,) = data["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["team", "groupChat", "personal"]
    assert data["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert len(data["name"]["short"]) <= 30 and len(data["name"]["full"]) <= 100
    assert len(data["description"]["short"]) <= 80 and len(data["description"]["full"]) <= 4000
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert data["developer"][key].startswith("https://")
    assert data["accentColor"].startswith("#") and len(data["accentColor"]) == 7


def test_command_lists_come_from_the_core(tmp_path):
    data = json.loads(_build(tmp_path).read("manifest.json"))
    registry = build_registry(make_plugin_manager(entry_points_group=None))
    known = {c.name for c in registry.commands.values()}
    lists = data["bots"][0]["commandLists"]
    assert {s for cl in lists for s in cl["scopes"]} == {"team", "groupChat", "personal"}
    for cl in lists:
        titles = [c["title"] for c in cl["commands"]]
        assert titles[0] == "help"
        assert 1 <= len(titles) <= MAX_COMMANDS and len(set(titles)) == len(titles)
        assert set(titles) <= known
        for c in cl["commands"]:
            assert len(c["title"]) <= 32 and 0 < len(c["description"]) <= 128


def test_icons_have_the_required_sizes_and_transparency(tmp_path):
    zf = _build(tmp_path)
    color = Image.open(io.BytesIO(zf.read("color.png")))
    assert color.format == "PNG" and color.size == (192, 192)
    outline = Image.open(io.BytesIO(zf.read("outline.png")))
    assert outline.format == "PNG" and outline.size == (32, 32)
    assert outline.mode == "RGBA"
    pixels = list(outline.getdata())
    alphas = [p[3] for p in pixels]
    assert alphas[0] == 0 and alphas.count(0) > len(pixels) // 3  # a transparent background
    assert any(a == 255 for a in alphas)  # and a visible figure
    # white only: every visible pixel is white (Teams tints the outline icon itself)
    assert all(p[:3] == (255, 255, 255) for p in pixels if p[3] > 0)


def test_domain_goes_to_valid_domains(tmp_path):
    data = json.loads(
        _build(tmp_path, "--domain", "https://bot.example.org/").read("manifest.json")
    )
    assert data["validDomains"] == ["bot.example.org"]
    assert data["developer"]["websiteUrl"] == "https://bot.example.org"


def test_bad_app_id_or_folder_is_one_clear_line(tmp_path, capsys):
    out = tmp_path / "x.zip"
    assert main(["teams", "manifest", "--app-id", "my-bot", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "GUID" in err and "Traceback" not in err and not out.exists()
    missing = tmp_path / "nope" / "x.zip"
    assert main(["teams", "manifest", "--app-id", APP_ID, "--out", str(missing)]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_app_id_is_required(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("MicrosoftAppId", raising=False)
    monkeypatch.chdir(tmp_path)
    assert main(["teams", "manifest", "--out", str(tmp_path / "x.zip")]) == 1
    assert "--app-id" in capsys.readouterr().err


def test_format_commands_are_suggested_first():
    pm = make_plugin_manager(["copkit.plugins.core_commands"], extra=[TeamsDemo()])
    lists = manifest(build_registry(pm), app_id=APP_ID)["bots"][0]["commandLists"]
    titles = [c["title"] for c in lists[0]["commands"]]
    assert titles[:3] == ["help", "tdemo board", "tdemo dm"]  # as the format declares them
    assert "formats" in titles and "roles" in titles and len(titles) == MAX_COMMANDS


def test_manifest_function_checks_the_id():
    registry = build_registry(make_plugin_manager(["copkit.plugins.core_commands"]))
    with pytest.raises(StartupError):
        manifest(registry, app_id="")
    assert manifest(registry, app_id=APP_ID.upper())["id"] == APP_ID.upper()


def test_app_version_can_be_raised_for_an_update(tmp_path, capsys):
    data = json.loads(_build(tmp_path, "--app-version", "2.3.4").read("manifest.json"))
    assert data["version"] == "2.3.4"
    out = tmp_path / "bad.zip"
    assert (
        main(["teams", "manifest", "--app-id", APP_ID, "--out", str(out), "--app-version", "v2"])
        == 1
    )
    assert "1.2.3" in capsys.readouterr().err and not out.exists()


SCHEMA_FILE = Path(__file__).parent / "data" / "teams" / "MicrosoftTeams.v1.22.schema.json"


def _schema_errors(data: dict) -> list[str]:
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(
        schema, format_checker=jsonschema.FormatChecker()
    )
    return [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(data)]


@pytest.mark.parametrize(
    "extra",
    [(), ("--domain", "bot.example.org"), ("--name", "x" * 40, "--app-version", "12.0.3")],
    ids=["plain", "with-domain", "long-name"],
)
def test_the_manifest_validates_against_the_official_schema(tmp_path, extra):
    data = json.loads(_build(tmp_path, *extra).read("manifest.json"))
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    # the schema file is the one of the version the manifest declares
    assert data["manifestVersion"] == "1.22" and data["$schema"].endswith(
        "/v1.22/MicrosoftTeams.schema.json"
    )
    assert schema["properties"]["manifestVersion"]["const"] == "1.22"
    assert _schema_errors(data) == []
    # and the check can fail: what Teams would refuse, the schema refuses
    assert _schema_errors({**data, "bots": [{**data["bots"][0], "scopes": ["meeting"]}]})
    assert _schema_errors({k: v for k, v in data.items() if k != "developer"})


def test_meetings_get_a_board_tab_and_side_panel(tmp_path, monkeypatch):
    data = json.loads(_build(tmp_path, "--domain", "bot.example.org").read("manifest.json"))
    (tab,) = data["staticTabs"]
    assert tab["contentUrl"].startswith("https://bot.example.org/events?")
    assert "{chatId}" in tab["contentUrl"] and "{meetingId}" in tab["contentUrl"]
    assert "meetingSidePanel" in tab["context"] and "meetingStage" in tab["context"]
    assert set(tab["scopes"]) == {"groupChat", "team"}
    assert "groupChat" in data["bots"][0]["scopes"]
    rsc = {p["name"] for p in data["authorization"]["permissions"]["resourceSpecific"]}
    assert {"OnlineMeetingParticipant.Read.Chat", "OnlineMeetingNotification.Send.Chat"} <= rsc
    # a configured tab URL (another site) wins, and its host becomes a valid domain
    monkeypatch.setenv("COPKIT_CONFIG", str(tmp_path / "copkit.toml"))
    (tmp_path / "copkit.toml").write_text(
        '[teams]\nmeeting_tab_url = "https://cop.example.org/c/7/events"\n', encoding="utf-8"
    )
    data = json.loads(_build(tmp_path, "--domain", "bot.example.org").read("manifest.json"))
    assert data["staticTabs"][0]["contentUrl"] == "https://cop.example.org/c/7/events"
    assert data["validDomains"] == ["bot.example.org", "cop.example.org"]
    assert _schema_errors(data) == []
    # no domain and no tab URL: no tab (there is no page to show)
    (tmp_path / "copkit.toml").write_text("", encoding="utf-8")
    assert "staticTabs" not in json.loads(_build(tmp_path).read("manifest.json"))


def test_a_meeting_tab_must_be_https(tmp_path):
    registry = build_registry(make_plugin_manager(entry_points_group=None))
    with pytest.raises(StartupError, match="https"):
        manifest(registry, app_id=APP_ID, meeting_tab_url="http://cop.example.org/events")
