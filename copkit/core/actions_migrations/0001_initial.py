from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("core", "0004_log_and_role_indexes")]

    initial = True

    operations = [
        ops.CreateModel(
            name="ActionClosed",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "community",
                    fields.ForeignKeyField(
                        "core.Community",
                        source_field="community_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="actions_closed",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("key", fields.CharField(max_length=200)),
                ("verdict", fields.CharField(max_length=10)),
                ("event", fields.CharField(max_length=100)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "actions_closed",
                "app": "actions",
                "unique_together": (("community", "key"),),
                "pk_attr": "id",
                "table_description": "An action a review closed (done or dropped): it leaves the open list (once).",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ActionReview",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "community",
                    fields.ForeignKeyField(
                        "core.Community",
                        source_field="community_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="action_reviews",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("key", fields.CharField(max_length=200)),
                ("event", fields.CharField(max_length=100)),
                ("verdict", fields.CharField(max_length=10)),
                ("member", fields.CharField(max_length=200)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "actions_review",
                "app": "actions",
                "unique_together": (("community", "key", "event"),),
                "pk_attr": "id",
                "table_description": "One verdict on one action in one review (``event``, e.g. ``retro:3``): unique, so a",
            },
            bases=["Model"],
        ),
    ]
