from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.generic import ListView

from articles.models import Article

from .filters import BookFilterForm
from .models import STARS, Author, Book

BOOKS_PER_PAGE = 24
SERIES_LIMIT = 30
RELATED_LIMIT = 8


class BookListView(ListView):
    """Browse: filters and sort from the query string, a fixed number of queries a page."""

    context_object_name = "books"
    paginate_by = BOOKS_PER_PAGE
    template_name = "catalogue/book_list.html"

    def get_queryset(self):
        languages = (
            Book.objects.public().exclude(language="").order_by().values_list("language", flat=True)
        )
        self.form = BookFilterForm(self.request.GET, languages=list(languages.distinct()))
        return self.form.filter(Book.objects.public().with_rating().for_cards())

    def get_context_data(self, **kwargs):
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            form=self.form, query_string=query.urlencode(), filtered=bool(query), **kwargs
        )


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
    author_ids = [credit.author_id for credit in book.credits]
    related = Book.objects.public().for_cards().exclude(pk=book.pk)
    series = (
        list(related.filter(series=book.series).order_by("series_number", "title")[:SERIES_LIMIT])
        if book.series
        else []
    )
    by_same_authors = (
        list(
            related.filter(pk__in=Book.objects.filter(authors__in=author_ids).values("pk"))
            .exclude(pk__in=[other.pk for other in series])
            .order_by("-publication_year", "title")[:RELATED_LIMIT]
        )
        if author_ids
        else []
    )
    context = {
        "book": book,
        "rating_rows": rating_rows,
        "series_books": series,
        "other_books": by_same_authors,
        "articles": list(Article.objects.published().embedding(book)),
    }
    return render(request, "catalogue/book_detail.html", context)


def author_detail(request, slug: str):
    author = get_object_or_404(Author, slug=slug)
    books = (
        Book.objects.public()
        .filter(pk__in=author.contributions.values("book"))
        .for_cards()
        .order_by("series", "series_number", "title")
    )
    paginator = Paginator(books, BOOKS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "catalogue/author_detail.html",
        {"author": author, "books": page.object_list, "page_obj": page},
    )
