"""The feeds a reader follows: the latest articles, a topic's and an author's, each in
RSS 2.0 and Atom, read by feedparser (what feed readers use), advertised by the pages."""

import calendar
import datetime as dt

import feedparser
import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.utils import timezone

from articles.feeds import FEED_LENGTH
from articles.models import Article, Topic
from catalogue.models import Book, Contribution
from images.models import Image
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of
from tests.pictures import make_ready_image

FORMATS = {"rss": ("application/rss+xml", "rss20"), "atom": ("application/atom+xml", "atom10")}
NOW = timezone.now().replace(microsecond=0)


def days_ago(days: int) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def read_feed(client, url: str) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, f"{url} is not well formed: {feed.get('bozo_exception')}"
    return feed


def published(entry) -> dt.datetime:
    return dt.datetime.fromtimestamp(calendar.timegm(entry.published_parsed), dt.UTC)


def page(client, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def advertised(soup: BeautifulSoup) -> list[tuple[str, str, str]]:
    """The feeds a page's head names: (type, title, address)."""
    return [
        (link["type"], link["title"], link["href"])
        for link in soup.head.find_all("link", rel="alternate")
    ]


# --- The latest articles ------------------------------------------------------------------


@pytest.mark.parametrize("kind", FORMATS)
def test_the_feed_carries_the_latest_public_articles_newest_first(client, db, kind):
    war = Topic.objects.create(name="War")
    older = make_article(
        title="Older", published_at=days_ago(2), byline="A. Writer", standfirst="Two allies."
    )
    older.topics.add(war)
    make_article(title="Newer", published_at=days_ago(1), body="The opening words of it.")
    make_article(title="Not yet", published_at=NOW + dt.timedelta(days=1))
    make_article(title="Draft", status=Article.Status.DRAFT)

    content_type, version = FORMATS[kind]
    href = next(href for type_, _, href in advertised(page(client, "/")) if type_ == content_type)
    feed = read_feed(client, href)

    assert feed.version == version
    assert feed.feed.title == "Colophon: articles"
    assert feed.feed.link == "http://testserver/articles/"
    assert [entry.title for entry in feed.entries] == ["Newer", "Older"]
    newer, older_entry = feed.entries
    assert newer.link == "http://testserver/articles/newer/"
    assert [published(entry) for entry in feed.entries] == [days_ago(1), days_ago(2)]
    assert newer.summary == "The opening words of it."
    assert older_entry.summary == "Two allies."
    assert older_entry.author == "A. Writer"
    assert [tag.term for tag in older_entry.tags] == ["War"]


def test_the_rss_feed_sits_beside_the_atom_feed(client, db):
    make_article(title="Unlikely Allies")
    rss = read_feed(client, "/articles/feed.rss")
    atom = read_feed(client, "/articles/feed.xml")
    assert (rss.version, atom.version) == ("rss20", "atom10")
    assert [e.title for e in rss.entries] == [e.title for e in atom.entries] == ["Unlikely Allies"]
    assert rss.feed.subtitle == atom.feed.subtitle == "Long-form articles about books and history."


@pytest.mark.parametrize("url", ["/articles/feed.rss", "/articles/feed.xml"])
def test_markup_quoted_in_an_article_reaches_the_reader_as_text(client, db, url):
    make_article(title="On XSS", body="Never write `<img src=x onerror=alert(1)>` in a page.")
    summary = read_feed(client, url).entries[0].summary_detail
    if summary.type == "text/html":  # RSS: readers take a description as HTML
        shown = BeautifulSoup(summary.value, "html.parser")
        assert shown.find("img") is None
        text = shown.get_text()
    else:  # Atom says type="text"
        assert summary.type == "text/plain"
        text = summary.value
    assert text == "Never write <img src=x onerror=alert(1)> in a page."


def test_the_rss_description_is_escaped_text_in_the_raw_xml(client, db):
    make_article(title="On XSS", body="Never write `<img src=x onerror=alert(1)>` & such.")
    raw = client.get("/articles/feed.rss").content.decode()
    assert (
        "<description>Never write &amp;lt;img src=x onerror=alert(1)&amp;gt; &amp;amp; such."
        "</description>" in raw
    )
    assert "<img" not in raw and "&lt;img" not in raw.replace("&amp;lt;img", "")


@pytest.mark.parametrize("url", ["/articles/feed.rss", "/articles/feed.xml"])
def test_a_title_reaches_the_reader_as_written(client, db, url):
    make_article(title="Arms & armour: <b> is not bold", standfirst="Fish & chips.")
    entry = read_feed(client, url).entries[0]
    assert (entry.title_detail.type, entry.title) == (
        "text/plain",
        "Arms & armour: <b> is not bold",
    )
    shown = entry.summary_detail
    text = shown.value
    if shown.type == "text/html":
        text = BeautifulSoup(text, "html.parser").get_text()
    assert text == "Fish & chips."


@pytest.mark.parametrize("url", ["/articles/feed.rss", "/articles/feed.xml"])
def test_control_characters_never_break_a_feed(client, db, url):
    make_article(title="Ring the bell\x07 twice", byline="Ed\x1b", standfirst="Ding\x0b dong.")
    entry = read_feed(client, url).entries[0]
    assert (entry.title, entry.author, entry.summary) == ("Ring the bell twice", "Ed", "Ding dong.")


@pytest.mark.parametrize("url", ["/articles/feed.rss", "/articles/feed.xml"])
def test_a_feed_holds_the_latest_twenty_articles(client, db, url):
    for number in range(FEED_LENGTH + 5):
        make_article(title=f"Piece {number}", published_at=days_ago(100 - number))
    titles = [entry.title for entry in read_feed(client, url).entries]
    assert titles == [f"Piece {number}" for number in range(FEED_LENGTH + 4, 4, -1)]


# --- Each entry described and pictured as when the article is shared ----------------------


def plain(detail) -> str:
    """A summary as the reader sees it: RSS's is HTML, Atom's says it is text."""
    return (
        BeautifulSoup(detail.value, "html.parser").get_text()
        if detail.type == "text/html"
        else detail.value
    )


@pytest.mark.parametrize("url", ["/articles/feed.rss", "/articles/feed.xml"])
def test_an_entry_is_described_by_the_meta_description_when_the_article_has_one(client, db, url):
    make_article(
        title="Described", published_at=days_ago(1), standfirst="The standfirst.",
        meta_description="  What the editor wrote for shares & search.  ",
    )  # fmt: skip
    make_article(title="Teased", published_at=days_ago(2), standfirst="Only a standfirst.")
    make_article(title="Bare", published_at=days_ago(3), body="The opening words.")
    entries = read_feed(client, url).entries
    assert [(entry.title, plain(entry.summary_detail)) for entry in entries] == [
        ("Described", "What the editor wrote for shares & search."),
        ("Teased", "Only a standfirst."),
        ("Bare", "The opening words."),
    ]


def pictured_and_plain(client, url: str, size: tuple[int, int]):
    """A feed of a pictured article (`size` pixels) and a plain one: the picture, and
    the two entries."""
    picture = make_ready_image(size=size, alt="A bridge")
    make_article(title="Pictured", published_at=days_ago(1), featured_image=picture)
    make_article(title="Plain", published_at=days_ago(2))
    pictured, plain_entry = read_feed(client, url).entries
    return picture, pictured, plain_entry


def test_the_rss_entry_carries_its_featured_picture_as_media_content(client, db):
    picture, pictured, plain_entry = pictured_and_plain(client, "/articles/feed.rss", (1600, 1000))
    jpeg = picture.file.storage.url(picture.renditions["1200"]["jpeg"])
    assert pictured.media_content == [
        {"url": f"http://testserver{jpeg}", "type": "image/jpeg", "medium": "image",
         "width": "1200", "height": "750"},
    ]  # fmt: skip
    assert "media_content" not in plain_entry


def test_the_atom_entry_links_its_featured_picture_as_an_enclosure(client, db):
    picture, pictured, plain_entry = pictured_and_plain(client, "/articles/feed.xml", (1000, 500))
    # Narrower than a share's 1200: its widest rendition, the 800.
    jpeg = picture.file.storage.url(picture.renditions["800"]["jpeg"])
    assert [(link.href, link.type) for link in pictured.enclosures] == [
        (f"http://testserver{jpeg}", "image/jpeg")
    ]
    assert plain_entry.enclosures == []


@pytest.mark.parametrize("url", ["/articles/feed.rss", "/articles/feed.xml"])
def test_a_featured_picture_still_being_prepared_is_left_out_of_the_feed(client, db, url):
    picture = make_ready_image(alt="Not ready yet")
    Image.objects.filter(pk=picture.pk).update(status=Image.Status.WAITING)
    make_article(title="Waiting", featured_image_id=picture.pk)
    entry = read_feed(client, url).entries[0]
    assert entry.get("enclosures", []) == [] and "media_content" not in entry


# --- A topic's feed -------------------------------------------------------------------------


@pytest.fixture
def topics(db):
    war, peace = Topic.objects.create(name="War"), Topic.objects.create(name="Peace")
    for title, days, topic in [
        ("The Elbe", 3, war),
        ("Armistice", 2, peace),
        ("Berlin, 1945", 1, war),
    ]:
        make_article(title=title, published_at=days_ago(days)).topics.add(topic)
    make_article(title="A draft on war", status=Article.Status.DRAFT).topics.add(war)
    return {"war": war, "peace": peace}


@pytest.mark.parametrize("kind", FORMATS)
def test_a_topic_page_advertises_its_feed_which_carries_its_articles(client, topics, kind):
    content_type, version = FORMATS[kind]
    feeds = advertised(page(client, "/topics/war/"))
    title, href = next((title, href) for type_, title, href in feeds if type_ == content_type)
    assert title == f"Colophon: articles on War ({kind.upper() if kind == 'rss' else 'Atom'})"
    feed = read_feed(client, href)
    assert feed.version == version
    assert feed.feed.title == "Colophon: articles on War"
    assert feed.feed.link == "http://testserver/topics/war/"
    assert [entry.title for entry in feed.entries] == ["Berlin, 1945", "The Elbe"]
    assert feed.entries[0].link == "http://testserver/articles/berlin-1945/"
    assert published(feed.entries[1]) == days_ago(3)
    assert all([tag.term for tag in entry.tags] == ["War"] for entry in feed.entries)


@pytest.mark.parametrize("suffix", ["feed.rss", "feed.xml"])
def test_an_unknown_or_old_topic_address_has_no_feed(client, topics, suffix):
    assert client.get(f"/topics/no-such-topic/{suffix}").status_code == 404
    war = topics["war"]
    war.slug = "warfare"
    war.save()  # topics keep no old addresses: the old one leads nowhere
    assert client.get(f"/topics/war/{suffix}").status_code == 404
    assert read_feed(client, f"/topics/warfare/{suffix}").feed.title == "Colophon: articles on War"


# --- An author's feed -----------------------------------------------------------------------


@pytest.fixture
def harding(db):
    """Stephen Harding, credited on two public books (one as translator) and one draft."""
    author = make_author(name="Stephen Harding", slug="stephen-harding")
    other = make_author(name="Ann Other")
    make_book(title="The Last Battle", slug="the-last-battle", authors=[author])
    translated = make_book(title="Translated", slug="translated", authors=[other])
    Contribution.objects.create(
        book=translated, author=author, position=1, role=Contribution.Role.TRANSLATOR
    )
    make_book(title="Unpublished", slug="unpublished", status=Book.Status.DRAFT, authors=[author])
    make_book(title="Someone Else's", slug="someone-elses", authors=[other])
    for title, days, slugs in [
        ("Both of his books", 4, ["the-last-battle", "translated"]),
        ("A translation", 3, ["translated"]),
        ("Not his", 2, ["someone-elses"]),
        ("His draft", 1, ["unpublished"]),
    ]:
        body = "\n\n".join(["Words."] + [f"[[book:{slug}]]" for slug in slugs])
        make_article(title=title, published_at=days_ago(days), body=body)
    make_article(title="Unpublished piece", body="[[book:the-last-battle]]", published_at=None,
                 status=Article.Status.DRAFT)  # fmt: skip
    return author


@pytest.mark.parametrize("kind", FORMATS)
def test_an_author_page_advertises_the_feed_of_articles_about_their_books(client, harding, kind):
    content_type, version = FORMATS[kind]
    feeds = advertised(page(client, "/authors/stephen-harding/"))
    title, href = next((title, href) for type_, title, href in feeds if type_ == content_type)
    label = "RSS" if kind == "rss" else "Atom"
    assert title == f"Colophon: articles about books by Stephen Harding ({label})"
    feed = read_feed(client, href)
    assert feed.version == version
    assert feed.feed.title == "Colophon: articles about books by Stephen Harding"
    assert feed.feed.link == "http://testserver/authors/stephen-harding/"
    # Each article once, newest first; not the one about a draft book, nor others' books.
    assert [entry.title for entry in feed.entries] == ["A translation", "Both of his books"]
    assert feed.entries[1].link == "http://testserver/articles/both-of-his-books/"
    assert published(feed.entries[0]) == days_ago(3)
    assert feed.entries[0].summary == "Words."


@pytest.mark.parametrize("suffix", ["feed.rss", "feed.xml"])
def test_an_unknown_or_old_author_address_has_no_feed(client, harding, suffix):
    assert client.get(f"/authors/nobody/{suffix}").status_code == 404
    harding.slug = "s-harding"
    harding.save()  # authors keep no old addresses: the old one leads nowhere
    assert client.get(f"/authors/stephen-harding/{suffix}").status_code == 404
    assert len(read_feed(client, f"/authors/s-harding/{suffix}").entries) == 2


# --- Advertised on every page, and a link for people ----------------------------------------

SITE_FEEDS = [
    ("application/rss+xml", "Colophon: articles (RSS)", "/articles/feed.rss"),
    ("application/atom+xml", "Colophon: articles (Atom)", "/articles/feed.xml"),
]


def test_every_page_advertises_the_site_feeds_and_its_own_first(client, topics, harding):
    article = Article.objects.get(title="Berlin, 1945")
    for url in ["/", "/articles/", "/books/", "/books/the-last-battle/", "/search/?q=war",
                article.get_absolute_url()]:  # fmt: skip
        assert advertised(page(client, url)) == SITE_FEEDS, url
    assert advertised(page(client, "/topics/war/")) == [
        ("application/rss+xml", "Colophon: articles on War (RSS)", "/topics/war/feed.rss"),
        ("application/atom+xml", "Colophon: articles on War (Atom)", "/topics/war/feed.xml"),
        *SITE_FEEDS,
    ]
    by_harding = "Colophon: articles about books by Stephen Harding"
    assert advertised(page(client, "/authors/stephen-harding/")) == [
        ("application/rss+xml", f"{by_harding} (RSS)", "/authors/stephen-harding/feed.rss"),
        ("application/atom+xml", f"{by_harding} (Atom)", "/authors/stephen-harding/feed.xml"),
        *SITE_FEEDS,
    ]


@pytest.mark.parametrize(
    ("url", "sentence", "feeds"),
    [
        ("/articles/", "Follow new articles: RSS · Atom", "/articles/feed"),
        ("/topics/war/", "Follow articles on War: RSS · Atom", "/topics/war/feed"),
        (
            "/authors/stephen-harding/",
            "Follow articles about books by Stephen Harding: RSS · Atom",
            "/authors/stephen-harding/feed",
        ),
    ],
)
def test_a_reader_sees_where_to_follow_a_page(client, topics, harding, url, sentence, feeds):
    response = client.get(url)
    assert text_of(response.content, ".follow-feeds") == [sentence]
    links = BeautifulSoup(response.content, "html.parser").select(".follow-feeds a")
    assert [(a.get_text(), a["href"]) for a in links] == [
        ("RSS", f"{feeds}.rss"),
        ("Atom", f"{feeds}.xml"),
    ]
    for link in links:
        read_feed(client, link["href"])


# --- Cached like every public page, dropped when what they show changes --------------------


def cached_hit(url: str) -> bool:
    return Client().get(url).get("X-Page-Cache") == "hit"


@pytest.mark.page_cache
def test_a_topic_feed_is_cached_and_publishing_on_the_topic_drops_it(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        war = Topic.objects.create(name="War")
        make_article(title="The Elbe", published_at=days_ago(2)).topics.add(war)
    for url in ("/topics/war/feed.rss", "/topics/war/feed.xml"):
        read_feed(client, url)
        assert cached_hit(url), url
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="Berlin, 1945").topics.add(war)
    for url in ("/topics/war/feed.rss", "/topics/war/feed.xml"):
        assert [entry.title for entry in read_feed(client, url).entries] == [
            "Berlin, 1945",
            "The Elbe",
        ], url
    with django_capture_on_commit_callbacks(execute=True):
        war.name = "Warfare"
        war.save()
    assert read_feed(client, "/topics/war/feed.rss").feed.title == "Colophon: articles on Warfare"


@pytest.mark.page_cache
def test_a_topic_given_to_an_article_shows_in_every_cached_feed_it_is_in(
    client, db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        harding = make_author(name="Stephen Harding", slug="stephen-harding")
        make_book(title="The Last Battle", slug="the-last-battle", authors=[harding])
        article = make_article(title="Unlikely Allies", body="[[book:the-last-battle]]")
        war = Topic.objects.create(name="War")
    urls = ["/articles/feed.rss", "/articles/feed.xml", "/authors/stephen-harding/feed.rss"]
    for url in urls:
        assert read_feed(client, url).entries[0].get("tags") is None
        assert cached_hit(url), url
    with django_capture_on_commit_callbacks(execute=True):
        article.topics.add(war)  # the article's own tag changes, not the list's
    for url in urls:
        assert [tag.term for tag in read_feed(client, url).entries[0].tags] == ["War"], url


@pytest.mark.page_cache
def test_an_author_feed_is_dropped_by_a_new_article_a_credit_or_a_withdrawn_book(
    client, db, django_capture_on_commit_callbacks
):
    url = "/authors/stephen-harding/feed.rss"
    with django_capture_on_commit_callbacks(execute=True):
        harding = make_author(name="Stephen Harding", slug="stephen-harding")
        battle = make_book(title="The Last Battle", slug="the-last-battle", authors=[harding])
        other = make_book(title="Other", slug="other")
        make_article(
            title="On the battle", published_at=days_ago(3), body=f"[[book:{battle.slug}]]"
        )
        make_article(title="On the other", published_at=days_ago(2), body=f"[[book:{other.slug}]]")

    def titles():
        return [entry.title for entry in read_feed(client, url).entries]

    assert titles() == ["On the battle"]
    assert cached_hit(url)
    with django_capture_on_commit_callbacks(execute=True):
        make_article(title="The battle again", body="[[book:the-last-battle]]")
    assert titles() == ["The battle again", "On the battle"]
    assert cached_hit(url)
    with django_capture_on_commit_callbacks(execute=True):
        Contribution.objects.create(book=other, author=harding, position=0)
    assert titles() == ["The battle again", "On the other", "On the battle"]
    assert cached_hit(url)
    with django_capture_on_commit_callbacks(execute=True):
        battle.status = Book.Status.WITHDRAWN
        battle.save()
    assert titles() == ["On the other"]
    with django_capture_on_commit_callbacks(execute=True):
        harding.name = "S. Harding"
        harding.save()
    assert read_feed(client, url).feed.title == "Colophon: articles about books by S. Harding"


# --- Bounded: a fixed number of queries, however many articles, topics and books ------------


def many_articles(count: int, topic: Topic, book: Book, name: str) -> None:
    picture = make_ready_image(alt=f"{name}'s picture")  # each entry carries it: no query more
    for number in range(count):
        article = make_article(
            title=f"{name} {number}", published_at=days_ago(number + 1),
            byline=f"Writer {number}", body=f"Words.\n\n[[book:{book.slug}]]",
            featured_image=picture,
        )  # fmt: skip
        article.topics.add(topic, Topic.objects.create(name=f"{name}, side topic {number}"))


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        # the articles, their topics
        ("/articles/feed.rss", 2),
        ("/articles/feed.xml", 2),
        # the topic or author, the articles, their topics
        ("/topics/war/feed.rss", 3),
        ("/topics/war/feed.xml", 3),
        ("/authors/stephen-harding/feed.rss", 3),
        ("/authors/stephen-harding/feed.xml", 3),
    ],
)
def test_a_feed_makes_the_same_few_queries_however_long_it_is(
    client, db, django_assert_num_queries, url, queries
):
    war = Topic.objects.create(name="War")
    harding = make_author(name="Stephen Harding", slug="stephen-harding")
    book = make_book(title="The Last Battle", slug="the-last-battle", authors=[harding])
    many_articles(2, war, book, "First")
    with django_assert_num_queries(queries):
        assert len(read_feed(client, url).entries) == 2
    many_articles(FEED_LENGTH + 5, war, make_book(authors=[harding]), "More")
    with django_assert_num_queries(queries):
        assert len(read_feed(client, url).entries) == FEED_LENGTH
