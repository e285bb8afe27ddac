"""Nothing typed is lost: the article form keeps a copy of what the editor types in the
browser at every change, so words typed a second before the browser died (the server's
copy waits for three quiet seconds) are offered back when the same editor opens the same
form, and the copy goes once the form is saved or the editor discards it."""

import contextlib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.signals import request_finished, request_started
from django.db import connection

from articles.demo import EDITOR_PASSWORD, EDITOR_USERNAME
from articles.models import Article
from desk.models import AutosavedForm
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, RequestsInFlight
from tests.factories import make_article
from tests.helpers import sign_in_page

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs concurrent requests: PostgreSQL pass"
    ),
]

TYPED = " Words typed a second before the crash."
OFFER = ".desk-autosave-offer"


@pytest.fixture
def in_flight():
    """The live server's answers under way are waited for before the database is emptied."""
    requests = RequestsInFlight()
    request_started.connect(requests.started, weak=False)
    request_finished.connect(requests.finished, weak=False)
    yield requests
    requests.wait_until_none()
    request_started.disconnect(requests.started)
    request_finished.disconnect(requests.finished)


@pytest.fixture
def profile(browser, tmp_path, in_flight):
    """Opens a Chromium with a profile on disk, as an editor's is, again and again: what
    one run left in its storage, the next finds."""
    opened = []

    def open_browser():
        context = browser.browser_type.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(10_000)
        opened.append(context)
        return context, context.pages[0] if context.pages else context.new_page()

    yield open_browser
    for context in opened:
        with contextlib.suppress(Exception):  # closed by the test already
            context.close()


def type_at_end(page, text: str) -> None:
    body = page.locator("#id_body")
    body.press("Control+End")
    body.press_sequentially(text)


def typed_in_a_new_browser(profile, site: str, url: str, text: str, *, wait_ms: int = 500):
    """The demo editor, in the browser `profile` opens, signs in, opens the form at `url`
    and types `text` at the end of the body; after `wait_ms` (the browser has its copy,
    the server none yet) the browser's context and the page are returned."""
    context, page = profile()
    sign_in_page(page, site, EDITOR_USERNAME, EDITOR_PASSWORD)
    page.goto(url)
    page.wait_for_load_state("load")
    type_at_end(page, text)
    page.wait_for_timeout(wait_ms)
    return context, page


@pytest.fixture
def article(demo_site):
    return make_article(title="Torgau, April 1945", body="The first words.")


def test_words_typed_a_second_before_a_crash_are_offered_back_and_restored(
    demo_site, profile, article, in_flight, screenshot
):
    url = f"{demo_site.url}/admin/articles/article/{article.pk}/change/"
    context, page = typed_in_a_new_browser(profile, demo_site.url, url, TYPED, wait_ms=1000)
    context.close()  # the browser dies: no beforeunload, no server copy (3 quiet seconds)
    in_flight.wait_until_none()
    assert not AutosavedForm.objects.exists()

    context, page = profile()
    page.goto(url)
    offer = page.locator(OFFER)
    restore = offer.get_by_role("button", name="Restore what you typed at")
    assert "(not saved)" in restore.inner_text()
    assert page.input_value("#id_body") == "The first words."  # nothing changed unasked
    screenshot("desk-browser-copy-offer", of=page)
    restore.click()
    assert page.input_value("#id_body") == "The first words." + TYPED
    assert "Save to keep it." in offer.inner_text()

    # Saved: the copy goes with the page the save leads to; the form opens plain.
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")
    assert Article.objects.get(pk=article.pk).body == "The first words." + TYPED
    page.goto(url)
    page.wait_for_load_state("load")
    assert page.locator(OFFER).count() == 0
    copies = "Object.keys(localStorage).filter((key) => key.startsWith('colophon.typed'))"
    assert page.evaluate(copies) == []


def test_a_discarded_copy_is_not_offered_again(demo_site, profile, article, in_flight):
    url = f"{demo_site.url}/admin/articles/article/{article.pk}/change/"
    context, page = typed_in_a_new_browser(profile, demo_site.url, url, " Not wanted.")
    page.close(run_before_unload=False)  # the tab closed

    page = context.new_page()
    page.goto(url)
    page.locator(OFFER).get_by_role("button", name="Discard").click()
    assert page.locator(OFFER).count() == 0
    page.reload()
    page.wait_for_load_state("load")
    assert page.locator(OFFER).count() == 0
    assert page.input_value("#id_body") == "The first words."


def test_the_copy_is_offered_only_to_the_editor_who_typed_it(demo_site, profile, article):
    user = get_user_model().objects.create_user(
        "second-editor", password="another-long-pass-7", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Editors"))
    url = f"{demo_site.url}/admin/articles/article/{article.pk}/change/"
    context, page = typed_in_a_new_browser(profile, demo_site.url, url, " Mine alone.")
    page.close(run_before_unload=False)

    # A colleague on the same computer opens the same form: nothing of mine is offered.
    page = context.new_page()
    context.clear_cookies()  # signed out
    sign_in_page(page, demo_site.url, "second-editor", "another-long-pass-7")
    page.goto(url)
    page.wait_for_load_state("load")
    assert page.locator(OFFER).count() == 0

    # Back as myself: offered.
    context.clear_cookies()
    sign_in_page(page, demo_site.url, EDITOR_USERNAME, EDITOR_PASSWORD)
    page.goto(url)
    page.locator(OFFER).get_by_role("button", name="Restore what you typed at").click()
    assert page.input_value("#id_body") == "The first words. Mine alone."


def test_a_copy_older_than_the_saved_article_is_not_offered(demo_site, profile, article):
    url = f"{demo_site.url}/admin/articles/article/{article.pk}/change/"
    context, page = typed_in_a_new_browser(
        profile, demo_site.url, url, " Typed before a colleague saved."
    )
    page.close(run_before_unload=False)
    article.refresh_from_db()
    article.body = "A colleague's words."
    article.save()  # saved after the copy was taken

    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("load")
    assert page.locator(OFFER).count() == 0
    assert page.input_value("#id_body") == "A colleague's words."
