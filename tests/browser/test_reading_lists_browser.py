"""A reading list in the browser: its books numbered, each note under its card, and the
same list inside an article's text."""

import pytest

from articles.models import Article
from catalogue.models import Book, ReadingList, ReadingListItem

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def war(demo_site):
    books = list(Book.objects.order_by("pk")[:1]) + [
        Book.objects.create(title=f"A History of the War, Volume {number}") for number in (1, 2)
    ]
    reading_list = ReadingList.objects.create(
        title="The last days of the war",
        slug="last-days",
        status=ReadingList.Status.PUBLISHED,
        introduction="Three books on how a war ends, seen from inside it.",
    )
    for position, book in enumerate(books):
        ReadingListItem.objects.create(
            reading_list=reading_list,
            book=book,
            position=position,
            note=f"Why number {position + 1} is here: it reads the end from the inside.",
        )
    Article.objects.create(
        title="Reading for the spring of 1945",
        slug="spring-1945",
        body="Three books.\n\n[[list:last-days]]\n\nAnd then the peace.\n",
        status=Article.Status.PUBLISHED,
    )
    return demo_site


def test_each_note_sits_under_its_numbered_card(war, page, screenshot):
    page.goto(f"{war.url}/lists/last-days/")
    cards = page.locator(".reading-list__entry")
    assert cards.count() == 3
    first_card = cards.nth(0).locator(".book-card").bounding_box()
    first_note = cards.nth(0).locator(".reading-list__note").bounding_box()
    assert first_note["y"] >= first_card["y"] + first_card["height"] - 1
    assert abs(first_note["x"] - first_card["x"]) < 1
    numbered = (
        cards.nth(1)
        .locator(".book-card__title")
        .evaluate("el => getComputedStyle(el, '::before').content")
    )
    assert numbered == 'counter(reading-list) ". "'
    screenshot("reading-list")
    page.emulate_media(color_scheme="dark")
    screenshot("reading-list-dark")


def test_the_list_reads_in_an_articles_text(war, page, screenshot):
    page.goto(f"{war.url}/articles/spring-1945/")
    embed = page.locator(".article__body .reading-list-embed")
    assert embed.locator(".reading-list-embed__title a").inner_text() == "The last days of the war"
    assert embed.locator(".reading-list__note").count() == 3
    screenshot("reading-list-in-article")
