"""Previews of articles: what readers would see, shown to editors and reviewers only.

- The desk's live pane (desk/static/desk/live_preview.js) posts the form's title,
  standfirst, byline and body as the editor types; `live_preview_view` answers them rendered as the
  public page renders them, cards included, with a warning in place of each embed that
  readers would not see.
- The Preview button posts the whole form; `preview_view` answers the article page as
  it would be with those unsaved changes.
- "Copy a preview link" asks `preview_link_view` for a signed address that shows the
  latest saved text of an article in any state to anyone who has it, until it expires
  (settings.PREVIEW_LINK_DAYS); `shared_preview_view` is that page. No account needed:
  the signature is the permission. The token names the article only, so one link shows
  every later save.

None of these pages is stored by any cache (`never_cache`; nor the page cache, which
keeps only views marked with CachedPageMixin or `shared_page`), nor indexed.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from django.conf import settings
from django.contrib.admin.utils import unquote
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
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

from . import rendering
from .forms import MAX_BODY_LENGTH
from .models import Article

LINK_SALT = "articles.preview-link"


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


def render_preview_body(body: str, *, source: Article | None = None) -> PreviewBody:
    """`rendering.render_body`, with a visible warning in place of each embed that
    would show nothing to readers, instead of nothing and a logged warning. `source`:
    the article previewed (None for a new one), as its page's cards link with it."""
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
    return PreviewBody(
        html=rendered.html,
        unknown=[ref for ref in rendered.hidden if ref not in existing],
        unpublished=[ref for ref in rendered.hidden if ref in existing],
    )


# --- Signed links ------------------------------------------------------------------------


def link_lifetime() -> timedelta:
    return timedelta(days=settings.PREVIEW_LINK_DAYS)


def make_preview_link(article: Article) -> tuple[str, datetime]:
    """The path of a signed preview of `article`, and when it stops working."""
    token = signing.dumps(article.pk, salt=LINK_SALT)
    expires = timezone.now() + link_lifetime()
    return reverse("articles:article-preview", kwargs={"token": token}), expires


class LinkRefused(Exception):
    """Why a preview link shows no article; its page says so in words."""

    HEADINGS = {
        "expired": "This preview link has expired",
        "invalid": "This preview link doesn’t work",
        "deleted": "This article is no longer here",
        "withdrawn": "This article has been withdrawn",
    }

    def __init__(self, reason: str):
        self.reason = reason
        self.heading = self.HEADINGS[reason]
        # Gone for good once expired; a mangled link might be a typo.
        self.status = 410 if reason in ("expired", "withdrawn") else 404


def article_for_link(token: str) -> Article:
    """The article a preview link shows, or LinkRefused saying why not."""
    try:
        pk = signing.loads(token, salt=LINK_SALT, max_age=link_lifetime())
    except signing.SignatureExpired:
        raise LinkRefused("expired") from None
    except signing.BadSignature:
        raise LinkRefused("invalid") from None
    article = Article.objects.filter(pk=pk).first()
    if article is None:
        raise LinkRefused("deleted")
    if article.status == Article.Status.WITHDRAWN:
        raise LinkRefused("withdrawn")  # pulled, perhaps for a reason: links stop with it
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
        return TemplateResponse(
            request,
            "articles/article_detail.html",
            {
                "article": preview,
                "body": preview.render_body(),
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
            {"html": html, "unknown": rendered.unknown, "unpublished": rendered.unpublished}
        )

    @method_decorator(require_POST)
    def preview_link_view(self, request, object_id):
        """A new signed link to the saved article, for a reviewer without an account: by
        whoever may see it at the desk (a contributor, for the articles they created)."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_permission(request, article):
            raise PermissionDenied
        link, expires = make_preview_link(article)
        return JsonResponse(
            {
                "url": request.build_absolute_uri(link),
                "expires": date_format(timezone.localtime(expires), "j F Y, H:i T"),
            }
        )
