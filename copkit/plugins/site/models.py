"""The site's tables: the links' signing key (when none is given in ``COPKIT_SECRET``) and the
search index of the archive (documents the formats hand over, refreshed before a search)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Secret(Model):
    """A key generated on first use and kept, so every process signs links alike."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=50, unique=True)
    value = fields.CharField(max_length=200)

    class Meta:
        table = "site_secret"


class Document(Model):
    """One searchable piece of a community's archive (see ``copkit.core.site.SiteDocument``)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.ForeignKeyField("core.Community", related_name="site_documents")
    community_id: int
    key = fields.CharField(max_length=200)
    event_ref = fields.CharField(max_length=100)
    format = fields.CharField(max_length=50)
    kind = fields.CharField(max_length=20)
    title = fields.CharField(max_length=300)
    day = fields.DateField()
    body = fields.TextField()
    digest = fields.CharField(max_length=64)
    whole = fields.BooleanField(default=False)  # an event's whole record (one exported file)

    class Meta:
        table = "site_document"
        unique_together = (("community", "key"),)


class IndexState(Model):
    """How far a community's index is: the community log's last entry when it was refreshed
    (every change the formats make is logged, so an unchanged log means an unchanged archive)."""

    _no_comments = True

    id = fields.IntField(primary_key=True)
    community = fields.OneToOneField("core.Community", related_name="site_index")
    community_id: int
    log_id = fields.IntField(default=0)
    at = fields.DatetimeField()

    class Meta:
        table = "site_index_state"
