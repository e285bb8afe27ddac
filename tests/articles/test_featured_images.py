"""An article's featured picture as readers meet it: large at the article's top, as a
thumbnail in every list of teasers, in its share card and its structured data; and its
social title and meta description where it is shared. Only a ready picture shows:
without one, every page is as it was."""

import json

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Topic
from catalogue.shops import enabled_shops
from images.models import Image
from images.signals import image_changed
from tests.factories import article_form, make_article, make_author, make_book
from tests.helpers import text_of
from tests.pictures import make_ready_image
from tests.website.test_share_cards import BASE, cover_bytes, one, share_tags


@pytest.fixture
def topic(db) -> Topic:
    return Topic.objects.create(name="Rivers")


@pytest.fixture
def book(db):
    return make_book(title="The Elbe", slug="the-elbe", authors=[make_author(name="Ann Author")])


def article_in(topic, book, **fields) -> Article:
    fields.setdefault("standfirst", "Where the armies met.")
    article = make_article(body=f"The river.\n\n[[book:{book.slug}]]\n", **fields)
    article.topics.add(topic)
    return article


@pytest.fixture
def picture(db) -> Image:
    return make_ready_image(
        alt="Soldiers shaking hands on a broken bridge",
        caption="Torgau, 25 April 1945.",
        credit="Photo: US Army Signal Corps",
        licence="Public domain",
    )


@pytest.fixture
def article(topic, book, picture) -> Article:
    return article_in(topic, book, title="Meeting at the Elbe", featured_image=picture)


def page(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.content, "html.parser")


def rendition_url(image: Image, width: int, kind: str = "jpeg") -> str:
    return image.file.storage.url(image.renditions[str(width)][kind])


def json_ld(soup: BeautifulSoup) -> dict:
    scripts = [
        json.loads(tag.string) for tag in soup.find_all("script", type="application/ld+json")
    ]
    return next(data for data in scripts if data.get("@type") == "Article")


# --- The article's page ------------------------------------------------------------------


def test_the_article_opens_with_its_picture_large_fetched_first_with_caption_and_credit(
    client, article, picture
):
    soup = page(client, article.get_absolute_url())
    figure = soup.select_one(".article .featured-image")
    assert figure is not None
    # At the top: after the title and before the first words of the text.
    assert figure.find_previous("h1").get_text() == "Meeting at the Elbe"
    assert figure.find_next(class_="article__body").p.get_text() == "The river."
    img = figure.select_one("picture img")
    assert img["alt"] == "Soldiers shaking hands on a broken bridge"
    assert img["fetchpriority"] == "high"
    assert not img.has_attr("loading")  # never lazy: it is what the reader sees first
    assert (img["width"], img["height"]) == ("800", "500")
    assert img["src"] == rendition_url(picture, 800)
    assert img["srcset"].split(", ") == [
        f"{rendition_url(picture, width)} {width}w" for width in (400, 800, 1200, 1600)
    ]
    webp = figure.select_one("picture source[type='image/webp']")
    assert f"{rendition_url(picture, 1600, 'webp')} 1600w" in webp["srcset"]
    assert img["sizes"] == webp["sizes"] and "42rem" in img["sizes"]
    assert text_of(str(figure), "figcaption", " ") == [
        "Torgau, 25 April 1945. Photo: US Army Signal Corps · Public domain"
    ]


def test_a_decorative_picture_has_an_empty_alt_and_a_picture_without_words_no_caption(
    client, topic, book
):
    plain = make_ready_image(alt="", decorative=True)
    article = article_in(topic, book, featured_image=plain)
    figure = page(client, article.get_absolute_url()).select_one(".featured-image")
    assert figure.select_one("img")["alt"] == ""
    assert figure.select_one("figcaption") is None


@pytest.mark.parametrize("status", [Image.Status.WAITING, Image.Status.FAILED])
def test_a_picture_not_ready_leaves_every_page_as_it_was_without_one(
    client, topic, book, picture, status
):
    without = article_in(topic, book, title="Twin", slug="twin")
    with_it = article_in(topic, book, title="Twin", slug="twin-2", featured_image=picture)
    Image.objects.filter(pk=picture.pk).update(status=status)

    for url in (without.get_absolute_url(), with_it.get_absolute_url()):
        soup = page(client, url)
        assert soup.select(".featured-image, picture img:not(.cover)") == []
        assert one(share_tags(client, url)[0], "og:image") != rendition_url(picture, 1200)
        assert "image" not in json_ld(soup)
    listed = page(client, "/articles/")
    assert listed.select(".teaser picture") == []


# --- Teasers -----------------------------------------------------------------------------


def test_every_list_of_teasers_shows_the_picture_as_a_small_thumbnail(
    client, article, picture, topic, book
):
    article_in(topic, book, title="Another crossing", slug="another-crossing")  # no picture
    lists = {
        "home": "/",
        "archive": "/articles/",
        "topic": topic.get_absolute_url(),
        "search": "/search/?q=elbe",
        "book": book.get_absolute_url(),
    }
    for name, url in lists.items():
        soup = page(client, url)
        teaser = next(
            teaser
            for teaser in soup.select(".teaser")
            if teaser.select_one(".teaser__title").get_text(strip=True) == "Meeting at the Elbe"
        )
        img = teaser.select_one("picture img.teaser__thumbnail")
        assert img is not None, name
        # Its linked title says where it leads: the thumbnail is not read out too.
        assert img["alt"] == "", name
        assert img["loading"] == "lazy", name
        assert img["src"] == rendition_url(picture, 400), name
        assert f"{rendition_url(picture, 400)} 400w" in img["srcset"], name
        assert "7.5rem" in img["sizes"], name
        others = [t for t in soup.select(".teaser") if t is not teaser]
        assert all(t.select_one("picture") is None for t in others), name


def test_read_next_shows_the_recommended_articles_thumbnail(client, article, topic, book):
    other = article_in(topic, book, title="Downstream", slug="downstream")
    soup = page(client, other.get_absolute_url())
    teaser = soup.select_one("#recommendations .teaser:has(picture)")
    assert teaser.select_one(".teaser__title").get_text(strip=True) == "Meeting at the Elbe"


def query_count(client, url: str) -> int:
    cache.clear()
    enabled_shops()  # read once into the cache, as by any earlier page
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_pictures_cost_no_query_on_any_page_that_shows_them(client, topic, book):
    articles = [
        article_in(topic, book, title=f"Crossing {number}", slug=f"crossing-{number}")
        for number in range(4)
    ]
    urls = ["/", "/articles/", topic.get_absolute_url(), "/search/?q=crossing"]
    urls += [book.get_absolute_url(), articles[0].get_absolute_url()]
    without = {url: query_count(client, url) for url in urls}
    for article in articles:
        article.featured_image = make_ready_image()
        article.save()
    with_pictures = {url: query_count(client, url) for url in urls}
    assert with_pictures == without
    assert len(page(client, "/articles/").select(".teaser picture")) == 4


# --- Shared and described ----------------------------------------------------------------


def test_the_share_card_shows_the_1200_wide_rendition_at_its_true_size(client, article, picture):
    properties, twitter, _ = share_tags(client, article.get_absolute_url())
    assert one(properties, "og:image") == BASE + rendition_url(picture, 1200)
    assert (one(properties, "og:image:width"), one(properties, "og:image:height")) == (
        "1200",
        "750",
    )
    assert one(properties, "og:image:alt") == "Soldiers shaking hands on a broken bridge"
    assert twitter["twitter:image"] == one(properties, "og:image")
    assert twitter["twitter:card"] == "summary_large_image"


def test_a_picture_narrower_than_1200_is_shared_at_its_widest_rendition(client, topic, book):
    narrow = make_ready_image(size=(900, 600), alt="", decorative=True, caption="The bridge.")
    article = article_in(topic, book, title="A narrow view", featured_image=narrow)
    properties, twitter, _ = share_tags(client, article.get_absolute_url())
    assert sorted(narrow.renditions, key=int) == ["400", "800"]
    assert one(properties, "og:image") == BASE + rendition_url(narrow, 800)
    assert (one(properties, "og:image:width"), one(properties, "og:image:height")) == (
        "800",
        "533",
    )
    # A decorative picture says what it is by its caption.
    assert one(properties, "og:image:alt") == "The bridge."
    assert twitter["twitter:card"] == "summary"


def test_without_a_featured_picture_the_drawn_share_image_is_shared(client, topic, book):
    article = article_in(topic, book, title="Plain")
    article.share_image.save("plain.png", ContentFile(cover_bytes(size=(1200, 630))), save=False)
    Article.objects.filter(pk=article.pk).update(share_image=article.share_image.name)
    properties, _, _ = share_tags(client, article.get_absolute_url())
    assert one(properties, "og:image") == BASE + article.share_image.url
    assert one(properties, "og:image:alt") == "The cover of The Elbe beside the title “Plain”"


def test_structured_data_names_the_picture_with_its_credit_and_licence_address(
    client, article, picture
):
    picture.licence = "https://creativecommons.org/publicdomain/mark/1.0/"
    picture.save()
    data = json_ld(page(client, article.get_absolute_url()))
    assert data["image"] == {
        "@type": "ImageObject",
        "url": BASE + rendition_url(picture, 1200),
        "contentUrl": BASE + rendition_url(picture, 1200),
        "width": 1200,
        "height": 750,
        "caption": "Torgau, 25 April 1945.",
        "creditText": "Photo: US Army Signal Corps",
        "license": "https://creativecommons.org/publicdomain/mark/1.0/",
    }


def test_a_licence_in_words_is_left_out_of_the_structured_data(client, article):
    data = json_ld(page(client, article.get_absolute_url()))
    assert data["image"]["creditText"] == "Photo: US Army Signal Corps"
    assert "license" not in data["image"]  # "Public domain": schema.org wants an address


def test_the_social_title_and_meta_description_are_what_is_shared_and_searched(client, article):
    Article.objects.filter(pk=article.pk).update(
        social_title="When two armies met on a river",
        meta_description="How the Elbe became the place the war in Europe met itself.",
    )
    url = article.get_absolute_url()
    properties, twitter, soup = share_tags(client, url)
    assert one(properties, "og:title") == "When two armies met on a river"
    assert twitter["twitter:title"] == "When two armies met on a river"
    description = "How the Elbe became the place the war in Europe met itself."
    assert one(properties, "og:description") == description
    assert twitter["twitter:description"] == description
    assert soup.select_one("meta[name=description]")["content"] == description
    assert json_ld(soup)["description"] == description
    # The page itself keeps its own title.
    assert soup.select_one("h1").get_text() == "Meeting at the Elbe"
    assert soup.title.get_text().startswith("Meeting at the Elbe")


def test_without_them_the_title_and_standfirst_or_opening_words_are_shared(client, topic, book):
    with_standfirst = article_in(topic, book, title="Upstream")
    opening = article_in(topic, book, title="Downstream", standfirst="")
    for article, description in (
        (with_standfirst, "Where the armies met."),
        (opening, "The river."),
    ):
        properties, twitter, soup = share_tags(client, article.get_absolute_url())
        assert one(properties, "og:title") == twitter["twitter:title"] == article.title
        assert one(properties, "og:description") == description
        assert soup.select_one("meta[name=description]")["content"] == description


# --- Kept fresh --------------------------------------------------------------------------


def is_cached(url: str) -> bool:
    return Client().get(url).get("X-Page-Cache") == "hit"


@pytest.mark.page_cache
@pytest.mark.parametrize("change", ["words", "deleted"])
def test_a_changed_featured_picture_drops_the_cached_pages_that_show_it(
    topic, book, django_capture_on_commit_callbacks, change
):
    with django_capture_on_commit_callbacks(execute=True):
        picture = make_ready_image(caption="Before the bridge.")
        article = article_in(topic, book, title="Cached", featured_image=picture)
    urls = [
        article.get_absolute_url(),
        "/articles/",
        topic.get_absolute_url(),
        book.get_absolute_url(),
    ]
    for url in urls:
        Client().get(url)
        assert is_cached(url), url
    with django_capture_on_commit_callbacks(execute=True):
        if change == "words":
            picture.caption = "After the bridge."
            picture.save()
            # What the pictures app says once a ready picture's words have changed.
            image_changed.send(sender=Image, instance=picture)
        else:
            picture.delete()
    for url in urls:
        assert not is_cached(url), url
    soup = page(Client(), article.get_absolute_url())
    if change == "words":
        assert text_of(str(soup), ".featured-image figcaption .figure-caption") == [
            "After the bridge."
        ]
    else:
        assert soup.select(".featured-image") == []
        assert page(Client(), "/articles/").select(".teaser picture") == []


# --- Previews ----------------------------------------------------------------------------


@pytest.fixture
def editor(db) -> Client:
    user = get_user_model().objects.create_user("featured-editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(user)
    return client


def test_the_preview_shows_the_chosen_picture_or_says_it_is_not_ready(editor, picture, db):
    waiting = make_ready_image()
    Image.objects.filter(pk=waiting.pk).update(status=Image.Status.WAITING)
    shown = editor.post(
        "/admin/articles/article/preview/", article_form(featured_image=str(picture.pk))
    )
    assert text_of(shown.content, ".featured-image figcaption .figure-caption") == [
        "Torgau, 25 April 1945."
    ]
    pending = editor.post(
        "/admin/articles/article/preview/", article_form(featured_image=str(waiting.pk))
    )
    assert BeautifulSoup(pending.content, "html.parser").select(".featured-image") == []
    assert text_of(pending.content, ".article .preview-missing", " ") == [
        f"Readers see no featured picture yet: picture #{waiting.pk} is still being "
        "prepared. The article shows without it until it is ready."
    ]
