"""Where a picture is used: the articles that embed it in their body or feature it, live,
scheduled and not public apart.

The images app does not import articles: it reads them through the reverse relations
(`image.articles`, `image.featured_in`) and asks each article whether it is public.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from desk.deleting import state_of


@dataclass
class Use:
    article: object
    how: str  # "in the body", "featured", "featured and in the body"


@dataclass
class WhereUsed:
    live: list[Use] = field(default_factory=list)
    scheduled: list[Use] = field(default_factory=list)  # published, from a time to come
    drafts: list[Use] = field(default_factory=list)  # drafts, in review, withdrawn
    # Not public, and not the viewer's to open (another writer's draft): counted, not named.
    not_shown: int = 0

    @property
    def shown(self) -> list:
        """Articles whose readers see the picture now, or will when their time comes."""
        return [use.article for use in (*self.live, *self.scheduled)]

    def __bool__(self) -> bool:
        return bool(self.live or self.scheduled or self.drafts or self.not_shown)


# What the list shows, and what `may_open` asks: a contributor opens the drafts they
# created (a query for each draft's writer, left out).
FIELDS = ("pk", "title", "slug", "status", "published_at", "withdraw_at", "created_by")


def where_used(image, *, may_open: Callable[[object], bool] | None = None) -> WhereUsed:
    """The articles that feature or embed `image`; given `may_open`, those not public
    that it refuses are only counted (desk.viewers.may_open)."""
    used = WhereUsed()
    if image.pk is None:
        return used
    ways: dict[int, list[str]] = {}
    articles = {}
    for relation, how in ((image.featured_in, "featured"), (image.articles, "in the body")):
        for article in relation.only(*FIELDS).order_by("-published_at", "-pk"):
            articles.setdefault(article.pk, article)
            ways.setdefault(article.pk, []).append(how)
    groups = {"live": used.live, "scheduled": used.scheduled}
    for pk, article in articles.items():
        state = state_of(article)
        if state != "live" and may_open is not None and not may_open(article):
            used.not_shown += 1
            continue
        groups.get(state, used.drafts).append(Use(article, " and ".join(ways[pk])))
    return used


def lost_picture(article) -> str:
    """How the delete page names an embed: “The picture in “Fire” (live)”."""
    return f"The picture in “{article}” ({state_of(article)})"
