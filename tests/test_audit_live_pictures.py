"""Audit: a contributor cannot change what a live article shows through its pictures.

A contributor changes their own drafts, and once an article is submitted or live it is
the editors' (ArticleAdmin). Their own pictures they could change whatever showed them:
the file, the alt text and the caption of a picture an editor had put in a live article
(or one scheduled to go live), all without review, as reversion's recover view once let
them rewrite a live article. Now a picture a public article shows (or is about to) is
the editors' to change, as the article is.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from articles.models import Article
from images.models import Image
from tests.desk.test_admin_routes import posted_form
from tests.factories import desk_client, make_article
from tests.pictures import make_ready_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer() -> Client:
    return desk_client("writer", "contributor")


def their_picture(**fields) -> Image:
    picture = make_ready_image(alt="A bridge at dawn", caption="Torgau, April 1945", **fields)
    writer = get_user_model().objects.get(username="writer")
    Image.objects.filter(pk=picture.pk).update(uploaded_by=writer)
    return Image.objects.get(pk=picture.pk)


def change(client: Client, picture: Image, **changes):
    url = f"/admin/images/image/{picture.pk}/change/"
    form = client.get(url)
    assert form.status_code == 200
    return client.post(url, {**posted_form(form), **changes})


def shown_in(picture: Image, **fields) -> Article:
    body = f"Words.\n\n[[image:{picture.pk}]]\n"
    return make_article(title="The meeting at the Elbe", body=body, **fields)


@pytest.mark.parametrize(
    "article",
    [
        {"status": Article.Status.PUBLISHED},
        {"status": Article.Status.PUBLISHED, "published_at": timezone.now() + timedelta(days=2)},
    ],
    ids=["live", "scheduled"],
)
def test_a_contributor_cannot_change_their_picture_a_public_article_shows(writer, article):
    picture = their_picture()
    live = shown_in(picture, **article)
    response = change(writer, picture, caption="Defaced", alt="Defaced")
    assert response.status_code == 403
    picture.refresh_from_db()
    assert (picture.caption, picture.alt) == ("Torgau, April 1945", "A bridge at dawn")
    if article.get("published_at") is None:
        page = Client().get(live.get_absolute_url()).content.decode()
        assert "Torgau, April 1945" in page and "Defaced" not in page


def test_a_contributor_still_changes_their_picture_only_drafts_show(writer):
    picture = their_picture()
    writer_user = get_user_model().objects.get(username="writer")
    shown_in(picture, status=Article.Status.DRAFT, created_by=writer_user)
    assert change(writer, picture, caption="Torgau, 25 April 1945").status_code == 302
    picture.refresh_from_db()
    assert picture.caption == "Torgau, 25 April 1945"


def test_an_editor_changes_a_picture_a_live_article_shows(writer):
    picture = their_picture()
    shown_in(picture, status=Article.Status.PUBLISHED)
    editor = desk_client("editor", "editor")
    assert change(editor, picture, caption="Torgau, 25 April 1945").status_code == 302
