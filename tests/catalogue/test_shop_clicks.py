"""The short redirect to a shop: it lands at the shop's address for the book at once, and
counts the click once a day for each reader, by book, shop and the page the link was on;
nothing personal is kept, bots and prefetches are not counted, and no failure in
counting stops the reader."""

import logging
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone

from articles.models import Article
from catalogue import shop_clicks
from catalogue.models import Book
from catalogue.shop_clicks import NO_SOURCE_ID, click_url
from catalogue.shops import BookShopLink, Shop, ShopClick
from tests.factories import make_article, make_book

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
ISBN = "9781400033416"


@pytest.fixture
def book():
    return make_book(title="Beloved", isbn13=ISBN)


@pytest.fixture
def shop():
    return Shop.objects.create(
        name="Test Books", slug="test-books", url_pattern="https://books.example/isbn/{isbn13}"
    )


@pytest.fixture
def article(book):
    return make_article(title="Why Beloved matters", body=f"[[book:{book.slug}]]")


def click(client, url, *, address="192.0.2.10", agent=BROWSER, **headers):
    return client.get(url, secure=True, REMOTE_ADDR=address, HTTP_USER_AGENT=agent, **headers)


def counted(**filters) -> int:
    return sum(row.count for row in ShopClick.objects.filter(**filters))


def source_of(obj) -> dict:
    return {"source_type": ContentType.objects.get_for_model(obj), "source_id": obj.pk}


# --- Landing at the shop ------------------------------------------------------------------


def test_a_click_lands_at_the_shop_and_counts_once_against_its_article(client, book, shop, article):
    response = click(client, click_url(book, shop, article))
    assert response.status_code == 302
    assert response["Location"] == f"https://books.example/isbn/{ISBN}"
    row = ShopClick.objects.get()
    assert (row.day, row.book, row.shop, row.count) == (timezone.localdate(), book, shop, 1)
    assert (row.source_type.model_class(), row.source_id) == (Article, article.pk)


def test_the_destination_is_the_one_the_books_links_give(client, book, shop, article):
    from catalogue.shops import links_for

    link = next(link for link in links_for(book, source=article).buy if link.shop == shop)
    assert link.url == click_url(book, shop, article)
    assert click(client, link.url)["Location"] == link.destination


def test_a_books_own_address_at_a_shop_is_where_the_click_lands(client, book, shop):
    BookShopLink.objects.create(book=book, shop=shop, url="https://books.example/beloved-special")
    assert (
        click(client, click_url(book, shop))["Location"] == "https://books.example/beloved-special"
    )


def test_the_redirect_sets_no_cookie_and_is_kept_by_no_cache(client, book, shop, article):
    response = click(client, click_url(book, shop, article))
    assert response.cookies == {}
    assert "Set-Cookie" not in response
    assert "no-store" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    assert response["Referrer-Policy"] == "strict-origin"


@pytest.mark.parametrize(
    "case",
    ["a draft book", "a switched-off shop", "a shop hidden for the book",
     "a pattern it cannot fill", "no such shop", "no such book"],
)  # fmt: skip
def test_a_link_that_is_not_shown_is_a_404_in_words_never_a_redirect(client, book, shop, case):
    url = click_url(book, shop)
    if case == "a draft book":
        Book.objects.filter(pk=book.pk).update(status=Book.Status.DRAFT)
    elif case == "a switched-off shop":
        Shop.objects.filter(pk=shop.pk).update(enabled=False)
    elif case == "a shop hidden for the book":
        BookShopLink.objects.create(book=book, shop=shop, hidden=True)
    elif case == "a pattern it cannot fill":
        Book.objects.filter(pk=book.pk).update(isbn13="")  # the shop's pattern needs it
    elif case == "no such shop":
        url = url.replace("test-books", "no-such-shop")
    elif case == "no such book":
        url = url.replace(f"/go/{book.pk}/", f"/go/{book.pk + 1000}/")
    response = click(client, url)
    assert response.status_code == 404
    assert "Location" not in response
    assert "We have no link to that shop for this book" in response.content.decode()
    assert not ShopClick.objects.exists()


def test_a_shop_pattern_with_a_script_address_is_a_404_not_a_redirect(client, book, shop):
    Shop.objects.filter(pk=shop.pk).update(url_pattern="javascript:alert({isbn13})")
    response = click(client, click_url(book, shop))
    assert response.status_code == 404
    assert "Location" not in response


@pytest.mark.parametrize(
    "address", ["//evil.example/x", "/\\evil.example/x", "ftp://evil.example/x", "books.example/x"]
)
def test_an_address_that_is_not_http_is_a_404_not_a_redirect(client, book, shop, address):
    # Stored without the form's check (an import, a script): Django lets a scheme-less or
    # ftp address through its redirect, so the view must refuse it itself.
    BookShopLink.objects.create(book=book, shop=shop, url=address)
    response = click(client, click_url(book, shop))
    assert response.status_code == 404
    assert "Location" not in response


# --- Counting once, and only readers --------------------------------------------------------


def test_the_same_reader_again_the_same_day_is_not_counted_another_is(client, book, shop, article):
    url = click_url(book, shop, article)
    for _ in range(20):  # a flood from one address
        assert click(client, url, address="192.0.2.10").status_code == 302
    assert counted() == 1
    assert click(client, url, address="198.51.100.7").status_code == 302
    assert counted() == 2
    assert ShopClick.objects.count() == 1  # one row a day for the book, shop and page


def test_a_flood_from_one_ipv6_network_counts_once(client, book, shop):
    # One machine holds a whole /64 and may send each click from another address of it:
    # counted per address, every click would count (and leave a key in the cache).
    url = click_url(book, shop)
    for host in range(1, 21):
        assert click(client, url, address=f"2001:db8:1:2::{host:x}").status_code == 302
    assert counted() == 1
    click(client, url, address="2001:db8:1:3::1")  # another network: another reader
    assert counted() == 2


def test_behind_the_proxy_readers_are_told_apart_by_the_forwarded_address(
    client, settings, book, shop
):
    settings.TRUSTED_PROXIES = 1
    url = click_url(book, shop)
    for reader in ("192.0.2.10", "192.0.2.11", "192.0.2.10"):
        click(client, url, address="10.0.0.1", HTTP_X_FORWARDED_FOR=reader)
    assert counted() == 2


def test_the_same_reader_on_another_page_or_book_counts_again(client, book, shop, article):
    other = make_book(title="Jazz", isbn13="9781400076215")
    click(client, click_url(book, shop, article))
    click(client, click_url(book, shop))
    click(client, click_url(other, shop, article))
    assert counted() == 3
    assert counted(book=book, **source_of(article)) == 1


def test_a_new_day_counts_the_reader_again(client, book, shop, monkeypatch):
    url = click_url(book, shop)
    click(client, url)
    today = timezone.localdate()
    monkeypatch.setattr(timezone, "localdate", lambda: today + timezone.timedelta(days=1))
    click(client, url)
    assert list(ShopClick.objects.order_by("day").values_list("count", flat=True)) == [1, 1]


@pytest.mark.parametrize(
    "agent",
    ["", "Googlebot/2.1 (+http://www.google.com/bot.html)", "facebookexternalhit/1.1",
     "Twitterbot/1.0", "Slackbot-LinkExpanding 1.0", "Mozilla/5.0 (compatible; Discordbot/2.0)",
     "WhatsApp/2.23.20.0", "Mozilla/5.0 HeadlessChrome/120.0", "python-requests/2.32",
     "curl/8.5.0", "Mozilla/5.0 (compatible; bingbot/2.0)",
     "Mozilla/5.0 (compatible; Yahoo! Slurp)"],
)  # fmt: skip
def test_bots_and_link_previews_land_but_are_not_counted(client, book, shop, agent):
    response = click(client, click_url(book, shop), agent=agent)
    assert response["Location"] == f"https://books.example/isbn/{ISBN}"
    assert not ShopClick.objects.exists()


@pytest.mark.parametrize(
    "header",
    [{"HTTP_SEC_PURPOSE": "prefetch"}, {"HTTP_SEC_PURPOSE": "prefetch;prerender"},
     {"HTTP_PURPOSE": "prefetch"}, {"HTTP_X_PURPOSE": "preview"}, {"HTTP_X_MOZ": "prefetch"}],
)  # fmt: skip
def test_prefetches_are_not_counted(client, book, shop, header):
    assert click(client, click_url(book, shop), **header).status_code == 302
    assert not ShopClick.objects.exists()


def test_a_head_request_is_not_counted(client, book, shop):
    response = client.head(click_url(book, shop), secure=True, HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 302
    assert not ShopClick.objects.exists()


def test_a_post_is_refused(client, book, shop):
    assert (
        client.post(click_url(book, shop), secure=True, HTTP_USER_AGENT=BROWSER).status_code == 405
    )
    assert not ShopClick.objects.exists()


# --- The page a link was on -------------------------------------------------------------------


def test_the_from_token_names_the_page_signed(book, shop, article):
    query = parse_qs(urlsplit(click_url(book, shop, article)).query)
    assert list(query) == ["from"]
    assert shop_clicks.source_from_token(query["from"][0]) == (Article, article.pk)
    assert click_url(book, shop) == f"/go/{book.pk}/test-books/"


@pytest.mark.parametrize(
    "forged",
    ["articles.article-1", "articles.article-1.bm90IGEgc2lnbmF0dXJl", "", "x" * 500, "%00"],
)
def test_a_forged_token_counts_as_no_page(client, book, shop, article, forged):
    signed = parse_qs(urlsplit(click_url(book, shop, article)).query)["from"][0]
    tampered = signed.replace(f"-{article.pk}.", f"-{article.pk + 1}.")
    for token in (forged, tampered):
        cache.clear()
        ShopClick.objects.all().delete()
        response = click(client, f"{click_url(book, shop)}?from={token}")
        assert response.status_code in (302, 400)  # a NUL is refused before the view
        if response.status_code == 302:
            row = ShopClick.objects.get()
            assert (row.source_type.model_class(), row.source_id) == (Book, NO_SOURCE_ID)


def test_a_click_from_a_draft_counts_for_the_book_with_no_page(client, book, shop):
    draft = make_article(title="Not yet", status=Article.Status.DRAFT)
    click(client, click_url(book, shop, draft))
    row = ShopClick.objects.get()
    assert (row.source_type.model_class(), row.source_id, row.count) == (Book, NO_SOURCE_ID, 1)


def test_a_click_from_a_book_page_counts_against_that_book(client, book, shop):
    click(client, click_url(book, shop, book))
    assert counted(**source_of(book)) == 1


# --- Nothing stops the reader, nothing personal is kept ------------------------------------


def test_a_failure_in_counting_still_redirects_and_is_logged(
    client, book, shop, article, monkeypatch, caplog
):
    def failing(*args, **kwargs):
        raise DatabaseError("the disk is full")

    monkeypatch.setattr(type(ShopClick.objects.none()), "update", failing)
    with caplog.at_level(logging.ERROR, logger="catalogue.shop_clicks"):
        response = click(client, click_url(book, shop, article))
    assert response.status_code == 302
    assert response["Location"] == f"https://books.example/isbn/{ISBN}"
    assert not ShopClick.objects.exists()
    assert "was not counted" in caplog.text
    assert "192.0.2.10" not in caplog.text


def test_a_cache_that_is_away_still_redirects(client, book, shop, monkeypatch):
    def away(*args, **kwargs):
        raise ConnectionError("the cache is away")

    monkeypatch.setattr(cache, "add", away)
    response = click(client, click_url(book, shop))
    assert response["Location"] == f"https://books.example/isbn/{ISBN}"


def test_the_reader_is_kept_only_as_a_daily_hash_that_expires(client, book, shop, monkeypatch):
    kept = []
    real_add = cache.add

    def add(key, value, timeout=None, **kwargs):
        kept.append((key, value, timeout))
        return real_add(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "add", add)
    click(client, click_url(book, shop), address="192.0.2.10")
    # The reader's click, then their day's share of clicks: each by a hash, for a day.
    assert len(kept) == 2
    for kept_key, kept_value, kept_timeout in kept:
        assert "192.0.2.10" not in kept_key and str(kept_value) != "192.0.2.10"
        assert 0 < kept_timeout <= 24 * 60 * 60
    key = kept[0][0]
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    args = ("192.0.2.10", book, shop, None)
    assert shop_clicks._reader_key(*args, timezone.localdate()) == key
    assert shop_clicks._reader_key(*args, tomorrow) != key  # the key changes each day


def test_two_requests_making_the_days_row_at_once_both_count(book, shop, monkeypatch):
    """The unique constraint catches the second creation: it adds to the first's row."""
    book_type = ContentType.objects.get_for_model(Book)
    row = {"day": timezone.localdate(), "shop": shop, "book": book, "source_type": book_type,
           "source_id": NO_SOURCE_ID}  # fmt: skip
    real_update = type(ShopClick.objects.none()).update
    calls = []

    def update_after_a_rival_created(self, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:  # the rival creates the row between our update and our create
            ShopClick.objects.create(**row, count=1)
            return 0
        return real_update(self, **kwargs)

    monkeypatch.setattr(type(ShopClick.objects.none()), "update", update_after_a_rival_created)
    shop_clicks.record_click(**row)
    assert ShopClick.objects.get().count == 2


def test_crawlers_are_asked_to_keep_off_the_redirect(client):
    assert "Disallow: /go/" in client.get("/robots.txt").content.decode().splitlines()


def test_the_redirect_and_its_count_take_a_few_queries(
    client, book, shop, article, django_assert_max_num_queries
):
    """The book, its own links and the shops; then the page's check and the day's row
    (an update, and the first time a savepoint, an insert and its release); a reader
    counted already costs no query for counting."""
    url = click_url(book, shop, article)
    ContentType.objects.get_for_model(Article), ContentType.objects.get_for_model(Book)
    with django_assert_max_num_queries(8):
        click(client, url)
    with django_assert_max_num_queries(3):
        click(client, url)
    assert counted() == 1


# Varnish, given the site's VCL, sends each request for the redirect on as it came: a
# HEAD stays a HEAD (Varnish fetches what it may keep with a GET), and every GET reaches
# the app (none waits for, or is answered by, another's).
PASSED_AS_IT_CAME = """
varnishtest "the shop redirect is passed"
server s1 {
    rxreq
    expect req.method == "HEAD"
    txresp -status 302 -hdr "Location: https://books.example/1"
    rxreq
    expect req.method == "GET"
    txresp -status 302 -hdr "Location: https://books.example/1"
    rxreq
    expect req.method == "GET"
    txresp -status 302 -hdr "Location: https://books.example/1"
} -start
varnish v1 -vcl+backend { include "%(vcl)s"; } -start
client c1 {
    txreq -req HEAD -url "/go/1/test-books/"
    rxresphdrs
    expect resp.status == 302
    txreq -url "/go/1/test-books/?from=x"
    rxresp
    expect resp.status == 302
    txreq -url "/go/1/test-books/?from=x"
    rxresp
    expect resp.status == 302
} -run
"""


@pytest.mark.skipif(not shutil.which("varnishtest"), reason="Varnish is not installed")
def test_varnish_sends_each_click_on_as_it_came(tmp_path):
    vcl = Path(__file__).resolve().parents[2] / "deploy" / "varnish" / "colophon.vcl"
    script = tmp_path / "shop_click.vtc"
    script.write_text(PASSED_AS_IT_CAME % {"vcl": vcl})
    run = subprocess.run(
        ["varnishtest", "-t", "20", str(script)], capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]


def test_a_merged_books_clicks_become_the_kept_books(client, book, shop, article):
    from catalogue.merging import merge_books

    duplicate = make_book(title="Beloved (another record)", isbn13="9780452280625")
    click(client, click_url(book, shop, article), address="192.0.2.1")
    click(client, click_url(duplicate, shop, article), address="192.0.2.2")
    click(client, click_url(duplicate, shop, duplicate), address="192.0.2.3")
    merge_books(book, [duplicate])
    assert counted(book=book, **source_of(article)) == 2
    assert counted(book=book, **source_of(book)) == 1  # from the duplicate's page
    assert counted() == 3
