"""Contributors write and submit; editors review, publish and withdraw; administrators
manage people. No account with a known password exists with DEBUG off."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from articles.demo import EDITOR_PASSWORD, EDITOR_USERNAME, load_demo
from articles.models import Article
from tests.factories import article_form, make_article
from tests.helpers import form_values, sign_in, text_of

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-pass-phrase-9"


def account(name: str, role: str, monkeypatch) -> Client:
    monkeypatch.setenv("COLOPHON_PASSWORD", PASSWORD)
    call_command("createeditor", name, role=role, stdout=None)
    client = Client()
    assert sign_in(client, name, PASSWORD).status_code == 302
    return client


@pytest.fixture
def contributor(monkeypatch):
    return account("casey", "contributor", monkeypatch)


@pytest.fixture
def editor(monkeypatch):
    return account("erin", "editor", monkeypatch)


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def test_a_contributor_writes_and_submits_but_cannot_publish(contributor):
    refused = contributor.post("/admin/articles/article/add/", article_form(title="Mine"))
    assert refused.status_code == 200
    assert not Article.objects.exists()
    page = contributor.get("/admin/articles/article/add/")
    assert [o["value"] for o in form_values_options(page, "status")] == ["draft", "review"]

    submitted = contributor.post(
        "/admin/articles/article/add/",
        article_form(title="Mine", status="draft", _submit_review="Submit for review",
                     review_note="Ready for a look."),
    )  # fmt: skip
    assert submitted.status_code == 302
    article = Article.objects.get()
    assert article.status == Article.Status.REVIEW
    assert article.published_at is None


def form_values_options(page, name):
    return BeautifulSoup(page.content, "html.parser").select(f"select[name={name}] option")


def casey():
    return get_user_model().objects.get(username="casey")


def test_a_contributor_cannot_delete_change_live_articles_or_reach_people(contributor):
    live = make_article(title="Live one", created_by=casey())
    draft = make_article(title="A draft", status=Article.Status.DRAFT, created_by=casey())
    assert contributor.get(f"/admin/articles/article/{draft.pk}/delete/").status_code == 403
    data = form_values(contributor.get(change_url(live)))  # read-only: no form
    assert "title" not in data
    assert contributor.post(change_url(live), {"title": "Changed"}).status_code == 403
    assert Article.objects.get(pk=live.pk).title == "Live one"
    assert contributor.get("/admin/auth/user/").status_code == 403
    assert contributor.get("/admin/catalogue/book/add/").status_code == 403


def test_an_editor_approves_with_a_note_and_it_goes_live(contributor, editor, client):
    contributor.post(
        "/admin/articles/article/add/",
        article_form(title="For review", status="draft", _submit_review="Submit"),
    )
    article = Article.objects.get()
    page = editor.get(change_url(article))
    assert {"_approve", "_send_back"} <= {button["name"] for button in _buttons(page)}
    data = form_values(page)
    data.update(_approve="Approve and publish", review_note="Lovely, thank you.")
    assert editor.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.is_public
    assert client.get(article.get_absolute_url()).status_code == 200
    log = text_of(editor.get(change_url(article)).content, ".desk-review-log li")
    assert log[0].startswith("Approved and published: Lovely, thank you. — erin")
    assert log[1].startswith("Submitted for review. — casey")


def test_an_editor_sends_back_and_the_contributor_reads_why(contributor, editor):
    article = make_article(title="Rough", status=Article.Status.REVIEW, created_by=casey())
    data = form_values(editor.get(change_url(article)))
    data.update(_send_back="Send back", review_note="The second half needs sources.")
    assert editor.post(change_url(article), data).status_code == 302
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT
    log = text_of(contributor.get(change_url(article)).content, ".desk-review-log li")
    assert log[0].startswith("Sent back: The second half needs sources. — erin")


def test_a_contributor_cannot_approve_by_posting_the_button(contributor):
    draft = make_article(title="Rough", status=Article.Status.DRAFT, created_by=casey())
    data = form_values(contributor.get(change_url(draft)))
    data["_approve"] = "Approve and publish"
    refused = contributor.post(change_url(draft), data)
    assert "Only editors approve or send back articles." in text_of(
        refused.content, ".errornote, .errorlist li"
    )
    assert Article.objects.get(pk=draft.pk).status == Article.Status.DRAFT
    # Once submitted, their article is the editors' until sent back: read-only.
    submitted = make_article(title="Ready", status=Article.Status.REVIEW, created_by=casey())
    assert "title" not in form_values(contributor.get(change_url(submitted)))
    refused = contributor.post(change_url(submitted), {**data, "title": "Ready"})
    assert refused.status_code == 403
    assert Article.objects.get(pk=submitted.pk).status == Article.Status.REVIEW


def _buttons(page):
    return BeautifulSoup(page.content, "html.parser").select(".submit-row input[type=submit]")


def test_createeditor_makes_up_a_password_when_none_is_given(capsys, monkeypatch):
    monkeypatch.delenv("COLOPHON_PASSWORD", raising=False)
    call_command("createeditor", "dana", role="editor")
    printed = capsys.readouterr().out
    password = printed.rsplit(": ", 1)[1].strip()
    user = get_user_model().objects.get(username="dana")
    assert user.is_staff and not user.is_superuser
    assert user.check_password(password) and len(password) >= 16
    assert [group.name for group in user.groups.all()] == ["Editors"]

    call_command("createeditor", "dana", role="administrator")
    user.refresh_from_db()
    assert [group.name for group in user.groups.all()] == ["Administrators"]
    assert user.check_password(password)  # a role change keeps the password


def test_an_administrator_manages_people(monkeypatch):
    admin = account("ada", "administrator", monkeypatch)
    assert admin.get("/admin/auth/user/").status_code == 200


def test_no_demo_account_with_debug_off(settings):
    settings.DEBUG = False
    report = load_demo()
    assert not get_user_model().objects.filter(username=EDITOR_USERNAME).exists()
    assert not report.has_editor


def test_a_demo_account_left_on_a_server_loses_its_published_password(settings):
    load_demo(editor=True)
    settings.DEBUG = False
    load_demo()
    user = get_user_model().objects.get(username=EDITOR_USERNAME)
    assert not user.check_password(EDITOR_PASSWORD)
    assert sign_in(Client(), EDITOR_USERNAME, EDITOR_PASSWORD).status_code == 200  # refused


def test_approving_over_a_colleagues_save_keeps_both_in_the_history(editor, admin_client):
    article = make_article(title="Contested", status=Article.Status.REVIEW)
    mine = form_values(editor.get(change_url(article)))
    theirs = form_values(admin_client.get(change_url(article)))
    theirs.update(body="Their edit.", _continue="Save")
    assert admin_client.post(change_url(article), theirs).status_code == 302

    mine.update(body="My edit.", _approve="Approve and publish")
    refused = editor.post(change_url(article), mine)
    assert refused.status_code == 200
    again = form_values(refused)
    # The clash's marks settled by hand for my line (tests/desk/test_merging_saves.py).
    again.update(body="My edit.", _approve="Approve and publish", review_note="Fine by me.")
    assert editor.post(change_url(article), again).status_code == 302
    log = text_of(editor.get(change_url(article)).content, ".desk-review-log li")
    assert log[0].startswith("Approved and published: Fine by me. Merged my version with")


def test_giving_a_superuser_a_role_leaves_them_only_that_role(capsys, monkeypatch):
    get_user_model().objects.create_superuser("root", password="root-pass-2026-x")
    monkeypatch.delenv("COLOPHON_PASSWORD", raising=False)
    call_command("createeditor", "root", role="contributor")
    user = get_user_model().objects.get(username="root")
    assert not user.is_superuser and not user.has_perm("articles.publish_article")
    assert "was a superuser and is now only a contributor" in capsys.readouterr().out


# --- Whose article: a contributor works on the ones they created ---------------------


@pytest.fixture
def colleague(monkeypatch):
    return account("chris", "contributor", monkeypatch)


def test_a_contributor_owns_what_they_create(contributor):
    contributor.post("/admin/articles/article/add/", article_form(title="Mine", status="draft"))
    assert Article.objects.get(title="Mine").created_by == casey()


def test_a_contributor_sees_and_edits_only_their_own_drafts(contributor, colleague, editor):
    theirs = make_article(title="Chris's draft", status=Article.Status.DRAFT,
                          created_by=get_user_model().objects.get(username="chris"))  # fmt: skip
    old = make_article(title="From before owners", status=Article.Status.DRAFT)
    mine = make_article(title="Casey's draft", status=Article.Status.DRAFT, created_by=casey())
    listed = text_of(contributor.get("/admin/articles/article/").content, "#result_list tbody th a")
    assert listed == ["Casey's draft"]
    for article in (theirs, old):
        assert contributor.get(change_url(article)).status_code == 302  # not shown
        refused = contributor.post(change_url(article), {"title": "Taken over", "body": "x"})
        assert refused.status_code == 302
        link = contributor.post(f"/admin/articles/article/{article.pk}/preview-link/")
        assert link.status_code == 403
        assert Article.objects.get(pk=article.pk).title != "Taken over"
    data = form_values(contributor.get(change_url(mine)))
    assert contributor.post(change_url(mine), {**data, "body": "Better."}).status_code == 302
    assert contributor.post(f"/admin/articles/article/{mine.pk}/preview-link/").status_code == 200
    # The recommendations box offers no one else's draft.
    found = contributor.get(
        "/admin/autocomplete/",
        {"app_label": "articles", "model_name": "article",
         "field_name": "pinned_recommendations", "term": "draft"},
    ).json()["results"]  # fmt: skip
    assert [row["text"] for row in found] == ["Casey's draft"]
    # Editors see and change them all, an article with no owner included.
    for article in (theirs, old):
        data = form_values(editor.get(change_url(article)))
        assert editor.post(change_url(article), {**data, "body": "Edited."}).status_code == 302


def test_a_contributor_makes_a_preview_link_for_their_submitted_article(contributor):
    submitted = make_article(title="Ready", status=Article.Status.REVIEW, created_by=casey())
    page = contributor.get(change_url(submitted))
    assert text_of(page.content, "#preview-link-button") == ["Copy a preview link"]
    assert (
        contributor.post(f"/admin/articles/article/{submitted.pk}/preview-link/").status_code == 200
    )


def every(app_label: str, *models: str) -> set[str]:
    """Django's four permissions on each model, as "app_label.codename"."""
    return {
        f"{app_label}.{action}_{model}"
        for model in models
        for action in ("add", "change", "delete", "view")
    }


ARTICLES_ALL = every(
    "articles", "article", "articlealias", "previewlink", "recommendation", "topic"
) | {"articles.publish_article"}
CATALOGUE_ALL = every(
    "catalogue",
    "alsoliked",
    "author",
    "book",
    "bookalias",
    "bookshoplink",
    "contribution",
    "importjob",
    "ratelimitcounter",
    "rating",
    "readinglist",
    "readinglistalias",
    "readinglistitem",
    "shop",
    "shopclick",
    "subject",
)
IMAGES_ALL = every("images", "image")
PEOPLE = every("auth", "group", "permission", "user") | every(
    "axes", "accessattempt", "accessattemptexpiration", "accessfailurelog", "accesslog"
)
# Each role's permissions as the desk gave them before each app declared its own share.
EXPECTED_ROLES = {
    "Contributors": {
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        "articles.view_topic",
        "catalogue.view_author",
        "catalogue.view_book",
        "catalogue.view_readinglist",
        "catalogue.view_readinglistitem",
        "catalogue.view_subject",
        "images.add_image",
        "images.change_image",
        "images.view_image",
    },
    "Editors": ARTICLES_ALL | CATALOGUE_ALL | IMAGES_ALL,
    "Administrators": ARTICLES_ALL | CATALOGUE_ALL | IMAGES_ALL | PEOPLE,
}


def test_each_role_holds_exactly_its_permissions():
    held = {
        group.name: {
            f"{permission.content_type.app_label}.{permission.codename}"
            for permission in group.permissions.select_related("content_type")
        }
        for group in Group.objects.all()
    }
    assert held == EXPECTED_ROLES
