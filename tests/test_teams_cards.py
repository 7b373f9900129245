"""Plain functions of the Teams adapter: views to Adaptive Cards, activities to who/where/what."""

from __future__ import annotations

import io
import json

from fakes.bot_connector import actions_of
from PIL import Image as PILImage

from copkit.adapters.teams import cards, inbound
from copkit.core.views import (
    Button,
    Choice,
    Field,
    Form,
    FormInput,
    Image,
    Option,
    Poll,
    UserText,
    View,
)


def _walk(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


def _noise_png(size: int) -> bytes:
    out = io.BytesIO()
    PILImage.effect_noise((size, size), 90).convert("RGB").save(out, format="PNG")
    return out.getvalue()


def test_every_action_is_execute_with_a_submit_fallback_and_carries_its_id():
    form = Form("x:form", "Tell", (FormInput("a", "A", max_length=10),))
    view = View(
        title="T",
        text="**bold** and *italic* and `code`\n\n- item",
        fields=[Field("k", "v"), Field("long", "line\nline")],
        buttons=[Button("x:go", "Go", "primary"), Button("x:f", "Form", form=form)],
        choices=[Choice("x:pick", (Option("1", "one"), Option("2", "two")))],
        poll=Poll("x:poll", "Which?", ("a", "b", "c")),
        footer="foot",
        tone="warning",
    )
    card = cards.render(view, context={"c": "C", "r": "R", "u": "U", "s": "S"})
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5"
    assert card["$schema"].startswith("http://adaptivecards.io/")
    assert card["fallbackText"].startswith("T — ")
    executes = [a for a in actions_of(card) if a["type"] == "Action.Execute"]
    ids = {a["data"]["copkit"] for a in executes}
    assert ids == {"x:go", "x:form", "x:pick", "x:poll:0", "x:poll:1", "x:poll:2"}
    for a in executes:
        assert a["verb"] == a["data"]["copkit"]
        assert a["fallback"] == {"type": "Action.Submit", "title": a["title"], "data": a["data"]}
        assert {k: a["data"][k] for k in "crus"} == {"c": "C", "r": "R", "u": "U", "s": "S"}
    shows = [a for a in actions_of(card) if a["type"] == "Action.ShowCard"]
    assert [s["title"] for s in shows] == ["Form"]
    texts = [b["text"] for b in _walk(card) if b.get("type") == "TextBlock"]
    assert "**bold** and _italic_ and code" in texts  # Adaptive Cards' markdown dialect
    assert card["body"][0]["type"] == "Container" and card["body"][0]["style"] == "warning"
    json.dumps(card)  # plain JSON


def test_long_choices_become_a_choice_set_and_come_back_as_a_list():
    options = tuple(Option(str(i), f"Topic number {i} with a long title") for i in range(8))
    card = cards.render(View(choices=[Choice("t:vote", options, "Pick", max_values=3)]))
    (choice_set,) = [b for b in _walk(card) if b.get("type") == "Input.ChoiceSet"]
    assert choice_set["isMultiSelect"] is True and len(choice_set["choices"]) == 8
    (ok,) = actions_of(card)
    data = {**ok["data"], choice_set["id"]: "1,3"}
    assert cards.values_from_data(data) == ("t:vote", {"selected": ["1", "3"]})


def test_form_values_are_cut_to_their_limits_and_extra_fields_dropped():
    form = Form("f:send", "F", (FormInput("title", "T", max_length=5), FormInput("n", "N")))
    card = cards.render(View(buttons=[Button("f", "Open", form=form)]))
    send = next(a for a in actions_of(card) if a["title"] == "Send")
    ids = [b["id"] for b in _walk(card) if b.get("type") == "Input.Text"]
    assert ids == ["f0.title", "f0.n"]
    data = {**send["data"], "f0.title": "abcdefgh", "evil": "x", "f0.n": None, "title": "no"}
    assert cards.values_from_data(data) == ("f:send", {"title": "abcde", "n": ""})


def test_input_ids_are_unique_across_a_cards_forms():
    forms = [Form(f"x:{k}", k, (FormInput("text", "Text"),)) for k in ("note", "takeaway")]
    card = cards.render(View(buttons=[Button(f.action_id, f.title, form=f) for f in forms]))
    ids = [b["id"] for b in _walk(card) if str(b.get("type", "")).startswith("Input.")]
    assert ids == ["f0.text", "f1.text"]
    sends = [a for a in actions_of(card) if a["title"] == "Send"]
    got = [cards.values_from_data({**a["data"], "f0.text": "A", "f1.text": "B"}) for a in sends]
    assert got == [("x:note", {"text": "A"}), ("x:takeaway", {"text": "B"})]


def test_values_from_garbage_never_raise():
    for data in (
        {},
        {"copkit": 5},
        {"_in": "x"},
        {"_in": {"a": -1}, "a": 7},
        {"_sel": 3},
        {"selected": "x"},
        {"selected": [1, None]},
        {"copkit": "a", "_sel": "z"},
    ):
        action_id, values = cards.values_from_data(data)
        assert isinstance(action_id, str) and isinstance(values, dict)


def test_big_cards_shrink_pictures_then_text():
    big = View(title="Pic", text="x " * 30_000, images=[Image("n.png", _noise_png(400), "noise")])
    card = cards.render(big)
    assert len(json.dumps(card)) <= cards.MAX_CARD_BYTES
    small = View(title="Pic", images=[Image("n.png", _noise_png(300), "noise")])
    card = cards.render(small)
    (img,) = [b for b in _walk(card) if b.get("type") == "Image"]
    assert img["url"].startswith("data:image/png;base64,") and img["altText"] == "noise"
    assert len(json.dumps(card)) <= cards.MAX_CARD_BYTES


def test_user_text_cannot_mention_anyone():
    view = View(text=UserText("<at>Everyone</at> @channel hi"))
    activity = cards.message(cards.render(view), view)
    assert "entities" not in activity  # Teams only pings through mention entities
    assert "msteams" not in json.dumps(activity).replace('"msteams": {"width": "Full"}', "")


# Reading activities -------------------------------------------------------------------------


def _activity(**extra):
    base = {
        "type": "message",
        "serviceUrl": "https://smba.trafficmanager.net/emea/",
        "from": {"id": "29:1", "name": "Ann"},
        "recipient": {"id": "28:bot", "name": "copkit"},
        "conversation": {"id": "19:c@thread.tacv2;messageid=1", "conversationType": "channel"},
        "channelData": {
            "tenant": {"id": "T"},
            "team": {"id": "19:team@thread.tacv2", "name": "Eng"},
        },
    }
    base.update(extra)
    return base


def test_command_text_strips_the_bot_and_keeps_people():
    a = _activity(
        text="<p><at>copkit</at>&nbsp;roles core add <at>Bob Lee</at></p>",
        entities=[
            {"type": "mention", "text": "<at>copkit</at>", "mentioned": {"id": "28:bot"}},
            {
                "type": "mention",
                "text": "<at>Bob Lee</at>",
                "mentioned": {"id": "29:2", "name": "Bob Lee"},
            },
        ],
    )
    text, mentions = inbound.command_text(a)
    assert text == "roles core add “@Bob Lee”"
    assert mentions["Bob Lee"].id == "29:2" and mentions["29:2"].name == "Bob Lee"


def test_where_maps_teams_chats_and_personal_chats_to_communities():
    team = inbound.where(_activity())
    assert team.community_id == "T/19:team@thread.tacv2" and team.team_id == "19:team@thread.tacv2"
    chat = inbound.where(
        _activity(
            conversation={"id": "19:g@thread.v2", "conversationType": "groupChat", "isGroup": True},
            channelData={"tenant": {"id": "T"}},
        )
    )
    assert chat.community_id == "T/19:g@thread.v2" and not chat.team_id
    outside = inbound.where(_activity(channelData={"tenant": {"id": "T"}}))
    assert outside.community_id == "T/19:c@thread.tacv2"  # a channel without a team: its own
    personal = inbound.where(
        _activity(conversation={"id": "a:1xyz", "conversationType": "personal"})
    )
    assert personal.conversation_type == "personal"
    # the tenant comes from channelData (botbuilder drops conversation.tenantId)
    assert (
        inbound.tenant_of(_activity(channelData={}, conversation={"id": "x", "tenantId": "U"}))
        == "U"
    )


def test_check_rejects_what_every_activity_has():
    for broken in (
        {"type": ""},
        {**_activity(), "conversation": {}},
        {**_activity(), "from": None},
        {**_activity(), "serviceUrl": "ftp://x"},
    ):
        try:
            inbound.check(broken)
        except inbound.Malformed:
            continue
        raise AssertionError(broken)
    inbound.check({"type": "typing"})  # not ours: nothing to check


def test_event_times_use_teams_date_functions_in_text_blocks():
    from datetime import UTC, datetime

    from copkit.core.views import ScheduledEvent

    start = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    ev = ScheduledEvent("u1", "Brown bag", start, start.replace(hour=13), location="Room 4")
    blocks = [b for b in _walk(cards.render(View(event=ev))) if b.get("type") == "TextBlock"]
    texts = [b["text"] for b in blocks]
    assert (
        "**When:** {{DATE(2026-03-05T12:00:00Z, SHORT)}} {{TIME(2026-03-05T12:00:00Z)}} – "
        in (texts[1])
    )
    assert texts[2] == "**Where:** Room 4"
