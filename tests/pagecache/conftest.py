"""Fixtures of the page cache's tests."""

import pytest

from tests.factories import make_article, make_author, make_book


@pytest.fixture
def site(db, django_capture_on_commit_callbacks):
    """A book by an author, and an article showing its card; made in commits, so the page
    cache's invalidations ran (a module adds what else it needs)."""
    with django_capture_on_commit_callbacks(execute=True):
        author = make_author(name="Stephen Harding")
        book = make_book(title="The Last Battle", slug="the-last-battle", authors=[author])
        article = make_article(title="Unlikely Allies", body="Text\n\n[[book:the-last-battle]]\n")
    return {"book": book, "article": article, "author": author}
