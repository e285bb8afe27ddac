from django.shortcuts import get_object_or_404, render
from django.views.generic import ListView

from articles.models import Article

from .models import STARS, Author, Book

BOOKS_PER_PAGE = 24


class BookListView(ListView):
    queryset = Book.objects.public().for_cards()
    context_object_name = "books"
    paginate_by = BOOKS_PER_PAGE
    template_name = "catalogue/book_list.html"


def book_detail(request, slug: str):
    book = get_object_or_404(Book.objects.public().for_cards(), slug=slug)
    histogram = book.rating_histogram
    total = sum(histogram)
    rating_rows = (
        [
            {"stars": star, "count": count, "total": total, "percent": round(100 * count / total)}
            for star, count in reversed(list(zip(STARS, histogram, strict=True)))
        ]
        if total
        else []
    )
    articles = Article.objects.published().embedding(book)
    return render(
        request,
        "catalogue/book_detail.html",
        {"book": book, "rating_rows": rating_rows, "articles": articles},
    )


def author_detail(request, slug: str):
    author = get_object_or_404(Author, slug=slug)
    books = author.books.public().for_cards().distinct()
    return render(request, "catalogue/author_detail.html", {"author": author, "books": books})
