from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.generic import ListView

from catalogue.search import search_books
from config.pagecache import shared_page, tagged

from .models import Article, Topic

SEARCH_RESULT_COUNT = 20
ARCHIVE_PAGE_SIZE = 20


@shared_page
def home(request):
    articles = list(Article.objects.published()[: settings.HOME_ARTICLE_COUNT])
    return tagged(render(request, "articles/home.html", {"articles": articles}), "article-list")


class ArticleArchiveView(ListView):
    """Every public article, newest first."""

    context_object_name = "articles"
    paginate_by = ARCHIVE_PAGE_SIZE
    template_name = "articles/article_list.html"

    def get_queryset(self):
        # Not a class attribute: published() reads the clock, and must at each request.
        return Article.objects.published()

    def render_to_response(self, context, **kwargs):
        return tagged(super().render_to_response(context, **kwargs), "article-list")


@shared_page(params=["page"])
def topic_detail(request, slug: str):
    topic = get_object_or_404(Topic, slug=slug)
    paginator = Paginator(topic.articles.published(), ARCHIVE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return tagged(
        render(
            request,
            "articles/topic_detail.html",
            {"topic": topic, "articles": page.object_list, "page_obj": page},
        ),
        f"topic:{topic.pk}",
        "article-list",
    )


@shared_page
def article_detail(request, slug: str):
    article = get_object_or_404(Article.objects.published(), slug=slug)
    body = article.render_body()
    recommendations = article.recommendations()
    topics = list(article.topics.all())
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "body": body,
            "recommendations": recommendations,
            "topics": topics,
        },
    )
    return tagged(
        response,
        f"article:{article.pk}",
        # Read next may be topped up with the latest articles.
        "article-list",
        *(f"book:{book.pk}" for book in body.books),
        *(f"article:{other.pk}" for other in recommendations),
        *(f"topic:{topic.pk}" for topic in topics),
    )


@shared_page(params=["q"])
def search(request):
    # NUL cannot be stored or searched (PostgreSQL refuses it); nobody types it either.
    query = " ".join(request.GET.get("q", "").replace("\x00", " ").split())[:200]
    books = search_books(query, limit=SEARCH_RESULT_COUNT)
    articles = list(Article.objects.published().search(query)[:SEARCH_RESULT_COUNT])
    return tagged(
        render(
            request, "articles/search.html", {"query": query, "books": books, "articles": articles}
        ),
        "book-list",
        "article-list",
    )


@shared_page
def robots_txt(request):
    """Crawlers may read everything public but search results (endless, thin pages); the
    sitemap lists what there is. The desk's address is not named here."""
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /search/", f"Sitemap: {sitemap}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
