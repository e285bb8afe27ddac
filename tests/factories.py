"""Small factories for tests: rows with just what a test needs, desk accounts, and a desk
form's data."""

import itertools
import os
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from articles.models import Article
from catalogue.models import Author, Book, Contribution

_numbers = itertools.count(1)


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


DESK_PASSWORD = "a-long-pass-phrase-9"


def desk_client(name: str, role: str) -> Client:
    """A client signed in as a new desk account, made as `manage.py createeditor NAME
    --role ROLE` makes it (role: contributor, editor or administrator)."""
    with mock.patch.dict(os.environ, {"COLOPHON_PASSWORD": DESK_PASSWORD}):
        call_command("createeditor", name, role=role, stdout=None)
    client = Client()
    client.force_login(get_user_model().objects.get(username=name))
    return client


def article_form(**overrides) -> dict:
    """What the desk's article form posts for a new published article, with `overrides`:
    no publication time, so it is published at once."""
    blank = dict.fromkeys(["slug", "standfirst"], "")
    published = {"status": "published", "published_at_0": "", "published_at_1": ""}
    return {"title": "A new piece", "byline": "Colophon", "body": "Some words.", **blank,
            **published, **overrides}  # fmt: skip


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
        "shop_links-TOTAL_FORMS": "0",
        "shop_links-INITIAL_FORMS": "0",
        "shop_links-MIN_NUM_FORMS": "0",
        "shop_links-MAX_NUM_FORMS": "1000",
    }
    for star in range(1, 6):
        data[f"source_ratings_{star}"] = "0"
    return {**data, **overrides}
