"""Buy and borrow links as a reader meets them: named for a screen reader ("Buy The Last
Battle at Bookshop.org") while the card shows the shop's name, buttons first on the
book's page, in both colour schemes. Screenshots: test-artifacts/screenshots/links-*."""

import pytest

from tests.browser.conftest import SCREENSHOTS

BOOK_PATH = "/books/the-last-battle/"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_book_page_offers_its_links_as_named_buttons(demo_site, page, screenshot, scheme):
    page.emulate_media(color_scheme=scheme)
    page.goto(demo_site.url + BOOK_PATH)
    card = page.locator(".book > .book-card")
    buy = card.get_by_role("link", name="Buy The Last Battle at Bookshop.org")
    borrow = card.get_by_role("link", name="Borrow The Last Battle at Open Library")
    assert buy.is_visible() and borrow.is_visible()
    # Seen: the shop's name; the rest is heard, not seen (a clipped 1px span).
    assert buy.locator(".visually-hidden").bounding_box()["width"] <= 1
    # Buttons, before the card's details.
    box, details = buy.bounding_box(), card.locator(".book-card__details").bounding_box()
    assert box["y"] < details["y"] and box["height"] >= 24
    screenshot(f"links-book-page-{scheme}")


def test_a_card_in_an_article_lists_its_links_under_the_details(demo_site, page):
    page.goto(demo_site.url + "/articles/unlikely-allies/")
    card = page.locator(".prose .book-card").first
    link = card.get_by_role("link", name="Borrow The Last Battle at WorldCat")
    assert link.is_visible()
    details = card.locator(".book-card__details").bounding_box()
    assert link.bounding_box()["y"] > details["y"]
    href = link.get_attribute("href")
    assert href.startswith("/go/") and "from=" in href
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=SCREENSHOTS / "links-article-card.png")


def test_sponsored_links_are_disclosed_beside_them(demo_site, page, settings):
    settings.AFFILIATE_CODES = {"bookshop-org": "12345"}
    page.goto(demo_site.url + "/articles/unlikely-allies/")
    card = page.locator(".prose .book-card").first
    link = card.get_by_role("link", name="Buy The Last Battle at Bookshop.org")
    assert link.get_attribute("rel") == "sponsored noopener"
    note = card.locator(".shop-links__disclosure")
    assert note.inner_text() == (
        "Colophon earns a commission on purchases made through the Bookshop.org link."
    )
    assert note.is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    card.screenshot(path=SCREENSHOTS / "links-article-card-sponsored.png")
