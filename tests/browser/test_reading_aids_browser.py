"""The seed article's reading aids in a real browser: its reading time, the "Buy the
Book" card's links shown as buttons, and the books at its foot with their thumbnails."""

import pytest

from tests.browser.test_article_browser import ARTICLE_PATH, watch_for_trouble

pytestmark = pytest.mark.browser


def test_reader_sees_the_reading_time_the_buy_buttons_and_the_books_at_the_foot(
    demo_site, page, screenshot
):
    problems = watch_for_trouble(page)
    page.goto(demo_site.url + ARTICLE_PATH, wait_until="load")

    assert page.locator(".article__meta .reading-time").inner_text() == "2 min read"

    buy_card = page.locator(".article__body .book-card").nth(1)
    bookshop = buy_card.locator(".shop-links--prominent a.button", has_text="Bookshop.org")
    assert bookshop.is_visible()
    box = bookshop.bounding_box()
    assert box["height"] >= 24, "the Buy the Book card's links are buttons, easy to hit"

    foot = page.get_by_role("region", name="Books in this article")
    foot.scroll_into_view_if_needed()
    assert foot.is_visible()
    thumbnail = foot.locator("img.cover")
    # Lazy: it starts loading once scrolled to, so it is waited for (a broken one times out).
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    assert thumbnail.bounding_box()["width"] < 60  # a thumbnail, not the card's cover
    assert foot.get_by_role("link", name="Borrow The Last Battle at Open Library").is_visible()
    # The foot comes before "Read next".
    assert foot.bounding_box()["y"] < page.locator("#recommendations").bounding_box()["y"]

    screenshot("article-books-in-this-article")
    assert problems == []
