"""The book form's cover preview shows the cover readers see.

10,000 imported books have a cover at an address elsewhere and no upload; their form said
"No cover uploaded: readers see a generated one" while readers saw the imported cover.
"""

import pytest
from bs4 import BeautifulSoup

from tests.factories import make_book

pytestmark = pytest.mark.django_db


def cover_preview(client, book):
    page = BeautifulSoup(
        client.get(f"/admin/catalogue/book/{book.pk}/change/").content, "html.parser"
    )
    return page.select_one(".field-cover_preview .readonly")


def test_an_imported_cover_is_shown_as_the_one_readers_see(editor):
    book = make_book(cover_url="https://images.gr-assets.com/books/1447303603m/2767052.jpg")
    preview = cover_preview(editor, book)
    assert preview.select_one("img")["src"] == book.cover_url
    assert "generated" not in preview.get_text()
    assert "Readers see this cover, from the cover image URL below" in preview.get_text()


def test_a_book_without_any_cover_says_readers_see_a_generated_one(editor):
    preview = cover_preview(editor, make_book())
    assert preview.select_one("img") is None
    assert preview.get_text(strip=True) == "No cover uploaded: readers see a generated one."
