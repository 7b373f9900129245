from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("core", "0002_job_attempts"),
        ("core", "0003_delivery"),
    ]

    initial = True

    operations = [
        ops.CreateModel(
            name="GoalRow",
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
                        related_name="goals",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("text", fields.CharField(max_length=300)),
                ("target", fields.FloatField(null=True)),
                ("cadence", fields.CharField(null=True, max_length=10)),
                ("signal", fields.CharField(null=True, max_length=100)),
                ("source", fields.CharField(default="manual", max_length=10)),
                ("source_ref", fields.CharField(null=True, max_length=200)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "goals_goal",
                "app": "goals",
                "pk_attr": "id",
                "table_description": "One goal: what the community wants, with an optional target, cadence and signal.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="GoalValue",
            fields=[
                (
                    "id",
                    fields.IntField(generated=True, primary_key=True, unique=True, db_index=True),
                ),
                (
                    "goal",
                    fields.ForeignKeyField(
                        "goals.GoalRow",
                        source_field="goal_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="values",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("period", fields.CharField(max_length=10)),
                ("value", fields.FloatField()),
                ("by", fields.CharField(default="", max_length=200)),
                ("at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "goals_value",
                "app": "goals",
                "unique_together": (("goal", "period"),),
                "pk_attr": "id",
                "table_description": "A value the core team entered for a goal and a period (``2026-01``, ``2026-W03`` …).",
            },
            bases=["Model"],
        ),
    ]
