"""The brand's table (tortoise app ``brand``): one row per community that set part of its brand.

The app is the core's own, beside ``core``: every format's views carry the brand (see
:mod:`copkit.core.brand`), whichever plugins are installed.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class BrandRow(Model):
    """What a community chose for its look: a name, a tagline, an accent colour and a logo.

    Unset parts are ``None`` (or empty): the brand then falls back to the workshop's name
    vote, the platform's name for the community, copkit's colour and a generated monogram."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="brand")
    community_id: int
    name = fields.CharField(max_length=100, null=True)
    name_source = fields.CharField(max_length=10, default="")  # leader|workshop
    tagline = fields.CharField(max_length=200, default="")
    colour = fields.CharField(max_length=7, null=True)  # #rrggbb
    logo = fields.BinaryField(null=True)  # a square PNG, at most 512 px a side
    icon = fields.BinaryField(null=True)  # the logo at 48 px, for card headers and bands
    updated_at = fields.DatetimeField(null=True)
    updated_by = fields.CharField(max_length=200, default="")

    class Meta:
        table = "brand_brand"
        unique_together = (("community",),)
