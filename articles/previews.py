"""Previews of articles: what readers would see, shown to editors and reviewers only.

- The desk's live pane (desk/static/desk/live_preview.js) posts the form's title,
  standfirst, byline and body as the editor types; `live_preview_view` answers them rendered as the
  public page renders them, cards included, with a warning in place of each embed that
  readers would not see.
- The Preview button posts the whole form; `preview_view` answers the article page as
  it would be with those unsaved changes, with the pane's warnings in place.
- "Copy a preview link" asks `preview_link_view` for a signed address that shows the
  latest saved text of an article in any state to anyone who has it, until it expires
  (settings.PREVIEW_LINK_DAYS); `shared_preview_view` is that page. No account needed:
  the signature is the permission. Each link is a PreviewLink row (its token signs the
  row's id): the article's form lists them, those still working first
  (`preview_link_list`), each can be revoked on its own (`revoke_link_view`), and
  withdrawing the article revokes them all for good. One link shows every later save;
  an article has WORKING_LINKS_MAX links working at most.
  A link stopped (expired or revoked) is forgotten a while after its time ran out, when
  the article's next link is made (`forget_stopped_links`).

None of these pages is stored by any cache (`never_cache`; nor the page cache, which
keeps only views marked with CachedPageMixin or `shared_page`), nor indexed.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.safestring import SafeString
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from catalogue.models import Book
from desk.admin import render_display

from . import rendering
from .foreign_pictures import flag_foreign_pictures, foreign_picture_addresses
from .forms import MAX_BODY_LENGTH, TIME_FORMAT
from .models import Article, PreviewLink

LINK_SALT = "articles.preview-link"  # tokens made before links were rows (article_for_old_link)


def noindex(view):
    """Tell search engines to leave the page out, should its address ever leak."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = view(*args, **kwargs)
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


# --- Rendering for the pane --------------------------------------------------------------


@dataclass
class PreviewBody:
    html: SafeString
    unknown: list[str]  # references that match no book: the desk refuses to save them
    unpublished: list[str]  # references to books readers cannot see: no card for them
    # Pictures on other sites, which readers' browsers are refused: the desk refuses them.
    foreign: list[str] = field(default_factory=list)
    # The whole render, for a whole page (the Preview button): its books at the foot.
    rendered: rendering.RenderedBody | None = None

    def for_page(self) -> rendering.RenderedBody:
        """The render as the article page takes it, with the flagged HTML."""
        return replace(self.rendered, html=self.html)


def render_preview_body(body: str, *, source: Article | None = None) -> PreviewBody:
    """`rendering.render_body`, with a visible warning in place of each embed that
    would show nothing to readers, instead of nothing and a logged warning. `source`:
    the article previewed (None for a new one), as its page's cards link with it. Both
    previews (the pane and the Preview button) render this way, the body changed or not."""
    existing: dict[str, Book] = {}

    def flag_hidden(refs: list[str]) -> dict[str, str]:
        existing.update(rendering.find_books(refs, Book.objects.all()))
        return {
            ref: render_to_string(
                "articles/preview_missing_book.html", {"ref": ref, "book": existing.get(ref)}
            )
            for ref in refs
        }

    rendered = rendering.render_body(body, source=source, show_hidden=flag_hidden)
    foreign = foreign_picture_addresses(body)
    return PreviewBody(
        html=flag_foreign_pictures(rendered.html, foreign),
        unknown=[ref for ref in rendered.hidden if ref not in existing],
        unpublished=[ref for ref in rendered.hidden if ref in existing],
        foreign=foreign,
        rendered=rendered,
    )


# --- Signed links ------------------------------------------------------------------------

# A link's token signs its PreviewLink row's id (ROW_SALT). Tokens made before links were
# rows sign the article's pk (LINK_SALT): they keep working until they expire, unless
# the article is or ever was withdrawn.
ROW_SALT = "articles.preview-link-row"
# A link that stopped working stays listed on the form this long after its time ran out
# (revoked, it ran out no later): its token expired with it, so whoever holds it reads
# "expired" just the same once the row is gone.
STOPPED_LINKS_KEPT = timedelta(days=30)
PREVIEW_LINKS_SHOWN = 10  # on the form: those still working first, then the newest
# Links of one article working at once: each is a way in to the unpublished text; one
# more reviewer past it means one link revoked first.
WORKING_LINKS_MAX = 20


class TooManyLinks(Exception):
    """The article has WORKING_LINKS_MAX links still working: no other is made."""

    message = (
        f"{WORKING_LINKS_MAX} links to this article still work, the most it may have: "
        "revoke one under “Preview links” first"
    )


def link_lifetime() -> timedelta:
    return timedelta(days=settings.PREVIEW_LINK_DAYS)


def make_preview_link(article: Article, *, created_by=None) -> tuple[str, datetime]:
    """A new preview link of `article` (a PreviewLink row, listed on its form): its path,
    and when it stops working. The article's links long stopped are forgotten first.
    TooManyLinks if WORKING_LINKS_MAX of its links still work."""
    now = timezone.now()
    with transaction.atomic():
        # One link made at a time per article: two clicks at once never make the 21st.
        Article.objects.select_for_update().filter(pk=article.pk).values_list("pk").first()
        forget_stopped_links(article, now=now)
        if working_links(article, now=now).count() >= WORKING_LINKS_MAX:
            raise TooManyLinks
        link = PreviewLink.objects.create(
            article=article, created_by=created_by, expires_at=now + link_lifetime()
        )
    token = signing.dumps(link.pk, salt=ROW_SALT)
    return reverse("articles:article-preview", kwargs={"token": token}), link.expires_at


def working_links(article: Article, *, now: datetime):
    """The article's links that still work (neither revoked nor expired)."""
    return PreviewLink.objects.filter(article=article, revoked_at__isnull=True, expires_at__gt=now)


def still_works(link: PreviewLink, now: datetime) -> bool:
    return link.revoked_at is None and link.expires_at > now


def forget_stopped_links(article: Article, *, now: datetime) -> int:
    """Delete the article's links whose time ran out over STOPPED_LINKS_KEPT ago (expired,
    or revoked before that): how many. Its time is the later of the row's and its token's
    (signed when made, good for today's PREVIEW_LINK_DAYS, which may be longer than when
    it was made): a token still good reads "expired" from its row, never "no longer
    here". The withdrawal's record stays: it stops the tokens made before links were
    rows for good (`withdrawal_marks`)."""
    long_ago = now - STOPPED_LINKS_KEPT
    stopped = PreviewLink.objects.filter(
        article=article, expires_at__lt=long_ago, created_at__lt=long_ago - link_lifetime()
    )
    deleted, _ = stopped.exclude(pk__in=withdrawal_marks().values("pk")).delete()
    return deleted


def revoke_all_links(*, article: Article, user=None) -> int:
    """Stop every link of `article` still working, for good (its withdrawal): how many.
    The withdrawal is left on record as a link that never worked (`withdrawal_marks`),
    which stops the old tokens too (`article_for_old_link`): they have no row to revoke."""
    now = timezone.now()
    revoked = PreviewLink.objects.filter(article=article, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=user
    )
    if not withdrawal_marks().filter(article=article).exists():
        PreviewLink.objects.create(
            article=article, created_by=user, expires_at=now, revoked_at=now, revoked_by=user
        )
    return revoked


def withdrawal_marks():
    """The rows that record a withdrawal (revoke_all_links): revoked the moment they
    stopped working, never handed out. The form lists the other links only."""
    return PreviewLink.objects.filter(revoked_at__isnull=False, expires_at=F("revoked_at"))


@dataclass(frozen=True)
class ListedLinks:
    """The preview links an article's form lists, and how many more it has."""

    links: list[PreviewLink]  # still working first, then the newest that stopped
    working_not_listed: int
    stopped_not_listed: int
    working: int = 0  # listed or not

    def limit(self) -> str:
        """What the form says of the links an article may have working, "" for none."""
        if self.working >= WORKING_LINKS_MAX:
            return (
                f"{self.working} links work, the most an article may have: revoke one to "
                "make another."
            )
        if not self.working:
            return ""
        works = "1 link works" if self.working == 1 else f"{self.working} links work"
        return f"{works}; an article may have {WORKING_LINKS_MAX} working at once."

    def more(self) -> str:
        """What the form says of the links it does not list, "" for none."""
        hidden = self.working_not_listed + self.stopped_not_listed
        if not hidden:
            return ""
        links = "link" if hidden == 1 else "links"
        if not self.working_not_listed:
            return (
                f"{hidden:,} older {links}, expired or revoked, not listed "
                f"(each is forgotten {STOPPED_LINKS_KEPT.days} days after its time ran out)."
            )
        working = self.working_not_listed
        return (
            f"{hidden:,} more {links} not listed, {working:,} of "
            f"{'it' if hidden == 1 else 'them'} still working: withdrawing the article "
            "stops every link."
        )


def links_listed(article: Article, *, now: datetime) -> ListedLinks:
    """The article's links handed out: PREVIEW_LINKS_SHOWN at most, those still working
    first (each can be revoked from the form), newest first; two queries."""
    working = Q(revoked_at__isnull=True, expires_at__gt=now)
    handed_out = article.preview_links.exclude(pk__in=withdrawal_marks().values("pk"))
    first = Case(When(working, then=Value(0)), default=Value(1))
    links = list(
        handed_out.select_related("created_by", "revoked_by")
        .alias(first=first)
        .order_by("first", "-created_at", "-pk")[: PREVIEW_LINKS_SHOWN + 1]
    )
    if len(links) <= PREVIEW_LINKS_SHOWN:
        working_listed = sum(1 for link in links if still_works(link, now))
        return ListedLinks(
            links, working_not_listed=0, stopped_not_listed=0, working=working_listed
        )
    links = links[:PREVIEW_LINKS_SHOWN]
    counts = handed_out.aggregate(
        working=Count("pk", filter=working), stopped=Count("pk", filter=~working)
    )
    working_listed = sum(1 for link in links if still_works(link, now))
    return ListedLinks(
        links,
        working_not_listed=counts["working"] - working_listed,
        stopped_not_listed=counts["stopped"] - (len(links) - working_listed),
        working=counts["working"],
    )


class LinkRefused(Exception):
    """Why a preview link shows no article; its page says so in words."""

    HEADINGS = {
        "expired": "This preview link has expired",
        "invalid": "This preview link doesn’t work",
        "deleted": "This article is no longer here",
        "withdrawn": "This article has been withdrawn",
        "revoked": "This preview link has been revoked",
    }

    def __init__(self, reason: str):
        self.reason = reason
        self.heading = self.HEADINGS[reason]
        # Gone for good once expired or revoked; a mangled link might be a typo.
        self.status = 410 if reason in ("expired", "withdrawn", "revoked") else 404


def article_for_link(token: str) -> Article:
    """The article a preview link shows, or LinkRefused saying why not."""
    try:
        link_id = signing.loads(token, salt=ROW_SALT, max_age=link_lifetime())
    except signing.SignatureExpired:
        raise LinkRefused("expired") from None
    except signing.BadSignature:
        return article_for_old_link(token)
    link = PreviewLink.objects.select_related("article").filter(pk=link_id).first()
    if link is None:
        raise LinkRefused("deleted")  # its article's deletion took the row
    if link.article.state == Article.State.WITHDRAWN:
        raise LinkRefused("withdrawn")  # pulled, perhaps for a reason: links stop with it
    if link.revoked_at is not None:
        raise LinkRefused("revoked")
    if link.expires_at <= timezone.now():
        raise LinkRefused("expired")
    return link.article


def article_for_old_link(token: str) -> Article:
    """A token signing the article's pk, made before links were rows."""
    try:
        pk = signing.loads(token, salt=LINK_SALT, max_age=link_lifetime())
    except signing.SignatureExpired:
        raise LinkRefused("expired") from None
    except signing.BadSignature:
        raise LinkRefused("invalid") from None
    article = Article.objects.filter(pk=pk).first()
    if article is None:
        raise LinkRefused("deleted")
    # Withdrawn now, or ever (then moved back to draft or published again): an old
    # token has no row to revoke, so the withdrawal's record stops it for good.
    if (
        article.state == Article.State.WITHDRAWN
        or withdrawal_marks().filter(article=article).exists()
    ):
        raise LinkRefused("withdrawn")
    return article


@require_safe
@never_cache
@noindex
def shared_preview_view(request: HttpRequest, token: str) -> HttpResponse:
    """The article as readers will see it once published, for whoever holds the link."""
    try:
        article = article_for_link(token)
    except LinkRefused as refused:
        return TemplateResponse(
            request,
            "articles/preview_link_refused.html",
            {
                "reason": refused.reason,
                "heading": refused.heading,
                "days": settings.PREVIEW_LINK_DAYS,
            },
            status=refused.status,
        )
    body = article.render_body()
    response = TemplateResponse(
        request,
        "articles/preview_link.html",
        {
            "article": article,
            "body": body,
            "recommendations": article.recommendations(),
            "topics": list(article.topics.all()),
        },
    )
    # The token is in the address: keep it out of other sites' logs, and of our own.
    response["Referrer-Policy"] = "no-referrer"
    return response


# --- The desk ----------------------------------------------------------------------------


class PreviewAdminMixin:
    """ArticleAdmin's previews: the full page of unsaved changes (the Preview button),
    the live pane beside the body, and signed links for reviewers."""

    def get_urls(self):
        def view(method):
            return self.admin_site.admin_view(noindex(method))  # never cached, too

        return [
            path("preview/", view(self.preview_view), name="articles_article_preview_new"),
            path(
                "live-preview/",
                view(self.live_preview_view),
                name="articles_article_live_preview_new",
            ),
            path(
                "<path:object_id>/preview/",
                view(self.preview_view),
                name="articles_article_preview",
            ),
            path(
                "<path:object_id>/live-preview/",
                view(self.live_preview_view),
                name="articles_article_live_preview",
            ),
            path(
                "<path:object_id>/preview-link/",
                view(self.preview_link_view),
                name="articles_article_preview_link",
            ),
            path(
                "<path:object_id>/preview-links/<int:link_id>/revoke/",
                view(self.revoke_link_view),
                name="articles_article_revoke_preview_link",
            ),
            *super().get_urls(),
        ]

    def article_to_preview(self, request, object_id: str | None) -> Article | None:
        """The stored article (None for a new one), if this editor may change it."""
        if object_id is None:
            if not self.has_add_permission(request):
                raise PermissionDenied
            return None
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_change_permission(request, article):
            raise PermissionDenied
        return article

    def preview_view(self, request, object_id=None):
        """The article page as readers would see it with the form's unsaved contents
        (posted by the Preview button). Nothing is saved."""
        if request.method != "POST":  # reopened from history: back to the form
            return redirect("../change/" if object_id else "../add/")
        article = self.article_to_preview(request, object_id)
        form_class = self.get_form(request, article, change=article is not None)
        with transaction.atomic():  # reads only; the conflict check locks the row
            form = form_class(request.POST, request.FILES, instance=article)
            form.refuses_foreign_pictures = False  # flagged where they stand, below
            valid = form.is_valid()
        # A colleague's newer save (a form-wide error) does not stop a preview.
        errors = {
            form.fields[name].label or name: errors
            for name, errors in form.errors.items()
            if name != "__all__"
        }
        if not valid and errors:
            context = {**self.admin_site.each_context(request), "form": form, "errors": errors}
            return TemplateResponse(request, "admin/articles/article/preview_errors.html", context)
        preview = form.instance  # unsaved: the form's values on the stored article
        # Rendered as the live pane renders it, not from the render stored at save: what
        # readers would not see (a draft book, a picture not ready) is named in place.
        body = render_preview_body(preview.body, source=article).for_page()
        return TemplateResponse(
            request,
            "articles/article_detail.html",
            {
                "article": preview,
                "body": body,
                "recommendations": preview.recommendations() if preview.pk else [],
                "topics": list(form.cleaned_data.get("topics") or []),
                "preview": True,
            },
        )

    @method_decorator(require_POST)
    def live_preview_view(self, request, object_id=None):
        """The posted title, standfirst and body rendered as readers would see them, as
        JSON for the desk's pane: the HTML, and the references readers would not see."""
        article = self.article_to_preview(request, object_id)
        body = request.POST.get("body", "")
        if len(body) > MAX_BODY_LENGTH:
            message = (
                f"The preview stops here: this body is {len(body):,} characters long, and "
                f"an article holds up to {MAX_BODY_LENGTH:,} (about 80,000 words). Split "
                "it into several articles, or cut it."
            )
            return JsonResponse({"error": message}, status=413)
        rendered = render_preview_body(body, source=article)
        html = render_to_string(
            "articles/preview_pane.html",
            {
                "title": request.POST.get("title", ""),
                "standfirst": request.POST.get("standfirst", ""),
                "byline": request.POST.get("byline", ""),
                "body": rendered,
            },
        )
        return JsonResponse(
            {
                "html": html,
                "unknown": rendered.unknown,
                "unpublished": rendered.unpublished,
                "foreign": rendered.foreign,
            }
        )

    @method_decorator(require_POST)
    def preview_link_view(self, request, object_id):
        """A new signed link to the saved article, for a reviewer without an account: by
        whoever may see it at the desk (a contributor, for the articles they created)."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_permission(request, article):
            raise PermissionDenied
        try:
            link, expires = make_preview_link(article, created_by=request.user)
        except TooManyLinks as refused:
            return JsonResponse({"error": refused.message}, status=409)
        return JsonResponse(
            {
                "url": request.build_absolute_uri(link),
                "expires": date_format(timezone.localtime(expires), "j F Y, H:i T"),
            }
        )

    @admin.display(description="Preview links")
    def preview_link_list(self, article):
        """The article's preview links: who made each, when, until when; “Revoke” for those
        still working (whoever sees the form may: an editor, or the article's writer)."""
        if not article.pk:
            return "Saved articles list their preview links here."
        now = timezone.now()
        listed = links_listed(article, now=now)
        return render_display(
            "admin/articles/article/preview_links.html",
            {
                "links": listed.links,
                "more": listed.more(),
                "limit": listed.limit(),
                "now": now,
                "time_format": TIME_FORMAT,
            },
        )

    def may_revoke_links(self, request, article: Article) -> bool:
        """Editors, and whoever made the article (its links are theirs to hand out)."""
        return self.has_view_permission(request, article) and (
            request.user.has_perm("articles.publish_article")
            or article.created_by_id == request.user.pk
        )

    def revoke_link_view(self, request, object_id, link_id):
        """Stop one preview link: asked first (GET), done by the POST; whoever holds the
        link then reads that it was revoked (410)."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.may_revoke_links(request, article):
            raise PermissionDenied
        link = get_object_or_404(
            PreviewLink.objects.select_related("created_by"), pk=link_id, article=article
        )
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        if request.method == "POST":
            if link.revoked_at is None:
                link.revoked_at = timezone.now()
                link.revoked_by = request.user
                link.save(update_fields=["revoked_at", "revoked_by"])
                self.message_user(
                    request, f"The preview link made {link_date(link.created_at)} is revoked."
                )
            return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "title": "Revoke this preview link?",
            "opts": self.opts,
            "original": article,
            "link": link,
            "made": link_date(link.created_at),
            "expires": link_date(link.expires_at),
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/articles/article/revoke_preview_link.html", context)


def link_date(moment) -> str:
    return date_format(timezone.localtime(moment), "j F Y, H:i T")
