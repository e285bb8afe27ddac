"""An article with as many working preview links as it may have (WORKING_LINKS_MAX): the
"Copy a preview link" button says what to do, in the desk's words, not "Try again"; once
one is revoked, a link is made."""

import pytest
from django.db import connection

from articles.models import Article
from articles.previews import WORKING_LINKS_MAX, make_preview_link
from tests.browser.conftest import problems_on
from tests.factories import make_article

pytestmark = [
    # The page, its scripts and the preview's requests come at once; the live server's
    # in-memory SQLite database refuses concurrent readers, so this runs in the
    # PostgreSQL pass of CI.
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs concurrent requests: PostgreSQL pass"
    ),
]


def test_an_editor_at_the_most_links_is_told_to_revoke_one_and_then_gets_a_link(
    page, demo_site, screenshot
):
    draft = make_article(title="Torgau, April 1945", status=Article.Status.DRAFT)
    for _ in range(WORKING_LINKS_MAX):
        make_preview_link(draft)
    problems = problems_on(page)
    change = f"/admin/articles/article/{draft.pk}/change/"
    page.goto(f"{demo_site.url}/admin/login/?next={change}")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "colophon-demo-editor")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{change}")

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo_site.url)
    button = page.get_by_role("button", name="Copy a preview link")
    button.click()
    status = page.locator("#preview-link-status")
    status.locator("text=revoke one").wait_for()
    assert status.inner_text() == (
        f"{WORKING_LINKS_MAX} links to this article still work, the most it may have: "
        "revoke one under “Preview links” first."
    )
    assert button.is_enabled()
    assert not page.locator("#preview-link-url").is_visible()
    screenshot("desk-preview-links-at-most")

    # Revoked as the status says, under "Preview links": then a link is made.
    page.locator(".desk-preview-link__revoke").first.click()
    page.get_by_role("button", name="Yes, revoke this link").click()
    page.wait_for_url(f"**{change}")
    page.get_by_role("button", name="Copy a preview link").click()
    page.locator("#preview-link-status", has_text="Link copied.").wait_for()
    assert (
        page.locator("#preview-link-url")
        .input_value()
        .startswith(f"{demo_site.url}/articles/preview/")
    )
    # The 409 is the one error the console shows: the browser reports the failed request.
    assert [problem for problem in problems if "409" not in problem] == []
