"""What crawlers, feed readers and assistive technology read: canonical addresses,
sitemaps, robots.txt, the Atom feed, JSON-LD and the language of book titles."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

from bs4 import BeautifulSoup
from django.db.models.signals import post_init
from django.utils import timezone

from articles.models import Article
from catalogue.models import Author, Book
from tests.factories import make_article, make_author, make_book

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ATOM = "{http://www.w3.org/2005/Atom}"


def soup(response) -> BeautifulSoup:
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def canonical(response) -> str:
    return soup(response).find("link", rel="canonical")["href"]


def locations(response) -> list[str]:
    assert response.status_code == 200
    return [loc.text for loc in ET.fromstring(response.content).iter(f"{SITEMAP}loc")]


def test_a_page_names_itself_canonical_without_tracking_parameters(client, db):
    article = make_article(title="Unlikely Allies")
    response = client.get(f"{article.get_absolute_url()}?utm_source=newsletter")
    assert canonical(response) == "http://testserver/articles/unlikely-allies/"


def test_a_filtered_list_keeps_what_it_shows_in_its_canonical_address(client, db):
    make_book(title="Dune")
    response = client.get("/books/?utm_medium=x&sort=title&q=dune")
    assert canonical(response) == "http://testserver/books/?q=dune&sort=title"


def test_pages_that_are_not_content_are_kept_out_of_search_engines(client, db):
    missing = client.get("/articles/no-such-article/")
    assert missing.status_code == 404
    page = BeautifulSoup(missing.content, "html.parser")
    assert page.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert page.find("link", rel="canonical") is None
    results = soup(client.get("/search/?q=dune"))
    assert results.find("meta", attrs={"name": "robots"})["content"] == "noindex, follow"


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_off_search(client, db, settings):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Disallow: /search/" in text.splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in text.splitlines()
    assert settings.ADMIN_URL.strip("/") not in text


def test_the_sitemap_lists_public_articles_books_and_authors_only(client, db):
    author = make_author(name="Frank Herbert")
    make_book(title="Dune", authors=[author])
    make_book(title="Withdrawn", status=Book.Status.WITHDRAWN)
    make_article(title="Published piece")
    make_article(title="Draft piece", status=Article.Status.DRAFT)
    make_article(title="Scheduled piece", published_at=timezone.now() + dt.timedelta(days=1))

    sections = locations(client.get("/sitemap.xml"))
    assert "http://testserver/sitemap-books.xml" in sections
    found = [url for section in sections for url in locations(client.get(section))]
    assert "http://testserver/books/dune/" in found
    assert "http://testserver/authors/frank-herbert/" in found
    assert "http://testserver/articles/published-piece/" in found
    assert "http://testserver/books/" in found
    for hidden in ("withdrawn", "draft-piece", "scheduled-piece"):
        assert not any(hidden in url for url in found), hidden


def test_the_sitemap_index_dates_each_section_without_loading_its_rows(
    client, db, django_assert_max_num_queries
):
    herbert = make_author(name="Frank Herbert")
    for number in range(30):
        make_book(title=f"Dune {number}", authors=[herbert])
    newest = make_book(title="Newest", authors=[make_author(name="Someone New")])
    Book.objects.filter(pk=newest.pk).update(updated_at=timezone.now() + dt.timedelta(days=1))
    make_book(title="Withdrawn later", status=Book.Status.WITHDRAWN)
    Book.objects.filter(title="Withdrawn later").update(
        updated_at=timezone.now() + dt.timedelta(days=9)
    )
    loaded = []

    def count(sender, **kwargs):
        loaded.append(sender)

    # One aggregate a section: no book or author is loaded to find the newest date
    # (Django's own way loads every one: a million books, 467 MiB).
    post_init.connect(count, sender=Book)
    post_init.connect(count, sender=Author)
    try:
        with django_assert_max_num_queries(16):
            index = client.get("/sitemap.xml")
    finally:
        post_init.disconnect(count, sender=Book)
        post_init.disconnect(count, sender=Author)
    assert loaded == []
    dates = {
        entry.find(f"{SITEMAP}loc").text: entry.find(f"{SITEMAP}lastmod").text
        for entry in ET.fromstring(index.content).iter(f"{SITEMAP}sitemap")
        if entry.find(f"{SITEMAP}lastmod") is not None
    }
    expected = (timezone.now() + dt.timedelta(days=1)).date().isoformat()
    assert dates["http://testserver/sitemap-books.xml"].startswith(expected)


def test_the_atom_feed_carries_the_latest_public_articles(client, db):
    now = timezone.now()
    make_article(title="Older", published_at=now - dt.timedelta(days=2), byline="A. Writer")
    make_article(title="Newer", published_at=now - dt.timedelta(days=1))
    make_article(title="Not yet", published_at=now + dt.timedelta(days=1))
    make_article(title="Draft", status=Article.Status.DRAFT)

    page = soup(client.get("/"))
    link = page.find("link", rel="alternate", type="application/atom+xml")
    response = client.get(link["href"])
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.find(f"{ATOM}title").text for entry in entries] == ["Newer", "Older"]
    assert entries[1].find(f"{ATOM}author/{ATOM}name").text == "A. Writer"
    assert entries[0].find(f"{ATOM}link").get("href") == "http://testserver/articles/newer/"


def test_the_feed_summary_is_text_so_quoted_markup_stays_text(client, db):
    make_article(title="On XSS", body="Never write `<img src=x onerror=alert(1)>` in a page.")
    feed = ET.fromstring(client.get("/articles/feed.xml").content)
    summary = feed.find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "text"
    assert summary.text == "Never write <img src=x onerror=alert(1)> in a page."


def test_a_control_character_in_a_title_does_not_break_the_feed(client, db):
    make_article(title="Ring the bell\x07 twice", byline="Ed\x1b")
    response = client.get("/articles/feed.xml")
    assert response.status_code == 200
    entry = ET.fromstring(response.content).find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "Ring the bell twice"


def test_an_article_describes_itself_and_its_books_in_json_ld(client, db):
    make_book(title="The Last Battle", slug="the-last-battle", isbn13="9780306822087")
    article = make_article(
        title="Unlikely Allies", byline="Stephen Harding", body="Text.\n\n[[book:the-last-battle]]"
    )
    scripts = soup(client.get(article.get_absolute_url())).find_all(
        "script", type="application/ld+json"
    )
    data = json.loads(scripts[0].string)
    assert data["@type"] == "Article"
    assert data["headline"] == "Unlikely Allies"
    assert data["author"] == {"@type": "Person", "name": "Stephen Harding"}
    assert [(book["name"], book["isbn"]) for book in data["about"]] == [
        ("The Last Battle", "9780306822087")
    ]


def test_a_book_title_in_another_language_is_marked_as_such(client, db):
    book = make_book(title="حكايات", language="ar")
    page = soup(client.get("/books/"))
    title = page.select_one(".book-card__title")
    assert (title["lang"], title["dir"]) == ("ar", "auto")
    heading = soup(client.get(book.get_absolute_url())).find("h1")
    assert heading["lang"] == "ar"
