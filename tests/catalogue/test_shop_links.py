"""Buy and borrow links: the default shops, the links a book gets (catalogue.shops), the
card and book page that show them, the desk's shops and per-book links, and the pages
the page cache drops when they change."""

import importlib
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.apps import apps
from django.template import Context, Template
from django.test import Client
from stdnum import ean

from articles.demo import DEMO_ISBN, EDITOR_PASSWORD, EDITOR_USERNAME
from catalogue.models import Book
from catalogue.shops import BookShopLink, Shop, enabled_shops, links_for
from tests.factories import book_form, make_article, make_book
from tests.helpers import sign_in, text_of

default_shops = importlib.import_module("catalogue.migrations.0018_default_shops")

LAST_BATTLE = {"title": "The Last Battle", "isbn13": DEMO_ISBN}
SPONSORED_NOTE = "Colophon earns a commission"


@pytest.fixture
def shops(db):
    """The default shops, as the data migration makes them (a flushed test database, as
    the browser tests leave it, has none)."""
    default_shops.add_default_shops(apps)
    return {shop.slug: shop for shop in Shop.objects.all()}


def destinations(links) -> dict[str, str]:
    return {link.shop.slug: link.destination for link in links}


def render_card(book, **options) -> str:
    template = Template("{% load catalogue_tags %}{% book_card book prominent=prominent %}")
    return template.render(Context({"book": book, "prominent": options.get("prominent", False)}))


def fresh(book) -> Book:
    return Book.objects.for_cards().get(pk=book.pk)


# --- The default shops -----------------------------------------------------------------


def test_the_default_shops_are_two_to_buy_from_and_two_to_borrow_through(shops):
    buy_and_borrow = [(shop.name, shop.kind) for shop in Shop.objects.all()]
    assert buy_and_borrow == [
        ("Bookshop.org", "buy"), ("Amazon", "buy"),
        ("Open Library", "borrow"), ("WorldCat", "borrow"),
    ]  # fmt: skip


def test_the_default_shops_migration_runs_twice_and_back_without_harm(shops):
    edited = shops["amazon"]
    edited.url_pattern = "https://www.amazon.co.uk/dp/{asin}"
    edited.save()
    default_shops.add_default_shops(apps)  # again: an editor's change stays
    assert Shop.objects.count() == 4
    assert Shop.objects.get(slug="amazon").url_pattern == "https://www.amazon.co.uk/dp/{asin}"
    default_shops.remove_default_shops(apps)  # reversed: the edited one is the editor's now
    assert list(Shop.objects.values_list("slug", flat=True)) == ["amazon"]


# --- The links a book gets ------------------------------------------------------------


def test_a_book_with_an_isbn_gets_every_shop_built_from_it(shops):
    links = links_for(fresh(make_book(**LAST_BATTLE)))
    assert destinations(links.buy) == {
        "bookshop-org": "https://bookshop.org/book/9780306822087",
        # No ASIN: a print book's ISBN-10 is its ASIN at Amazon.
        "amazon": "https://www.amazon.com/dp/0306822083",
    }
    assert destinations(links.borrow) == {
        "open-library": "https://openlibrary.org/isbn/9780306822087",
        "worldcat": "https://search.worldcat.org/isbn/9780306822087",
    }
    assert all(link.rel == "noopener" and not link.sponsored for link in links)
    assert not links.sponsored and links.disclosure == ""


def test_the_books_own_asin_goes_to_amazon(shops):
    book = make_book(**LAST_BATTLE, asin="B00KWG9M6Y")
    assert destinations(links_for(fresh(book)))["amazon"] == "https://www.amazon.com/dp/B00KWG9M6Y"


def test_a_book_without_the_identifier_a_pattern_needs_gets_no_link_there(shops):
    assert not links_for(fresh(make_book(title="No ISBN")))  # every default needs one
    # A 979 ISBN has no ISBN-10, so no ASIN either: no Amazon link, the others stand.
    links = links_for(fresh(make_book(title="New", isbn13="9791032305560")))
    assert list(destinations(links)) == ["bookshop-org", "open-library", "worldcat"]
    # An ASIN without an ISBN: Amazon alone.
    links = links_for(fresh(make_book(title="Kindle only", asin="B00KWG9M6Y")))
    assert list(destinations(links)) == ["amazon"]


def test_a_title_in_a_pattern_is_quoted_whatever_its_letters(shops):
    Shop.objects.create(
        name="Search", slug="search", kind="borrow", position=50,
        url_pattern="https://library.example/search?q={title}",
    )  # fmt: skip
    book = fresh(make_book(title='Война и мир: "War & Peace"?'))
    assert destinations(links_for(book)) == {
        "search": "https://library.example/search?q=%D0%92%D0%BE%D0%B9%D0%BD%D0%B0%20%D0%B8"
        "%20%D0%BC%D0%B8%D1%80%3A%20%22War%20%26%20Peace%22%3F"
    }


def test_editors_order_switch_off_hide_and_override_shops(shops):
    book = make_book(**LAST_BATTLE)
    shops["amazon"].position = 1
    shops["amazon"].save()
    shops["worldcat"].enabled = False
    shops["worldcat"].save()
    BookShopLink.objects.create(book=book, shop=shops["open-library"], hidden=True)
    BookShopLink.objects.create(
        book=book, shop=shops["bookshop-org"], url="https://bookshop.org/p/books/the-last-battle"
    )
    links = links_for(fresh(book))
    assert destinations(links.buy) == {
        "amazon": "https://www.amazon.com/dp/0306822083",
        "bookshop-org": "https://bookshop.org/p/books/the-last-battle",
    }
    assert [link.shop.slug for link in links.buy] == ["amazon", "bookshop-org"]
    assert links.borrow == []


def test_an_affiliate_code_makes_the_link_sponsored_and_disclosed(shops, settings):
    settings.AFFILIATE_CODES = {"bookshop-org": "12345", "amazon": "colophon-21"}
    links = links_for(fresh(make_book(**LAST_BATTLE)))
    assert destinations(links.buy) == {
        "bookshop-org": "https://bookshop.org/a/12345/9780306822087",
        "amazon": "https://www.amazon.com/dp/0306822083?tag=colophon-21",
    }
    assert [link.rel for link in links] == [
        "sponsored noopener", "sponsored noopener", "noopener", "noopener",
    ]  # fmt: skip
    assert links.disclosure == (
        "Colophon earns a commission on purchases made through the Bookshop.org and Amazon links."
    )


def test_each_link_goes_through_colophons_counting_redirect(shops):
    book = make_book(**LAST_BATTLE)
    article = make_article(title="Unlikely Allies", body=f"[[book:{book.isbn13}]]")
    link = links_for(fresh(book), source=article).buy[0]
    assert link.url.startswith(f"/go/{book.pk}/bookshop-org/?from=")


def test_cards_from_for_cards_need_no_query_for_their_links(shops, django_assert_num_queries):
    for number in range(5):
        digits = f"97800000000{number}"
        book = make_book(title=f"Book {number}", isbn13=digits + ean.calc_check_digit(digits))
    BookShopLink.objects.create(book=book, shop=shops["amazon"], hidden=True)
    with django_assert_num_queries(3):  # the books, their credits, their own shop links
        books = list(Book.objects.for_cards())
    enabled_shops()  # read once a page (then from the cache)
    with django_assert_num_queries(0):
        html = "".join(render_card(book) for book in books)
    assert html.count('class="shop-link"') == 5 * 4 - 1


# --- The card and the book page ---------------------------------------------------------


def test_the_card_lists_buy_and_borrow_links_after_the_details(shops):
    html = render_card(fresh(make_book(**LAST_BATTLE, print_length=258)))
    assert text_of(html, ".shop-links__group", " ") == [
        "Buy Buy The Last Battle at Bookshop.org Buy The Last Battle at Amazon",
        "Borrow Borrow The Last Battle at Open Library Borrow The Last Battle at WorldCat",
    ]
    soup = BeautifulSoup(html, "html.parser")
    # Seen: the shop's name; heard: what the link does, for which book.
    link = soup.select_one(".shop-link")
    assert link.select_one(".visually-hidden").get_text() == "Buy The Last Battle at "
    assert link.get_text() == "Buy The Last Battle at Bookshop.org"
    assert soup.select_one(".shop-links__kind")["aria-hidden"] == "true"
    body = soup.select_one(".book-card__body")
    assert [child.get("class")[0] for child in body.find_all(recursive=False)][-2:] == [
        "book-card__details", "shop-links",
    ]  # fmt: skip
    assert SPONSORED_NOTE not in html


def test_a_prominent_card_shows_its_links_first_as_buttons(shops):
    html = render_card(fresh(make_book(**LAST_BATTLE)), prominent=True)
    soup = BeautifulSoup(html, "html.parser")
    body = [child.get("class")[0] for child in soup.select_one(".book-card__body").children
            if getattr(child, "get", None) and child.get("class")]  # fmt: skip
    assert body.index("shop-links") < body.index("book-card__details")
    assert len(soup.select(".shop-links--prominent a.shop-link.button")) == 4


def test_a_sponsored_link_is_marked_and_the_card_says_so_in_one_sentence(shops, settings):
    settings.AFFILIATE_CODES = {"amazon": "colophon-21"}
    soup = BeautifulSoup(render_card(fresh(make_book(**LAST_BATTLE))), "html.parser")
    rels = {a.get_text(): " ".join(a["rel"]) for a in soup.select(".shop-link")}
    assert rels["Buy The Last Battle at Amazon"] == "sponsored noopener"
    assert rels["Buy The Last Battle at Bookshop.org"] == "noopener"
    assert text_of(str(soup), ".shop-links__disclosure") == [
        "Colophon earns a commission on purchases made through the Amazon link."
    ]


def test_the_book_page_shows_its_links_prominently_counting_against_the_book(client, shops):
    book = make_book(**LAST_BATTLE)
    soup = BeautifulSoup(client.get(book.get_absolute_url()).content, "html.parser")
    links = soup.select(".book > .book-card .shop-links--prominent a.button")
    assert [a.get_text() for a in links][:2] == [
        "Buy The Last Battle at Bookshop.org", "Buy The Last Battle at Amazon",
    ]  # fmt: skip
    assert links[0]["href"].startswith(f"/go/{book.pk}/bookshop-org/?from=")


def test_the_demo_article_links_to_the_book_by_its_isbn_and_the_links_lead_there(
    client, demo, shops
):
    page = client.get("/articles/unlikely-allies/")
    soup = BeautifulSoup(page.content, "html.parser")
    buy = soup.select(".prose .book-card .shop-links a.shop-link")
    heard = [a.get_text() for a in buy]
    assert "Buy The Last Battle at Bookshop.org" in heard
    assert "Borrow The Last Battle at Open Library" in heard
    landed = {}
    for a in buy[:4]:
        response = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0").get(
            a["href"]
        )
        assert response.status_code == 302
        landed[a.get_text()] = response["Location"]
    assert landed == {
        "Buy The Last Battle at Bookshop.org": "https://bookshop.org/book/9780306822087",
        "Buy The Last Battle at Amazon": "https://www.amazon.com/dp/0306822083",
        "Borrow The Last Battle at Open Library": "https://openlibrary.org/isbn/9780306822087",
        "Borrow The Last Battle at WorldCat": "https://search.worldcat.org/isbn/9780306822087",
    }


# --- The desk ---------------------------------------------------------------------------


@pytest.fixture
def editor(client, demo, shops):
    """The demo's editor (the Editors role), signed in."""
    assert sign_in(client, EDITOR_USERNAME, EDITOR_PASSWORD).status_code == 302
    return client


def shop_form(**overrides) -> dict:
    return {
        "name": "Local Books", "slug": "local-books", "kind": "buy",
        "url_pattern": "https://local.example/isbn/{isbn13}", "affiliate_url_pattern": "",
        "position": "5", "enabled": "on", **overrides,
    }  # fmt: skip


def test_an_editor_adds_a_shop_that_cards_then_link_to(editor):
    response = editor.post("/admin/catalogue/shop/add/", shop_form())
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    book = Book.objects.get(isbn13=DEMO_ISBN)
    assert destinations(links_for(fresh(book)))["local-books"] == (
        "https://local.example/isbn/9780306822087"
    )


@pytest.mark.parametrize(
    ("field", "pattern", "message"),
    [
        ("url_pattern", "https://local.example/{isbn}", "Unknown placeholder {isbn}"),
        ("url_pattern", "https://local.example/{isbn13", "is not a pattern"),
        ("url_pattern", "local.example/{isbn13}", "does not make a web address"),
        ("url_pattern", "javascript:alert({isbn13})", "does not make a web address"),
        ("url_pattern", "https://local.example/{affiliate}", "Unknown placeholder {affiliate}"),
        ("affiliate_url_pattern", "https://local.example/{isbn13}", "needs {affiliate}"),
    ],
)
def test_a_pattern_that_cannot_make_an_address_is_refused_in_words(editor, field, pattern, message):
    response = editor.post("/admin/catalogue/shop/add/", shop_form(**{field: pattern}))
    assert response.status_code == 200
    errors = " ".join(text_of(response.content, f".field-{field} .errorlist"))
    assert message in errors
    # What the editor typed is still in the form.
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one(f"input[name={field}]")["value"] == pattern
    assert not Shop.objects.filter(slug="local-books").exists()


def test_the_shop_list_reorders_and_switches_off_in_place(editor):
    page = editor.get("/admin/catalogue/shop/")
    assert text_of(page.content, "#result_list th.field-name") == [
        "Bookshop.org", "Amazon", "Open Library", "WorldCat",
    ]  # fmt: skip
    shops = list(Shop.objects.order_by("position"))
    data = {"form-TOTAL_FORMS": "4", "form-INITIAL_FORMS": "4", "_save": "Save"}
    for index, shop in enumerate(shops):
        data[f"form-{index}-id"] = str(shop.pk)
        data[f"form-{index}-position"] = str(40 - index * 10)  # reversed
        if shop.slug != "amazon":
            data[f"form-{index}-enabled"] = "on"
    response = editor.post("/admin/catalogue/shop/", data)
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    assert Shop.objects.get(slug="worldcat").position == 10
    links = links_for(fresh(Book.objects.get(isbn13=DEMO_ISBN)))
    assert [link.shop.name for link in links.buy] == ["Bookshop.org"]
    assert [link.shop.name for link in links.borrow] == ["WorldCat", "Open Library"]


def test_the_shop_page_previews_its_address_and_explains_placeholders(editor):
    shop = Shop.objects.get(slug="bookshop-org")
    page = editor.get(f"/admin/catalogue/shop/{shop.pk}/change/")
    preview = " ".join(text_of(page.content, ".field-preview"))
    assert "https://bookshop.org/book/9780306822087" in preview
    help_text = " ".join(text_of(page.content, ".field-url_pattern .help"))
    assert "{isbn13}" in help_text and "{asin}" in help_text and "{title}" in help_text


def book_links_form(book, rows: list[dict]) -> dict:
    data = book_form(
        title=book.title, slug=book.slug, isbn13=book.isbn13,
        loaded_version=str(book.version), **{"shop_links-TOTAL_FORMS": str(len(rows))},
    )  # fmt: skip
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"shop_links-{index}-{name}"] = value
    return data


def test_an_editor_gives_a_book_its_own_address_and_price_at_a_shop(editor):
    book = Book.objects.get(isbn13=DEMO_ISBN)
    amazon, open_library = (Shop.objects.get(slug=s) for s in ("amazon", "open-library"))
    response = editor.post(
        f"/admin/catalogue/book/{book.pk}/change/",
        book_links_form(
            book,
            [
                {"shop": str(amazon.pk), "url": "https://www.amazon.com/dp/B00KWG9M6Y",
                 "price": "9.99", "currency": "usd"},
                {"shop": str(open_library.pk), "hidden": "on"},
            ],
        ),
    )  # fmt: skip
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    links = links_for(fresh(book))
    amazon_link = next(link for link in links.buy if link.shop == amazon)
    assert (amazon_link.destination, amazon_link.price, amazon_link.currency) == (
        "https://www.amazon.com/dp/B00KWG9M6Y", Decimal("9.99"), "USD",
    )  # fmt: skip
    assert "open-library" not in destinations(links)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"price": "9.99"}, "A price needs its currency"),
        ({"price": "9.99", "currency": "US$"}, "is not a currency code"),
        ({"url": "ftp://files.example/book"}, "must start with https://"),
        # Not Django's bare "Enter a valid URL.": the editor is told what an address is.
        ({"url": "javascript:alert(1)"}, "must start with https://"),
        ({"url": "https://"}, "must start with https://"),
    ],
)
def test_a_books_shop_link_is_checked(editor, row, message):
    book = Book.objects.get(isbn13=DEMO_ISBN)
    amazon = Shop.objects.get(slug="amazon")
    response = editor.post(
        f"/admin/catalogue/book/{book.pk}/change/",
        book_links_form(book, [{"shop": str(amazon.pk), **row}]),
    )
    assert response.status_code == 200
    assert message in " ".join(text_of(response.content, ".errorlist"))
    assert not BookShopLink.objects.exists()


# --- The page cache -----------------------------------------------------------------------


@pytest.fixture
def cached_pages(shops, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        book = make_book(**LAST_BATTLE)
        other = make_book(title="Another Book", isbn13="9781400033416")
        article = make_article(title="Unlikely Allies", body=f"[[book:{book.isbn13}]]")
    return {"book": book, "other": other, "article": article}


def warm(client, *urls):
    for url in urls:
        client.get(url)
        assert client.get(url)["X-Page-Cache"] == "hit", url


@pytest.mark.page_cache
def test_switching_a_shop_off_drops_every_page_with_links(
    client, cached_pages, django_capture_on_commit_callbacks
):
    urls = [cached_pages["article"].get_absolute_url(), "/books/",
            cached_pages["other"].get_absolute_url()]  # fmt: skip
    warm(client, *urls)
    with django_capture_on_commit_callbacks(execute=True):
        amazon = Shop.objects.get(slug="amazon")
        amazon.enabled = False
        amazon.save()
    for url in urls:
        response = client.get(url)
        assert "X-Page-Cache" not in response, url
        heard = text_of(response.content, ".shop-link")
        assert "Buy The Last Battle at Amazon" not in heard, url
        assert any(text.endswith(" at Bookshop.org") for text in heard), url


@pytest.mark.page_cache
def test_a_books_own_link_drops_that_books_pages_only(
    client, cached_pages, django_capture_on_commit_callbacks
):
    book_url, article_url = (
        cached_pages["book"].get_absolute_url(), cached_pages["article"].get_absolute_url()
    )  # fmt: skip
    other_url = cached_pages["other"].get_absolute_url()
    warm(client, book_url, article_url, other_url)
    with django_capture_on_commit_callbacks(execute=True):
        BookShopLink.objects.create(
            book=cached_pages["book"], shop=Shop.objects.get(slug="worldcat"), hidden=True
        )
    for url in (book_url, article_url):
        response = client.get(url)
        assert "X-Page-Cache" not in response, url
        assert "Borrow The Last Battle at WorldCat" not in text_of(response.content, ".shop-link")
    assert client.get(other_url)["X-Page-Cache"] == "hit"


def test_with_the_cache_down_a_shop_is_saved_and_cards_still_link(shops, monkeypatch):
    from django.core.cache import cache

    book = make_book(**LAST_BATTLE)
    enabled_shops()  # a copy in the cache, from before the change

    def down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    with monkeypatch.context() as outage:
        for method in ("get", "add", "set", "incr"):
            outage.setattr(cache, method, down)
        shops["amazon"].enabled = False
        shops["amazon"].save()  # the change cannot be announced: the save still stands
        assert "amazon" not in destinations(links_for(fresh(book)))  # read from the database
    # The cache is back, with its copy from before: this process announces the change first.
    assert "amazon" not in destinations(links_for(fresh(book)))
