"""The archive as Markdown files, one per event, with front matter (title, date, format), for a
wiki or a git repository: ``copkit export --markdown DIR`` and the site's Export page (a zip)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path

from copkit.core.context import Scope
from copkit.core.site import SiteDocument

_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, default: str = "community") -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:40] or default


def front_matter(d: SiteDocument, community: str) -> str:
    # JSON strings are YAML strings: any title is quoted safely.
    lines = [
        "---",
        f"title: {json.dumps(d.title, ensure_ascii=False)}",
        f"date: {d.day.isoformat()}",
        f"format: {d.format}",
        f"kind: {d.kind}",
        f"event: {d.event_ref}",
        f"community: {json.dumps(community, ensure_ascii=False)}",
        "---",
        "",
    ]
    return "\n".join(lines)


def file_name(day: date, event_ref: str) -> str:
    return f"{day.isoformat()}-{event_ref}.md"


async def files(scope: Scope) -> dict[str, str]:
    """``{relative path: Markdown}`` of a community's whole archive, oldest first."""
    docs = [d for d in await scope.services.hooks.site_documents(scope) if d.whole]
    docs.sort(key=lambda d: (d.day, d.event_ref))
    name = scope.community.name or str(scope.community.id)
    out: dict[str, str] = {}
    index = [f"# {name}", ""]
    for d in docs:
        path = file_name(d.day, d.event_ref)
        out[path] = front_matter(d, name) + d.text.rstrip() + "\n"
        index.append(f"- {d.day.isoformat()} [{d.format}: {path}]({path})")
    out["index.md"] = "\n".join(index) + "\n"
    return out


async def write(scope: Scope, folder: Path) -> int:
    """Write the archive under ``folder``; the number of event files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = await files(scope)
    for path, text in written.items():
        (folder / path).write_text(text, encoding="utf-8")
    return len(written) - 1


async def zipped(scope: Scope) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path, text in (await files(scope)).items():
            z.writestr(path, text)
    return buf.getvalue()
