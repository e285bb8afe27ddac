"""Bulk actions readers notice at once, or that cannot be undone, ask before they run.

"Publish selected articles now", "Withdraw selected articles now" and the ratings'
"Remove every rating from the selected ratings' addresses" ran on Go, with no question:
a wrong tick published a draft, or removed every rating from an address on every book.
"""

from articles.models import Article
from catalogue.models import Rating
from catalogue.ratings import Reader, rate
from tests.factories import make_article, make_book


def choose_action(page, name: str, *, answer: bool) -> list[str]:
    """Runs the list's action `name` on the ticked rows, answering its question (if any)
    with OK or Cancel: the questions asked."""
    asked = []

    def reply(dialog):
        asked.append(dialog.message)
        dialog.accept() if answer else dialog.dismiss()

    page.on("dialog", reply)
    page.select_option("select[name=action]", name)
    if answer:
        with page.expect_navigation():  # the action's answer, posted and handled
            page.click("button[name=index]")
    else:
        page.click("button[name=index]")
        page.wait_for_load_state()
    page.remove_listener("dialog", reply)
    return asked


def test_publishing_now_asks_first_and_cancel_leaves_the_draft(page, desk):
    draft = make_article(title="Not ready yet", status=Article.Status.DRAFT)
    page.goto(f"{desk}/admin/articles/article/?state=draft")
    page.check(f"input[name=_selected_action][value='{draft.pk}']")

    asked = choose_action(page, "publish_now_selected", answer=False)
    assert asked == ["Publish the selected articles (1) now? Readers see them at once."]
    assert Article.objects.get(pk=draft.pk).status == Article.Status.DRAFT

    asked = choose_action(page, "publish_now_selected", answer=True)
    assert len(asked) == 1
    assert "Published 1 article: “Not ready yet”." in page.locator(".messagelist").inner_text()
    assert Article.objects.get(pk=draft.pk).status == Article.Status.PUBLISHED


def test_scheduling_asks_nothing_it_has_a_page_of_its_own(page, desk):
    draft = make_article(title="For later", status=Article.Status.DRAFT)
    page.goto(f"{desk}/admin/articles/article/?state=draft")
    page.check(f"input[name=_selected_action][value='{draft.pk}']")
    assert choose_action(page, "schedule_selected", answer=False) == []
    assert page.get_by_text("These articles will go live by themselves").is_visible()


def test_removing_every_rating_from_an_address_asks_first(page, desk):
    book = make_book(title="Kindred")
    for number in range(3):
        rate(book=book, reader=Reader(visitor=f"sock-{number}"), score=1, ip_hash="one" * 21)
    page.goto(f"{desk}/admin/catalogue/rating/")
    page.locator("input.action-select").first.check()

    asked = choose_action(page, "remove_from_same_addresses", answer=False)
    assert asked == [
        "Remove every rating, on every book, from the addresses of the selected ratings (1)? "
        "This cannot be undone."
    ]
    assert Rating.objects.count() == 3

    choose_action(page, "remove_from_same_addresses", answer=True)
    assert Rating.objects.count() == 0
