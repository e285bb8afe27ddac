from django.urls import path
from django.views.generic import TemplateView

from config.pagecache import shared_page

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "articles/",
        shared_page(views.ArticleArchiveView.as_view(), params=["page"]),
        name="article-list",
    ),
    path("articles/<uslug:slug>/", views.article_detail, name="article-detail"),
    path("topics/<uslug:slug>/", views.topic_detail, name="topic-detail"),
    path("search/", views.search, name="search"),
    path("about/", shared_page(TemplateView.as_view(template_name="about.html")), name="about"),
]
