"""Where a book is used: the articles that embed it, live, scheduled and draft apart.

The catalogue does not import articles: it reads them through the reverse relation
(`book.articles`), and asks each article whether it is public. The desk shows this on
the book's form, and asks for confirmation before a change takes a card away from an
article readers see or are about to see.
"""

from dataclasses import dataclass, field


@dataclass
class WhereUsed:
    live: list = field(default_factory=list)
    scheduled: list = field(default_factory=list)  # published, from a time still to come
    drafts: list = field(default_factory=list)  # drafts, in review, withdrawn

    @property
    def shown(self) -> list:
        """Articles whose readers see the card now or will when their time comes."""
        return [*self.live, *self.scheduled]

    def __bool__(self) -> bool:
        return bool(self.live or self.scheduled or self.drafts)


def where_used(book) -> WhereUsed:
    used = WhereUsed()
    if book.pk is None:
        return used
    groups = {"live": used.live, "scheduled": used.scheduled}
    articles = book.articles.only("pk", "title", "slug", "status", "published_at")
    for article in articles.order_by("-published_at", "-pk"):
        groups.get(state_of(article), used.drafts).append(article)
    return used


def titles(articles) -> str:
    """“Burning books”, “Fire” and “Water”."""
    quoted = [f"“{article}”" for article in articles]
    if len(quoted) < 2:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def lost_card(article) -> str:
    """How the delete page names an embed of the book: “Its card in “Fire” (live)”."""
    return f"Its card in “{article}” ({state_of(article)})"


def state_of(article) -> str:
    """ "live", "scheduled", "draft", "in review", "withdrawn"."""
    if article.is_public:
        return "live"
    return str(article.state.label).lower()
