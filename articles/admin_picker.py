"""Articles for the `[[` picker in an article's body (desk/static/desk/book_picker.js):
those matching what the editor typed, as JSON, each with the Markdown link it inserts.

Editors find every article; a contributor, who may open only their own, finds those and
the published ones (which anyone can read)."""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, path

from .models import Article

PICKER_LIMIT = 10


def markdown_link(article: Article) -> str:
    """`[Title](/articles/slug/)`, its brackets escaped so the title cannot end the link."""
    title = article.title.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return f"[{title}]({article.get_absolute_url()})"


def picker_entry(article: Article) -> dict:
    state = article.state
    return {
        "id": article.pk,
        "title": article.title,
        "slug": article.slug,
        "byline": article.byline,
        "status": state.value,
        "status_label": state.label,
        "link": markdown_link(article),
    }


def picker_view(model_admin, request: HttpRequest) -> JsonResponse:
    """GET ?q=: the best matches for words of a title or text, or a slug; exact titles
    first, then titles that start so, then the newest.

    Behind admin_view, so only staff get here, and answered `Cache-Control: no-store`.
    """
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    query = " ".join(request.GET.get("q", "").split())
    if not query:
        return JsonResponse({"results": []})
    # The admin's queryset is what this person may open (a contributor's own articles).
    visible = Q(pk__in=model_admin.get_queryset(request).values("pk")) | Q(
        pk__in=Article.objects.published().values("pk")
    )
    matches = (
        Q(title__icontains=query)
        | Q(slug=query.lower())
        | Q(pk__in=Article.objects.search(query).values("pk"))
    )
    articles = (
        Article.objects.filter(visible & matches)
        .defer("body", "text_profile", "rendered_body")
        .annotate(
            closeness=Case(
                When(title__iexact=query, then=Value(0)),
                When(title__istartswith=query, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("closeness", "-published_at", "-pk")
    )
    return JsonResponse({"results": [picker_entry(article) for article in articles[:PICKER_LIMIT]]})


def picker_urls(model_admin) -> list[URLPattern]:
    """The picker's address, for the ModelAdmin's get_urls()."""
    view = model_admin.admin_site.admin_view(partial(picker_view, model_admin))
    return [path("picker/", view, name="articles_article_picker")]
