import datetime as dt
import json
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from articles.models import Article
from articles.recommendations import refresh_all
from catalogue.models import Book
from catalogue.ratings import Reader, rate
from catalogue.shops import UNPAID_DISCLOSURE, enabled_shops
from tests.factories import make_article, make_book
from tests.helpers import text_of

SEED_URL = "/articles/unlikely-allies/"


def test_seed_article_shows_its_title_sections_and_text(client, demo):
    html = client.get(SEED_URL).content
    assert text_of(html, "h1") == [
        "Unlikely Allies: When American and German Soldiers Joined Forces in the Waning Hours "
        "of World War II"
    ]
    assert "The Legacy of Torgau" in text_of(html, ".article__body h2")
    assert "On April 25, 1945, a reconnaissance unit" in text_of(html, ".article__body")[0]


def test_seed_article_embeds_the_book_card_twice_with_every_value(client, demo):
    html = client.get(SEED_URL).content
    cards = text_of(html, ".book-card", " ")
    assert len(cards) == 2
    # The same card twice; the second, under "Buy the Book", has its shop links first,
    # saying that they earn Colophon nothing.
    assert UNPAID_DISCLOSURE in cards[1]
    assert sorted(cards[0].split()) == sorted(cards[1].replace(UNPAID_DISCLOSURE, "").split())
    card = cards[0]
    assert (
        "The Last Battle: When U.S. and German Soldiers Joined Forces in the Waning Hours of "
        "World War II in Europe" in card
    )
    assert "by Stephen Harding" in card
    assert text_of(html, ".book-card .rating__average") == ["4.4 out of 5"] * 2
    assert text_of(html, ".book-card .stars") == ["★★★★☆"] * 2
    assert text_of(html, ".book-card__details div", " ")[:8] == [
        "Language English",
        "File size 5086 KB",
        "Text-to-Speech Enabled",
        "Screen Reader Supported",
        "Enhanced typesetting Enabled",
        "X-Ray Enabled",
        "Word Wise Enabled",
        "Print length 258 pages",
    ]
    assert 'width="320" height="480"' in html.decode()  # the 320px rendition of 600 × 900


def test_seed_article_recommends_the_two_other_articles_with_teasers(client, demo):
    html = client.get(SEED_URL).content
    titles = text_of(html, "#recommendations .teaser__title")
    teasers = text_of(html, "#recommendations .teaser__text")
    assert titles == [
        "Unlocking the Secrets of History: The Republic of Laws by Leopold von Ranke",
        "Unlock the Secrets of Voice Perception with the Authoritative Oxford Handbook",
    ]
    assert teasers[0] == (
        "Delve into a Historical Masterpiece Embark on an extraordinary journey through the "
        "annals of history with Leopold von Ranke's captivating work, The Republic of…"
    )
    assert teasers[1].startswith("The human voice is a captivating and complex phenomenon")
    assert all(teaser.endswith("…") for teaser in teasers)


def test_the_card_shows_only_what_the_seed_says_of_ratings(client, demo):
    # The seed page: "★★★★☆ 4.4 out of 5", with no count and no retailer.
    html = client.get(SEED_URL).content
    assert (
        text_of(html, ".book-card .rating [aria-hidden]")
        == ["★★★★☆ 4.4 out of 5 (the editor’s rating)"] * 2
    )
    ratings = " ".join(text_of(html, ".book-card .rating"))  # a shop link may say Amazon
    assert "Amazon" not in ratings and "1,187" not in html.decode()


def test_reloading_the_demo_drops_the_invented_amazon_histogram(db):
    from articles.demo import DEMO_ISBN, load_demo

    load_demo(editor=False)
    invented = {"source_ratings_5": 760, "source_ratings_4": 280, "source_ratings_1": 147}
    Book.objects.filter(isbn13=DEMO_ISBN).update(rating_source="Amazon", **invented)
    load_demo(editor=False)
    book = Book.objects.get(isbn13=DEMO_ISBN)
    assert book.rating_count == 0 and book.rating_source == ""
    assert book.editor_rating == Decimal("4.4")


def test_the_rating_figure_comes_from_data(client, demo):
    Book.objects.filter(slug="the-last-battle").update(editor_rating=Decimal("3.9"))
    html = client.get(SEED_URL).content
    assert "4.4 out of 5" not in html.decode()
    assert text_of(html, ".book-card .rating__average")[0] == "3.9 out of 5"


def test_readers_ratings_replace_the_editors_figure(client, demo):
    book = Book.objects.get(slug="the-last-battle")
    rate(book=book, reader=Reader(visitor="v1"), score=2)
    rate(book=book, reader=Reader(visitor="v2"), score=3)
    html = client.get(SEED_URL).content
    assert text_of(html, ".book-card .rating [aria-hidden]")[0] == "★★☆☆☆ 2.5 out of 5 (2 ratings)"
    assert "4.4" not in text_of(html, ".book-card .rating")[0]


def test_structured_data_never_claims_the_editors_figure(client, demo):
    book = Book.objects.get(slug="the-last-battle")
    for url in (SEED_URL, book.get_absolute_url()):
        soup = BeautifulSoup(client.get(url).content, "html.parser")
        scripts = [tag.string for tag in soup.find_all("script", type="application/ld+json")]
        assert scripts, url
        # Parsed, not searched as text: a timestamp's seconds can read "…:04.4…".
        values = [value for text in scripts for value in _json_values(json.loads(text))]
        assert "aggregateRating" not in values
        assert not {4.4, "4.4"} & {value for value in values if isinstance(value, str | float)}


def _json_values(node):
    """Every key and scalar in a JSON document, however deeply nested."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _json_values(value)
    elif isinstance(node, list):
        for value in node:
            yield from _json_values(value)
    else:
        yield node


def test_drafts_and_scheduled_articles_are_not_public(client, db):
    draft = make_article(title="Draft", status=Article.Status.DRAFT)
    scheduled = make_article(title="Soon", published_at=timezone.now() + dt.timedelta(days=1))
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(scheduled.get_absolute_url()).status_code == 404


def test_a_scheduled_article_appears_when_its_time_comes(client, db):
    article = make_article(title="Soon", published_at=timezone.now() + dt.timedelta(seconds=1))
    Article.objects.filter(pk=article.pk).update(
        published_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get(article.get_absolute_url()).status_code == 200


def test_recommendations_prefer_shared_books_and_skip_self_drafts_and_future(client, db):
    book = make_book(slug="shared")
    now = timezone.now()
    article = make_article(
        title="Main", body="[[book:shared]]", published_at=now - dt.timedelta(days=5)
    )
    sharer = make_article(
        title="Old but shares", body="[[book:shared]]", published_at=now - dt.timedelta(days=30)
    )
    for n in (1, 2, 3):
        make_article(title=f"Newer {n}", published_at=now - dt.timedelta(days=n))
    make_article(title="Draft", status=Article.Status.DRAFT, body="[[book:shared]]")
    make_article(title="Future", body="[[book:shared]]", published_at=now + dt.timedelta(days=1))
    refresh_all()
    html = client.get(article.get_absolute_url()).content
    assert book in sharer.embedded_books.all()
    assert text_of(html, "#recommendations .teaser__title") == [
        "Old but shares",
        "Newer 1",
        "Newer 2",
    ]


def test_a_stale_embed_renders_nothing_and_never_errors(client, db, caplog):
    book = make_book(slug="gone")
    article = make_article(body="Text\n\n[[book:gone]]\n\nMore")
    book.delete()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert text_of(response.content, ".book-card") == []
    assert "[[book:gone]]" in caplog.text


def query_count_for(client, django_assert_max_num_queries, embeds: int) -> int:
    books = [make_book(slug=f"book-{embeds}-{n}") for n in range(embeds)]
    body = "\n\n".join(f"[[book:{book.slug}]]" for book in books)
    article = make_article(title=f"With {embeds}", body=body)
    with django_assert_max_num_queries(100) as captured:
        response = client.get(article.get_absolute_url())
    assert len(text_of(response.content, ".book-card")) == embeds
    return len(captured)


def test_query_count_is_the_same_for_1_and_20_embedded_books(
    client, db, django_assert_max_num_queries
):
    enabled_shops()  # read once into the cache, as by any earlier page
    one = query_count_for(client, django_assert_max_num_queries, 1)
    twenty = query_count_for(client, django_assert_max_num_queries, 20)
    assert one == twenty
    # article, its books, their authors, their shop links (issue 22), its topics, read-next
    # rows, the latest to top up
    assert one <= 7


def test_a_missing_page_is_the_styled_404(client, db):
    response = client.get("/articles/no-such-article/")
    assert response.status_code == 404
    assert "We can’t find that page" in response.content.decode()
    assert 'href="/books/"' in response.content.decode()


def test_a_server_error_is_the_styled_500(client, db, monkeypatch):
    article = make_article()
    monkeypatch.setattr(Article, "render_body", lambda self: 1 / 0)
    client.raise_request_exception = False
    response = client.get(article.get_absolute_url())
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_home_lists_the_latest_public_articles(client, demo):
    make_article(title="Not yet", status=Article.Status.DRAFT)
    titles = text_of(client.get("/").content, ".teaser__title")
    assert titles[0].startswith("Unlikely Allies")
    assert "Not yet" not in titles
    assert len(titles) == 3


def test_every_page_credits_the_catalogue_data_and_the_about_page_explains_it(client, db):
    footer = text_of(client.get("/books/").content, ".site-footer")[0]
    assert "goodbooks-10k (CC BY-SA 4.0)" in footer
    about = text_of(client.get("/about/").content, ".article")[0]
    assert "goodbooks-10k by Zygmunt Zając" in about
    assert "Creative Commons Attribution-ShareAlike 4.0" in about


@pytest.mark.parametrize("path", ["/books/x%2Fy/rate/", "/articles/a..b/"])
def test_odd_addresses_are_404s_not_errors(client, db, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path", ["/articles/%00/", "/books/%00/", "/authors/a%00b/", "/topics/%00/"]
)
def test_addresses_holding_a_nul_are_refused_in_words(client, db, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_in_the_search_is_refused_in_words(client, db):
    make_book(title="Dune")
    response = client.get("/search/", {"q": "Du\x00ne"})
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()
