"""Reading lists at the desk: the list with its books in order and their notes, picked
through the catalogue's search; where the list is used, and a question before it leaves
articles readers see; renames that keep addresses; history with the books' places."""

from datetime import timedelta

import pytest
import reversion
from bs4 import BeautifulSoup
from django.utils import timezone
from reversion.models import Version

from articles.models import Article
from catalogue.models import ReadingList, ReadingListItem
from tests.factories import make_article, make_book
from tests.helpers import form_values, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def books():
    return [make_book(title=title) for title in ("The End", "Berlin", "The Bunker")]


@pytest.fixture
def war(books):
    reading_list = ReadingList.objects.create(
        title="How wars end", slug="war-ends", status=ReadingList.Status.PUBLISHED
    )
    for position, (book, note) in enumerate(zip(books[:2], ["Kershaw.", ""], strict=True)):
        ReadingListItem.objects.create(
            reading_list=reading_list, book=book, position=position, note=note
        )
    return reading_list


def change_url(reading_list) -> str:
    return f"/admin/catalogue/readinglist/{reading_list.pk}/change/"


def test_the_list_of_lists_shows_status_and_counts(admin_client, war):
    make_article(title="Endings", body="[[list:war-ends]]\n")
    page = admin_client.get("/admin/catalogue/readinglist/")
    row = text_of(page.content, "#result_list tbody tr td, #result_list tbody tr th", " ")
    assert row[1:2] == ["How wars end"]  # after the action's checkbox
    assert "Published" in row
    assert row[-2:] == ["2", "1"]  # books, articles


def test_a_list_is_searched_by_its_title(admin_client, war):
    found = admin_client.get("/admin/catalogue/readinglist/?q=wars")
    assert text_of(found.content, "#result_list tbody th a") == ["How wars end"]
    assert (
        text_of(
            admin_client.get("/admin/catalogue/readinglist/?q=rivers").content,
            "#result_list tbody th a",
        )
        == []
    )


def test_books_are_chosen_through_the_catalogues_search_not_a_select_of_every_book(
    admin_client, war
):
    page = admin_client.get(change_url(war))
    book_select = BeautifulSoup(page.content, "html.parser").select_one(
        "select[name='items-0-book']"
    )
    assert "admin-autocomplete" in book_select["class"]
    assert [option.text for option in book_select.select("option") if option["value"]] == [
        "The End"
    ]
    answer = admin_client.get(
        "/admin/autocomplete/?app_label=catalogue&model_name=readinglistitem"
        "&field_name=book&term=bunker"
    )
    assert [result["text"] for result in answer.json()["results"]] == ["The Bunker"]


def test_the_form_keeps_the_books_in_order_with_their_notes(admin_client, war, books):
    data = form_values(admin_client.get(change_url(war)))
    data.update(
        {
            "items-2-position": "0",
            "items-2-book": str(books[2].pk),
            "items-2-note": "Where it ended.",
            "items-0-position": "5",
            "_save": "Save",
        }
    )
    assert admin_client.post(change_url(war), data).status_code == 302
    assert [(item.book.title, item.note) for item in war.items.all()] == [
        ("The Bunker", "Where it ended."),
        ("Berlin", ""),
        ("The End", "Kershaw."),
    ]


def test_a_book_added_without_a_position_goes_at_the_end(admin_client, war, books):
    page = admin_client.get(change_url(war))
    new_row = BeautifulSoup(page.content, "html.parser").select_one("input[name=items-2-position]")
    assert new_row.get("value", "") == ""  # not 0, which would put it first
    data = form_values(page)
    data.update({"items-2-book": str(books[2].pk), "items-2-note": "Last.", "_save": "Save"})
    assert admin_client.post(change_url(war), data).status_code == 302
    assert [(item.book.title, item.position) for item in war.items.all()] == [
        ("The End", 0),
        ("Berlin", 1),
        ("The Bunker", 2),
    ]


def test_a_book_twice_on_the_list_is_refused_in_words_keeping_the_note(admin_client, war, books):
    data = form_values(admin_client.get(change_url(war)))
    data.update({"items-2-book": str(books[0].pk), "items-2-note": "Again.", "_save": "Save"})
    refused = admin_client.post(change_url(war), data)
    assert refused.status_code == 200
    said = " ".join(text_of(refused.content, ".errorlist li"))
    assert "A book can be on the list only once" in said
    assert "Again." in text_of(refused.content, "textarea[name=items-2-note]")[0]
    assert war.items.count() == 2


def test_the_form_says_where_the_list_is_used(admin_client, war):
    make_article(title="Endings", body="[[list:war-ends]]\n")
    make_article(
        title="Soon", body="[[list:war-ends]]\n", published_at=timezone.now() + timedelta(days=2)
    )
    make_article(title="Half done", body="[[list:war-ends]]\n", status=Article.Status.DRAFT)
    page = admin_client.get(change_url(war))
    assert text_of(page.content, ".where-used dt, .where-used dd > a:first-child") == [
        "Live (1)", "Endings", "Scheduled (1)", "Soon", "Not public (1)", "Half done",
    ]  # fmt: skip


def test_withdrawing_a_list_live_articles_show_asks_first(admin_client, client, war):
    article = make_article(title="Endings", body="[[list:war-ends]]\n")
    data = form_values(admin_client.get(change_url(war)))
    data.update(status="withdrawn", _save="Save")
    asked = admin_client.post(change_url(war), data)
    assert asked.status_code == 200
    error = " ".join(text_of(asked.content, ".field-status .errorlist li"))
    assert "“How wars end” is shown in an article readers see or will see: “Endings”" in error
    assert ReadingList.objects.get(pk=war.pk).status == "published"

    confirmed = form_values(asked)
    confirmed.update(confirm_hiding="on", _save="Save")
    assert admin_client.post(change_url(war), confirmed).status_code == 302
    assert ReadingList.objects.get(pk=war.pk).status == "withdrawn"
    page = client.get(article.get_absolute_url())
    assert text_of(page.content, ".reading-list-embed") == []


def test_moving_a_live_lists_publication_into_the_future_asks_first(admin_client, war):
    make_article(title="Endings", body="[[list:war-ends]]\n")
    data = form_values(admin_client.get(change_url(war)))
    later = timezone.localtime() + timedelta(days=3)
    data.update(
        {
            "published_at_0": later.strftime("%Y-%m-%d"),
            "published_at_1": "10:00:00",
            "_save": "Save",
        }
    )
    asked = admin_client.post(change_url(war), data)
    assert asked.status_code == 200
    error = " ".join(text_of(asked.content, ".field-status .errorlist li"))
    assert "Once it is scheduled for later, it disappears from them" in error
    assert ReadingList.objects.get(pk=war.pk).is_public


def test_deleting_a_list_live_articles_show_names_them(admin_client, war):
    make_article(title="Endings", body="[[list:war-ends]]\n")
    page = admin_client.get(f"/admin/catalogue/readinglist/{war.pk}/delete/")
    assert text_of(page.content, "#content .errornote") == [
        "“How wars end” is shown in an article readers see or will see: “Endings”. Once it "
        "is deleted, it disappears from them, and their [[list:…]] lines show nothing."
    ]
    assert "The list in “Endings” (live)" in text_of(page.content, "#content ul li", " ")


def test_a_rename_keeps_the_old_address(admin_client, client, war):
    data = form_values(admin_client.get(change_url(war)))
    data.update(slug="how-wars-end", _save="Save")
    assert admin_client.post(change_url(war), data).status_code == 302
    response = client.get("/lists/war-ends/")
    assert (response.status_code, response["Location"]) == (301, "/lists/how-wars-end/")
    page = admin_client.get(change_url(war))
    assert "/lists/war-ends/" in " ".join(text_of(page.content, ".field-where_used code"))


def test_a_slug_that_is_another_lists_old_address_is_refused(admin_client, war):
    war.slug = "how-wars-end"
    war.save()
    other = ReadingList.objects.create(title="Rivers", slug="rivers")
    data = form_values(admin_client.get(change_url(other)))
    data.update(slug="war-ends", _save="Save")
    refused = admin_client.post(change_url(other), data)
    assert refused.status_code == 200
    assert text_of(refused.content, ".field-slug .errorlist li") == [
        "“war-ends” is an old address of “How wars end” and leads there; choose another slug."
    ]
    assert ReadingList.objects.get(pk=other.pk).slug == "rivers"


def test_a_colleagues_save_is_never_overwritten(admin_client, war):
    opened = form_values(admin_client.get(change_url(war)))
    war.title = "How wars end: ten books"
    war.save()  # a colleague's save meanwhile
    opened.update(title="My title", _save="Save")
    refused = admin_client.post(change_url(war), opened)
    assert refused.status_code == 200
    assert "Not saved" in refused.content.decode()
    assert ReadingList.objects.get(pk=war.pk).title == "How wars end: ten books"


def test_restoring_a_version_brings_back_its_books_and_notes(admin_client, war, books):
    with reversion.create_revision():
        reversion.add_to_revision(war)
    ReadingListItem.objects.filter(reading_list=war, book=books[0]).delete()
    ReadingListItem.objects.create(reading_list=war, book=books[2], position=9, note="New.")

    version = Version.objects.get_for_object(war).order_by("pk").first()
    url = f"/admin/catalogue/readinglist/{war.pk}/history/{version.pk}/"
    data = form_values(admin_client.get(url))
    data["_save"] = "Save"
    assert admin_client.post(url, data).status_code == 302
    assert [(item.book.title, item.note) for item in war.items.all()] == [
        ("The End", "Kershaw."),
        ("Berlin", ""),
    ]


def test_a_version_with_a_book_merged_away_since_restores_without_it(admin_client, war, books):
    with reversion.create_revision():
        reversion.add_to_revision(war)
    ReadingListItem.objects.filter(reading_list=war, book=books[1]).update(position=5)
    books[0].delete()  # as a merge does to the duplicate: its place has gone with it

    version = Version.objects.get_for_object(war).order_by("pk").first()
    url = f"/admin/catalogue/readinglist/{war.pk}/history/{version.pk}/"
    page = admin_client.get(url)
    assert page.status_code == 200
    said = " ".join(text_of(page.content, ".messagelist li"))
    assert "1 book on this version is no longer in the catalogue" in said
    assert "“Kershaw.”" in said
    data = form_values(page)
    data["_save"] = "Save"
    assert admin_client.post(url, data).status_code == 302
    assert [(item.book.title, item.position) for item in war.items.all()] == [("Berlin", 1)]
