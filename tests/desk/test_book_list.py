"""The desk's book list: every cover shown, the slug, ratings to sort by."""

import re

import pytest
from bs4 import BeautifulSoup
from django.conf import settings

from catalogue import covers
from tests.factories import make_book
from tests.helpers import text_of

pytestmark = pytest.mark.django_db
GOODREADS_COVER = "https://images.gr-assets.com/books/1447303603m/2767052.jpg"


def test_imported_and_drawn_covers_show_in_the_list(admin_client):
    make_book(title="Imported", cover_url=GOODREADS_COVER)
    make_book(title="Drawn")
    page = admin_client.get("/admin/catalogue/book/").content.decode()
    assert f'src="{GOODREADS_COVER}"' in page
    assert f'class="desk-cover desk-cover--hue-{covers.cover_hue("Drawn")}"' in page


def test_the_desk_draws_covers_in_the_sites_colours():
    css = (settings.BASE_DIR / "desk" / "static" / "desk" / "desk.css").read_text()
    hues = re.findall(r"\.desk-cover--hue-(\d+) \{ background: #([0-9a-f]{6}); \}", css)
    assert [(int(hue), tuple(bytes.fromhex(colour))) for hue, colour in hues] == list(
        enumerate(covers.PALETTE)
    )


def test_the_list_shows_slugs_and_sorts_by_rating(admin_client):
    for title, stars in [("Middling", 3), ("Best", 5), ("Worst", 1)]:
        make_book(title=title, slug=title.lower(), **{f"source_ratings_{stars}": 10})
    make_book(title="Unrated")
    page = admin_client.get("/admin/catalogue/book/")
    assert text_of(page.content, "td.field-slug") == ["best", "middling", "unrated", "worst"]
    header = BeautifulSoup(page.content, "html.parser").select_one(
        "#result_list thead th.column-rating_display a"
    )
    best_first = admin_client.get(f"/admin/catalogue/book/{header['href']}")
    assert text_of(best_first.content, "td.field-title") == ["Best", "Middling", "Worst", "Unrated"]
