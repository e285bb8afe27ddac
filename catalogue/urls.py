from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("books/", views.BookListView.as_view(), name="book-list"),
    path("books/<str:slug>/", views.book_detail, name="book-detail"),
    path("books/<str:slug>/rate/", views.rate_book, name="book-rate"),
    path("authors/<str:slug>/", views.author_detail, name="author-detail"),
]
