from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    initial = True

    operations = [
        ops.CreateModel(
            name="BrandRow",
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
                        related_name="brand",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("name", fields.CharField(null=True, max_length=100)),
                ("name_source", fields.CharField(default="", max_length=10)),
                ("tagline", fields.CharField(default="", max_length=200)),
                ("colour", fields.CharField(null=True, max_length=7)),
                ("logo", fields.BinaryField(null=True)),
                ("icon", fields.BinaryField(null=True)),
                ("updated_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("updated_by", fields.CharField(default="", max_length=200)),
            ],
            options={
                "table": "brand_brand",
                "app": "brand",
                "unique_together": (("community",),),
                "pk_attr": "id",
                "table_description": "What a community chose for its look: a name, a tagline, an accent colour and a logo.",
            },
            bases=["Model"],
        ),
    ]
