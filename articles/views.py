from django.conf import settings
from django.shortcuts import get_object_or_404, render

from catalogue.search import search_books

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
    query = " ".join(request.GET.get("q", "").split())[:200]
    books = search_books(query, limit=SEARCH_RESULT_COUNT)
    articles = list(Article.objects.published().search(query)[:SEARCH_RESULT_COUNT])
    return render(
        request, "articles/search.html", {"query": query, "books": books, "articles": articles}
    )
