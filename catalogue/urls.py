from django.urls import path

import shared.converters  # noqa: F401  (registers <uslug:…>)

from . import list_views, shop_clicks, views
from .share_cards import drawn_cover_view

app_name = "catalogue"

urlpatterns = [
    path("books/", views.BookListView.as_view(), name="book-list"),
    path("books/<uslug:slug>/", views.BookDetailView.as_view(), name="book-detail"),
    path("books/<uslug:slug>/rate/", views.rate_book, name="book-rate"),
    path("books/<uslug:slug>/cover/<str:key>.jpg", drawn_cover_view, name="book-drawn-cover"),
    path("go/<int:book_id>/<slug:shop>/", shop_clicks.shop_click, name="shop-click"),
    path("authors/<uslug:slug>/", views.AuthorDetailView.as_view(), name="author-detail"),
    path("lists/", list_views.ReadingListIndexView.as_view(), name="list-list"),
    path("lists/<uslug:slug>/", list_views.ReadingListDetailView.as_view(), name="list-detail"),
]
