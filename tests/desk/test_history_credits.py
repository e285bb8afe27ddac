"""A book's history compares its credits (the authors inline, kept beside each version)
as editors read them: who was added, removed, moved or given another role."""

import pytest
import reversion
from django.test import Client
from reversion.models import Version

from catalogue.models import Contribution, ReadingList, ReadingListItem
from tests.factories import make_author, make_book
from tests.helpers import form_values, text_of


@pytest.fixture
def editor(demo_editor) -> Client:
    return demo_editor


def change_url(book) -> str:
    return f"/admin/catalogue/book/{book.pk}/change/"


def save_credits(editor, book, credits: list[tuple]) -> None:
    """The book saved in the desk with `credits` ((author, role), in order) in its
    authors inline: an author's row kept (its role and place changed), the others
    deleted or added."""
    form = form_values(editor.get(change_url(book)))
    form = {key: value for key, value in form.items() if not key.startswith("contributions-")}
    existing = {credit.author_id: credit for credit in book.contributions.all()}
    wanted = {author.pk: (position, role) for position, (author, role) in enumerate(credits)}
    rows = [*existing.values(), *(author for author, _ in credits if author.pk not in existing)]
    for index, row in enumerate(rows):
        prefix = f"contributions-{index}-"
        author_id = row.author_id if isinstance(row, Contribution) else row.pk
        form.update({prefix + "book": book.pk, prefix + "author": author_id})
        if isinstance(row, Contribution):
            form[prefix + "id"] = row.pk
        if author_id in wanted:
            position, role = wanted[author_id]
            form.update({prefix + "role": role, prefix + "position": position})
        else:
            form.update({prefix + "role": row.role, prefix + "position": row.position})
            form[prefix + "DELETE"] = "on"
    form.update(
        {
            "contributions-TOTAL_FORMS": len(rows),
            "contributions-INITIAL_FORMS": len(existing),
            "contributions-MIN_NUM_FORMS": 0,
            "contributions-MAX_NUM_FORMS": 1000,
        }
    )
    response = editor.post(change_url(book), form)
    assert response.status_code == 302, text_of(response.content, ".errorlist")


def compared(editor, book, older="first", newer="live") -> dict[str, tuple[str, str]]:
    """The compare page's changed fields: label → (before, after)."""
    versions = list(Version.objects.get_for_object(book).order_by("pk"))
    sides = {"first": versions[0].pk, "second": versions[1].pk if len(versions) > 1 else None}
    page = editor.get(
        f"/admin/catalogue/book/{book.pk}/history/compare/",
        {"from": sides[older], "to": sides.get(newer, newer)},
    )
    assert page.status_code == 200
    labels = text_of(page.content, ".desk-changes tbody th")
    values = text_of(page.content, ".desk-changes tbody td")
    return dict(zip(labels, zip(values[::2], values[1::2], strict=True), strict=True))


def test_an_author_added_shows_in_the_comparison(editor, ann, ben):
    book = make_book(title="Two Hands", authors=[ann])
    save_credits(editor, book, [(ann, "author"), (ben, "author")])
    assert compared(editor, book) == {"Authors": ("Ann Arbor", "Ann Arbor, Ben Bow")}
    # Between two kept versions, as between a version and live.
    assert compared(editor, book, "first", "second") == {
        "Authors": ("Ann Arbor", "Ann Arbor, Ben Bow")
    }


def test_an_author_removed_a_role_changed_and_an_order_changed_show(editor, ann, ben):
    book = make_book(title="Two Hands", authors=[ann, ben])
    save_credits(editor, book, [(ben, "translator")])
    assert compared(editor, book) == {"Authors": ("Ann Arbor, Ben Bow", "Ben Bow (translator)")}

    other = make_book(title="Other Hands", authors=[ann, ben])
    save_credits(editor, other, [(ben, "author"), (ann, "author")])
    assert compared(editor, other) == {"Authors": ("Ann Arbor, Ben Bow", "Ben Bow, Ann Arbor")}


def test_credits_left_alone_show_no_difference(editor, ann, ben):
    book = make_book(title="Two Hands", authors=[ann, ben])
    form = form_values(editor.get(change_url(book)))
    assert editor.post(change_url(book), {**form, "subtitle": "A novel"}).status_code == 302
    assert compared(editor, book) == {"Subtitle": ("(empty)", "A novel")}


def test_an_author_deleted_since_is_counted(editor, ann, ben):
    book = make_book(title="Two Hands", authors=[ann, ben])
    save_credits(editor, book, [(ann, "author")])
    Contribution.objects.filter(author=ben).delete()
    ben.delete()
    assert compared(editor, book) == {"Authors": ("Ann Arbor, 1 since deleted", "Ann Arbor")}


def test_a_version_preview_lists_its_authors(editor, ann, ben):
    book = make_book(title="Two Hands", authors=[ann])
    save_credits(editor, book, [(ben, "editor")])
    first = Version.objects.get_for_object(book).order_by("pk").first()
    page = editor.get(f"/admin/catalogue/book/{book.pk}/history/preview/{first.pk}/")
    fields = dict(
        zip(
            text_of(page.content, ".desk-fields dt"),
            text_of(page.content, ".desk-fields dd"),
            strict=True,
        )
    )
    assert fields["Authors"] == "Ann Arbor"


def test_comparing_credits_costs_as_many_queries_however_many_authors(
    editor, ann, ben, django_assert_num_queries
):
    few = make_book(title="Two Hands", authors=[ann])
    save_credits(editor, few, [(ann, "author"), (ben, "author")])
    many = make_book(title="Many Hands", authors=[make_author(name=f"A{n}") for n in range(8)])
    save_credits(
        editor,
        many,
        [(credit.author, "author") for credit in reversed(list(many.contributions.all()))],
    )
    for book in (few, many):
        first = Version.objects.get_for_object(book).order_by("pk").first()
        with django_assert_num_queries(12):
            editor.get(f"/admin/catalogue/book/{book.pk}/history/compare/", {"from": first.pk})


def test_a_reading_lists_books_compare_the_same_way(admin_client):
    """The list's places are kept beside each version too: a book added shows."""
    end, berlin = make_book(title="The End"), make_book(title="Berlin")
    war = ReadingList.objects.create(title="How wars end", slug="war-ends")
    ReadingListItem.objects.create(reading_list=war, book=end, position=0)
    with reversion.create_revision():
        reversion.add_to_revision(war)
    ReadingListItem.objects.create(reading_list=war, book=berlin, position=1)
    first = Version.objects.get_for_object(war).get()
    page = admin_client.get(
        f"/admin/catalogue/readinglist/{war.pk}/history/compare/", {"from": first.pk}
    )
    assert text_of(page.content, ".desk-changes tbody th") == ["Books"]
    assert text_of(page.content, ".desk-changes tbody td") == ["The End", "The End, Berlin"]
