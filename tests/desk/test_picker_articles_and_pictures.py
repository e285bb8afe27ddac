"""The `[[` picker also finds articles (to link) and pictures (to embed): the JSON at
/admin/articles/article/picker/ and /admin/images/image/picker/ that book_picker.js asks
beside the books'."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client

from articles.models import Article
from images.models import Image
from tests.factories import make_article

pytestmark = pytest.mark.django_db
ARTICLES = "/admin/articles/article/picker/"
PICTURES = "/admin/images/image/picker/"


def client_for(username: str, role: str) -> Client:
    call_command("createeditor", username, role=role, stdout=io.StringIO())
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def found(client: Client, url: str, query: str) -> list[dict]:
    response = client.get(url, {"q": query})
    assert response.status_code == 200
    return response.json()["results"]


@pytest.fixture
def articles(db):
    casey = client_for("casey", "contributor")
    sam = client_for("sam", "contributor")
    users = get_user_model().objects
    return {
        "casey": casey,
        "sam": sam,
        "live": make_article(title="Torgau [1945]", slug="torgau-1945"),
        "caseys draft": make_article(
            title="Torgau, a draft",
            status=Article.Status.DRAFT,
            created_by=users.get(username="casey"),
        ),
        "sams draft": make_article(
            title="Torgau, Sam's notes",
            status=Article.Status.DRAFT,
            created_by=users.get(username="sam"),
        ),
    }


def test_an_article_is_offered_as_a_markdown_link_to_its_page(admin_client, articles):
    results = found(admin_client, ARTICLES, "torgau [1945]")
    assert results[0]["title"] == "Torgau [1945]"  # the exact title first
    assert results[0]["link"] == r"[Torgau \[1945\]](/articles/torgau-1945/)"
    assert results[0]["status_label"] == "Published"


def test_editors_find_every_article_and_contributors_the_published_and_their_own(
    admin_client, articles
):
    def titles(client):
        return sorted(result["title"] for result in found(client, ARTICLES, "torgau"))

    assert titles(admin_client) == ["Torgau [1945]", "Torgau, Sam's notes", "Torgau, a draft"]
    assert titles(articles["casey"]) == ["Torgau [1945]", "Torgau, a draft"]
    assert titles(articles["sam"]) == ["Torgau [1945]", "Torgau, Sam's notes"]
    assert found(admin_client, ARTICLES, "") == []


@pytest.fixture
def pictures(db, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    made = []
    for alt, credit in [("The bridge at Torgau", "Photo: US Army"), ("A map of the Elbe", "")]:
        image = Image(alt=alt, credit=credit, licence="Public domain")
        image.file.save("picture.png", ContentFile(b"not read here"), save=False)
        image.save()
        made.append(image)
    return made


def test_a_picture_is_found_by_its_words_or_its_number_with_its_embed_line(admin_client, pictures):
    bridge, elbe = pictures
    results = found(admin_client, PICTURES, "torgau army")
    assert [result["embed"] for result in results] == [f"[[image:{bridge.pk}]]"]
    assert results[0]["title"] == "The bridge at Torgau"
    assert results[0]["about"] == "Photo: US Army · Public domain"
    assert results[0]["thumbnail"] is None  # being prepared: its upload is never served
    assert [r["id"] for r in found(admin_client, PICTURES, f"image:{elbe.pk}")] == [elbe.pk]
    assert [r["id"] for r in found(admin_client, PICTURES, str(elbe.pk))] == [elbe.pk]
    # A digit int() cannot read is words, not a number (it answered 500).
    assert found(admin_client, PICTURES, "image:²") == []


def test_contributors_find_pictures_too(pictures):
    assert len(found(client_for("casey", "contributor"), PICTURES, "public domain")) == 2
