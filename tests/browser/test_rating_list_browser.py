"""The ratings list at 1280 px, as editors moderate it: every column is on the screen
(the times said "7 Dec 2026, 7:53 a.m." with no zone, and the last column was past the
list's edge, reached only by scrolling it sideways)."""

from catalogue.ratings import Reader, rate
from tests.factories import make_book


def test_the_ratings_list_fits_beside_the_navigation(page, desk, screenshot):
    book = make_book(title="Harry Potter and the Prisoner of Azkaban")
    for number in range(3):
        rate(
            book=book,
            reader=Reader(visitor=f"visitor-{number:02d}-abcdef"),
            score=number + 1,
            ip_hash=f"{number:064d}",
        )
    page.goto(f"{desk}/admin/catalogue/rating/")
    screenshot("desk-ratings")

    results = page.locator("#changelist-form .results")
    assert results.evaluate("box => box.scrollWidth <= box.clientWidth")
    heads = page.locator("#result_list thead th").all_inner_texts()
    assert [head.strip() for head in heads][-2:] == ["RATED (UTC)", "CHANGED (UTC)"]
    first_row = page.locator("#result_list tbody tr").first
    assert first_row.locator("td.field-changed_at").is_visible()
