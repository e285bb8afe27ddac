"""The articles' panels on the desk's first page (desk/home.py gathers them; ArticlesConfig
names `panels`): waiting for review, my drafts, what came back to me with its note,
scheduled to go live or to be withdrawn, recently published.

Each panel is one query of at most PANEL_ROWS rows, whoever asks and however many
articles wait. A contributor (no publish permission) sees only the articles they created,
and the panels say so; the review queue is the editors'. Who did a review step, and what
they wrote, is read from the desk's RevisionEvent rows, never from the history's sentences.
"""

from dataclasses import replace

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, F, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from desk.home import PANEL_ROWS, Panel, PanelRow
from desk.models import RevisionEvent

from .admin import PUBLISH_PERMISSION, WITHDRAWAL_SCHEDULED, localised
from .models import Article

# The review steps whose latest one says where an article stands in its review.
STEPS = [RevisionEvent.Kind.SUBMITTED, RevisionEvent.Kind.APPROVED, RevisionEvent.Kind.SENT_BACK]


def panels(request: HttpRequest) -> list[Panel]:
    user = request.user
    if not user.has_perm("articles.view_article"):
        return []
    editor = user.has_perm(PUBLISH_PERMISSION)
    seen = Article.objects.all() if editor else Article.objects.filter(created_by=user.pk)
    mine = Article.objects.filter(created_by=user.pk)
    found = [
        *([waiting_for_review(seen)] if editor else []),
        came_back(mine),
        my_drafts(mine),
        to_go_live(seen, yours=not editor),
        to_be_withdrawn(seen, yours=not editor),
        recently_published(seen, yours=not editor),
    ]
    return found


def yours_only(panel: Panel) -> Panel:
    """A contributor's panel of articles: it says they are theirs, and so does its list."""
    return replace(
        panel,
        see_all_url=f"{panel.see_all_url}&mine=yes",
        see_all_label=panel.see_all_label.replace("All ", "All your ", 1),
    )


def list_url(**filters: str) -> str:
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    return f"{reverse('admin:articles_article_changelist')}?{query}"


def row_of(article: Article, detail: str, note: str = "") -> PanelRow:
    url = reverse("admin:articles_article_change", args=[article.pk])
    return PanelRow(label=article.title or "(untitled)", url=url, detail=detail, note=note)


def latest_review_step(field: str) -> Subquery:
    """The `field` of the article's latest review step (submitted, approved, sent back)."""
    steps = RevisionEvent.objects.filter(
        kind__in=STEPS,
        revision__version__content_type=ContentType.objects.get_for_model(Article),
        revision__version__object_id=Cast(OuterRef("pk"), CharField()),
    ).order_by("-revision__date_created", "-pk")
    return Subquery(steps.values(field)[:1])


def with_latest_step(articles):
    return articles.annotate(
        step=latest_review_step("kind"),
        step_note=latest_review_step("note"),
        step_at=latest_review_step("revision__date_created"),
        step_by=latest_review_step("revision__user__username"),
    )


def waiting_for_review(articles) -> Panel:
    waiting = with_latest_step(articles.filter(status=Article.Status.REVIEW)).order_by(
        F("step_at").asc(nulls_first=True), "pk"
    )
    return Panel(
        title="Waiting for review",
        rows=[
            row_of(
                article,
                f"Submitted by {article.step_by or 'someone'}, {localised(article.step_at)}",
            )
            if article.step == RevisionEvent.Kind.SUBMITTED
            else row_of(article, f"In review since {localised(article.updated_at)}")
            for article in waiting.only("pk", "title", "updated_at")[:PANEL_ROWS]
        ],
        empty="Nothing is waiting for review.",
        see_all_url=list_url(state=Article.State.REVIEW),
        see_all_label="All articles in review",
        place=10,
    )


def sent_back(articles):
    return with_latest_step(articles.filter(status=Article.Status.DRAFT))


def came_back(mine) -> Panel:
    rows = (
        sent_back(mine)
        .filter(step=RevisionEvent.Kind.SENT_BACK)
        .order_by("-step_at", "-pk")
        .only("pk", "title")[:PANEL_ROWS]
    )
    return Panel(
        title="Came back to me",
        rows=[
            row_of(
                article,
                f"Sent back by {article.step_by or 'an editor'}, {localised(article.step_at)}",
                note=article.step_note,
            )
            for article in rows
        ],
        empty="Nothing was sent back to you.",
        see_all_url=list_url(state=Article.State.DRAFT, mine="yes"),
        see_all_label="All my drafts",
        place=20,
    )


def my_drafts(mine) -> Panel:
    rows = (
        sent_back(mine)
        .filter(Q(step__isnull=True) | ~Q(step=RevisionEvent.Kind.SENT_BACK))
        .order_by("-updated_at", "-pk")
        .only("pk", "title", "updated_at")[:PANEL_ROWS]
    )
    # A draft sent back is shown under "Came back to me" only: then none here is not none.
    empty = "You have no drafts."
    if not rows and sent_back(mine).filter(step=RevisionEvent.Kind.SENT_BACK).exists():
        empty = "You have no other drafts than those that came back to you."
    return Panel(
        title="My drafts",
        rows=[row_of(article, f"Last saved {localised(article.updated_at)}") for article in rows],
        empty=empty,
        see_all_url=list_url(state=Article.State.DRAFT, mine="yes"),
        see_all_label="All my drafts",
        place=30,
    )


def scheduled(articles, when: str, *, says: str, state: str, **panel) -> Panel:
    """Published articles whose `when` (published_at, withdraw_at) is still to come,
    soonest first, each with what `says` happens then; `panel`: title, empty,
    see_all_label, place."""
    rows = (
        articles.filter(status=Article.Status.PUBLISHED, **{f"{when}__gt": timezone.now()})
        .order_by(when, "pk")
        .only("pk", "title", when)[:PANEL_ROWS]
    )
    return Panel(
        rows=[row_of(article, f"{says} {localised(getattr(article, when))}") for article in rows],
        see_all_url=list_url(state=state),
        **panel,
    )


def to_go_live(articles, *, yours: bool = False) -> Panel:
    panel = scheduled(
        articles,
        "published_at",
        says="Goes live",
        state=Article.State.SCHEDULED,
        title="Scheduled to go live",
        empty=(
            "None of your articles is scheduled to go live."
            if yours
            else "Nothing is scheduled to go live."
        ),
        see_all_label="All scheduled articles",
        place=40,
    )
    return yours_only(panel) if yours else panel


def to_be_withdrawn(articles, *, yours: bool = False) -> Panel:
    panel = scheduled(
        articles,
        "withdraw_at",
        says="Taken off the site",
        state=WITHDRAWAL_SCHEDULED,
        title="Scheduled to be withdrawn",
        empty=(
            "None of your articles is set to be withdrawn."
            if yours
            else "No article is set to be withdrawn."
        ),
        see_all_label="All articles set to be withdrawn",
        place=50,
    )
    return yours_only(panel) if yours else panel


def recently_published(articles, *, yours: bool = False) -> Panel:
    rows = (
        articles.published()
        .order_by("-published_at", "-pk")
        .only("pk", "title", "published_at", "byline")[:PANEL_ROWS]
    )
    panel = Panel(
        title="Recently published",
        rows=[
            row_of(
                article,
                f"Published {localised(article.published_at)}"
                + (f", by {article.byline}" if article.byline else ""),
            )
            for article in rows
        ],
        empty=(
            "None of your articles is published yet."
            if yours
            else "Nothing has been published yet."
        ),
        see_all_url=list_url(state=Article.State.PUBLISHED),
        see_all_label="All published articles",
        place=60,
    )
    return yours_only(panel) if yours else panel
