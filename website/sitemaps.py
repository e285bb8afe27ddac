"""The sitemap: the site's fixed pages here, the articles' and the catalogue's sections
from their apps. Sitemaps are cached like pages, and may be up to PAGE_CACHE_SECONDS
behind: crawlers read them now and then, and re-rendering 10,000 books on every change
would cost more."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.sitemaps import ArticleSitemap, TopicSitemap
from catalogue.sitemaps import AuthorSitemap, BookSitemap, ReadingListSitemap


class PageSitemap(Sitemap):
    """The fixed pages: home, the article archive, the catalogue, the reading lists, about."""

    def items(self):
        return [
            "website:home",
            "articles:article-list",
            "catalogue:book-list",
            "catalogue:list-list",
            "website:about",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "topics": TopicSitemap,
    "books": BookSitemap,
    "authors": AuthorSitemap,
    "lists": ReadingListSitemap,
}
