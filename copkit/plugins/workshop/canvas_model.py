"""The community canvas as plain data: its boxes, the edits people make, the extension to the
Community Canvas themes. No database here (see :mod:`.canvas_store`)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from copkit.core.errors import UserError
from copkit.core.i18n import N_, _
from copkit.core.views import UserText

ITEM_MAX = 200  # characters of one item
ITEMS_MAX = 30  # items in one box
NAME_MAX = 100


@dataclass(frozen=True, slots=True)
class Box:
    key: str
    title: str  # N_() — translate when shown
    aliases: tuple[str, ...] = ()


BOXES: tuple[Box, ...] = (
    Box("vision", N_("Vision / Mission"), ("mission",)),
    Box("importance", N_("Importance"), ("why",)),
    Box("how", N_("How"), ("activities",)),
    Box("measures", N_("Measures"), ("measure",)),
    Box("impact", N_("Who / What (impact)"), ("who", "what")),
    Box("communication", N_("Communication"), ("comms",)),
    Box("resources", N_("Resources"), ()),
)
"""The seed's seven boxes, in the canvas's reading order."""

EXTENDED: tuple[Box, ...] = (
    Box("purpose", N_("Purpose")),
    Box("identity", N_("Member identity"), ("member-identity", "members")),
    Box("values", N_("Values")),
    Box("success", N_("Success definition"), ("success-definition",)),
    Box("brand", N_("Brand")),
    Box("rituals", N_("Rituals"), ("shared-experiences",)),
    Box("roles", N_("Roles")),
    Box("channels", N_("Channels and platforms"), ("platforms",)),
    Box("financing", N_("Financing"), ("funding",)),
)
"""The Community Canvas themes ``canvas extend`` adds."""

EXTEND_FROM: dict[str, tuple[str, ...]] = {
    "purpose": ("vision", "importance"),
    "identity": ("impact",),
    "values": (),
    "success": ("measures",),
    "brand": (),
    "rituals": ("how",),
    "roles": (),
    "channels": ("communication",),
    "financing": ("resources",),
}
"""Which of the seven boxes seed each theme (a copy: the boxes then live on their own)."""

SINGLES = ("name", "leader", "date")
"""Fields holding one value, edited with ``change``."""


def _key(word: str) -> str:
    text = unicodedata.normalize("NFKC", word).strip().lower().replace("_", "-")
    return "-".join(text.split())


def find_box(word: str, *, extended: bool) -> Box:
    """The box called ``word`` (its key, an alias or its title); a short answer otherwise."""
    want = _key(word)
    boxes = BOXES + (EXTENDED if extended else ())
    for box in boxes:
        if want in (box.key, *box.aliases, _key(box.title), _key(_(box.title))):
            return box
    if not extended and any(want in (b.key, *b.aliases) for b in EXTENDED):
        raise UserError(
            _("The canvas has no “{box}” box yet: “canvas extend” adds it.").format(
                box=UserText(word)
            )
        )
    raise UserError(
        _("The canvas has no box “{box}”. Boxes: {names}.").format(
            box=UserText(word[:40]), names=", ".join(b.key for b in boxes)
        )
    )


@dataclass
class Canvas:
    name: str = ""
    leader: str = ""
    date: str = ""
    participants: list[str] = field(default_factory=list)
    boxes: dict[str, list[str]] = field(default_factory=dict)
    force_field: list[tuple[str, str, int | None]] = field(default_factory=list)
    extended: bool = False
    workshop_id: int | None = None

    def items(self, key: str) -> list[str]:
        return self.boxes.get(key, [])

    def box_list(self) -> tuple[Box, ...]:
        return BOXES + (EXTENDED if self.extended else ())

    def is_empty(self) -> bool:
        return not (self.name or self.leader or any(self.boxes.values()) or self.force_field)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "leader": self.leader,
            "date": self.date,
            "participants": list(self.participants),
            "boxes": {k: list(v) for k, v in self.boxes.items() if v},
            "force_field": [list(f) for f in self.force_field],
            "extended": self.extended,
            "workshop_id": self.workshop_id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Canvas:
        forces = []
        for f in data.get("force_field") or []:
            idea, side, strength = (list(f) + [None, None, None])[:3]
            forces.append((str(idea), str(side), int(strength) if strength is not None else None))
        return cls(
            name=str(data.get("name") or ""),
            leader=str(data.get("leader") or ""),
            date=str(data.get("date") or ""),
            participants=[str(p) for p in data.get("participants") or []],
            boxes={str(k): [str(i) for i in v] for k, v in (data.get("boxes") or {}).items()},
            force_field=forces,
            extended=bool(data.get("extended")),
            workshop_id=data.get("workshop_id"),
        )


# Edits ----------------------------------------------------------------------------------------


def clean_item(text: str, limit: int = ITEM_MAX) -> str:
    text = " ".join(text.split())
    if not text:
        raise UserError(_("Write what goes in the box."))
    if len(text) > limit:
        raise UserError(
            _("That is {n} characters; an item holds at most {most}.").format(
                n=len(text), most=limit
            )
        )
    return text


def _position(items: list[str], word: str, box: Box) -> int:
    """The 0-based index of item number ``word`` (1-based) in ``items``."""
    n = int(word) if word.isascii() and word.isdigit() and len(word) < 6 else 0
    if not items:
        raise UserError(_("“{box}” is empty.").format(box=_(box.title)))
    if not 1 <= n <= len(items):
        raise UserError(
            _("Give an item number from 1 to {n} in “{box}”.").format(
                n=len(items), box=_(box.title)
            )
        )
    return n - 1


def apply_edit(canvas: Canvas, box_word: str, op: str, words: list[str]) -> dict[str, Any]:
    """Change ``canvas`` in place; returns what changed (for the history and the log)."""
    key = _key(box_word)
    if key in SINGLES:
        if op != "change":
            raise UserError(
                _("The {field} has one value: “canvas edit {field} change …”.").format(field=key)
            )
        value = clean_item(" ".join(words), NAME_MAX) if key == "name" else " ".join(words)[:100]
        setattr(canvas, key, value.strip())
        return {"op": "change", "box": key}
    box = find_box(box_word, extended=canvas.extended)
    items = canvas.boxes.setdefault(box.key, [])
    if op == "add":
        if len(items) >= ITEMS_MAX:
            raise UserError(_("“{box}” is full ({n} items).").format(box=_(box.title), n=ITEMS_MAX))
        items.append(clean_item(" ".join(words)))
        return {"op": "add", "box": box.key, "item": len(items)}
    if not words:
        raise UserError(_("Which item? Give its number."))
    at = _position(items, words[0], box)
    if op == "change":
        items[at] = clean_item(" ".join(words[1:]))
        return {"op": "change", "box": box.key, "item": at + 1}
    if op == "remove":
        items.pop(at)
        return {"op": "remove", "box": box.key, "item": at + 1}
    if op == "move":
        if len(words) < 2:
            raise UserError(_("Move it where? Give the new position."))
        to = _position(items, words[1], box)
        items.insert(to, items.pop(at))
        return {"op": "move", "box": box.key, "item": at + 1, "to": to + 1}
    raise UserError(_("Edit with add, change, remove or move."))


def extend(canvas: Canvas) -> dict[str, Any]:
    """Add the Community Canvas themes, each seeded from the boxes it maps from."""
    if canvas.extended:
        raise UserError(_("The canvas already has the Community Canvas themes."))
    canvas.extended = True
    for theme, sources in EXTEND_FROM.items():
        seeded: list[str] = []
        for src in sources:
            seeded += [i for i in canvas.items(src) if i not in seeded]
        if theme == "brand" and canvas.name:
            seeded.append(canvas.name)
        if theme == "roles" and canvas.leader:
            seeded.append(_("Leader: {name}").format(name=canvas.leader))
        if seeded:
            canvas.boxes[theme] = seeded[:ITEMS_MAX]
    return {"op": "extend"}


def describe(change: dict[str, Any]) -> str:
    """One line saying what a version changed."""
    op, box = change.get("op", ""), str(change.get("box", ""))
    title = next((_(b.title) for b in BOXES + EXTENDED if b.key == box), box)
    n, to = change.get("item"), change.get("to")
    if op == "workshop":
        return _("made by the workshop")
    if op == "extend":
        return _("extended with the Community Canvas themes")
    if op == "goal":
        return _("measure {n} made a goal").format(n=n)
    if op == "add":
        return _("added item {n} to {box}").format(n=n, box=title)
    if op == "change" and n is None:
        return _("changed the {field}").format(field=box)
    if op == "change":
        return _("changed item {n} of {box}").format(n=n, box=title)
    if op == "remove":
        return _("removed item {n} from {box}").format(n=n, box=title)
    if op == "move":
        return _("moved item {n} of {box} to {to}").format(n=n, box=title, to=to)
    return op
