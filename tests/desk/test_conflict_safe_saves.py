"""The editors' desk: previews of unsaved changes, saves that never overwrite a
colleague's, and a history of versions to restore."""

import io
import re
import threading

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from reversion.models import Version

from articles import rendering
from articles.models import Article
from catalogue.models import Book
from tests.factories import article_form, make_article, make_book
from tests.helpers import form_values, sign_in, text_of


def opened(client, url) -> dict:
    """The form as the desk renders it at `url`: every field's current value."""
    return form_values(client.get(url))


@pytest.fixture
def article(demo):
    return make_article(title="Torgau, April 1945", body="The first words.")


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def latest_comment(obj) -> str:
    return Version.objects.get_for_object(obj).order_by("-pk").first().revision.get_comment()


def test_the_form_carries_the_version_number_it_opened(editors, article):
    first, _ = editors
    assert opened(first, change_url(article))["loaded_version"] == str(article.version)


def test_a_conflicting_save_loses_neither_text(editors, article):
    first, second = editors
    mine = opened(first, change_url(article))
    theirs = opened(second, change_url(article))
    theirs["body"] = "The first words.\n\nTheir words."
    assert second.post(change_url(article), theirs).status_code == 302

    mine["body"] = "The first words.\n\nMy words."
    refused = first.post(change_url(article), mine)
    assert refused.status_code == 200
    errors = text_of(refused.content, ".errornote, .errorlist.nonfield li")
    assert any("was changed by second-editor" in error for error in errors), errors
    # Theirs is stored, mine is still in the form (with theirs, both marked where they
    # clash: tests/desk/test_merging_saves.py), and the page shows one against the other.
    assert Article.objects.get(pk=article.pk).body == "The first words.\n\nTheir words."
    assert form_values(refused)["body"] == (
        "The first words.\n\n<<<<<<< Yours\nMy words.\n=======\nTheir words.\n"
        ">>>>>>> second-editor’s (version 2)"
    )
    assert text_of(refused.content, ".desk-conflict h2") == [
        "second-editor saved version 2 while you were editing"
    ]
    assert text_of(refused.content, ".desk-conflict .desk-diff__line--removed", " ") == [
        "− Only in theirs: Their words."
    ]
    assert text_of(refused.content, ".desk-conflict .desk-diff__line--added", " ") == [
        "+ Only in yours: My words."
    ]
    assert text_of(refused.content, ".desk-conflict button") == ["Keep mine", "Take theirs"]


def test_keeping_mine_saves_it_and_the_history_says_over_whose(editors, article):
    first, second = editors
    mine = opened(first, change_url(article))
    theirs = opened(second, change_url(article))
    assert second.post(change_url(article), {**theirs, "body": "Their words."}).status_code == 302
    refused = first.post(change_url(article), {**mine, "body": "My words."})

    kept = first.post(change_url(article), {**form_values(refused), "_continue": "keep_mine"})
    assert kept.status_code == 302
    stored = Article.objects.get(pk=article.pk)
    assert (stored.body, stored.version) == ("My words.", 3)
    assert latest_comment(stored) == "Kept my version over second-editor’s version 2."
    # Their text stays in the history.
    bodies = [v.field_dict["body"] for v in Version.objects.get_for_object(stored)]
    assert "Their words." in bodies


def test_taking_theirs_drops_mine_and_the_history_says_so(editors, article):
    first, second = editors
    mine = opened(first, change_url(article))
    theirs = opened(second, change_url(article))
    assert second.post(change_url(article), {**theirs, "body": "Their words."}).status_code == 302
    refused = first.post(change_url(article), {**mine, "body": "My words."})

    taken = first.post(change_url(article), {**form_values(refused), "take_theirs": "2"})
    assert taken.status_code == 302 and taken["Location"] == change_url(article)
    page = first.get(taken["Location"])
    assert text_of(page.content, "textarea[name=body]") == ["Their words."]
    assert "You took second-editor’s version 2" in text_of(page.content, ".messagelist")[0]
    stored = Article.objects.get(pk=article.pk)
    # Not saved again: a colleague who opened version 2 can still save without a conflict.
    assert (stored.body, stored.version) == ("Their words.", 2)
    assert latest_comment(stored) == (
        "Took second-editor’s version 2 over my unsaved changes, which were dropped."
    )


def test_taking_theirs_of_a_deleted_article_answers_as_the_change_form_does(editors, article):
    """Django's change form for an object that is gone (checked with Django 5.2) is the
    model for this answer: a warning, and back to the desk's index."""
    first, _ = editors
    form = opened(first, change_url(article))
    url, pk = change_url(article), article.pk
    article.delete()
    taken = first.post(url, {**form, "take_theirs": "1"}, follow=True)
    django_says = first.get(url, follow=True)
    assert taken.redirect_chain == django_says.redirect_chain == [("/admin/", 302)]
    assert text_of(taken.content, ".messagelist li.warning") == [
        f"Article with ID “{pk}” doesn’t exist. Perhaps it was deleted?"
    ]
    assert text_of(django_says.content, ".messagelist li.warning") == text_of(
        taken.content, ".messagelist li.warning"
    )


def test_a_change_that_is_not_a_save_raises_no_false_alarm(editors):
    """Counters kept in bulk (ratings) are no new version: the form still saves."""
    first, _ = editors
    book = make_book(title="Beloved")
    url = f"/admin/catalogue/book/{book.pk}/change/"
    mine = opened(first, url)
    Book.objects.filter(pk=book.pk).update(ratings_5=F("ratings_5") + 1)
    assert first.post(url, {**mine, "subtitle": "A novel"}).status_code == 302
    assert Book.objects.get(pk=book.pk).subtitle == "A novel"


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
    # No publication time yet: no empty date between the byline and the reading time.
    assert text_of(response.content, ".article__meta", " ") == ["By Colophon · 1 min read"]
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


def history_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/history/"


def restore_links(client, article) -> list[str]:
    history = BeautifulSoup(client.get(history_url(article)).content, "html.parser")
    return [a["href"] for a in history.select(".desk-history__actions a") if a.text == "Restore"]


def test_an_earlier_version_can_be_restored_through_the_form(editors, article, client):
    first, _ = editors
    form = opened(first, change_url(article))
    assert first.post(change_url(article), {**form, "title": "Torgau, second"}).status_code == 302
    form = opened(first, change_url(article))
    assert first.post(change_url(article), {**form, "title": "Torgau, third"}).status_code == 302

    # Newest first, the live one without a restore link: the second save, then as it
    # was before the desk first saved it.
    versions = restore_links(first, article)
    assert len(versions) == 2
    assert opened(first, versions[1])["title"] == "Torgau, April 1945"
    restore = opened(first, versions[0])
    assert restore["title"] == "Torgau, second"
    assert Article.objects.get(pk=article.pk).title == "Torgau, third"  # only looked
    restored = first.post(versions[0], restore)
    assert restored.status_code == 302, text_of(restored.content, ".errornote, .errorlist li")
    stored = Article.objects.get(pk=article.pk)
    assert stored.title == "Torgau, second"
    # A new version, numbered after the one it replaced, naming the one restored.
    assert stored.version == 4
    assert re.fullmatch(
        r"Restored version 2 of \d+ \w+ \d{4} \d\d:\d\d:\d\d by editor\.", latest_comment(stored)
    )
    assert text_of(client.get(article.get_absolute_url()).content, "h1") == ["Torgau, second"]


def test_restoring_an_old_version_never_overwrites_a_newer_save(editors, article):
    first, second = editors
    form = opened(first, change_url(article))
    assert first.post(change_url(article), {**form, "title": "Torgau, second"}).status_code == 302
    version = restore_links(first, article)[0]
    restore = opened(first, version)  # the restore page, opened...
    theirs = opened(second, change_url(article))  # ...then a colleague saves
    assert second.post(change_url(article), {**theirs, "body": "Theirs."}).status_code == 302

    refused = first.post(version, restore)
    assert refused.status_code == 200
    assert "was changed by second-editor" in refused.content.decode()
    assert Article.objects.get(pk=article.pk).body == "Theirs."
    assert text_of(refused.content, ".desk-conflict .desk-diff__line--removed", " ") == [
        "− Only in theirs: Theirs."
    ]

    # Restoring anyway is keeping mine: the history names both versions.
    kept = first.post(version, {**form_values(refused), "_save": "Keep mine"})
    assert kept.status_code == 302
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.body) == ("Torgau, April 1945", "The first words.")
    assert latest_comment(stored).startswith("Restored version 1 of ")
    assert latest_comment(stored).endswith(", over second-editor’s version 3.")


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite does not lock rows on reading")
@pytest.mark.django_db(transaction=True)
def test_two_saves_at_the_same_moment_cannot_both_pass(editors, article):
    first, _ = editors
    mine = opened(first, change_url(article))
    results = {}

    def save_mine():
        results["response"] = first.post(change_url(article), {**mine, "body": "Mine."})
        connection.close()

    with transaction.atomic():
        # A colleague's save holds the row: mine must wait for it, then see it.
        theirs = Article.objects.select_for_update().get(pk=article.pk)
        saving = threading.Thread(target=save_mine)
        saving.start()
        saving.join(timeout=1)
        assert saving.is_alive(), "the second save did not wait for the first"
        theirs.body = "Theirs."
        theirs.save()
    saving.join(timeout=10)
    assert results["response"].status_code == 200
    assert "was changed" in results["response"].content.decode()
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


def test_a_contributor_cannot_restore_over_a_published_article(editors, demo, monkeypatch):
    """The old version was a draft a contributor may change; the article is now live."""
    first, _ = editors
    draft = make_article(title="Drafted", body="Draft words.", status=Article.Status.DRAFT)
    form = opened(first, change_url(draft))
    form.update(status="published", published_at_0="", published_at_1="")
    assert first.post(change_url(draft), form).status_code == 302  # the editor publishes
    old_version = restore_links(first, draft)[-1]

    monkeypatch.setenv("COLOPHON_PASSWORD", "contrib-pass-2026x")
    call_command("createeditor", "casey", role="contributor", stdout=io.StringIO())
    contributor = Client()
    assert sign_in(contributor, "casey", "contrib-pass-2026x").status_code == 302
    assert contributor.get(old_version).status_code == 403
    assert contributor.post(old_version, {"title": "Mine", "body": "Mine."}).status_code == 403
    stored = Article.objects.get(pk=draft.pk)
    assert (stored.status, stored.body) == ("published", "Draft words.")


def test_restoring_an_older_slug_keeps_the_address_it_leaves(editors, client):
    first, _ = editors
    book = make_book(title="Beloved", slug="beloved")
    url = f"/admin/catalogue/book/{book.pk}/change/"
    form = opened(first, url)
    assert first.post(url, {**form, "slug": "beloved-1987"}).status_code == 302
    article = make_article(title="On Beloved", body="[[book:beloved-1987]]\n")

    history = BeautifulSoup(
        first.get(f"/admin/catalogue/book/{book.pk}/history/").content, "html.parser"
    )
    versions = [
        a["href"] for a in history.select(".desk-history__actions a") if a.text == "Restore"
    ]
    restore = opened(first, versions[-1])
    assert restore["slug"] == "beloved"
    assert first.post(versions[-1], restore).status_code == 302

    assert Book.objects.get(pk=book.pk).slug == "beloved"
    assert client.get("/books/beloved-1987/")["Location"] == "/books/beloved/"
    assert "Beloved" in text_of(client.get(article.get_absolute_url()).content, "main")[0]
    assert rendering.missing_refs(article.body) == []


@pytest.mark.parametrize("posted", ["", None], ids=["empty", "missing"])
def test_a_form_without_its_version_is_a_conflict_not_an_overwrite(editors, article, posted):
    first, second = editors
    stale = opened(first, change_url(article))
    theirs = opened(second, change_url(article))
    assert second.post(change_url(article), {**theirs, "body": "Their words."}).status_code == 302

    stale["body"] = "My stale words."
    if posted is None:
        del stale["loaded_version"]
    else:
        stale["loaded_version"] = posted
    refused = first.post(change_url(article), stale)
    assert refused.status_code == 200
    assert Article.objects.get(pk=article.pk).body == "Their words."
    errors = text_of(refused.content, ".errornote")
    assert any("did not say which version" in error for error in errors), errors
    assert form_values(refused)["body"] == "My stale words."
    assert text_of(refused.content, ".desk-conflict button") == ["Keep mine", "Take theirs"]


def test_a_version_no_number_is_a_conflict_not_an_error(editors, article):
    """A version "²" (a digit to str.isdigit() that int() refuses) answered 500."""
    first, second = editors
    stale = opened(first, change_url(article))
    theirs = opened(second, change_url(article))
    assert second.post(change_url(article), {**theirs, "body": "Their words."}).status_code == 302
    refused = first.post(change_url(article), {**stale, "body": "Mine.", "loaded_version": "²"})
    assert refused.status_code == 200
    assert Article.objects.get(pk=article.pk).body == "Their words."
    assert text_of(refused.content, ".desk-conflict button") == ["Keep mine", "Take theirs"]


def test_the_conflict_page_says_at_its_top_what_happened(editors, article):
    first, second = editors
    mine = opened(first, change_url(article))
    theirs = opened(second, change_url(article))
    assert second.post(change_url(article), {**theirs, "body": "Their words."}).status_code == 302
    refused = first.post(change_url(article), {**mine, "body": "My words."})
    page = refused.content.decode()
    assert "Please correct the error" not in page
    [note] = text_of(refused.content, ".errornote")
    assert note.startswith("Not saved: “Torgau, April 1945” was changed by second-editor")
    # Both changed the one paragraph: the form holds the merged draft, and says so.
    assert "the form below holds yours merged with theirs, the place you both changed" in note
    assert "Finish the draft and save, or keep yours or take theirs." in note
    assert "yours is still below" not in note
    # Said once: at the top, not again as a form error.
    assert page.count("was changed by second-editor") == 1
    # A conflict and a field in error: both said, the field marked as usual.
    refused = first.post(change_url(article), {**mine, "body": "[[book:no-such-book]]"})
    [note] = text_of(refused.content, ".errornote", " ")
    assert "was changed by second-editor" in note
    assert note.endswith("Also correct the error marked below before saving.")
    assert text_of(refused.content, ".field-body .errorlist li")[0].startswith("No book matches")


def test_a_kept_over_version_no_number_saves_and_a_compare_of_it_goes_back_to_history(
    editors, article
):
    """ "²" is a digit to str.isdigit() that int() refuses: both answered 500."""
    first, second = editors
    mine = opened(first, change_url(article))
    theirs = opened(second, change_url(article))
    assert second.post(change_url(article), {**theirs, "body": "Their words."}).status_code == 302
    refused = first.post(change_url(article), {**mine, "body": "My words."})
    kept = first.post(
        change_url(article),
        {**form_values(refused), "kept_over_version": "²", "_continue": "keep_mine"},
    )
    assert kept.status_code == 302
    assert "Their words." in [v.field_dict["body"] for v in Version.objects.get_for_object(article)]

    compare = first.get(f"/admin/articles/article/{article.pk}/history/compare/?from=²")
    assert compare.status_code == 302
    assert compare["Location"].endswith(f"/admin/articles/article/{article.pk}/history/")
