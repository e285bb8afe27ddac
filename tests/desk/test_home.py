"""The desk's first page shows the work: what waits for review (editors), my drafts, what
came back to me with its note, what is scheduled to go live or to be withdrawn, what was
published lately, the recent imports. Contributors see only their own."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article
from catalogue.models import ImportJob
from desk.home import PANEL_ROWS
from tests.factories import article_form, make_article
from tests.helpers import form_values, text_of

pytestmark = pytest.mark.django_db


def user(name: str):
    return get_user_model().objects.get(username=name)


def panel(page, title: str) -> list[str]:
    """The rows of the panel headed `title`: each link's text and its line of detail."""
    slug = title.lower().replace(" ", "-")
    return text_of(page.content, f"#panel-{slug} .desk-panel__row", " ")


def panel_text(page, title: str) -> str:
    slug = title.lower().replace(" ", "-")
    return " ".join(text_of(page.content, f"#panel-{slug}", " "))


def submit(client, title: str, note: str = "Ready for a look.") -> Article:
    response = client.post(
        "/admin/articles/article/add/",
        article_form(title=title, status="draft", _submit_review="Submit for review",
                     review_note=note),
    )  # fmt: skip
    assert response.status_code == 302
    return Article.objects.get(title=title)


def test_a_contributors_submission_waits_on_the_editors_desk_home(contributor, editor):
    submit(contributor, "Torgau, April 1945")
    rows = panel(editor.get("/admin/"), "Waiting for review")
    assert len(rows) == 1
    assert rows[0].startswith("Torgau, April 1945 Submitted by casey, ")
    assert rows[0].endswith(" UTC")
    link = text_of(editor.get("/admin/").content, "#panel-waiting-for-review a[href$='/change/']")
    assert link == ["Torgau, April 1945"]
    # The contributor has no review queue: it is the editors' work.
    assert "Waiting for review" not in contributor.get("/admin/").content.decode()


def test_what_came_back_shows_the_editors_note_to_its_writer(contributor, editor):
    article = submit(contributor, "Rough piece")
    change = f"/admin/articles/article/{article.pk}/change/"
    data = form_values(editor.get(change))
    data.update(_send_back="Send back", review_note="The second half needs sources.")
    assert editor.post(change, data).status_code == 302

    home = contributor.get("/admin/")
    came_back = panel(home, "Came back to me")
    assert len(came_back) == 1
    assert came_back[0].startswith("Rough piece Sent back by erin, ")
    assert text_of(home.content, "#panel-came-back-to-me q") == ["The second half needs sources."]
    # Not twice: it is not also among the plain drafts, nor waiting for review any more.
    assert panel(home, "My drafts") == []
    # Yet it is a draft of theirs: the empty panel does not say they have none.
    drafts = panel_text(home, "My drafts")
    assert "You have no other drafts than those that came back to you." in drafts
    assert "You have no drafts." not in drafts
    assert panel(editor.get("/admin/"), "Waiting for review") == []


def test_my_drafts_are_mine_alone(contributor, colleague, editor):
    make_article(title="Casey's draft", status=Article.Status.DRAFT, created_by=user("casey"))
    make_article(title="Chris's draft", status=Article.Status.DRAFT, created_by=user("chris"))
    rows = panel(contributor.get("/admin/"), "My drafts")
    assert [row.split(" Last saved ")[0] for row in rows] == ["Casey's draft"]
    # An editor's "my drafts" holds their own too, not every contributor's.
    assert panel(editor.get("/admin/"), "My drafts") == []


def test_scheduled_and_recent_articles_show_their_times(contributor, editor):
    soon = timezone.now() + timedelta(days=2)
    make_article(title="Coming", published_at=soon, created_by=user("casey"))
    make_article(title="Going", withdraw_at=timezone.now() + timedelta(days=3))
    make_article(title="Live", published_at=timezone.now() - timedelta(hours=1), byline="Ada")
    home = editor.get("/admin/")
    coming = panel(home, "Scheduled to go live")
    assert coming == [f"Coming Goes live {timezone.localtime(soon):%-d %b %Y, %H:%M} UTC"]
    going = panel(home, "Scheduled to be withdrawn")
    assert len(going) == 1 and going[0].startswith("Going Taken off the site ")
    recent = panel(home, "Recently published")
    assert [row.split(" Published ")[0] for row in recent] == ["Going", "Live"]
    assert recent[1].endswith(", by Ada")
    # A contributor sees only their own article among them.
    mine = contributor.get("/admin/")
    assert [row.split(" Goes live")[0] for row in panel(mine, "Scheduled to go live")] == ["Coming"]
    assert panel(mine, "Scheduled to be withdrawn") == []
    assert panel(mine, "Recently published") == []


def test_each_empty_panel_says_so_in_words(editor):
    home = editor.get("/admin/")
    assert "Nothing is waiting for review." in panel_text(home, "Waiting for review")
    assert "You have no drafts." in panel_text(home, "My drafts")
    assert "Nothing was sent back to you." in panel_text(home, "Came back to me")
    assert "Nothing is scheduled to go live." in panel_text(home, "Scheduled to go live")
    assert "No article is set to be withdrawn." in panel_text(home, "Scheduled to be withdrawn")
    assert "Nothing has been published yet." in panel_text(home, "Recently published")
    assert "No books were imported from the desk yet." in panel_text(home, "Recent imports")
    # The list of apps is still there, below the work.
    assert text_of(home.content, "#content-main .app-articles caption a") == ["Articles"]


def test_see_all_leads_to_the_filtered_list(editor, contributor):
    editor_home = editor.get("/admin/")
    review = text_of(editor_home.content, "#panel-waiting-for-review .desk-panel__all a")
    assert review == ["All articles in review"]
    make_article(title="In review", status=Article.Status.REVIEW)
    make_article(title="Unfinished", status=Article.Status.DRAFT, created_by=user("casey"))
    make_article(title="Going", withdraw_at=timezone.now() + timedelta(days=3))
    make_article(title="Staying")

    def listed(client, panel_slug):
        page = client.get("/admin/")
        href = page.content.decode().split(f'id="panel-{panel_slug}"')[1]
        href = href.split('class="desk-panel__all"><a href="')[1].split('"')[0]
        listing = client.get(href.replace("&amp;", "&"))
        assert listing.status_code == 200
        return text_of(listing.content, "#result_list th.field-title")

    assert listed(editor, "waiting-for-review") == ["In review"]
    assert listed(editor, "scheduled-to-be-withdrawn") == ["Going"]
    assert listed(contributor, "my-drafts") == ["Unfinished"]
    assert listed(editor, "my-drafts") == []  # an editor's own drafts: none


def test_recent_imports_are_for_those_who_import(editor, contributor):
    ImportJob.objects.create(
        file_name="books.csv", contents=b"", created_by=user("erin"), rows_done=120,
        state=ImportJob.State.DONE,
    )  # fmt: skip
    rows = panel(editor.get("/admin/"), "Recent imports")
    assert len(rows) == 1
    assert rows[0].startswith("books.csv Check (dry run): done, 120 rows — erin, ")
    assert "Recent imports" not in contributor.get("/admin/").content.decode()


def home_queries(client, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(50) as captured:
        assert client.get("/admin/").status_code == 200
    return len(captured)


def test_the_query_count_does_not_grow_with_the_work(
    editor, contributor, django_assert_max_num_queries
):
    submit(contributor, "First submission")
    make_article(title="One draft", status=Article.Status.DRAFT, created_by=user("erin"))
    ImportJob.objects.create(file_name="one.csv", contents=b"", created_by=user("erin"))
    home_queries(editor, django_assert_max_num_queries)  # the content type read once
    few = home_queries(editor, django_assert_max_num_queries)
    for number in range(PANEL_ROWS + 3):
        submit(contributor, f"Submission {number}")
        make_article(title=f"Draft {number}", status=Article.Status.DRAFT, created_by=user("erin"))
        make_article(title=f"Soon {number}", published_at=timezone.now() + timedelta(days=1))
        make_article(title=f"Ending {number}", withdraw_at=timezone.now() + timedelta(days=1))
        ImportJob.objects.create(file_name=f"{number}.csv", contents=b"", created_by=user("erin"))
    many = home_queries(editor, django_assert_max_num_queries)
    assert many == few
    home = editor.get("/admin/")
    assert len(panel(home, "Waiting for review")) == PANEL_ROWS
    assert len(panel(home, "Recent imports")) == PANEL_ROWS
    # The one waiting longest comes first.
    assert panel(home, "Waiting for review")[0].startswith("First submission")
