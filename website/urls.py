from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from pagecache.decorators import shared_page

from . import views
from .sitemaps import SITEMAPS

app_name = "website"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
    path(
        "sitemap.xml",
        shared_page(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "website:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        shared_page(views.sitemap_section, params=["p"]),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
]
