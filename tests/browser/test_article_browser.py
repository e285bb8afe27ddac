"""What a reader sees of the seed article in a real browser (headless Debian Chromium)."""

ARTICLE_PATH = "/articles/unlikely-allies/"
BOOK_PATH = "/books/the-last-battle/"


def watch_for_trouble(page) -> list[str]:
    """Collect console errors, uncaught exceptions, failed requests and HTTP errors."""
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "requestfailed",
        lambda request: problems.append(f"request failed: {request.url} ({request.failure})"),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400
            else None
        ),
    )
    return problems


def test_reader_sees_the_article_its_book_cards_and_what_to_read_next(demo_site, page):
    problems = watch_for_trouble(page)
    response = page.goto(demo_site.url + ARTICLE_PATH, wait_until="load")
    assert response is not None and response.status == 200

    cards = page.locator(".book-card")
    assert cards.count() == 2
    for index in range(2):
        assert cards.nth(index).is_visible(), f"book card {index + 1} is not visible"

    rating = page.get_by_text("4.4 out of 5", exact=True).first
    assert rating.is_visible()

    cover = cards.first.locator("img.cover")
    assert cover.is_visible()
    assert cover.evaluate("img => img.complete && img.naturalWidth") > 0, "cover did not load"

    heading = page.get_by_role("heading", name="The Legacy of Torgau")
    assert heading.is_visible()

    recommendations = page.locator("#recommendations")
    assert recommendations.is_visible()
    teasers = recommendations.locator(".teaser__text")
    assert teasers.count() == 2
    for text in teasers.all_inner_texts():
        assert text.strip().endswith("…"), text

    assert problems == []


def test_book_card_title_leads_to_the_book_page(demo_site, page):
    page.goto(demo_site.url + ARTICLE_PATH)
    title_link = page.locator(".book-card").first.locator(".book-card__title a")
    with page.expect_navigation() as navigation:
        title_link.click()
    assert navigation.value.status == 200
    assert page.url == demo_site.url + BOOK_PATH
    assert "The Last Battle" in page.title()
