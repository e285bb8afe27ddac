import re

from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path, register_converter
from django.views.static import serve

from articles.sitemaps import ArticleSitemap, PageSitemap, TopicSitemap
from catalogue.converters import UnicodeSlugConverter
from catalogue.sitemaps import AuthorSitemap, BookSitemap
from config.pagecache import shared_page

register_converter(UnicodeSlugConverter, "uslug")

admin.site.site_header = "Colophon editors’ desk"
admin.site.site_title = "Colophon desk"
admin.site.index_title = "Articles, books and ratings"

# Sitemaps are cached like pages, and may be up to PAGE_CACHE_SECONDS behind: crawlers
# read them now and then, and re-rendering 10,000 books on every change would cost more.
SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "topics": TopicSitemap,
    "books": BookSitemap,
    "authors": AuthorSitemap,
}

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path(
        "sitemap.xml",
        shared_page(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        shared_page(sitemap_views.sitemap, params=["p"]),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("", include("catalogue.urls")),
    path("", include("articles.urls")),
]


def serve_media(request, path: str):
    """Local media (covers) when no object store or proxy serves MEDIA_URL. Cover
    renditions are named by their content's hash, so browsers may keep them for a year;
    uploads for a day (a new upload gets a new name, but a deleted name may come back)."""
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    if response.status_code == 200:
        immutable = path.startswith("covers/renditions/")
        response["Cache-Control"] = (
            "public, max-age=31536000, immutable" if immutable else "public, max-age=86400"
        )
    return response


if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^{}(?P<path>.*)$".format(re.escape(settings.MEDIA_URL.lstrip("/"))), serve_media)
    ]
