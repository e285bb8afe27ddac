from django.urls import path
from django.views.generic import TemplateView

from config.pagecache import shared_page, tagged_view

from . import views
from .feeds import LatestArticlesFeed

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "articles/",
        shared_page(views.ArticleArchiveView.as_view(), params=["page"]),
        name="article-list",
    ),
    path(
        "articles/feed.xml",
        shared_page(tagged_view(LatestArticlesFeed(), "article-list")),
        name="feed",
    ),
    path("articles/<uslug:slug>/", views.article_detail, name="article-detail"),
    path("topics/<uslug:slug>/", views.topic_detail, name="topic-detail"),
    path("search/", views.search, name="search"),
    path("about/", shared_page(TemplateView.as_view(template_name="about.html")), name="about"),
    path("robots.txt", views.robots_txt, name="robots"),
]
