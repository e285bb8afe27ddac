"""The ratings list says who rated in readers' words: its filter offered "By user: Empty,
Not empty" to tell anonymous visitors from signed-in readers."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model

from catalogue.ratings import Reader, rate
from tests.factories import make_book
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def ratings():
    book = make_book(title="Kindred")
    reader = get_user_model().objects.create_user("octavia", password="a-long-pass-phrase-9")
    rate(book=book, reader=Reader(user_id=reader.pk), score=5)
    rate(book=book, reader=Reader(visitor="anon1"), score=2)
    rate(book=book, reader=Reader(visitor="anon2"), score=3)


def readers_listed(client, query: str = "") -> list[str]:
    page = client.get(f"/admin/catalogue/rating/{query}")
    return sorted(text_of(page.content, "#result_list td.field-reader_link"))


def test_the_reader_filter_names_signed_in_readers_and_anonymous_visitors(editor, ratings):
    page = BeautifulSoup(editor.get("/admin/catalogue/rating/").content, "html.parser")
    filters = {
        " ".join(heading.get_text().split()): [
            " ".join(choice.get_text().split()) for choice in heading.find_next("ul").select("li")
        ]
        for heading in page.select("#changelist-filter details summary, #changelist-filter h3")
    }
    assert filters["By reader"] == ["All", "Signed-in readers", "Anonymous visitors"]
    assert "By user" not in filters


def test_each_choice_lists_its_readers_ratings(editor, ratings):
    assert readers_listed(editor, "?user__isempty=0") == ["octavia"]
    assert readers_listed(editor, "?user__isempty=1") == ["visitor anon1", "visitor anon2"]
    assert len(readers_listed(editor)) == 3


def test_a_list_narrowed_by_a_link_says_to_what(editor, ratings):
    book = make_book(title="Dawn")
    rate(book=book, reader=Reader(visitor="anon3"), score=4)
    heading = text_of(
        editor.get(f"/admin/catalogue/rating/?book__id__exact={book.pk}").content, "h1"
    )
    assert heading == ["Ratings of “Dawn”"]
    octavia = get_user_model().objects.get(username="octavia")
    by_reader = editor.get(f"/admin/catalogue/rating/?user__id__exact={octavia.pk}")
    assert text_of(by_reader.content, "h1") == ["Ratings by octavia"]
    assert text_of(editor.get("/admin/catalogue/rating/?visitor=anon3").content, "h1") == [
        "Ratings by visitor anon3"
    ]
    assert text_of(editor.get("/admin/catalogue/rating/").content, "h1") == [
        "Select rating to view"
    ]
