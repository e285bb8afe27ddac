"""The editors' desk: previews of unsaved changes, saves that never overwrite a
colleague's, and a history of versions to restore."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from articles.demo import EDITOR_PASSWORD, EDITOR_USERNAME
from articles.models import Article
from catalogue.models import Book
from tests.factories import article_form, make_article, make_book
from tests.helpers import form_values, sign_in, text_of


@pytest.fixture
def editors(demo):
    """Two editors, each in their own browser."""
    second = get_user_model().objects.create_user(
        "second-editor", password="another-long-pass-7", is_staff=True
    )
    second.groups.add(Group.objects.get(name="Editors"))
    first_client, second_client = Client(), Client()
    assert sign_in(first_client, EDITOR_USERNAME, EDITOR_PASSWORD).status_code == 302
    assert sign_in(second_client, "second-editor", "another-long-pass-7").status_code == 302
    return first_client, second_client


def opened(client, url) -> dict:
    """The form as the desk renders it at `url`: every field's current value."""
    return form_values(client.get(url))


@pytest.fixture
def article(demo):
    return make_article(title="Torgau, April 1945", body="The first words.")


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def test_a_save_never_overwrites_a_colleagues_newer_one(editors, article):
    first, second = editors
    mine = opened(first, change_url(article))
    theirs = opened(second, change_url(article))
    theirs["body"] = "Their words."
    assert second.post(change_url(article), theirs).status_code == 302

    mine["body"] = "My words."
    refused = first.post(change_url(article), mine)
    assert refused.status_code == 200
    errors = text_of(refused.content, ".errornote, .errorlist.nonfield li")
    assert any("was changed by second-editor" in error for error in errors), errors
    # Nothing is lost: theirs is stored, mine is still in the form.
    assert Article.objects.get(pk=article.pk).body == "Their words."
    assert text_of(refused.content, "textarea[name=body]") == ["My words."]

    # Saving again replaces their version, on purpose.
    again = form_values(refused)
    assert first.post(change_url(article), again).status_code == 302
    assert Article.objects.get(pk=article.pk).body == "My words."


def test_a_book_save_never_overwrites_a_colleagues_newer_one(editors):
    first, second = editors
    book = make_book(title="Beloved")
    url = f"/admin/catalogue/book/{book.pk}/change/"
    mine = opened(first, url)
    theirs = opened(second, url)
    assert second.post(url, {**theirs, "subtitle": "Their subtitle"}).status_code == 302
    refused = first.post(url, {**mine, "subtitle": "My subtitle"})
    assert refused.status_code == 200
    assert "was changed by second-editor" in refused.content.decode()
    assert Book.objects.get(pk=book.pk).subtitle == "Their subtitle"


def test_a_preview_shows_unsaved_changes_and_saves_nothing(editors, article):
    first, _ = editors
    page = BeautifulSoup(first.get(change_url(article)).content, "html.parser")
    button = page.select_one("button[formaction='../preview/']")
    assert button is not None and button["formtarget"] == "_blank"

    form = opened(first, change_url(article))
    form.update(title="Torgau, revised", body="New words.\n\n[[book:9780306822087]]")
    response = first.post(f"/admin/articles/article/{article.pk}/preview/", form)
    assert response.status_code == 200
    assert text_of(response.content, "h1") == ["Torgau, revised"]
    assert text_of(response.content, ".book-card__title")[0].startswith("The Last Battle:")
    assert text_of(response.content, ".preview-banner")[0].startswith("Preview of unsaved")
    assert "no-store" in response["Cache-Control"]
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.body) == ("Torgau, April 1945", "The first words.")


def test_a_new_article_can_be_previewed_before_its_first_save(editors):
    first, _ = editors
    response = first.post("/admin/articles/article/preview/", article_form(status="draft"))
    assert response.status_code == 200
    assert text_of(response.content, "h1") == ["A new piece"]
    assert "and published" in text_of(response.content, ".preview-banner")[0]
    assert not Article.objects.filter(title="A new piece").exists()


def test_a_preview_of_a_broken_body_says_what_to_fix(editors):
    first, _ = editors
    response = first.post(
        "/admin/articles/article/preview/", article_form(body="[[book:no-such-book]]")
    )
    assert response.status_code == 200
    assert "No book matches [[book:no-such-book]]" in response.content.decode()


def test_only_editors_may_preview(client, article):
    response = client.post(f"/admin/articles/article/{article.pk}/preview/", article_form())
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_earlier_version_can_be_restored_through_the_form(editors, article, client):
    first, _ = editors
    form = opened(first, change_url(article))
    assert first.post(change_url(article), {**form, "title": "Torgau, second"}).status_code == 302
    form = opened(first, change_url(article))
    assert first.post(change_url(article), {**form, "title": "Torgau, third"}).status_code == 302

    history = BeautifulSoup(
        first.get(f"/admin/articles/article/{article.pk}/history/").content, "html.parser"
    )
    versions = [a["href"] for a in history.select("#change-history a[href*='/history/']")]
    # Oldest first: as it was before the desk first saved it, then each save.
    assert len(versions) == 3
    assert opened(first, versions[0])["title"] == "Torgau, April 1945"
    restore = opened(first, versions[1])
    assert restore["title"] == "Torgau, second"
    assert Article.objects.get(pk=article.pk).title == "Torgau, third"  # only looked
    restored = first.post(versions[1], restore)
    assert restored.status_code == 302, text_of(restored.content, ".errornote, .errorlist li")
    assert Article.objects.get(pk=article.pk).title == "Torgau, second"
    assert text_of(client.get(article.get_absolute_url()).content, "h1") == ["Torgau, second"]


def test_restoring_an_old_version_never_overwrites_a_newer_save(editors, article):
    first, second = editors
    form = opened(first, change_url(article))
    assert first.post(change_url(article), {**form, "title": "Torgau, second"}).status_code == 302
    history = BeautifulSoup(
        first.get(f"/admin/articles/article/{article.pk}/history/").content, "html.parser"
    )
    version = history.select_one("#change-history a[href*='/history/']")["href"]
    restore = opened(first, version)  # the restore page, opened...
    theirs = opened(second, change_url(article))  # ...then a colleague saves
    assert second.post(change_url(article), {**theirs, "body": "Theirs."}).status_code == 302

    refused = first.post(version, restore)
    assert refused.status_code == 200
    assert "was changed by second-editor" in refused.content.decode()
    assert Article.objects.get(pk=article.pk).body == "Theirs."


def test_a_change_no_editor_made_is_not_put_down_to_one(editors, article):
    first, _ = editors
    mine = opened(first, change_url(article))
    first.post(change_url(article), {**mine, "title": "Torgau, mine"})  # logged, by editor
    mine = opened(first, change_url(article))
    Article.objects.filter(pk=article.pk).update(body="Changed by a script.")
    Article.objects.get(pk=article.pk).save()  # a new updated_at, and no log entry
    refused = first.post(change_url(article), {**mine, "body": "Mine."})
    assert "(by an import or outside the desk)" in refused.content.decode()
    assert "changed by editor" not in refused.content.decode()


def test_reopening_a_preview_goes_back_to_the_form(editors, article):
    first, _ = editors
    response = first.get(f"/admin/articles/article/{article.pk}/preview/")
    assert response.status_code == 302
    assert response["Location"] == "../change/"
