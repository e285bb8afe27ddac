"""The seed article's "Buy the Book" link, clicked in a browser: it lands at the shop with
the book's ISBN, and the desk's report shows that click against the article. Screenshot:
test-artifacts/screenshots/desk-clicks-to-shops.png."""

import re

from articles.demo import EDITOR_PASSWORD, EDITOR_USERNAME
from catalogue.shops import ShopClick
from tests.helpers import sign_in_page

ARTICLE = "/articles/unlikely-allies/"
# A reader's browser: Playwright's headless Chromium says "HeadlessChrome", not counted.
READER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


def test_a_click_lands_at_the_shop_and_the_desk_shows_it_against_the_article(
    demo_site, browser, screenshot
):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, user_agent=READER)
    page = context.new_page()
    page.set_default_timeout(10_000)
    # The shop is not asked: what the browser was sent to is answered here.
    landed = []
    page.route(
        re.compile(r"^https://bookshop\.org/"),
        lambda route: (landed.append(route.request.url), route.fulfill(body="The shop"))[1],
    )
    page.goto(demo_site.url + ARTICLE)
    # The card under "Buy the Book" shows its links as buttons (shop-links--prominent).
    card = page.locator(".prose .shop-links--prominent")
    link = card.first.get_by_role("link", name=re.compile(r"^Buy .* at Bookshop\.org$"))
    href = link.get_attribute("href")
    assert href.startswith("/go/") and "from=" in href
    link.click()
    page.wait_for_url(re.compile(r"^https://bookshop\.org/"))
    assert len(landed) == 1 and re.search(r"97[89]\d{10}", landed[0]), landed
    assert list(ShopClick.objects.values_list("count", flat=True)) == [1]
    assert context.cookies(demo_site.url) == []  # the redirect set none

    sign_in_page(page, demo_site.url, EDITOR_USERNAME, EDITOR_PASSWORD)
    page.get_by_role("link", name="Shop clicks").click()
    page.wait_for_selector(".shop-clicks-total")
    assert page.locator(".shop-clicks-total").inner_text().startswith("1 click to shops")
    row = page.locator("table:has(caption:text('Pages whose links')) tbody tr").first
    cells = row.locator("th, td").all_inner_texts()
    assert cells[0].startswith("Unlikely Allies") and cells[1:5] == ["Article", "1", "0", "1"]
    assert page.locator(".shop-clicks-chart rect").count() == 30
    screenshot("desk-clicks-to-shops", of=page)
    context.close()
