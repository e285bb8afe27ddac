"""The book's delete page lists what goes with it as Django would, naming each embed by
the article that loses the card (catalogue/admin/books.py rebuilds Django's list)."""

import pytest
from django.contrib import admin
from django.contrib.admin.utils import get_deleted_objects
from django.test import RequestFactory

from catalogue.models import Book
from tests.factories import make_article, make_author, make_book

pytestmark = pytest.mark.django_db


def both_lists(books, user):
    request = RequestFactory().get("/")
    request.user = user
    ours = admin.site.get_model_admin(Book).get_deleted_objects(books, request)
    djangos = get_deleted_objects(books, request, admin.site)
    return ours, djangos


def test_without_embeds_the_list_is_djangos_own(admin_user):
    # Breaks when Django changes how its delete list is made: then books.py follows it.
    book = make_book(title="Dune", slug="dune", authors=[make_author(name="Frank Herbert")])
    book.slug = "dune-1965"
    book.save()  # the rename leaves an old address behind, deleted with the book
    ours, djangos = both_lists(Book.objects.filter(pk=book.pk), admin_user)
    assert ours == djangos
    assert len(ours[1]) == 3  # the book, its credit and its old address


def test_each_embed_is_named_by_its_article_and_nothing_else_changes(admin_user):
    book = make_book(title="Dune", slug="dune")
    make_article(title="Desert planets", body="[[book:dune]]\n")
    (to_delete, counts, perms, protected), djangos = both_lists([book], admin_user)
    assert to_delete[1] == ["Its card in “Desert planets” (live)"]
    assert to_delete[0] == djangos[0][0]
    assert counts == {"books": 1, "embeds in articles": 1}
    assert (perms, protected) == (djangos[2], djangos[3])
