"""Shared fixtures: small factories and a throwaway MEDIA_ROOT for every test."""

import itertools

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache

from articles.models import Article
from catalogue.models import Author, Book, Contribution

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded and generated files go to a temp dir, never the developer's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache (rate-limit counters, cached lists)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def page_cache(request, settings):
    """The page cache is on only for tests marked `page_cache` (which run the on-commit
    invalidations): elsewhere a test's own writes, never committed, would go unseen."""
    if request.node.get_closest_marker("page_cache"):
        settings.PAGE_CACHE_SECONDS = 600
    else:
        settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    """The hashed-name storage needs collectstatic; tests render templates without it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def make_author(**fields) -> Author:
    fields.setdefault("name", f"Author {next(_numbers)}")
    return Author.objects.create(**fields)


def make_book(*, authors=(), **fields) -> Book:
    fields.setdefault("title", f"Book {next(_numbers)}")
    book = Book.objects.create(**fields)
    for position, author in enumerate(authors):
        Contribution.objects.create(book=book, author=author, position=position)
    return book


def make_article(**fields) -> Article:
    fields.setdefault("title", f"Article {next(_numbers)}")
    fields.setdefault("status", Article.Status.PUBLISHED)
    article = Article.objects.create(**fields)
    article.refresh_embedded_books()
    return article


def book_form(**overrides) -> dict:
    """Everything the desk's book form posts, with `overrides`."""
    data = {
        "title": "Beloved",
        "subtitle": "",
        "slug": "",
        "status": "published",
        "description": "",
        "isbn13": "",
        "asin": "",
        "publisher": "",
        "publication_date": "",
        "language": "",
        "print_length": "",
        "file_size_kb": "",
        "text_to_speech": "",
        "screen_reader": "",
        "enhanced_typesetting": "",
        "x_ray": "",
        "word_wise": "",
        "rating_source": "",
        "contributions-TOTAL_FORMS": "0",
        "contributions-INITIAL_FORMS": "0",
        "contributions-MIN_NUM_FORMS": "0",
        "contributions-MAX_NUM_FORMS": "1000",
    }
    for star in range(1, 6):
        data[f"source_ratings_{star}"] = "0"
    return {**data, **overrides}


def text_of(html: bytes | str, selector: str, separator: str = "") -> list[str]:
    """The text of each element matching a CSS selector, whitespace folded.

    Text from neighbouring elements is joined with `separator` (give " " for lists of
    terms and definitions, whose words would otherwise run together).
    """
    soup = BeautifulSoup(html, "html.parser")
    return [" ".join(el.get_text(separator).split()) for el in soup.select(selector)]


@pytest.fixture
def demo(db):
    from articles.demo import load_demo

    return load_demo()
