from django.urls import path

import shared.converters  # noqa: F401  (registers <uslug:…>)

from . import shop_clicks, views

app_name = "catalogue"

urlpatterns = [
    path("books/", views.BookListView.as_view(), name="book-list"),
    path("books/<uslug:slug>/", views.BookDetailView.as_view(), name="book-detail"),
    path("books/<uslug:slug>/rate/", views.rate_book, name="book-rate"),
    path("go/<int:book_id>/<slug:shop>/", shop_clicks.shop_click, name="shop-click"),
    path("authors/<uslug:slug>/", views.AuthorDetailView.as_view(), name="author-detail"),
]
