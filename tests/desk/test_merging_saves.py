"""Two editors save the same article, book or reading list: what each changed apart is
merged and saved, naming both; where they changed the same lines, the conflict page
holds a merged draft with each clash marked, to finish and save."""

from datetime import timedelta

import pytest
from django.utils import timezone
from reversion.models import Version

from articles.models import Article, Topic
from catalogue.models import Book, ReadingList, ReadingListItem
from desk.models import RevisionEvent
from tests.factories import make_article, make_book
from tests.helpers import form_values, text_of

BODY = "The armies met at Torgau.\n\nThey shook hands.\n\nThe war went on.\n\nIt ended in May."


@pytest.fixture
def article(demo):
    return make_article(title="Torgau, April 1945", body=BODY)


def change_url(obj) -> str:
    opts = obj._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/change/"


def both_open(editors, obj) -> tuple[dict, dict]:
    first, second = editors
    return form_values(first.get(change_url(obj))), form_values(second.get(change_url(obj)))


def newest(obj) -> Version:
    return Version.objects.get_for_object(obj).order_by("-pk").first()


def events_of(version: Version) -> dict:
    return {
        event.kind: event.version_number
        for event in RevisionEvent.objects.filter(revision_id=version.revision_id)
    }


def test_changes_to_different_paragraphs_are_both_saved_naming_both_editors(
    editors, article, client
):
    first, second = editors
    mine, theirs = both_open(editors, article)
    theirs["body"] = BODY.replace("They shook hands.", "They shook hands on the bridge.")
    assert second.post(change_url(article), theirs).status_code == 302

    mine["body"] = BODY.replace("It ended in May.", "It ended on 8 May.").replace("\n", "\r\n")
    saved = first.post(change_url(article), {**mine, "_continue": "Save"}, follow=True)
    assert saved.redirect_chain[-1][0] == change_url(article)

    stored = Article.objects.get(pk=article.pk)
    assert stored.body == (
        "The armies met at Torgau.\n\nThey shook hands on the bridge.\n\n"
        "The war went on.\n\nIt ended on 8 May."
    )
    assert stored.version == 3
    assert text_of(saved.content, ".messagelist li.info") == [
        # The admin's message list capitalises each message (Django 5.2's admin/base.html).
        "Second-editor saved version 2 while you were editing; the two are merged and "
        "saved: your change to paragraph 4 of the body and second-editor’s change to "
        "paragraph 2 of the body. Both versions stay in the history."
    ]
    version = newest(stored)
    assert version.revision.get_comment() == (
        "Merged editor’s changes with second-editor’s version 2: editor’s change to "
        "paragraph 4 of the body and second-editor’s change to paragraph 2 of the body."
    )
    assert events_of(version) == {RevisionEvent.Kind.MERGED: 2}
    # Both live for readers, and the colleague's version stays in the history.
    page = client.get(stored.get_absolute_url()).content.decode()
    assert "on the bridge" in page and "on 8 May" in page
    bodies = [v.field_dict["body"] for v in Version.objects.get_for_object(stored)]
    assert theirs["body"] in bodies


def test_different_fields_merge_and_the_form_opens_on_the_merge(editors, article):
    first, second = editors
    mine, theirs = both_open(editors, article)
    assert (
        second.post(change_url(article), {**theirs, "title": "Torgau, 25 April"}).status_code == 302
    )
    assert (
        first.post(change_url(article), {**mine, "standfirst": "Where two armies met."}).status_code
        == 302
    )
    stored = Article.objects.get(pk=article.pk)
    assert (stored.title, stored.standfirst) == ("Torgau, 25 April", "Where two armies met.")
    assert newest(stored).revision.get_comment() == (
        "Merged editor’s changes with second-editor’s version 2: editor’s change to the "
        "standfirst and second-editor’s change to the title."
    )


def test_a_merge_goes_through_the_forms_checks_and_keeps_the_embeds(editors, article):
    first, second = editors
    book = make_book(title="The Last Days", slug="the-last-days")
    mine, theirs = both_open(editors, article)
    theirs["body"] = BODY + "\n\n[[book:the-last-days]]"
    assert second.post(change_url(article), theirs).status_code == 302
    mine["body"] = BODY.replace("The armies", "Two armies")
    assert first.post(change_url(article), mine).status_code == 302
    stored = Article.objects.get(pk=article.pk)
    assert stored.body.startswith("Two armies") and stored.body.endswith("[[book:the-last-days]]")
    assert list(stored.embedded_books.all()) == [book]


def test_a_merge_the_form_refuses_is_a_conflict(editors, article, monkeypatch):
    """Each side alone is short enough; the two together are not."""
    first, second = editors
    monkeypatch.setattr("articles.forms.MAX_BODY_LENGTH", len(BODY) + 10)
    mine, theirs = both_open(editors, article)
    assert second.post(change_url(article), {**theirs, "body": BODY + " More."}).status_code == 302
    refused = first.post(change_url(article), {**mine, "body": "More. " + BODY})
    assert refused.status_code == 200
    assert text_of(refused.content, ".desk-conflict h2") == [
        "second-editor saved version 2 while you were editing"
    ]
    assert Article.objects.get(pk=article.pk).body == BODY + " More."
    draft = text_of(refused.content, ".desk-conflict__draft li")
    assert len(draft) == 1 and draft[0].startswith("Not saved: this body is 92 characters long")


def clashing(editors, article):
    """Both change paragraph 2; the colleague also changes paragraph 4."""
    first, second = editors
    mine, theirs = both_open(editors, article)
    theirs["body"] = BODY.replace("shook hands", "shook hands, Sam says").replace(
        "May.", "May, Sam says."
    )
    assert second.post(change_url(article), theirs).status_code == 302
    return first.post(
        change_url(article), {**mine, "body": BODY.replace("shook hands", "embraced")}
    )


def test_a_clash_opens_a_merged_draft_with_both_versions_marked(editors, article):
    refused = clashing(editors, article)
    assert refused.status_code == 200
    assert form_values(refused)["body"] == (
        "The armies met at Torgau.\n\n"
        "<<<<<<< Yours\nThey embraced.\n=======\nThey shook hands, Sam says.\n"
        ">>>>>>> second-editor’s (version 2)\n\n"
        "The war went on.\n\nIt ended in May, Sam says."
    )
    draft = text_of(refused.content, ".desk-conflict__draft")[0]
    assert "You both changed the body; where you both changed the same lines (1 place)" in draft
    # What keeping mine would change in theirs: my side of the clash, nothing else.
    assert text_of(refused.content, ".desk-conflict .desk-diff__line--added", " ") == [
        "+ Only in yours: They embraced."
    ]
    assert Article.objects.get(pk=article.pk).version == 2


def test_saving_the_draft_with_its_marks_is_refused_in_words_and_kept(editors, article):
    first, _ = editors
    draft = form_values(clashing(editors, article))
    refused = first.post(change_url(article), {**draft, "_save": "Save"})
    assert refused.status_code == 200
    assert text_of(refused.content, ".errorlist li") == [
        "Not saved: line 3 still holds a clash’s marks (“<<<<<<< Yours” … “>>>>>>> …”). Keep "
        "the lines you want between them, delete the marks and the “=======” line, then save; "
        "or press Keep mine to keep your lines wherever you both changed the same ones."
    ]
    assert form_values(refused)["body"] == draft["body"]
    assert Article.objects.get(pk=article.pk).version == 2


def test_a_draft_resolved_by_hand_is_saved_as_a_merge(editors, article):
    first, _ = editors
    draft = form_values(clashing(editors, article))
    resolved = draft["body"].replace(
        "<<<<<<< Yours\nThey embraced.\n=======\nThey shook hands, Sam says.\n"
        ">>>>>>> second-editor’s (version 2)",
        "They embraced, Sam says.",
    )
    once_refused = form_values(first.post(change_url(article), {**draft, "_save": "Save"}))
    assert first.post(change_url(article), {**once_refused, "body": resolved}).status_code == 302
    stored = Article.objects.get(pk=article.pk)
    assert stored.body == resolved and stored.version == 3
    version = newest(stored)
    assert version.revision.get_comment() == (
        "Merged my version with second-editor’s version 2: where we both changed the same "
        "lines, I chose by hand."
    )
    assert events_of(version) == {RevisionEvent.Kind.MERGED: 2}


def test_keeping_mine_keeps_my_side_of_each_clash_and_their_other_changes(editors, article):
    first, _ = editors
    draft = form_values(clashing(editors, article))
    assert first.post(change_url(article), {**draft, "_continue": "keep_mine"}).status_code == 302
    stored = Article.objects.get(pk=article.pk)
    assert stored.body == BODY.replace("shook hands", "embraced").replace("May.", "May, Sam says.")
    version = newest(stored)
    assert version.revision.get_comment() == (
        "Merged my version with second-editor’s version 2: where we both changed the same "
        "lines, mine was kept."
    )
    assert events_of(version) == {RevisionEvent.Kind.MERGED: 2, RevisionEvent.Kind.KEPT_MINE: 2}


def test_a_book_merges_its_fields(editors, demo):
    first, second = editors
    book = make_book(title="Beloved")
    mine, theirs = both_open(editors, book)
    assert second.post(change_url(book), {**theirs, "subtitle": "A novel"}).status_code == 302
    assert (
        first.post(change_url(book), {**mine, "description": "Sethe's story."}).status_code == 302
    )
    stored = Book.objects.get(pk=book.pk)
    assert (stored.subtitle, stored.description) == ("A novel", "Sethe's story.")
    assert events_of(newest(stored)) == {RevisionEvent.Kind.MERGED: 2}


@pytest.fixture
def reading_list(demo):
    reading_list = ReadingList.objects.create(
        title="How wars end",
        slug="war-ends",
        introduction="Two books.",
        status=ReadingList.Status.DRAFT,
    )
    for position, title in enumerate(["The End", "Berlin"]):
        ReadingListItem.objects.create(
            reading_list=reading_list, book=make_book(title=title), position=position, note=""
        )
    return reading_list


def test_a_reading_list_merges_when_one_side_left_the_books_alone(editors, reading_list):
    first, second = editors
    mine, theirs = both_open(editors, reading_list)
    assert (
        second.post(
            change_url(reading_list), {**theirs, "title": "How wars end, and after"}
        ).status_code
        == 302
    )
    mine["introduction"] = "Two books, and a note."
    assert first.post(change_url(reading_list), mine).status_code == 302
    stored = ReadingList.objects.get(pk=reading_list.pk)
    assert (stored.title, stored.introduction) == (
        "How wars end, and after",
        "Two books, and a note.",
    )


def test_a_reading_list_whose_books_the_posted_form_would_change_is_a_conflict(
    editors, reading_list
):
    """A colleague noted a book; my form still holds the note as it was: saving it would
    undo theirs, so nothing is merged."""
    first, second = editors
    mine, theirs = both_open(editors, reading_list)
    note = next(key for key in theirs if key.endswith("-0-note"))
    assert (
        second.post(change_url(reading_list), {**theirs, note: "Kershaw's best."}).status_code
        == 302
    )
    refused = first.post(
        change_url(reading_list), {**mine, "introduction": "Two books, and a note."}
    )
    assert refused.status_code == 200
    assert text_of(refused.content, ".desk-conflict h2") == [
        "second-editor saved version 2 while you were editing"
    ]
    assert (
        ReadingListItem.objects.get(reading_list=reading_list, position=0).note == "Kershaw's best."
    )
    # The draft holds their books and notes: only they changed them.
    assert text_of(refused.content, ".desk-conflict__rows-taken") == [
        "The books below are theirs: only they changed them since you opened the form."
    ]
    assert "Kershaw's best." in form_values(refused).values()


def test_a_colleagues_publication_time_and_topics_are_merged_as_their_widgets_post_them(
    editors, article
):
    """The split date and time inputs, and the topics' multiple choice, take the values
    the colleague saved."""
    first, second = editors
    topic = Topic.objects.create(name="Second World War", slug="second-world-war")
    mine, theirs = both_open(editors, article)
    later = timezone.localtime() + timedelta(days=3)
    theirs.update(
        published_at_0=later.strftime("%d/%m/%Y"),
        published_at_1="09:30:00",
        topics=[str(topic.pk)],
    )
    assert second.post(change_url(article), theirs).status_code == 302
    mine["body"] = BODY.replace("The armies", "Two armies")
    assert first.post(change_url(article), mine).status_code == 302
    stored = Article.objects.get(pk=article.pk)
    assert stored.body.startswith("Two armies")
    assert timezone.localtime(stored.published_at).strftime("%d/%m/%Y %H:%M") == (
        f"{later:%d/%m/%Y} 09:30"
    )
    assert list(stored.topics.all()) == [topic]
