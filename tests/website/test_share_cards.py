"""Open Graph and Twitter card tags on every public page, read as a social network reads
them: Open Graph by extruct, the Twitter names (which extruct does not read) by
BeautifulSoup."""

import io
from datetime import date
from urllib.parse import urlsplit

import extruct
import pytest
from bs4 import BeautifulSoup
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.templatetags.static import static
from django.utils import timezone
from PIL import Image

from articles.models import Topic
from articles.previews import make_preview_link
from catalogue.covers import make_renditions
from catalogue.reading_lists import ReadingList, ReadingListItem
from catalogue.share_cards import drawn_cover_url
from tests.factories import make_article, make_author, make_book

BASE = "http://testserver"
REQUIRED = [
    "og:title", "og:type", "og:url", "og:description", "og:site_name", "og:image",
    "og:image:alt", "og:locale",
]  # fmt: skip
TWITTER = ["twitter:card", "twitter:title", "twitter:description", "twitter:image",
           "twitter:image:alt"]  # fmt: skip
URL_PROPERTIES = {"og:url", "og:image", "book:author"}


def cover_bytes(size=(800, 1200), colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def share_tags(client, url: str) -> tuple[dict[str, list[str]], dict[str, str], BeautifulSoup]:
    """The page's Open Graph properties (each with all its values, in order), its Twitter
    tags and the page itself."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    found = extruct.extract(html, base_url=BASE + url, syntaxes=["opengraph"])["opengraph"]
    assert len(found) == 1, found
    properties: dict[str, list[str]] = {}
    for name, content in found[0]["properties"]:
        properties.setdefault(name, []).append(content)
    soup = BeautifulSoup(html, "html.parser")
    twitter = {
        tag["name"]: tag["content"]
        for tag in soup.select("meta[name^='twitter:']")
        if tag.get("content") is not None
    }
    return properties, twitter, soup


def one(properties: dict, name: str) -> str:
    assert len(properties.get(name, [])) == 1, (name, properties.get(name))
    return properties[name][0]


@pytest.fixture
def site(db):
    author = make_author(name="Mary Beard", slug="mary-beard")
    book = make_book(
        title="SPQR", subtitle="A History of Ancient Rome", isbn13="9781846683800",
        description="Rome, from its beginnings to 212 AD.", authors=[author],
        publication_date=date(2015, 10, 20),
    )  # fmt: skip
    topic = Topic.objects.create(name="Ancient Rome")
    article = make_article(
        title="Why Rome still matters",
        standfirst="A reading of SPQR.",
        byline="Ada Editor",
        body=f"Words.\n\n[[book:{book.slug}]]\n",
    )
    article.topics.add(topic)
    reading_list = ReadingList.objects.create(
        title="Rome in ten books",
        introduction="From the founding to the fall.",
        status=ReadingList.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    ReadingListItem.objects.create(reading_list=reading_list, book=book, position=1)
    return {
        "book": book, "author": author, "topic": topic, "article": article,
        "reading_list": reading_list,
    }  # fmt: skip


def public_pages(site) -> dict[str, str]:
    return {
        "home": "/",
        "article list": "/articles/",
        "article": site["article"].get_absolute_url(),
        "topic": site["topic"].get_absolute_url(),
        "book list": "/books/",
        "book": site["book"].get_absolute_url(),
        "author": site["author"].get_absolute_url(),
        "search": "/search/?q=rome",
        "about": "/about/",
        "reading list": site["reading_list"].get_absolute_url(),
        "reading lists": "/lists/",
    }


PAGES = ["home", "article list", "article", "topic", "book list", "book", "author",
         "search", "about", "reading list", "reading lists"]  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
def test_every_public_page_has_a_whole_card_with_absolute_addresses(client, site, page):
    url = public_pages(site)[page]
    properties, twitter, soup = share_tags(client, url)

    for name in REQUIRED:
        assert one(properties, name).strip(), name
    for name in TWITTER:
        assert twitter.get(name, "").strip(), name
    assert one(properties, "og:site_name") == "Colophon"
    assert one(properties, "og:locale") == "en_GB"
    # The address shared is the page's canonical one, whole.
    assert one(properties, "og:url") == BASE + url
    canonical = soup.select_one("link[rel=canonical]")
    if canonical is not None:
        assert canonical["href"] == one(properties, "og:url")
    # Never a relative address: a network fetches it from elsewhere.
    for name in URL_PROPERTIES & properties.keys():
        for value in properties[name]:
            assert urlsplit(value).scheme in ("http", "https") and urlsplit(value).netloc, value
    assert urlsplit(twitter["twitter:image"]).netloc
    assert twitter["twitter:image"] == one(properties, "og:image")
    assert twitter["twitter:title"] == one(properties, "og:title")
    assert twitter["twitter:card"] in ("summary", "summary_large_image")


def test_pages_without_a_picture_of_their_own_share_the_sites_at_its_real_size(client, site):
    properties, twitter, _ = share_tags(client, "/about/")
    assert one(properties, "og:title") == "About Colophon"
    assert one(properties, "og:type") == "website"
    assert one(properties, "og:description").startswith("What Colophon is")
    assert one(properties, "og:image") == BASE + static("img/share.png")
    with Image.open(finders.find("img/share.png")) as picture:
        assert picture.size == (1200, 630)
    assert (one(properties, "og:image:width"), one(properties, "og:image:height")) == (
        "1200",
        "630",
    )
    assert twitter["twitter:card"] == "summary_large_image"


def test_the_search_page_names_what_was_searched(client, site):
    properties, twitter, _ = share_tags(client, "/search/?q=rome")
    assert one(properties, "og:title") == "Search: rome"
    assert "“rome”" in twitter["twitter:description"]


def test_an_article_is_shared_as_an_article_with_its_times_topic_and_byline(client, site):
    article = site["article"]
    properties, twitter, _ = share_tags(client, article.get_absolute_url())

    assert one(properties, "og:type") == "article"
    assert one(properties, "og:title") == "Why Rome still matters"
    assert one(properties, "og:description") == "A reading of SPQR."
    assert one(properties, "article:published_time") == article.published_at.isoformat()
    assert one(properties, "article:modified_time") == article.updated_at.isoformat()
    assert one(properties, "article:section") == "Ancient Rome"
    assert one(properties, "article:author") == "Ada Editor"
    assert twitter["twitter:description"] == "A reading of SPQR."


def test_until_its_share_image_is_made_an_article_shows_its_first_books_cover(client, site):
    book = site["book"]
    properties, twitter, _ = share_tags(client, site["article"].get_absolute_url())

    # SPQR has no picture: its drawn cover, at the size it is drawn.
    assert one(properties, "og:image") == BASE + drawn_cover_url(book)
    assert (one(properties, "og:image:width"), one(properties, "og:image:height")) == (
        "600",
        "900",
    )
    assert one(properties, "og:image:alt") == "Cover of SPQR"
    assert twitter["twitter:card"] == "summary"


def test_a_book_is_shared_as_a_book_with_its_isbn_authors_and_largest_cover(client, site):
    book = site["book"]
    book.cover.save("spqr.png", ContentFile(cover_bytes()))
    make_renditions(book)
    largest = book.cover_renditions["640"]
    properties, twitter, _ = share_tags(client, book.get_absolute_url())

    assert one(properties, "og:type") == "book"
    assert one(properties, "og:title") == "SPQR: A History of Ancient Rome"
    assert one(properties, "book:isbn") == "9781846683800"
    assert one(properties, "book:release_date") == "2015-10-20"
    # Open Graph's book:author is a profile: the author's page here.
    assert properties["book:author"] == [BASE + "/authors/mary-beard/"]
    assert one(properties, "og:image") == BASE + book.cover.storage.url(largest["jpeg"])
    assert (one(properties, "og:image:width"), one(properties, "og:image:height")) == (
        "640",
        str(largest["height"]),
    )
    assert one(properties, "og:description") == "Rome, from its beginnings to 212 AD."
    assert twitter["twitter:card"] == "summary"


def test_an_imported_cover_is_shared_without_a_size_we_never_measured(client, db):
    book = make_book(title="Dune", cover_url="https://images.gr-assets.com/books/1m/dune.jpg")
    properties, _, _ = share_tags(client, book.get_absolute_url())
    assert one(properties, "og:image") == "https://images.gr-assets.com/books/1m/dune.jpg"
    assert "og:image:width" not in properties and "og:image:height" not in properties


def test_a_book_without_a_picture_is_shared_with_its_drawn_cover(client, site):
    book = site["book"]
    properties, _, _ = share_tags(client, book.get_absolute_url())
    address = one(properties, "og:image")
    assert address == BASE + drawn_cover_url(book)

    response = client.get(urlsplit(address).path)
    assert response["Content-Type"] == "image/jpeg"
    assert "immutable" in response["Cache-Control"]
    with Image.open(io.BytesIO(response.content)) as picture:
        assert picture.size == (600, 900)


def test_a_retitled_books_old_drawn_cover_address_leads_to_the_new_one(client, site):
    book = site["book"]
    old = drawn_cover_url(book)
    book.title = "SPQR (revised)"
    book.save()
    new = drawn_cover_url(book)
    assert new != old
    response = client.get(old)
    assert response.status_code == 302 and response["Location"] == new


def test_an_author_is_shared_as_a_profile_with_their_first_books_cover(client, site):
    properties, _, _ = share_tags(client, site["author"].get_absolute_url())
    assert one(properties, "og:type") == "profile"
    assert one(properties, "og:title") == "Mary Beard"
    assert one(properties, "og:description") == "Books by Mary Beard in the Colophon catalogue."
    assert one(properties, "og:image") == BASE + drawn_cover_url(site["book"])


def test_a_topic_is_shared_with_its_name_and_description(client, site):
    topic = site["topic"]
    topic.description = "The city and its empire."
    topic.save()
    properties, _, _ = share_tags(client, topic.get_absolute_url())
    assert one(properties, "og:title") == "Ancient Rome"
    assert one(properties, "og:description") == "The city and its empire."


def test_the_card_is_the_same_for_every_visitor(client, site, django_user_model):
    url = site["article"].get_absolute_url()
    anonymous, _, _ = share_tags(client, url)
    editor = django_user_model.objects.create_user("ed", password="x", is_staff=True)
    client.force_login(editor)
    signed_in, _, _ = share_tags(client, url)
    assert signed_in == anonymous


def test_a_preview_link_shares_nothing(client, site):
    """A reviewer's link to a draft is no page to share (and says noindex)."""
    article = site["article"]
    article.status = article.Status.DRAFT
    article.save()
    link, _ = make_preview_link(article)
    response = client.get(link)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select("meta[property^='og:']") == []


def test_the_drawn_cover_costs_the_same_few_queries_for_any_book(
    client, site, django_assert_num_queries
):
    many = make_book(title="Many hands", authors=[make_author() for _ in range(12)])
    for url in [drawn_cover_url(site["book"]), drawn_cover_url(many)]:
        with django_assert_num_queries(2):  # the book, its credits with their authors
            assert client.get(url).status_code == 200


def test_a_reading_list_is_shared_with_its_introduction_and_first_books_cover(client, site):
    properties, _, _ = share_tags(client, site["reading_list"].get_absolute_url())
    assert one(properties, "og:title") == "Rome in ten books"
    assert one(properties, "og:description") == "From the founding to the fall."
    assert one(properties, "og:image") == BASE + drawn_cover_url(site["book"])
