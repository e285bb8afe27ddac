"""Where a book is used costs the same queries however many articles embed it: each
article's state and writer come with it (catalogue.where_used)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article
from catalogue.where_used import where_used
from tests.factories import make_article, make_book

pytestmark = pytest.mark.django_db


def queries_of(book) -> int:
    with CaptureQueriesContext(connection) as queries:
        used = where_used(book, may_open=lambda article: article.created_by_id is None)
        assert used
    return len(queries)


def test_where_a_book_is_used_costs_the_same_for_one_article_or_six():
    book = make_book(title="Fire", slug="fire")
    make_article(body="[[book:fire]]")
    one = queries_of(book)
    for status in [Article.Status.PUBLISHED] * 2 + [Article.Status.DRAFT] * 3:
        make_article(body="[[book:fire]]", status=status)
    used = where_used(book, may_open=lambda article: True)
    assert len(used.live) == 3 and len(used.drafts) == 3
    assert queries_of(book) == one
