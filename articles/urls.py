from django.urls import path

import shared.converters  # noqa: F401  (registers <uslug:…>)
from pagecache.decorators import shared_page

from . import feeds, previews, views

app_name = "articles"

# Each feed in Atom (feed.xml) and RSS 2.0 (feed.rss); its response carries its cache
# tags (feeds.ArticlesFeed.cache_tags).
urlpatterns = [
    path("articles/", views.ArticleArchiveView.as_view(), name="article-list"),
    path("articles/feed.xml", shared_page(feeds.LatestArticlesFeed()), name="feed"),
    path("articles/feed.rss", shared_page(feeds.LatestArticlesRss()), name="feed-rss"),
    path("articles/<uslug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
    # A signed link to an unpublished article, for reviewers; never cached (articles/previews.py).
    path("articles/preview/<str:token>/", previews.shared_preview_view, name="article-preview"),
    path("topics/<uslug:slug>/", views.TopicDetailView.as_view(), name="topic-detail"),
    path("topics/<uslug:slug>/feed.xml", shared_page(feeds.TopicFeed()), name="topic-feed"),
    path("topics/<uslug:slug>/feed.rss", shared_page(feeds.TopicRss()), name="topic-feed-rss"),
    # Listed here, not in the catalogue, because it lists articles; the author's page
    # links it by name.
    path("authors/<uslug:slug>/feed.xml", shared_page(feeds.AuthorFeed()), name="author-feed"),
    path("authors/<uslug:slug>/feed.rss", shared_page(feeds.AuthorRss()), name="author-feed-rss"),
]
