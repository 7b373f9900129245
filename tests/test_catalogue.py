"""The translation template holds every string the code marks for translation, so translators
see all of it (refresh: ``pybabel extract -F babel.cfg -k N_ -o copkit/locale/copkit.pot copkit``, then
``pybabel update --no-fuzzy-matching -i copkit/locale/copkit.pot -d copkit/locale -D copkit``)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


METHOD_MAP = [("**.py", "python"), ("adapters/web/templates/**.html", "jinja2")]


def test_template_holds_every_marked_string():
    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        ROOT / "copkit", method_map=METHOD_MAP, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    with (ROOT / "copkit" / "locale" / "copkit.pot").open("rb") as fh:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    assert "Skip to the content" in found  # the site's templates are read too
    missing = sorted(found - template)
    assert not missing, f"{len(missing)} strings missing from copkit.pot, e.g. {missing[:5]}"


SHIPPED = ("fr", "de")
_PLACEHOLDER = __import__("re").compile(r"\{[a-zA-Z_][a-zA-Z0-9_]*(?:![rsa])?(?::[^{}]*)?\}")


def _placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def test_french_and_german_are_complete_with_the_same_placeholders():
    problems: list[str] = []
    for lang in SHIPPED:
        with (ROOT / "copkit" / "locale" / lang / "LC_MESSAGES" / "copkit.po").open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        for m in catalog:
            if not m.id:
                continue
            ids = [m.id] if isinstance(m.id, str) else list(m.id)
            strings = [m.string] if isinstance(m.string, str) else list(m.string)
            if m.fuzzy:
                problems.append(f"{lang}: fuzzy {ids[0]!r}")
            if not all(strings):
                problems.append(f"{lang}: untranslated {ids[0]!r}")
                continue
            allowed = set().union(*(_placeholders(i) for i in ids))
            for s in strings:
                if not _placeholders(s) <= allowed:
                    problems.append(f"{lang}: placeholder mismatch {ids[0]!r} → {s!r}")
            if isinstance(m.id, str) and _placeholders(strings[0]) != _placeholders(m.id):
                problems.append(f"{lang}: placeholders differ {m.id!r} → {strings[0]!r}")
    assert not problems, f"{len(problems)} problems, e.g. {problems[:5]}"


def test_babel_cfg_reads_the_site_templates():
    """``pybabel extract -F babel.cfg`` (what regen runs) reads the same files as this test."""
    text = (ROOT / "babel.cfg").read_text()
    for pattern, method in METHOD_MAP:
        assert f"[{method}: {pattern}]" in text
