from django.conf import settings
from django.db.models import Q
from django.shortcuts import get_object_or_404, render

from catalogue.isbn import looks_like_isbn, normalise_isbn13
from catalogue.models import Book

from .models import Article

SEARCH_RESULT_COUNT = 20


def home(request):
    articles = Article.objects.published()[: settings.HOME_ARTICLE_COUNT]
    return render(request, "articles/home.html", {"articles": articles})


def article_detail(request, slug: str):
    article = get_object_or_404(Article.objects.published(), slug=slug)
    body = article.render_body()
    recommendations = article.recommendations([book.pk for book in body.books])
    return render(
        request,
        "articles/article_detail.html",
        {"article": article, "body": body, "recommendations": recommendations},
    )


def search(request):
    query = request.GET.get("q", "").strip()[:200]
    books, articles = [], []
    if query:
        book_match = Q(title__icontains=query) | Q(authors__name__icontains=query)
        if looks_like_isbn(query):
            book_match |= Q(isbn13=normalise_isbn13(query))
        books = list(
            Book.objects.public()
            .filter(pk__in=Book.objects.filter(book_match).values("pk"))
            .for_cards()[:SEARCH_RESULT_COUNT]
        )
        articles = list(
            Article.objects.published().filter(
                Q(title__icontains=query) | Q(body__icontains=query)
            )[:SEARCH_RESULT_COUNT]
        )
    return render(
        request, "articles/search.html", {"query": query, "books": books, "articles": articles}
    )
