"""The site's own pages: home, search over books and articles, about, robots.txt."""

import posixpath

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.exceptions import RequestDataTooBig
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.defaults import bad_request as django_bad_request
from django.views.generic import ListView, TemplateView
from django.views.static import serve

from articles.models import Article
from articles.share_images import FOLDER as SHARE_IMAGE_DIR
from catalogue.covers import ORIGINAL_DIR, PUBLIC_DIR, RENDITION_DIR
from catalogue.listed_cards import listed_cards
from catalogue.models import Book
from catalogue.search import search_books, suggest
from images.preparing import PUBLIC_DIR as PICTURE_DIR
from pagecache import media
from pagecache.tags import list_of, tags_for_ids
from pagecache.views import CachedPageMixin
from shared.sitemaps import RangeSitemap

from .search_results import articles_found

SEARCH_RESULT_COUNT = 20
QUERY_LENGTH = 200


class HomeView(CachedPageMixin, ListView):
    template_name = "website/home.html"
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.published().for_teasers()[: settings.HOME_ARTICLE_COUNT]

    def cache_tags(self):
        return [list_of(Article)]


def clean_query(text: str) -> str:
    """What the reader typed, spaces folded and cut to a sane length. NUL cannot be
    stored or searched (PostgreSQL refuses it); nobody types it either."""
    return " ".join(text.replace("\x00", " ").split())[:QUERY_LENGTH]


class SearchView(CachedPageMixin, TemplateView):
    """Books by title, author or ISBN, and articles by their words."""

    template_name = "website/search.html"
    cache_params = ["q"]
    book_ids: list[int] = []  # the books and articles shown, once searched
    article_ids: list[int] = []

    def get_context_data(self, **kwargs):
        query = clean_query(self.request.GET.get("q", ""))
        books = search_books(query, limit=SEARCH_RESULT_COUNT, for_cards=False)
        self.book_ids = [book.pk for book in books]
        self.article_ids, article_teasers = articles_found(query, limit=SEARCH_RESULT_COUNT)
        return super().get_context_data(
            query=query,
            # Each card kept across requests: a change to any book drops every search
            # page, seldom the books it lists.
            cards=listed_cards(books),
            # Nothing found is never a dead end: the titles and names closest to it.
            suggestions=[] if books else suggest(query),
            article_teasers=article_teasers,
            **kwargs,
        )

    def cache_tags(self):
        # And each book and article shown: a change to a book's credits or its own shop
        # links, or to an article's picture, drops the pages showing it, not the lists.
        return [
            list_of(Book),
            list_of(Article),
            *tags_for_ids(Book, self.book_ids),
            *tags_for_ids(Article, self.article_ids),
        ]


class AboutView(CachedPageMixin, TemplateView):
    template_name = "website/about.html"


class RobotsView(CachedPageMixin, TemplateView):
    """Crawlers may read everything public but search results (endless, thin pages); the
    sitemap lists what there is. The desk's address is not named here."""

    template_name = "website/robots.txt"
    content_type = "text/plain; charset=utf-8"

    def get_context_data(self, **kwargs):
        sitemap = self.request.build_absolute_uri(reverse("website:sitemap"))
        return super().get_context_data(sitemap_url=sitemap, **kwargs)


@require_safe
def serve_media(request, path: str):
    """Local media (covers, pictures, share images) when no object store or proxy serves
    MEDIA_URL: only files under covers/, images/ and share/, never an upload held until the
    worker has cleaned it (private/: see catalogue.covers.hold_upload and
    images.preparing.hold_upload). Renditions, cleaned originals, every file of a picture
    and share images are named by their content's hash, so browsers and
    shared caches may keep them for a year; any other file (a cover stored before uploads
    were cleaned, the demo's drawn ones) is checked again at each use, so one deleted or
    replaced under the same name goes at once."""
    # Normalised as serve() does, so covers/../private/… is refused, not served.
    name = posixpath.normpath(path).lstrip("/")
    if not name.startswith((f"{PUBLIC_DIR}/", f"{PICTURE_DIR}/", f"{SHARE_IMAGE_DIR}/")):
        raise Http404("No such file.")
    response = serve(request, name, document_root=settings.MEDIA_ROOT)
    if response.status_code in (200, 304):
        content_named = name.startswith(
            (f"{RENDITION_DIR}/", f"{ORIGINAL_DIR}/", f"{PICTURE_DIR}/", f"{SHARE_IMAGE_DIR}/")
        )
        response["Cache-Control"] = (
            "public, max-age=31536000, immutable" if content_named else "no-cache"
        )
        # Deleted, it is purged from the edges by that name (pagecache.media).
        media.tag_response(response, name)
    return response


def bad_request(request, exception):
    """A post too big to read (DATA_UPLOAD_MAX_MEMORY_SIZE) says so, and where the text
    is; any other bad request gets Django's own answer."""
    if isinstance(exception, RequestDataTooBig):
        limit_mb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1024 / 1024
        return render(request, "413.html", {"limit_mb": f"{limit_mb:g}"}, status=413)
    return django_bad_request(request, exception)


def sitemap_section(request, sitemaps: dict, section: str):
    """A sitemap file. Sections paged by key ranges (shared.sitemaps.RangeSitemap)
    are written straight from (path, date) pairs, 5,000 in a few tens of milliseconds;
    Django's view, which loads each item and renders a template, writes the small rest."""
    site = sitemaps.get(section)
    if site is None:
        raise Http404(f"No sitemap section {section!r}.")
    site = site() if isinstance(site, type) else site
    if not isinstance(site, RangeSitemap):
        return sitemap_views.sitemap(request, sitemaps, section)
    try:
        entries = site.entries(request.GET.get("p", 1))
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404("No such page of the sitemap.") from error
    origin = f"{request.scheme}://{request.get_host()}"
    lines = [
        f"<url><loc>{escape(origin + path)}</loc><lastmod>{updated:%Y-%m-%d}</lastmod></url>"
        for path, updated in entries
    ]
    response = HttpResponse(
        SITEMAP_HEAD + "\n".join(lines) + "\n</urlset>\n",
        content_type="application/xml; charset=utf-8",
    )
    response.headers["X-Robots-Tag"] = "noindex, noodp, noarchive"
    if entries:
        response.headers["Last-Modified"] = http_date(max(when for _, when in entries).timestamp())
    return response


SITEMAP_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
)
