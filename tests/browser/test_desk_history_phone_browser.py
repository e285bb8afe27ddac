"""An article's history on a phone (390 x 844): the page does not scroll sideways, and
each version's time, author, reason and links (compare, preview, restore) are on the
screen. Its seven columns made the page 572 px wide, Restore off the screen's edge."""

import pytest
from django.test import Client

from tests.factories import make_article
from tests.helpers import form_values, sign_in_page

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def saved_three_times(demo_site):
    """An article saved three times at the desk (the test's own client, one at a time)."""
    from django.contrib.auth import get_user_model

    article = make_article(title="Torgau, April 1945", body="The first words.")
    desk = Client()
    desk.force_login(get_user_model().objects.get(username="editor"))
    url = f"/admin/articles/article/{article.pk}/change/"
    for ending in ["A second paragraph.", "A third, longer paragraph that says more."]:
        data = form_values(desk.get(url))
        data["body"] = f"The first words.\n\n{ending}"
        assert desk.post(url, data).status_code == 302
    return article


def test_the_history_fits_a_phone_with_every_versions_links(
    phone, demo_site, saved_three_times, screenshot
):
    sign_in_page(phone, demo_site.url, "editor", "colophon-demo-editor")
    phone.goto(f"{demo_site.url}/admin/articles/article/{saved_three_times.pk}/history/")
    screenshot("desk-history-phone", of=phone)

    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    versions = phone.locator("#change-history tr.desk-history__version")
    assert versions.count() >= 3
    for link in phone.locator(".desk-history__actions a").all():
        box = link.bounding_box()
        assert link.is_visible() and box["x"] >= 0, link.inner_text()
        assert box["x"] + box["width"] <= PHONE["width"], link.inner_text()
    oldest = versions.last
    assert oldest.get_by_role("link", name="Restore").is_visible()
    assert "As it was before its first save in the desk." in oldest.inner_text()
