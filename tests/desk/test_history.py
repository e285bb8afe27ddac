"""The desk's history of an article or a book: newest first, attributed, to the second;
any two versions compared; a version previewed; only for those who may change it."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from articles.models import Article, Topic
from desk.diffs import line_diff
from tests.factories import make_article, make_book
from tests.helpers import form_values, sign_in, text_of


@pytest.fixture
def editor(demo_editor) -> Client:
    return demo_editor


@pytest.fixture
def edited(editor, settings):
    """An article saved twice in the desk after an import made it: three versions."""
    settings.TIME_ZONE = "Europe/Berlin"
    article = make_article(title="Torgau, April 1945", body="The first words.\n\nThe end.")
    url = f"/admin/articles/article/{article.pk}/change/"
    form = form_values(editor.get(url))
    topic = Topic.objects.create(name="War")
    changed = {**form, "title": "Torgau, 25 April", "topics": [topic.pk]}
    assert editor.post(url, changed).status_code == 302
    form = form_values(editor.get(url))
    body = "The first words, revised.\n\nA new paragraph.\n\nThe end."
    assert editor.post(url, {**form, "body": body}).status_code == 302
    return Article.objects.get(pk=article.pk)


def history(client, obj, model="articles/article"):
    return client.get(f"/admin/{model}/{obj.pk}/history/")


def versions_in(page) -> list[str]:
    return text_of(page.content, ".desk-history__version th[scope=row]", " ")


def test_the_history_lists_versions_newest_first_to_the_second(editor, edited):
    page = history(editor, edited)
    assert versions_in(page) == ["Version 3 Live", "Version 2", "Version 1"]
    assert "Saved (Europe/Berlin)" in text_of(page.content, "thead th")
    times = text_of(page.content, ".desk-history__version time")
    assert all(time.count(":") == 2 for time in times), times  # hours, minutes, seconds
    authors = text_of(page.content, ".desk-history__version td:nth-of-type(4)")
    assert authors == ["editor", "editor", "Outside the desk"]
    comments = text_of(page.content, ".desk-history__version td:nth-of-type(5)")
    assert comments == [
        "Changed Body.",
        "Changed Title and Topics.",
        "As it was before its first save in the desk.",
    ]


def test_the_history_page_takes_as_many_queries_however_long_it_is(
    editor, edited, django_assert_num_queries
):
    with django_assert_num_queries(6):
        history(editor, edited)
    url = f"/admin/articles/article/{edited.pk}/change/"
    assert editor.post(url, {**form_values(editor.get(url)), "byline": "K."}).status_code == 302
    with django_assert_num_queries(6):
        assert len(versions_in(history(editor, edited))) == 4


def test_comparing_with_live_shows_the_changed_fields_and_a_line_diff(
    editor, edited, django_assert_num_queries
):
    page = history(editor, edited)
    compare = [a["href"] for a in _links(page, "Compare with live")]
    assert len(compare) == 2  # not for the live version itself
    # The live row's related rows, and the names of those that changed.
    with django_assert_num_queries(10):
        oldest = editor.get(compare[-1])
    assert oldest.status_code == 200
    assert text_of(oldest.content, ".desk-changes tbody th") == ["Title", "Topics"]
    assert text_of(oldest.content, ".desk-changes tbody td") == [
        "Torgau, April 1945",
        "Torgau, 25 April",
        "(empty)",
        "War",
    ]
    assert text_of(oldest.content, ".desk-text-change h3") == ["Body"]
    # The edited paragraph is marked word by word; the new one whole.
    assert text_of(oldest.content, ".desk-diff__line--removed .desk-diff__text") == [
        "The first words."
    ]
    assert text_of(oldest.content, ".desk-diff__line--added ins") == [
        ", revised",
        "A new paragraph.",
    ]
    sides = text_of(oldest.content, ".desk-compare__sides")[0]
    assert "From version 1 of" in sides and "to live (version 3)" in sides


def test_any_two_versions_can_be_compared(editor, edited):
    page = history(editor, edited)
    radios = page_radios(page)
    # By default, the version before the live one against live.
    assert radios["from"] == radios["versions"][1] and radios["to"] == "live"
    newest, middle, oldest = radios["versions"]
    url = f"/admin/articles/article/{edited.pk}/history/compare/"
    response = editor.get(url, {"from": oldest, "to": middle})
    assert text_of(response.content, ".desk-changes tbody th") == ["Title", "Topics"]
    assert text_of(response.content, ".desk-text-change") == []
    same = editor.get(url, {"from": newest, "to": "live"})
    assert "No differences" in text_of(same.content, ".desk-no-changes")[0]


def test_a_version_of_another_object_cannot_be_compared(editor, edited):
    other = make_article(title="Elsewhere")
    version = page_radios(history(editor, edited))["versions"][0]
    url = f"/admin/articles/article/{other.pk}/history/compare/?from={version}&to=live"
    response = editor.get(url)
    assert response.status_code == 302 and response["Location"].endswith("/history/")


def test_a_version_can_be_previewed_and_is_never_cached(
    editor, edited, django_assert_max_num_queries
):
    preview = [a["href"] for a in _links(history(editor, edited), "Preview")][-1]
    with django_assert_max_num_queries(8):  # 6 as a field list; 8 on the readers' page
        response = editor.get(preview)
    assert response.status_code == 200
    assert "Torgau, April 1945" in text_of(response.content, "h1")[0]
    assert "The first words." in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_a_book_version_is_previewed_as_its_fields(editor):
    book = make_book(title="Beloved", subtitle="First subtitle")
    url = f"/admin/catalogue/book/{book.pk}/change/"
    saved = editor.post(url, {**form_values(editor.get(url)), "subtitle": "A novel"})
    assert saved.status_code == 302
    page = history(editor, book, "catalogue/book")
    assert versions_in(page) == ["Version 2 Live", "Version 1"]
    first = [a["href"] for a in _links(page, "Preview")][-1]
    fields = dict(
        zip(
            text_of(editor.get(first).content, ".desk-fields dt"),
            text_of(editor.get(first).content, ".desk-fields dd"),
            strict=True,
        )
    )
    assert fields["Title"] == "Beloved" and fields["Subtitle"] == "First subtitle"


def test_an_article_never_published_has_no_live_version(editor):
    draft = make_article(title="Not yet", status=Article.Status.DRAFT, body="First.")
    url = f"/admin/articles/article/{draft.pk}/change/"
    assert editor.post(url, {**form_values(editor.get(url)), "body": "Second."}).status_code == 302
    page = history(editor, draft)
    assert versions_in(page) == ["Version 2 Stored now", "Version 1"]
    assert "Live" not in page.content.decode()
    assert text_of(page.content, ".desk-history__stored th") == [
        "Stored now, not public (version 2)"
    ]
    assert len(_links(page, "Compare with what is stored")) == 1
    # Once published, the version readers see is live.
    published = {**form_values(editor.get(url)), "status": "published"}
    assert editor.post(url, published).status_code == 302
    assert versions_in(history(editor, draft))[0] == "Version 3 Live"


def test_a_withdrawn_book_has_no_live_version(editor):
    book = make_book(title="Taken Down", status="withdrawn")
    url = f"/admin/catalogue/book/{book.pk}/change/"
    assert editor.post(url, {**form_values(editor.get(url)), "subtitle": "Gone"}).status_code == 302
    page = history(editor, book, model="catalogue/book")
    assert versions_in(page)[0] == "Version 2 Stored now"
    assert "Live" not in page.content.decode()


def test_only_who_may_change_it_sees_the_history(demo, edited):
    contributor = get_user_model().objects.create_user(
        "contributor", password="a-long-contributor-pass", is_staff=True
    )
    contributor.groups.add(Group.objects.get(name="Contributors"))
    client = Client()
    assert sign_in(client, "contributor", "a-long-contributor-pass").status_code == 302
    book = make_book(title="Beloved")
    base = f"/admin/catalogue/book/{book.pk}/history/"
    # Contributors see books, without changing them.
    assert client.get(f"/admin/catalogue/book/{book.pk}/change/").status_code == 200
    assert client.get(base).status_code == 403
    assert client.get(f"{base}compare/?from=live&to=live").status_code == 403
    assert client.get(f"{base}preview/1/").status_code == 403
    # Another's article is not even shown to them.
    assert history(client, edited).status_code == 404


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(demo, edited):
    base = f"/admin/articles/article/{edited.pk}/history/"
    for url in (base, f"{base}compare/?from=live&to=live", f"{base}preview/1/"):
        response = Client().get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


# --- Line diffs ------------------------------------------------------------------------


def test_a_line_diff_marks_the_changed_words_of_an_edited_paragraph():
    lines = line_diff("One two three four.\nSame.", "One two THREE four.\nSame.")
    assert [line.kind for line in lines] == ["removed", "added", "same"]
    assert [(s.text, s.changed) for s in lines[0].segments] == [
        ("One two ", False),
        ("three", True),
        (" four.", False),
    ]
    assert [s.text for s in lines[1].segments if s.changed] == ["THREE"]


def test_a_line_diff_shows_different_paragraphs_whole():
    lines = line_diff("Cats are fine.", "Dogs bark at night, always.")
    assert [(line.kind, line.text) for line in lines] == [
        ("removed", "Cats are fine."),
        ("added", "Dogs bark at night, always."),
    ]
    assert all(segment.changed for line in lines for segment in line.segments)


def test_a_line_diff_cuts_long_unchanged_runs_to_their_context():
    old = "\n".join(f"Line {n}" for n in range(1, 21))
    new = old.replace("Line 10", "Line ten")
    kinds = [(line.kind, line.skipped or line.text) for line in line_diff(old, new)]
    assert kinds == [
        ("skipped", 7),
        ("same", "Line 8"),
        ("same", "Line 9"),
        ("removed", "Line 10"),
        ("added", "Line ten"),
        ("same", "Line 11"),
        ("same", "Line 12"),
        ("skipped", 8),
    ]


def test_the_same_lines_make_no_diff():
    assert line_diff("A\r\nB\n", "A\nB") == []


# --- Helpers -----------------------------------------------------------------------------


def _links(page, text: str):
    soup = BeautifulSoup(page.content, "html.parser")
    return [a for a in soup.select(".desk-history__actions a") if a.text == text]


def page_radios(page) -> dict:
    soup = BeautifulSoup(page.content, "html.parser")
    rows = soup.select(".desk-history__version input[name=from]")
    return {
        "versions": [radio["value"] for radio in rows],
        "from": soup.select_one("input[name=from][checked]")["value"],
        "to": soup.select_one("input[name=to][checked]")["value"],
    }
