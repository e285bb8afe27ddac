"""On paper, "Books in this article" runs the width of the article it closes."""

ARTICLE_PATH = "/articles/unlikely-allies/"


def test_books_in_article_prints_as_wide_as_the_article(demo_site, page, screenshot):
    page.emulate_media(media="print")
    response = page.goto(demo_site.url + ARTICLE_PATH)
    assert response is not None and response.status == 200
    heading = page.get_by_role("heading", name="Books in this article")
    assert heading.is_visible()
    title = page.locator("h1").bounding_box()
    foot = page.locator(".books-in-article").bounding_box()
    prose = page.locator(".prose").bounding_box()
    # The article's text fills the printed page; its foot starts where the text starts,
    # not indented as a narrow column in the middle of the sheet.
    assert abs(foot["x"] - title["x"]) < 2, (foot, title)
    assert abs(foot["width"] - prose["width"]) < 2, (foot, prose)
    screenshot("article-print-books-in-article")
