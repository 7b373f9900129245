"""The community's book list for Xtrem Reading: add (a book added twice is refused), list
(with who read each and their ratings, so the next choices are informed), remove."""

from __future__ import annotations

import re
from typing import Any

from tortoise.exceptions import IntegrityError

from copkit.core.context import Context
from copkit.core.errors import UserError
from copkit.core.i18n import N_, _, ngettext
from copkit.core.parsing import to_int
from copkit.core.roles import Role
from copkit.core.specs import Arg
from copkit.core.usertext import storable
from copkit.core.views import UserText, View, notice

from .format import xr
from .models import Book, Rating, Reading

TITLE_MAX, AUTHOR_MAX, LINK_MAX, THEME_MAX = 200, 120, 500, 60


def fold(text: str) -> str:
    """A title or author as compared for duplicates: case, spaces and punctuation ignored."""
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())


def check_text(raw: object, limit: int, what: str) -> str:
    text = " ".join(storable(str(raw or "")).split())
    if len(text) > limit:
        raise UserError(
            _("{what} has at most {max} characters (this one has {n}).").format(
                what=what, max=limit, n=len(text)
            )
        )
    return text


def check_link(raw: object) -> str:
    link = check_text(raw, LINK_MAX, _("A link"))
    if link and not re.fullmatch(r"https?://\S+", link):
        raise UserError(_("A link starts with http:// or https://."))
    return link


async def listed(community_id: int) -> list[Book]:
    """The books on the list now, by number."""
    return await Book.filter(community_id=community_id, removed_at=None).order_by("number")


async def by_number(community_id: int, raw: object) -> Book:
    text = str(raw or "").strip().lstrip("#")
    number = to_int(text, 1)
    book = (
        None
        if number is None
        else await Book.get_or_none(community_id=community_id, number=number, removed_at=None)
    )
    if book is None:
        raise UserError(_("There is no book {n} on the list.").format(n=text[:20] or "?"))
    return book


def book_line(b: Book) -> str:
    line = f"**{b.number}.** {UserText(b.title)}"
    if b.author:
        line += " — " + UserText(b.author)
    if b.theme:
        line += f" · {UserText(b.theme)}"
    if b.link:
        line += f" · {UserText(b.link)}"
    return line


async def record_line(b: Book) -> str:
    """Who read the book and the average of its ratings ("" when nobody read it yet)."""
    readers = sorted({r.name or r.member for r in await Reading.filter(book_id=b.id)})
    ratings = await Rating.filter(book_id=b.id)
    parts = []
    if readers:
        parts.append(_("read by {names}").format(names=", ".join(UserText(n) for n in readers)))
    if ratings:
        read = sum(r.readability for r in ratings) / len(ratings)
        rec = sum(r.recommendation for r in ratings) / len(ratings)
        parts.append(
            ngettext(
                "readability {read:.1f}/5, recommended {rec:.1f}/5 ({n} rating)",
                "readability {read:.1f}/5, recommended {rec:.1f}/5 ({n} ratings)",
                len(ratings),
            ).format(read=read, rec=rec, n=len(ratings))
        )
    return " · ".join(parts)


@xr.command(
    "book",
    "add",
    help=N_("Add a book you bring to the community's book list."),
    args=(
        Arg("title", N_("the book's title"), type="rest", positional=True, required=True),
        Arg("author", N_("who wrote it")),
        Arg("link", N_("a link to it (optional)")),
        Arg("theme", N_("its theme, e.g. testing (groups form around themes)")),
    ),
)
async def add_book(ctx: Context, args: dict[str, Any]) -> None:
    title = check_text(" ".join(args.get("title") or []), TITLE_MAX, _("A title"))
    if not title:
        raise UserError(_("Give the book's title: “xtremreading book add <title> --author …”."))
    author = check_text(args.get("author"), AUTHOR_MAX, _("An author"))
    theme = check_text(args.get("theme"), THEME_MAX, _("A theme")).casefold()
    link = check_link(args.get("link"))
    key = f"{fold(title)}|{fold(author)}"[:330]
    cid = ctx.community.id
    same = await Book.get_or_none(community_id=cid, fold=key)
    if same is not None and same.removed_at is None:
        raise UserError(
            _("“{title}” is on the list already (book {n}).").format(
                title=UserText(same.title), n=same.number
            )
        )
    book: Book | None = None
    if same is not None:  # removed before: back on the list
        await Book.filter(id=same.id).update(removed_at=None, link=link or same.link)
        book = await Book.get(id=same.id)
    else:
        for _attempt in range(3):
            number = (await Book.filter(community_id=cid).count()) + 1
            try:
                book = await Book.create(
                    community_id=cid,
                    number=number,
                    title=title,
                    author=author,
                    link=link,
                    theme=theme,
                    fold=key,
                    added_by=ctx.person.id,
                    added_by_name=ctx.person.name[:200],
                    added_at=ctx.now(),
                )
                break
            except IntegrityError:
                if await Book.exists(community_id=cid, fold=key):
                    raise UserError(_("That book is on the list already.")) from None
    if book is None:
        raise UserError(_("Someone added a book at the same moment; try again."))
    await ctx.contribute("xtremreading.book", f"xtremreading:book:{book.id}")
    await ctx.reply(notice(_("📚 Added: {line}").format(line=book_line(book)), "success"))


@xr.command("book", "list", help=N_("The community's book list, with who read what."))
async def list_books(ctx: Context, args: dict[str, Any]) -> None:
    books = await listed(ctx.community.id)
    if not books:
        await ctx.reply(
            notice(_("The book list is empty: “xtremreading book add <title> --author …”."))
        )
        return
    lines = []
    for b in books:
        lines.append(f"- {book_line(b)}")
        record = await record_line(b)
        if record:
            lines.append(f"  {record}")
    title = ngettext("Book list: {n} book", "Book list: {n} books", len(books)).format(n=len(books))
    await ctx.reply(View(title=title, text="\n".join(lines)))


@xr.command(
    "book",
    "remove",
    help=N_("Take a book off the list (whoever added it, or the core team)."),
    args=(Arg("number", N_("the book's number"), positional=True, required=True),),
)
async def remove_book(ctx: Context, args: dict[str, Any]) -> None:
    book = await by_number(ctx.community.id, args["number"])
    if book.added_by != ctx.person.id:
        ctx.require(Role.CORE, "xtremreading book remove", _("remove someone else's book"))
    if not await Book.filter(id=book.id, removed_at=None).update(removed_at=ctx.now()):
        raise UserError(_("That book was removed at the same moment."))
    await ctx.reply(
        notice(_("Removed from the list: {title}.").format(title=UserText(book.title)), "success")
    )
