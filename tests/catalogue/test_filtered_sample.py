"""A list filtered by words that matches more books than its pages hold lists the first
of them added to the catalogue, sorted as chosen: the same books on every page and at
every visit, whichever index the database happens to walk to find them."""

import pytest

from catalogue import filtered_paging
from tests.factories import make_book
from tests.helpers import text_of

PER_PAGE = 24


def volumes(count: int) -> list:
    """Volumes whose years are out of the order they were added in."""
    return [
        make_book(title=f"Volume {number:02d}", publication_year=2000 + (37 * number) % count)
        for number in range(count)
    ]


# 30 volumes: every match is found at once; 70: more than twice the page, so the first
# added are looked up below the lowest ids found.
@pytest.mark.parametrize("count", [30, 70])
@pytest.mark.parametrize(
    "query", ["q=volume", "q=volume&year_min=1990", "q=volume&year_min=2000&sort=newest"]
)
def test_the_books_listed_are_the_first_added_whichever_filters_apply(
    client, db, monkeypatch, count, query
):
    monkeypatch.setattr(filtered_paging.FilteredPaginator, "max_pages", 1)  # one page listed
    first_added = {book.title for book in volumes(count)[:PER_PAGE]}
    html = client.get(f"/books/?{query}").content
    assert "the first 24 found are listed here" in text_of(html, ".page-summary")[0]
    assert set(text_of(html, ".book-card__title")) == first_added


def test_the_first_added_are_found_in_two_queries_however_many_match(
    client, db, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(filtered_paging.FilteredPaginator, "max_pages", 1)
    volumes(70)
    client.get("/books/?q=volume&year_min=1990")  # the cached languages
    with django_assert_num_queries(6):  # the ids met, the lowest below them, the page's 4
        client.get("/books/?q=volume&year_min=1990")
