"""The demo's drawn cover is stored with its size, as an uploaded cover is: without it,
every read of the book opened the image file to measure it."""

import pytest

from articles.demo import load_demo
from catalogue.models import Book

pytestmark = pytest.mark.django_db


def test_the_demo_cover_is_stored_with_its_size():
    load_demo()
    book = Book.objects.get(slug="the-last-battle")
    assert book.cover
    # As stored (a Book made from the row measures an unmeasured file on the spot).
    stored = Book.objects.values_list("cover_width", "cover_height").get(pk=book.pk)
    assert stored == (book.cover.width, book.cover.height)


def test_loading_the_demo_again_measures_a_cover_stored_without_its_size():
    load_demo()
    Book.objects.filter(slug="the-last-battle").update(cover_width=None, cover_height=None)
    load_demo()
    stored = Book.objects.values_list("cover_width", "cover_height").get(slug="the-last-battle")
    assert all(stored)
