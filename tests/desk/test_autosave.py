"""What an editor types is kept on the server, for them alone, until they save."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from desk.models import AutosavedForm
from tests.factories import make_article
from tests.helpers import form_values

pytestmark = pytest.mark.django_db
URL = "/admin/desk/autosave/"


@pytest.fixture
def article():
    return make_article(title="Torgau", body="The first words.")


def keep(client, key, **fields):
    return client.post(URL, {"key": key, "fields": json.dumps(fields)})


def test_what_is_typed_is_kept_and_offered_when_the_form_opens_again(admin_client, article):
    key = f"articles.article:{article.pk}"
    assert keep(admin_client, key, body="Words not saved yet.", title="Torgau").status_code == 200
    page = admin_client.get(f"/admin/articles/article/{article.pk}/change/").content.decode()
    assert f'data-key="{key}"' in page
    assert 'data-kept-at="' in page and 'data-kept-at=""' not in page
    kept = admin_client.get(URL, {"key": key}).json()
    assert kept["fields"]["body"] == "Words not saved yet."


def test_each_editor_sees_only_their_own(admin_client, article):
    key = f"articles.article:{article.pk}"
    keep(admin_client, key, body="Mine.")
    call_command("createeditor", "colleague", role="editor", stdout=io.StringIO())
    colleague = get_user_model().objects.get(username="colleague")
    other = Client()
    other.force_login(colleague)
    assert other.get(URL, {"key": key}).json()["fields"] is None
    keep(other, key, body="Theirs.")
    assert admin_client.get(URL, {"key": key}).json()["fields"]["body"] == "Mine."
    assert AutosavedForm.objects.count() == 2


def test_saving_the_form_forgets_what_was_kept(admin_client, article):
    key = f"articles.article:{article.pk}"
    keep(admin_client, key, body="Kept.")
    data = form_values(admin_client.get(f"/admin/articles/article/{article.pk}/change/"))
    data.update(body="Saved now.", _save="Save")
    assert (
        admin_client.post(f"/admin/articles/article/{article.pk}/change/", data).status_code == 302
    )
    assert not AutosavedForm.objects.exists()


def test_discarding_drops_it(admin_client, article):
    key = f"articles.article:{article.pk}"
    keep(admin_client, key, body="Kept.")
    assert admin_client.post(URL, {"key": key, "discard": "1"}).json() == {"discarded": True}
    assert not AutosavedForm.objects.exists()


def test_bad_or_anonymous_requests_are_refused(client, admin_client):
    assert client.post(URL, {"key": "articles.article:1", "fields": "{}"}).status_code == 302
    assert admin_client.post(URL, {"key": "x", "fields": "not json"}).status_code == 400
    assert admin_client.post(URL, {"key": "x", "fields": "[1, 2]"}).status_code == 400
    huge = json.dumps({"body": "x" * (4 * 1024 * 1024 + 1)})
    assert admin_client.post(URL, {"key": "x", "fields": huge}).status_code == 413
    assert not AutosavedForm.objects.exists()


def contributor_client() -> Client:
    call_command("createeditor", "casey", role="contributor", stdout=io.StringIO())
    client = Client()
    client.force_login(get_user_model().objects.get(username="casey"))
    return client


def test_only_the_address_of_a_desk_form_the_editor_may_open_is_kept(admin_client, article):
    made_up = [
        "x", "articles.article", "articles.nothing:new", "sessions.session:new",
        "articles.article:999999", "articles.article:abc", "articles.article:1:2",
    ]  # fmt: skip
    for key in made_up:
        refused = keep(admin_client, key, body="Words.")
        assert refused.status_code == 400, key
        assert refused.json()["error"] == "This is not a desk form you may open: nothing was kept."
    live = f"articles.article:{article.pk}"  # published: a contributor may not change it
    assert keep(contributor_client(), live, body="Not theirs.").status_code == 400
    assert not AutosavedForm.objects.exists()
    assert keep(admin_client, "articles.article:new", body="A new piece.").status_code == 200
    assert keep(admin_client, live, body="Mine.").status_code == 200


def test_a_form_larger_than_an_article_holds_is_refused_with_a_message(admin_client, article):
    key = f"articles.article:{article.pk}"
    longest = "x" * 500_000  # the longest body an article takes
    assert (
        keep(admin_client, key, title="Torgau", standfirst="A meeting.", body=longest).status_code
        == 200
    )
    refused = keep(admin_client, key, body="x" * 4 * 1024 * 1024)
    assert refused.status_code == 413
    assert "your changes are still in the form, save it to keep them" in refused.json()["error"]
    assert AutosavedForm.objects.get().fields["body"] == longest  # the last copy kept stays


def test_an_editor_keeps_twenty_forms_and_is_told_which_when_refused_more(admin_client):
    articles = [make_article(title=f"Piece {number}") for number in range(22)]
    for article in articles[:20]:
        assert (
            keep(admin_client, f"articles.article:{article.pk}", body="Typed.").status_code == 200
        )

    refused = keep(admin_client, f"articles.article:{articles[20].pk}", body="Typed.")
    assert refused.status_code == 400
    message = refused.json()["error"]
    assert message.startswith("Your changes to this form were not kept on the server")
    assert "“Piece 0” (article)" in message and "“Piece 19” (article)" in message
    assert AutosavedForm.objects.count() == 20  # nothing kept was dropped to make room
    assert (
        keep(admin_client, f"articles.article:{articles[5].pk}", body="Again.").status_code == 200
    )

    admin_client.post(URL, {"key": f"articles.article:{articles[0].pk}", "discard": "1"})
    assert (
        keep(admin_client, f"articles.article:{articles[20].pk}", body="Typed.").status_code == 200
    )
    # A copy of a form nobody can open any more (its article deleted) makes room.
    articles[1].delete()
    assert (
        keep(admin_client, f"articles.article:{articles[21].pk}", body="Typed.").status_code == 200
    )
    assert AutosavedForm.objects.count() == 20


def test_a_form_is_kept_under_one_spelling_of_its_address(admin_client, article):
    for spelling in (f"0{article.pk}", f"00{article.pk}", f" {article.pk}"):
        refused = keep(admin_client, f"articles.article:{spelling}", body="Again.")
        assert refused.status_code == 400, spelling
    assert keep(admin_client, f"articles.article:{article.pk}", body="Once.").status_code == 200
    assert AutosavedForm.objects.count() == 1


@pytest.mark.parametrize("depth", [600, 5000])
def test_fields_nested_deep_are_not_a_500(admin_client, article, depth):
    nested = "[" * depth + "]" * depth
    response = admin_client.post(
        URL, {"key": f"articles.article:{article.pk}", "fields": '{"a": ' + nested + "}"}
    )
    if depth > 1000:  # past what the JSON reader takes
        assert response.status_code == 400
        assert response.json()["error"] == "fields: not JSON"
        assert not AutosavedForm.objects.exists()
    else:  # read, and the value, no form field's, is not kept
        assert response.status_code == 200
        assert AutosavedForm.objects.get().fields == {}
