"""Audit: a contributor reads no other writer's unpublished article on the desk.

A contributor sees and changes only the articles they made (ArticleAdmin), yet may open
the forms of books, reading lists and pictures (to embed them). Their "Where used"
named every article embedding the thing, drafts and scheduled ones of other writers
included, with their titles and links: a title is what an embargo keeps. Now each
article the person may not open at the desk is counted, not named.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article
from catalogue.reading_lists import ReadingList
from tests.factories import desk_client, make_article, make_book
from tests.pictures import make_ready_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk():
    clients = {
        "writer": desk_client("writer", "contributor"),
        "other writer": desk_client("other-writer", "contributor"),
        "editor": desk_client("editor", "editor"),
    }
    users = {name: get_user_model().objects.get(username=name) for name in ["writer", "editor"]}
    users["other writer"] = get_user_model().objects.get(username="other-writer")
    return clients, users


@pytest.fixture
def used(desk):
    """A book, a list and a picture, each in the writer's draft, another writer's draft,
    an editor's scheduled article and a live one."""
    _, users = desk
    book = make_book(title="Dune", slug="dune")
    reading_list = ReadingList.objects.create(title="Deserts", slug="deserts", status="published")
    picture = make_ready_image(alt="Sand")
    body = f"Words.\n\n[[book:dune]]\n\n[[list:deserts]]\n\n[[image:{picture.pk}]]\n"
    soon = timezone.now() + timedelta(days=3)
    made = {
        "Own draft": {"status": Article.Status.DRAFT, "created_by": users["writer"]},
        "Embargoed rival draft": {
            "status": Article.Status.DRAFT,
            "created_by": users["other writer"],
        },
        "Embargoed scheduled piece": {
            "status": Article.Status.PUBLISHED,
            "published_at": soon,
            "created_by": users["editor"],
        },
        "Live piece": {"status": Article.Status.PUBLISHED, "created_by": users["editor"]},
    }
    for title, fields in made.items():
        make_article(title=title, body=body, featured_image=picture, **fields)
    return {
        "book": f"/admin/catalogue/book/{book.pk}/change/",
        "reading list": f"/admin/catalogue/readinglist/{reading_list.pk}/change/",
        "picture": f"/admin/images/image/{picture.pk}/change/",
    }


@pytest.mark.parametrize("thing", ["book", "reading list", "picture"])
def test_a_contributor_reads_only_their_own_and_live_articles_in_where_used(desk, used, thing):
    clients, _ = desk
    page = clients["writer"].get(used[thing])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Own draft" in text and "Live piece" in text
    assert "Embargoed" not in text
    assert "2 more not public, which only their writers and editors open" in text


@pytest.mark.parametrize("thing", ["book", "reading list", "picture"])
def test_an_editor_reads_every_article_in_where_used(desk, used, thing):
    clients, _ = desk
    text = clients["editor"].get(used[thing]).content.decode()
    for title in ["Own draft", "Embargoed rival draft", "Embargoed scheduled piece", "Live piece"]:
        assert title in text
    assert "more not public" not in text
