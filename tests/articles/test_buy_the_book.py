"""The card that sells and the books at an article's foot: the card under a "Buy" heading
shows its buy and borrow links most prominently; "Books in this article" lists each book
once with its links and one disclosure; every link counts its clicks against the article."""

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from stdnum import ean

from articles.models import Article
from articles.rendering import render_body
from catalogue.models import Book
from catalogue.shop_clicks import source_from_token
from catalogue.shops import BookShopLink, Shop
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of

SEED_URL = "/articles/unlikely-allies/"
DEMO_ISBN = "9780306822087"


def soup_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def isbn13(first_twelve: str) -> str:
    return first_twelve + ean.calc_check_digit(first_twelve)


def from_of(href: str) -> tuple:
    """The page a click link counts against, read back from its signed `from` token."""
    token = href.split("?from=", 1)[1]
    return source_from_token(token)


@pytest.fixture
def earning(settings):
    """Affiliate codes for the two default bookshops: their links earn, and say so."""
    settings.AFFILIATE_CODES = {"bookshop-org": "12345", "amazon": "colophon-21"}


# --- The seed article -----------------------------------------------------------------


def test_the_seeds_buy_the_book_card_shows_working_links_from_its_isbn(client, demo, earning):
    page = soup_of(client.get(SEED_URL))
    heading = next(h for h in page.select(".article__body h2") if h.get_text() == "Buy the Book")
    card = heading.find_next(class_="book-card")
    links = card.select(".shop-links--prominent a.shop-link")

    names = [" ".join(link.get_text(" ").split()) for link in links]
    assert "Buy The Last Battle at Bookshop.org" in names
    assert "Borrow The Last Battle at Open Library" in names
    assert "Colophon earns a commission" in card.select_one(".shop-links").get_text()

    for link in links:  # each leads, through Colophon's redirect, to the shop's page
        response = client.get(link["href"])
        assert response.status_code == 302
        if "Bookshop.org" in link.get_text() or "Open Library" in link.get_text():
            assert DEMO_ISBN in response["Location"]
    bookshop = next(link for link in links if "Bookshop.org" in link.get_text())
    assert client.get(bookshop["href"])["Location"] == (f"https://bookshop.org/a/12345/{DEMO_ISBN}")
    assert "sponsored" in bookshop["rel"]


def test_only_the_card_under_the_buy_heading_is_prominent(client, demo):
    page = soup_of(client.get(SEED_URL))
    cards = page.select(".article__body .book-card")

    assert len(cards) == 2
    assert not cards[0].select(".shop-links--prominent")  # the first, in the story
    assert cards[1].select(".shop-links--prominent")  # under "Buy the Book"


def test_the_seeds_links_count_their_clicks_against_the_article(client, demo):
    article = Article.objects.get(slug="unlikely-allies")
    page = soup_of(client.get(SEED_URL))
    hrefs = [link["href"] for link in page.select("a.shop-link")]

    assert hrefs
    assert all(from_of(href) == (Article, article.pk) for href in hrefs)


def test_the_seed_lists_its_one_book_once_at_its_foot_before_read_next(client, demo, earning):
    page = soup_of(client.get(SEED_URL))
    foot = page.select_one(".books-in-article")

    assert foot.select_one("h2").get_text() == "Books in this article"
    assert text_of(str(foot), ".books-in-article__title") == [
        "The Last Battle: When U.S. and German Soldiers Joined Forces in the Waning Hours of "
        "World War II in Europe"
    ]
    assert text_of(str(foot), ".books-in-article__authors") == ["by Stephen Harding"]
    assert foot.select("a.shop-link")
    assert text_of(str(foot), ".books-in-article__disclosure") == [
        "Colophon earns a commission on purchases made through the Bookshop.org and Amazon links."
    ]
    # The foot's links are not buttons; "Read next" still follows, with its id.
    assert not foot.select(".shop-links--prominent")
    assert foot.find_next(id="recommendations") is not None


# --- Which card sells: the rule --------------------------------------------------------


@pytest.fixture
def books(db):
    return [make_book(title=title, slug=slug, isbn13=isbn) for title, slug, isbn in [
        ("Torgau", "torgau", "9780306822087"),
        ("Elbe Day", "elbe-day", "9780143039433"),
        ("Berlin", "berlin", "9780141032399"),
    ]]  # fmt: skip


def prominent_titles(body: str) -> list[str]:
    html = str(render_body(body).html)
    return text_of(html, ".book-card:has(.shop-links--prominent) .book-card__title")


@pytest.mark.parametrize(
    "heading",
    ["## Buy the Book", "### **Buy the Book**", "## BUY THE BOOK", "#### Where to *buy* it"],
)
def test_a_heading_with_the_word_buy_makes_its_first_card_prominent(books, heading):
    body = f"[[book:torgau]]\n\n{heading}\n\nSome words.\n\n[[book:elbe-day]]\n\n[[book:berlin]]\n"

    assert prominent_titles(body) == ["Elbe Day"]


@pytest.mark.parametrize(
    "heading",
    ["## A buyer’s guide", "## Buying books", "## Buy-in from the Allies", "Buy the Book"],
)
def test_other_headings_and_paragraphs_make_no_card_prominent(books, heading):
    body = f"{heading}\n\n[[book:torgau]]\n"

    expected = ["Torgau"] if heading == "## Buy-in from the Allies" else []
    assert prominent_titles(body) == expected  # "buy-in" has the word; a paragraph is no heading


def test_the_buy_section_ends_at_a_heading_of_its_level_or_higher(books):
    body = "## Buy the Book\n\nWords.\n\n## Next\n\n[[book:torgau]]\n"
    assert prominent_titles(body) == []

    body = "### Buy the Book\n\n## Higher\n\n[[book:torgau]]\n"
    assert prominent_titles(body) == []

    body = "## Buy the Book\n\n### In print\n\n[[book:torgau]]\n"  # a subsection stays in it
    assert prominent_titles(body) == ["Torgau"]


def test_a_card_readers_cannot_see_leaves_the_next_one_to_sell(books):
    Book.objects.filter(slug="torgau").update(status=Book.Status.WITHDRAWN)

    body = "## Buy the Book\n\n[[book:torgau]]\n\n[[book:elbe-day]]\n"

    assert prominent_titles(body) == ["Elbe Day"]


def test_each_buy_heading_has_its_own_card(books):
    body = "## Buy it\n\n[[book:torgau]]\n\n## Buy this too\n\n[[book:elbe-day]]\n"

    assert prominent_titles(body) == ["Torgau", "Elbe Day"]


def test_text_that_looks_like_a_heading_in_code_is_not_one(books):
    body = "```\n## Buy the Book\n```\n\n[[book:torgau]]\n"

    assert prominent_titles(body) == []


# --- Books in this article ---------------------------------------------------------------


def test_books_in_this_article_lists_each_public_book_once_in_order(client, books):
    Book.objects.filter(slug="berlin").update(status=Book.Status.WITHDRAWN)
    author = make_author(name="Stephen Harding")
    books[1].contributions.create(author=author, position=0)
    article = make_article(
        title="Allies",
        body="[[book:elbe-day]]\n\nWords.\n\n[[book:torgau]]\n\n[[book:elbe-day]]\n\n"
        "[[book:berlin]]\n",
    )

    page = soup_of(client.get(article.get_absolute_url()))
    foot = page.select_one(".books-in-article")

    assert text_of(str(foot), ".books-in-article__title") == ["Elbe Day", "Torgau"]
    assert text_of(str(foot), ".books-in-article__authors") == ["by Stephen Harding"]
    for item in foot.select(".books-in-article__book"):
        hrefs = [link["href"] for link in item.select("a.shop-link")]
        assert hrefs  # every book here has an ISBN: its shops link to it
        assert all(from_of(href) == (Article, article.pk) for href in hrefs)


def test_no_links_that_earn_say_plainly_that_nothing_is_paid(client, books):
    article = make_article(title="Allies", body="[[book:torgau]]\n")

    page = soup_of(client.get(article.get_absolute_url()))

    assert page.select(".books-in-article a.shop-link")
    assert text_of(str(page), ".books-in-article__disclosure") == [
        "Colophon is paid nothing for these links; it counts clicks on them, never who clicked."
    ]
    assert "commission" not in page.get_text()


def test_the_seed_says_under_its_buy_the_book_card_that_its_links_earn_nothing(client, demo):
    page = soup_of(client.get(SEED_URL))
    prominent = page.select_one(".shop-links--prominent")

    assert prominent.select("a.shop-link.button")
    assert text_of(str(prominent), ".shop-links__disclosure") == [
        "Colophon is paid nothing for these links; it counts clicks on them, never who clicked."
    ]
    # Plain cards elsewhere carry no sentence of their own: the foot says it once.
    assert len(page.select(".shop-links__disclosure")) == 1


def test_the_disclosure_is_said_once_for_every_book(client, books, earning):
    article = make_article(title="Allies", body="[[book:torgau]]\n\n[[book:elbe-day]]\n")

    foot = soup_of(client.get(article.get_absolute_url())).select_one(".books-in-article")

    assert len(foot.find_all(string=lambda text: "commission" in text)) == 1


def test_an_article_without_books_has_no_books_section(client, db):
    article = make_article(title="No books", body="Only words.")

    assert "Books in this article" not in client.get(article.get_absolute_url()).text


def test_books_in_this_article_cost_no_query_per_book(client, db):
    def queries_for(count: int) -> int:
        made = [
            make_book(title=f"Book {n}", isbn13=isbn13(f"97800000{count:02d}{n:02d}"))
            for n in range(count)
        ]
        body = "\n\n".join(f"[[book:{book.slug}]]" for book in made)
        article = make_article(title=f"Of {count}", body=body)
        client.get(article.get_absolute_url())  # the shops are read once, then kept
        with CaptureQueriesContext(connection) as queries:
            page = soup_of(client.get(article.get_absolute_url()))
        assert len(page.select(".books-in-article__book")) == count
        return len(queries)

    assert queries_for(1) == queries_for(6)


def test_the_desks_preview_shows_the_books_of_its_unsaved_body(books):
    article = make_article(title="Draft", body="[[book:torgau]]\n")
    article.body = "[[book:elbe-day]]\n"  # as the desk's preview holds it, unsaved

    body = article.render_body()

    assert [book.title for book in body.books] == ["Elbe Day"]
    assert "Elbe Day" in body.cards[0].html  # and at the foot


@pytest.mark.page_cache
def test_a_shop_hidden_for_a_book_leaves_the_cached_article_page(
    client, books, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(title="Allies", body="## Buy the Book\n\n[[book:torgau]]\n")
    url = article.get_absolute_url()

    def foot_shops() -> list[str]:
        page = soup_of(Client().get(url))
        return [link.get_text(" ", strip=True) for link in page.select(".books-in-article a")]

    assert "Buy Torgau at Bookshop.org" in foot_shops()
    assert Client().get(url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        BookShopLink.objects.create(
            book=books[0], shop=Shop.objects.get(slug="bookshop-org"), hidden=True
        )

    assert "Buy Torgau at Bookshop.org" not in foot_shops()
    assert "Borrow Torgau at Open Library" in foot_shops()
