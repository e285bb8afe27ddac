"""What an editor types is kept on the server, for them alone, until they save."""

import json

import pytest
from django.contrib.auth import get_user_model
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
    colleague = get_user_model().objects.create_user("colleague", is_staff=True)
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
