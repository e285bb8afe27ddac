"""Where a book or a reading list is used: the articles that embed it, live, scheduled
and draft apart.

The catalogue does not import articles: it reads them through the reverse relation
(`book.articles`, `reading_list.articles`), and asks each article whether it is public.
The desk shows this on the book's and the list's forms, and asks for confirmation before
a change takes a card or a list away from an article readers see or are about to see.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from desk.deleting import state_of


@dataclass
class WhereUsed:
    live: list = field(default_factory=list)
    scheduled: list = field(default_factory=list)  # published, from a time still to come
    drafts: list = field(default_factory=list)  # drafts, in review, withdrawn
    # Not public, and not the viewer's to open (another writer's draft): counted, not named.
    not_shown: int = 0

    @property
    def shown(self) -> list:
        """Articles whose readers see the card now or will when their time comes."""
        return [*self.live, *self.scheduled]

    def __bool__(self) -> bool:
        return bool(self.live or self.scheduled or self.drafts or self.not_shown)


def where_used(embedded, *, may_open: Callable[[object], bool] | None = None) -> WhereUsed:
    """The articles that embed `embedded`, a book or a reading list; given `may_open`,
    those not public that it refuses are only counted (desk.viewers.may_open)."""
    used = WhereUsed()
    if embedded.pk is None:
        return used
    groups = {"live": used.live, "scheduled": used.scheduled}
    # All that state_of and a contributor's may_open read: no query per article.
    articles = embedded.articles.only(
        "pk", "title", "slug", "status", "published_at", "withdraw_at", "created_by"
    )
    for article in articles.order_by("-published_at", "-pk"):
        state = state_of(article)
        if state != "live" and may_open is not None and not may_open(article):
            used.not_shown += 1
            continue
        groups.get(state, used.drafts).append(article)
    return used


def lost_card(article) -> str:
    """How the delete page names an embed of the book: “Its card in “Fire” (live)”."""
    return f"Its card in “{article}” ({state_of(article)})"


def lost_list(article) -> str:
    """How the delete page names an embed of a reading list: “The list in “Fire” (live)”."""
    return f"The list in “{article}” ({state_of(article)})"
