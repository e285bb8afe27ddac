"""A conflict shows the rows saved beside the form (a book's authors, a list's books)
as keeping one's own would save them, and a list's history shows its books' notes."""

import pytest
from reversion.models import Version

from catalogue.models import Book, ReadingList, ReadingListItem
from tests.factories import make_book
from tests.helpers import form_values, text_of

pytestmark = pytest.mark.django_db


def changed_fields(page) -> dict[str, tuple[str, str]]:
    """A page's table of changed fields: label → (before, after)."""
    labels = text_of(page.content, ".desk-changes tbody th")
    values = text_of(page.content, ".desk-changes tbody td")
    return dict(zip(labels, zip(values[::2], values[1::2], strict=True), strict=True))


def credit_rows(form: dict) -> dict[str, str]:
    """The authors inline's position field of each row, by author id."""
    return {
        form[key.replace("position", "author")]: key
        for key in form
        if key.startswith("contributions-") and key.endswith("-position")
        if form.get(key.replace("position", "id"))
    }


def test_keep_mine_names_the_authors_order_it_would_undo(editors, ann, ben):
    first, second = editors
    book = make_book(title="Good Omens", authors=[ann, ben])
    url = f"/admin/catalogue/book/{book.pk}/change/"
    mine, theirs = form_values(first.get(url)), form_values(second.get(url))

    rows = credit_rows(theirs)  # the second editor swaps the authors' places
    theirs.update({rows[str(ann.pk)]: "1", rows[str(ben.pk)]: "0"})
    assert second.post(url, theirs).status_code == 302
    assert [str(credit) for credit in book.contributions.all()] == ["Ben Bow", "Ann Arbor"]

    refused = first.post(url, {**mine, "subtitle": "The Nice and Accurate Prophecies"})
    assert refused.status_code == 200
    assert changed_fields(refused) == {
        "Subtitle": ("(empty)", "The Nice and Accurate Prophecies"),
        # The first editor's form still holds the authors in their old order.
        "Authors": ("Ben Bow, Ann Arbor", "Ann Arbor, Ben Bow"),
    }

    # Keep mine saves what the table said it would.
    kept = first.post(url, {**form_values(refused), "_continue": "keep_mine"})
    assert kept.status_code == 302
    book = Book.objects.get(pk=book.pk)
    assert book.subtitle == "The Nice and Accurate Prophecies"
    assert [str(credit) for credit in book.contributions.all()] == ["Ann Arbor", "Ben Bow"]


def test_authors_both_left_alone_are_not_named_in_a_conflict(editors, ann, ben):
    first, second = editors
    book = make_book(title="Good Omens", authors=[ann, ben])
    url = f"/admin/catalogue/book/{book.pk}/change/"
    mine, theirs = form_values(first.get(url)), form_values(second.get(url))
    assert second.post(url, {**theirs, "subtitle": "Theirs"}).status_code == 302
    refused = first.post(url, {**mine, "subtitle": "Mine"})
    assert changed_fields(refused) == {"Subtitle": ("Theirs", "Mine")}


@pytest.fixture
def war():
    reading_list = ReadingList.objects.create(title="How wars end", slug="war-ends")
    for position, title in enumerate(["The End", "Berlin"]):
        ReadingListItem.objects.create(
            reading_list=reading_list, book=make_book(title=title), position=position
        )
    return reading_list


def test_notes_added_to_a_lists_books_show_in_its_history(demo_editor, war):
    url = f"/admin/catalogue/readinglist/{war.pk}/change/"
    form = form_values(demo_editor.get(url))
    assert demo_editor.post(url, form).status_code == 302  # the first version, no notes
    form = form_values(demo_editor.get(url))
    form.update({"items-0-note": "A classic.", "items-1-note": "Day by day,\r\nstreet by street."})
    assert demo_editor.post(url, form).status_code == 302

    first = Version.objects.get_for_object(war).order_by("pk").first()
    page = demo_editor.get(
        f"/admin/catalogue/readinglist/{war.pk}/history/compare/", {"from": first.pk}
    )
    assert changed_fields(page) == {
        "Books": (
            "The End, Berlin",
            "The End (note: “A classic.”), Berlin (note: “Day by day, street by street.”)",
        )
    }


def test_a_colleagues_note_shows_in_a_conflict_over_a_list(editors, war):
    first, second = editors
    url = f"/admin/catalogue/readinglist/{war.pk}/change/"
    mine, theirs = form_values(first.get(url)), form_values(second.get(url))
    assert second.post(url, {**theirs, "items-0-note": "A classic."}).status_code == 302
    refused = first.post(url, {**mine, "title": "How the wars end"})
    assert changed_fields(refused)["Books"] == (
        "The End (note: “A classic.”), Berlin",
        "The End, Berlin",
    )
