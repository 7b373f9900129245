import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("core", "0004_log_and_role_indexes")]

    initial = True

    operations = [
        ops.CreateModel(
            name="Retro",
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
                        related_name="retros",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("room_id", fields.CharField(max_length=300)),
                ("running_key", fields.CharField(null=True, unique=True, max_length=320)),
                ("status", fields.CharField(default="running", max_length=20)),
                ("stage", fields.CharField(default="review", max_length=20)),
                ("prompts", fields.CharField(default="ssc", max_length=10)),
                ("version", fields.IntField(default=0)),
                ("dots", fields.SmallIntField(default=3)),
                ("write_seconds", fields.IntField(default=600)),
                ("vote_seconds", fields.IntField(default=300)),
                (
                    "review",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("facilitator", fields.CharField(max_length=200)),
                ("facilitator_name", fields.CharField(default="", max_length=200)),
                ("started_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ended_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "retro_retro",
                "app": "retro",
                "indexes": [Index(fields=["community_id", "status"])],
                "pk_attr": "id",
                "table_description": "A retrospective: its prompts, stage, timeboxes, dot budget and the actions reviewed.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="RetroAction",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "retro",
                    fields.ForeignKeyField(
                        "retro.Retro",
                        source_field="retro_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="actions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "community",
                    fields.ForeignKeyField(
                        "core.Community",
                        source_field="community_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="retro_actions",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("text", fields.CharField(max_length=500)),
                ("owner_id", fields.CharField(null=True, max_length=200)),
                ("owner_name", fields.CharField(default="", max_length=200)),
                ("due", fields.DateField(null=True)),
                ("status", fields.CharField(default="open", max_length=10)),
                ("author", fields.CharField(max_length=200)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("closed_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "retro_action",
                "app": "retro",
                "indexes": [Index(fields=["community_id", "status"])],
                "pk_attr": "id",
                "table_description": "An action a retro agreed: what, who and by when. It stays open until a later review",
            },
            bases=["Model"],
        ),
    ]
