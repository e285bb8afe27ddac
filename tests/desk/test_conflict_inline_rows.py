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


def reordered_by_their_colleague(editors, ann, ben):
    """Good Omens opened by both editors; the second swaps its authors' places and
    saves. The first editor's client, its form as opened, and the book's address."""
    first, second = editors
    book = make_book(title="Good Omens", authors=[ann, ben])
    url = f"/admin/catalogue/book/{book.pk}/change/"
    mine, theirs = form_values(first.get(url)), form_values(second.get(url))
    rows = credit_rows(theirs)
    theirs.update({rows[str(ann.pk)]: "1", rows[str(ben.pk)]: "0"})
    assert second.post(url, theirs).status_code == 302
    assert credits(book) == ["Ben Bow", "Ann Arbor"]
    return first, mine, book, url


def credits(book) -> list[str]:
    return [str(credit) for credit in Book.objects.get(pk=book.pk).contributions.all()]


def test_authors_only_a_colleague_reordered_stay_theirs_in_the_draft(editors, ann, ben):
    first, mine, book, url = reordered_by_their_colleague(editors, ann, ben)
    refused = first.post(url, {**mine, "subtitle": "The Nice and Accurate Prophecies"})
    assert refused.status_code == 200
    assert text_of(refused.content, ".desk-conflict__rows-taken") == [
        "The authors below are theirs: only they changed them since you opened the form."
    ]
    draft = form_values(refused)  # the form holds their order
    assert {draft[key] for key in credit_rows(draft).values()} == {"0", "1"}
    assert draft[credit_rows(draft)[str(ben.pk)]] == "0"
    # Keeping mine would not change their authors: the table says only the subtitle.
    assert changed_fields(refused) == {"Subtitle": ("(empty)", "The Nice and Accurate Prophecies")}

    kept = first.post(url, {**form_values(refused), "_continue": "keep_mine"})
    assert kept.status_code == 302
    assert Book.objects.get(pk=book.pk).subtitle == "The Nice and Accurate Prophecies"
    assert credits(book) == ["Ben Bow", "Ann Arbor"]  # their order stands


def test_keep_mine_names_the_authors_it_would_change_when_both_changed_them(editors, ann, ben):
    first, mine, book, url = reordered_by_their_colleague(editors, ann, ben)
    rows = credit_rows(mine)  # the first editor makes Ben Bow the translator
    mine[rows[str(ben.pk)].replace("position", "role")] = "translator"
    refused = first.post(url, {**mine, "subtitle": "The Nice and Accurate Prophecies"})
    assert refused.status_code == 200
    assert changed_fields(refused) == {
        "Subtitle": ("(empty)", "The Nice and Accurate Prophecies"),
        "Authors": ("Ben Bow, Ann Arbor", "Ann Arbor, Ben Bow (translator)"),
    }
    assert text_of(refused.content, ".desk-conflict__rows-taken") == []

    kept = first.post(url, {**form_values(refused), "_continue": "keep_mine"})
    assert kept.status_code == 302
    assert credits(book) == ["Ann Arbor", "Ben Bow (translator)"]  # as the table said


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


def test_notes_both_changed_show_in_a_conflict_over_a_list(editors, war):
    first, second = editors
    url = f"/admin/catalogue/readinglist/{war.pk}/change/"
    mine, theirs = form_values(first.get(url)), form_values(second.get(url))
    assert second.post(url, {**theirs, "items-0-note": "A classic."}).status_code == 302
    refused = first.post(url, {**mine, "items-1-note": "Fell in May."})
    assert changed_fields(refused) == {
        "Books": ("The End (note: “A classic.”), Berlin", "The End, Berlin (note: “Fell in May.”)")
    }


def test_a_colleagues_choice_in_a_select_is_merged(editors):
    """A select's value taken into the merged draft is posted as its option."""
    first, second = editors
    book = make_book(title="Beloved", status=Book.Status.PUBLISHED)
    url = f"/admin/catalogue/book/{book.pk}/change/"
    mine, theirs = form_values(first.get(url)), form_values(second.get(url))
    draft = next(value for value, _ in Book.Status.choices if value != Book.Status.PUBLISHED)
    assert second.post(url, {**theirs, "status": draft}).status_code == 302
    assert first.post(url, {**mine, "subtitle": "A novel"}).status_code == 302
    book = Book.objects.get(pk=book.pk)
    assert (book.status, book.subtitle) == (draft, "A novel")
