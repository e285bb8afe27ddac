"""The editors' desk in a real browser under the production Content-Security-Policy:
no script or style refused, and the autocomplete widgets work."""

import pytest
from django.db import connection

pytestmark = [
    # select2 and the page load at once; the live server's in-memory SQLite database
    # (shared cache) refuses concurrent readers instead of waiting, so this runs in the
    # PostgreSQL pass of CI.
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs concurrent requests: PostgreSQL pass"
    ),
]


def test_writing_an_article_in_the_desk_breaks_no_policy(page, demo_site):
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.goto(demo_site.url + "/admin/login/?next=/admin/articles/article/add/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", "colophon-demo-editor")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/articles/article/add/")
    # The pinned-articles autocomplete (select2, from the admin's static files).
    page.click("#id_pinned_recommendations + .select2 .select2-selection")
    page.keyboard.type("Unlock")
    option = page.locator(".select2-results__option", has_text="Voice Perception")
    option.wait_for()
    option.click()
    page.fill("#id_title", "A piece written in the browser")
    page.fill("#id_body", "Words.\n\n[[book:9780306822087]]\n")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/articles/article/")
    assert "was added successfully" in page.locator(".messagelist").inner_text()
    assert problems == []
