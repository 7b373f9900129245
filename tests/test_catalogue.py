"""The translation template holds every string the code marks for translation, so translators
see all of it (refresh: ``pybabel extract -F babel.cfg -k N_ -o copkit/locale/copkit.pot copkit``, then
``pybabel update --no-fuzzy-matching -i copkit/locale/copkit.pot -d copkit/locale -D copkit``)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_template_holds_every_marked_string():
    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
        ROOT / "copkit", method_map=[("**.py", "python")], keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    with (ROOT / "copkit" / "locale" / "copkit.pot").open("rb") as fh:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    missing = sorted(found - template)
    assert not missing, f"{len(missing)} strings missing from copkit.pot, e.g. {missing[:5]}"
