from django.urls import path

import shared.converters  # noqa: F401  (registers <uslug:…>)
from pagecache.decorators import shared_page, view_showing
from pagecache.tags import list_of

from . import previews, views
from .feeds import LatestArticlesFeed
from .models import Article

app_name = "articles"

urlpatterns = [
    path("articles/", views.ArticleArchiveView.as_view(), name="article-list"),
    path(
        "articles/feed.xml",
        shared_page(view_showing(LatestArticlesFeed(), list_of(Article))),
        name="feed",
    ),
    path("articles/<uslug:slug>/", views.ArticleDetailView.as_view(), name="article-detail"),
    # A signed link to an unpublished article, for reviewers; never cached (articles/previews.py).
    path("articles/preview/<str:token>/", previews.shared_preview_view, name="article-preview"),
    path("topics/<uslug:slug>/", views.TopicDetailView.as_view(), name="topic-detail"),
]
