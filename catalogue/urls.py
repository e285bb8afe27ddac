from django.urls import path

from config.pagecache import shared_page

from . import views
from .filters import BookFilterForm

app_name = "catalogue"

urlpatterns = [
    path(
        "books/",
        shared_page(views.BookListView.as_view(), params=[*BookFilterForm.base_fields, "page"]),
        name="book-list",
    ),
    path("books/<uslug:slug>/", views.book_detail, name="book-detail"),
    path("books/<uslug:slug>/rate/", views.rate_book, name="book-rate"),
    path("authors/<uslug:slug>/", views.author_detail, name="author-detail"),
]
