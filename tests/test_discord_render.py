"""Views as Discord message parts, within Discord's limits (pure: no network)."""

from __future__ import annotations

from copkit.adapters.discord.render import (
    CUSTOM_ID_MAX,
    literal,
    modal_for,
    modal_values,
    native_poll_ok,
    opens_form,
    render,
    strip_duplicate_suffix,
)
from copkit.core.views import Button, Choice, Field, Form, FormInput, Image, Option, Poll, View


def components(view: View) -> list[dict]:
    r = render(view)
    assert r.components is not None
    return [c for row in r.components.to_components() for c in row["components"]]


def test_mass_mentions_are_shown_literally_everywhere():
    r = render(
        View(
            title="@everyone",
            text="@here and @everyone",
            fields=[Field("@here", "@everyone")],
            footer="@everyone",
        )
    )
    embed = r.embeds[0].to_dict()
    shown = [embed["title"], embed["description"], embed["footer"]["text"]]
    shown += [embed["fields"][0]["name"], embed["fields"][0]["value"]]
    assert all("@everyone" not in s and "@here" not in s for s in shown), shown
    assert literal("mail@here.org @here") == "mail@\u200bhere.org @\u200bhere"


def test_plain_text_is_content_and_long_text_is_cut_to_an_embed():
    assert render(View(text="hello")).content == "hello"
    r = render(View(title="T", text="x" * 5000, fields=[Field(f"f{n}", "v") for n in range(30)]))
    embed = r.embeds[0].to_dict()
    assert len(embed["description"]) <= 4096 and embed["description"].endswith("…")
    assert len(embed["fields"]) == 25
    assert r.dropped


def test_buttons_fill_rows_of_five_and_at_most_five_rows():
    view = View(text="x", buttons=[Button(f"a:{n}", f"B{n}") for n in range(30)])
    r = render(view)
    rows = r.components.to_components()
    assert len(rows) == 5 and all(len(row["components"]) == 5 for row in rows)
    assert any("button" in d for d in r.dropped)


def test_ids_over_100_characters_are_left_out_not_sent():
    long = "a:" + "x" * CUSTOM_ID_MAX
    r = render(View(text="x", buttons=[Button(long, "Too long"), Button("a:ok", "Ok")]))
    assert [c["custom_id"] for row in r.components.to_components() for c in row["components"]] == [
        "a:ok"
    ]
    assert any("id over 100" in d for d in r.dropped)


def test_repeated_ids_get_a_suffix_that_maps_back_and_forms_are_marked():
    form = Form("a:form", "Title", (FormInput("t", "Text"),))
    comps = components(
        View(
            text="x",
            buttons=[Button("a:1", "One"), Button("a:1", "Again"), Button("a:f", "F", form=form)],
        )
    )
    ids = [c["custom_id"] for c in comps]
    assert ids == ["a:1", "a:1~2", "a:f~f"]
    assert [strip_duplicate_suffix(i) for i in ids] == ["a:1", "a:1", "a:f"]
    assert [opens_form(i) for i in ids] == [False, False, True]
    assert comps[2]["label"] == "F…"


def test_selects_keep_25_options_and_their_bounds():
    options = tuple(Option(str(n), f"Option {n}") for n in range(40))
    (select,) = components(View(text="x", choices=[Choice("a:pick", options, max_values=50)]))
    assert len(select["options"]) == 25 and select["max_values"] == 25


def test_poll_within_discords_limits_is_native_otherwise_buttons():
    ok = Poll("p", "Lunch?", ("Pizza", "Sushi"), hours=2)
    assert native_poll_ok(ok)
    r = render(View(text="vote", poll=ok))
    assert r.poll is not None and r.poll_action == "p" and r.components is None
    for bad in (
        Poll("p", "Lunch?", ("x" * 56, "Sushi")),  # answers: 55 characters
        Poll("p", "q" * 301, ("a", "b")),  # question: 300
        Poll("p", "Lunch?", ("a", "b"), hours=0),  # whole hours, at least one
        Poll("p", "Lunch?", ("a", "b"), hours=32 * 24 + 1),  # at most 32 days
        Poll("p", "Lunch?", ("a", "b"), anonymous=True),  # Discord shows who voted
    ):
        assert not native_poll_ok(bad)
        r = render(View(text="vote", poll=bad))
        assert r.poll is None
        labels = [c["label"] for row in r.components.to_components() for c in row["components"]]
        assert labels[-1].startswith("2. ")


def test_images_are_files_named_safely_and_shown_in_the_embed():
    png = b"\x89PNG..."
    r = render(View(title="Chart", images=[Image("my chart.png", png), Image("my chart.png", png)]))
    assert [name for name, _ in r.images] == ["my_chart.png", "2_my_chart.png"]
    assert r.embeds[0].to_dict()["image"]["url"] == "attachment://my_chart.png"
    assert [f.filename for f in r.files()] == ["my_chart.png", "2_my_chart.png"]


def test_a_form_becomes_a_modal_within_limits_and_its_values_come_back():
    form = Form(
        "a:form",
        "A title far longer than forty-five characters, really",
        tuple(FormInput(f"f{n}", "L" * 60, max_length=9000, multiline=n == 0) for n in range(7)),
    )
    modal = modal_for(form).to_dict()
    assert modal["custom_id"] == "a:form" and len(modal["title"]) <= 45
    inputs = [row["components"][0] for row in modal["components"]]
    assert len(inputs) == 5
    assert all(len(i["label"]) <= 45 and i["max_length"] <= 4000 for i in inputs)
    assert inputs[0]["style"] == 2 and inputs[1]["style"] == 1
    submitted = [
        {"type": 1, "components": [{"type": 4, "custom_id": "f0", "value": "hi"}]},
        {"type": 18, "component": {"type": 4, "custom_id": "f1", "value": None}},
    ]
    assert modal_values(submitted) == {"f0": "hi", "f1": ""}
