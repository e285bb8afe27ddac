"""Rating a book in a real browser: in place with JavaScript, by keyboard, and without."""

BOOK_PATH = "/books/the-last-battle/"


def card_count(page) -> str:
    return page.locator(".book > .book-card .rating__count").inner_text()


def test_rating_in_place_without_a_reload(page, demo_site):
    page.goto(demo_site.url + BOOK_PATH)
    page.evaluate("window.notReloaded = true")
    page.locator("label[for=rate-4]").click()  # the star a reader sees
    page.get_by_role("button", name="Rate").click()
    status = page.locator("[data-rating-status]")
    status.filter(has_text="you rated this book 4 stars").wait_for()
    assert page.evaluate("window.notReloaded") is True
    assert card_count(page) == "(1 rating)"  # the readers' figure replaces the editor's
    assert page.locator(".book > .book-card .rating__average").inner_text() == "4.0 out of 5"
    assert page.locator("[data-rating-histogram] .histogram__count").nth(1).inner_text() == "1"

    page.get_by_role("button", name="Remove my rating").click()
    status.filter(has_text="Your rating was removed.").wait_for()
    assert card_count(page) == "(the editor’s rating)"
    assert page.get_by_role("button", name="Remove my rating").is_hidden()


def test_rating_by_keyboard_alone(page, demo_site):
    page.goto(demo_site.url + BOOK_PATH)
    page.focus("#rate-1")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.locator("#rate-3").is_checked()
    page.keyboard.press("Tab")  # out of the radio group, onto the Rate button
    assert page.evaluate("document.activeElement.textContent") == "Rate"
    page.keyboard.press("Enter")
    page.locator("[data-rating-status]").filter(has_text="3 stars").wait_for()
    assert page.locator("[data-rating-status]").get_attribute("role") == "status"


def test_rating_without_javascript(browser, demo_site):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(demo_site.url + BOOK_PATH)
        page.locator("label[for=rate-5]").click()
        page.get_by_role("button", name="Rate").click()
        page.wait_for_load_state()
        assert page.url.endswith(BOOK_PATH + "#your-rating")
        assert page.locator(".message").inner_text() == "Thank you: you rated this book 5 stars."
        assert card_count(page) == "(1 rating)"
    finally:
        context.close()
