"""The desk's "Clicks to shops" report: a reader's click shows against its article, its
book and its shop, over the period the editor chooses, and the article's and the book's
forms say how many clicks they led to. Editors and administrators see it, contributors
do not."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Article
from catalogue.models import Book
from catalogue.shop_clicks import NO_SOURCE_ID, click_url
from catalogue.shops import Shop, ShopClick
from tests.factories import make_article, make_book
from tests.helpers import text_of

pytestmark = pytest.mark.django_db

REPORT = "/admin/catalogue/shopclick/"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


@pytest.fixture
def desk(monkeypatch):
    monkeypatch.setenv("COLOPHON_PASSWORD", "a-long-pass-phrase-9")
    clients = {}
    for name, role in [("casey", "contributor"), ("erin", "editor"), ("ada", "administrator")]:
        call_command("createeditor", name, role=role, stdout=None)
        clients[role] = Client()
        clients[role].force_login(get_user_model().objects.get(username=name))
    return clients


@pytest.fixture
def shops():
    return {
        "buy": Shop.objects.create(name="Test Books", slug="test-books", kind=Shop.Kind.BUY,
                                   url_pattern="https://books.example/{isbn13}"),
        "borrow": Shop.objects.create(name="Town Library", slug="town-library",
                                      kind=Shop.Kind.BORROW,
                                      url_pattern="https://library.example/{isbn13}"),
    }  # fmt: skip


@pytest.fixture
def beloved():
    return make_book(title="Beloved", isbn13="9781400033416")


@pytest.fixture
def article(beloved):
    return make_article(title="Why Beloved matters", body=f"[[book:{beloved.slug}]]")


def reader_clicks(url: str, address: str) -> None:
    response = Client().get(url, secure=True, REMOTE_ADDR=address, HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 302


def rows(html, table_caption: str) -> list[list[str]]:
    """A table's body rows as the reader sees them, found by its caption."""
    page = BeautifulSoup(html, "html.parser")
    for table in page.select("table"):
        caption = table.select_one("caption")
        if caption is not None and caption.get_text(strip=True) == table_caption:
            return [
                [" ".join(cell.get_text(" ").split()) for cell in row.select("th, td")]
                for row in table.select("tbody tr")
            ]
    raise AssertionError(f"No table {table_caption!r}")


PAGES = "Pages whose links readers clicked, most clicks to buy first"
BOOKS = "Books whose links readers clicked, most clicks to buy first"
SHOPS = "Where readers went"


def test_a_readers_click_shows_against_its_article_book_and_shop(desk, shops, beloved, article):
    reader_clicks(click_url(beloved, shops["buy"], article), "192.0.2.1")
    reader_clicks(click_url(beloved, shops["buy"], article), "192.0.2.1")  # the same reader
    reader_clicks(click_url(beloved, shops["buy"], article), "192.0.2.2")
    reader_clicks(click_url(beloved, shops["borrow"], article), "192.0.2.3")
    response = desk["editor"].get(REPORT)
    assert response.status_code == 200
    html = response.content.decode()
    assert text_of(html, ".shop-clicks-total")[0].startswith("3 clicks to shops from") and text_of(
        html, ".shop-clicks-total"
    )[0].endswith("2 to buy, 1 to borrow.")
    assert rows(html, PAGES) == [["Why Beloved matters (on the site)", "Article", "2", "1", "3",
                                  "Report for Why Beloved matters"]]  # fmt: skip
    assert rows(html, BOOKS) == [["Beloved", "2", "1", "3"]]
    assert rows(html, SHOPS) == [["Test Books", "buy", "2"], ["Town Library", "borrow", "1"]]
    page = BeautifulSoup(html, "html.parser")
    title = page.find("a", string="Why Beloved matters")
    assert title["href"] == f"/admin/articles/article/{article.pk}/change/"
    assert page.find("a", string="(on the site)")["href"] == article.get_absolute_url()


def test_the_days_are_a_chart_and_a_table_of_the_same_numbers(desk, shops, beloved, article):
    book_type = ContentType.objects.get_for_model(Book)
    today = timezone.localdate()
    for days_ago, count in [(0, 4), (2, 1), (40, 7)]:
        ShopClick.objects.create(day=today - timedelta(days=days_ago), shop=shops["buy"],
                                 book=beloved, source_type=book_type, source_id=beloved.pk,
                                 count=count)  # fmt: skip
    html = desk["editor"].get(REPORT + "?days=7").content.decode()
    page = BeautifulSoup(html, "html.parser")
    bars = page.select(".shop-clicks-chart svg rect")
    assert len(bars) == 7
    assert [bar.title.string.split(": ")[1] for bar in bars] == ["0", "0", "0", "0", "1", "0", "4"]
    assert float(bars[-1]["height"]) == 100 and float(bars[-3]["height"]) == 25
    assert page.select_one(".shop-clicks-chart svg")["role"] == "img"
    assert "the busiest day had 4" in text_of(html, "figcaption")[0]
    days = rows(html, "Clicks to shops a day")
    assert days[0] == [today.strftime("%a %-d %b %Y"), "4"] and len(days) == 7
    assert text_of(html, ".shop-clicks-total")[0].startswith("5 clicks")
    assert text_of(html, ".shop-clicks-periods [aria-current=page]") == ["Last 7 days"]
    # The 40-day-old clicks are in the last 90 days, not the last 30.
    assert (
        "12 clicks"
        in text_of(desk["editor"].get(REPORT + "?days=90").content, ".shop-clicks-total")[0]
    )
    assert "5 clicks" in text_of(desk["editor"].get(REPORT).content, ".shop-clicks-total")[0]
    # The book page's clicks are ranked with the articles', named as a book's.
    assert rows(html, PAGES)[0][:2] == ["Beloved (on the site)", "Book"]


def test_a_click_from_no_known_page_is_counted_and_said_so(desk, shops, beloved):
    reader_clicks(click_url(beloved, shops["buy"]), "192.0.2.1")
    row = ShopClick.objects.get()
    assert row.source_id == NO_SOURCE_ID
    html = desk["editor"].get(REPORT).content.decode()
    assert rows(html, PAGES) == [["No page known", "", "1", "0", "1", ""]]


def test_the_report_for_one_article_and_for_one_book(desk, shops, beloved, article):
    other = make_article(title="Another piece", body=f"[[book:{beloved.slug}]]")
    jazz = make_book(title="Jazz", isbn13="9781400076215")
    reader_clicks(click_url(beloved, shops["buy"], article), "192.0.2.1")
    reader_clicks(click_url(jazz, shops["buy"], article), "192.0.2.1")
    reader_clicks(click_url(beloved, shops["buy"], other), "192.0.2.1")
    article_type = ContentType.objects.get_for_model(Article).pk
    html = (
        desk["editor"]
        .get(f"{REPORT}?source_type={article_type}&source_id={article.pk}")
        .content.decode()
    )
    assert text_of(html, "h1") == ["Clicks to shops from Why Beloved matters"]
    assert text_of(html, ".shop-clicks-total")[0].startswith("2 clicks")
    assert rows(html, BOOKS) == [["Beloved", "1", "0", "1"], ["Jazz", "1", "0", "1"]]
    html = desk["editor"].get(f"{REPORT}?book={beloved.pk}").content.decode()
    assert text_of(html, "h1") == ["Clicks to shops for Beloved"]
    assert [row[0] for row in rows(html, PAGES)] == [
        "Why Beloved matters (on the site)", "Another piece (on the site)"
    ]  # fmt: skip


@pytest.mark.parametrize("query", ["?book=999999", "?source_type=999999&source_id=1"])
def test_an_unknown_book_or_page_is_a_404_in_words(desk, query):
    response = desk["editor"].get(REPORT + query)
    assert response.status_code == 404
    assert "No such" in text_of(response.content, ".errornote")[0]


@pytest.mark.parametrize("query", ["?days=365", "?days=x", "?book=x", "?book=99999999999999999999"])
def test_odd_choices_fall_back_to_the_last_30_days(desk, query):
    response = desk["editor"].get(REPORT + query)
    assert response.status_code == 200
    assert text_of(response.content, ".shop-clicks-periods [aria-current=page]") == ["Last 30 days"]


def test_a_contributor_may_not_see_the_report_nor_the_panel(desk, shops, beloved, article):
    assert desk["contributor"].get(REPORT).status_code == 403
    index = desk["contributor"].get("/admin/").content.decode()
    assert REPORT not in index
    own = make_article(title="Casey's draft", status=Article.Status.DRAFT,
                       created_by=get_user_model().objects.get(username="casey"))  # fmt: skip
    form = desk["contributor"].get(f"/admin/articles/article/{own.pk}/change/")
    assert form.status_code == 200
    assert "Clicks to shops" not in form.content.decode()


@pytest.mark.parametrize("role", ["editor", "administrator"])
def test_editors_find_the_report_on_the_desks_index(desk, role):
    page = BeautifulSoup(desk[role].get("/admin/").content, "html.parser")
    link = page.select_one(f'a[href="{REPORT}"]')
    assert link is not None and link.get_text(strip=True) == "Shop clicks"


def test_the_articles_form_says_how_many_clicks_it_led_to(desk, shops, beloved, article):
    for address in ("192.0.2.1", "192.0.2.2"):
        reader_clicks(click_url(beloved, shops["buy"], article), address)
    html = desk["editor"].get(f"/admin/articles/article/{article.pk}/change/").content
    [panel] = text_of(html, ".shop-clicks-panel")
    assert panel == "2 clicks to shops in the last 30 days — report"
    link = BeautifulSoup(html, "html.parser").select_one(".shop-clicks-panel a")
    report = desk["editor"].get(link["href"])
    assert text_of(report.content, "h1") == ["Clicks to shops from Why Beloved matters"]


def test_the_report_takes_as_many_queries_for_many_pages_as_for_one(desk, shops, beloved):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert desk["editor"].get(REPORT).status_code == 200
        return len(captured)

    def clicked_article(n: int) -> None:
        article = make_article(title=f"Piece {n}")
        book = make_book(title=f"Book {n}", isbn13="")
        book_type = ContentType.objects.get_for_model(Article)
        ShopClick.objects.create(day=timezone.localdate(), shop=shops["buy"], book=book,
                                 source_type=book_type, source_id=article.pk, count=n)  # fmt: skip

    clicked_article(1)
    one = queries()
    for n in range(2, 12):
        clicked_article(n)
    assert queries() == one
    assert len(rows(desk["editor"].get(REPORT).content, PAGES)) == 11


def test_the_report_changes_nothing_and_takes_no_post(desk, shops):
    assert desk["editor"].post(REPORT).status_code == 405


def test_the_books_form_says_how_many_clicks_its_links_had(desk, shops, beloved, article):
    reader_clicks(click_url(beloved, shops["buy"], article), "192.0.2.1")
    reader_clicks(click_url(beloved, shops["borrow"], beloved), "192.0.2.1")
    html = desk["editor"].get(f"/admin/catalogue/book/{beloved.pk}/change/").content
    [panel] = text_of(html, ".shop-clicks-panel")
    assert panel == "2 clicks to shops in the last 30 days — report"
    link = BeautifulSoup(html, "html.parser").select_one(".shop-clicks-panel a")
    report = desk["editor"].get(link["href"])
    assert text_of(report.content, "h1") == ["Clicks to shops for Beloved"]
    assert (
        "Clicks to shops"
        not in desk["contributor"]
        .get(f"/admin/catalogue/book/{beloved.pk}/change/")
        .content.decode()
    )


def test_the_report_names_only_pages_not_any_row_of_the_database(desk):
    # A kind of row that is no page readers see (a user, a session) is not a page links
    # were clicked on: the report does not print its name (here the editor's username).
    users = ContentType.objects.get_for_model(get_user_model())
    erin = get_user_model().objects.get(username="erin")
    response = desk["editor"].get(f"{REPORT}?source_type={users.pk}&source_id={erin.pk}")
    assert response.status_code == 404
    assert "from erin" not in " ".join(text_of(response.content, "h1, title"))
    assert "No such kind of page" in text_of(response.content, ".errornote")[0]
