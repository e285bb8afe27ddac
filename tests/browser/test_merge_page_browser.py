"""Merging books from a search: a book selected by mistake (the list's "select all" takes
every match) is unticked on the merge page and left as it is. The page said only that the
others would be deleted, and a merge cannot be undone: an editor who searched "salem",
selected all and merged lost "From Beirut to Jerusalem" into "Salem Falls"."""

from catalogue.models import Book
from tests.factories import make_author, make_book


def test_a_book_unticked_on_the_merge_page_is_left_out(page, desk, screenshot):
    king = make_author(name="Stephen King")
    kept = make_book(title="'Salem's Lot", slug="salems-lot", authors=[king])
    twin = make_book(title="'Salem's Lot", slug="salems-lot-2", authors=[king])
    stray = make_book(
        title="From Beirut to Jerusalem",
        slug="from-beirut-to-jerusalem",
        authors=[make_author(name="Thomas L. Friedman (Salem)")],
    )

    page.goto(f"{desk}/admin/catalogue/book/?q=salem")
    page.check("#action-toggle")
    page.select_option("select[name=action]", "merge_selected")
    page.click("button[name=index]")
    page.get_by_text("A merge cannot be undone.").wait_for()
    screenshot("desk-merge-choose")

    page.get_by_label("Merge From Beirut to Jerusalem").uncheck()
    page.locator(f"#kept-{kept.pk}").check()  # the first of the two twins
    page.get_by_role("button", name="Merge into the chosen book").click()

    told = page.locator(".messagelist").inner_text()
    assert "Merged “'Salem's Lot” into “'Salem's Lot”" in told
    assert "Beirut" not in told
    assert Book.objects.filter(pk=stray.pk).exists()
    assert not Book.objects.filter(pk=twin.pk).exists()
