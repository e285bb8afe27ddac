"""An article's share image: 1200x630, its first book's cover and its title, made once
by the worker (tasks run at once in tests: tests/conftest.py) when the article is
published or what the picture shows changes, stored under a name made from that."""

import io
from datetime import timedelta

import extruct
import pytest
import reversion
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from PIL import Image
from reversion.models import Version

from articles.models import Article
from articles.share_images import (
    TITLE_MAX_LINES,
    ShareImageInputs,
    inputs_for,
    render_share_image,
    shorten,
    wrap,
)
from catalogue.covers import make_renditions
from catalogue.models import Contribution
from tests.factories import make_article, make_author, make_book

RED = (200, 30, 30)


def cover_bytes(colour=RED, size=(600, 900)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def book_with_cover(colour=RED, **fields):
    book = make_book(**fields)
    book.cover.save("cover.png", ContentFile(cover_bytes(colour)))
    make_renditions(book)
    return book


def stored_picture(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as file:
        picture = Image.open(io.BytesIO(file.read()))
        picture.load()
    return picture


def cover_colour(name: str) -> tuple[int, int, int]:
    """The colour in the middle of the cover's box (the cover passed through a JPEG)."""
    return stored_picture(name).convert("RGB").getpixel((200, 315))


def near(colour, expected) -> bool:
    return all(abs(a - b) <= 8 for a, b in zip(colour, expected, strict=True))


def share_files() -> list[str]:
    try:
        return sorted(default_storage.listdir("share")[1])
    except FileNotFoundError:
        return []


def publish(on_commit, **fields) -> Article:
    with on_commit(execute=True):
        article = make_article(**fields)
    article.refresh_from_db()
    return article


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.mark.django_db
def test_publishing_an_article_makes_a_1200_by_630_png_of_its_first_books_cover(on_commit):
    book = book_with_cover(title="The Last Battle")
    article = publish(on_commit, title="Berlin, 1945", body=f"[[book:{book.slug}]]")

    name = article.share_image.name
    assert name == inputs_for(article).file_name
    assert name.startswith("share/") and name.endswith(".png") and len(name) == 6 + 64 + 4
    picture = stored_picture(name)
    assert picture.format == "PNG" and picture.size == (1200, 630)
    # The cover, scaled whole into its box on the left (red), the paper beside it.
    assert near(cover_colour(name), RED)
    assert picture.convert("RGB").getpixel((1150, 600)) == (251, 248, 243)


@pytest.mark.django_db
def test_the_article_page_shares_its_image_at_its_size(client, on_commit):
    book = book_with_cover(title="The Last Battle")
    article = publish(on_commit, title="Berlin, 1945", body=f"[[book:{book.slug}]]")

    html = client.get(article.get_absolute_url()).content.decode()
    found = extruct.extract(html, base_url="http://testserver/", syntaxes=["opengraph"])
    properties = dict(found["opengraph"][0]["properties"])
    assert properties["og:image"] == "http://testserver" + article.share_image.url
    assert (properties["og:image:width"], properties["og:image:height"]) == ("1200", "630")
    assert properties["og:image:alt"] == (
        "The cover of The Last Battle beside the title “Berlin, 1945”"
    )
    assert 'name="twitter:card" content="summary_large_image"' in html
    assert client.get(article.share_image.url)["Cache-Control"] == (
        "public, max-age=31536000, immutable"
    )


@pytest.mark.django_db
def test_a_draft_gets_no_image_until_it_is_published(on_commit):
    with on_commit(execute=True):
        article = make_article(title="Not yet", status=Article.Status.DRAFT)
    article.refresh_from_db()
    assert not article.share_image and share_files() == []

    article.status = Article.Status.PUBLISHED
    with on_commit(execute=True):
        article.save()
    article.refresh_from_db()
    assert stored_picture(article.share_image.name).size == (1200, 630)


@pytest.mark.django_db
def test_an_article_without_books_gets_a_picture_of_its_title(on_commit):
    article = publish(on_commit, title="On reading slowly", body="Only words.")
    assert stored_picture(article.share_image.name).size == (1200, 630)


@pytest.mark.django_db
def test_same_inputs_make_the_same_file_drawn_once(on_commit):
    book = book_with_cover()
    first = publish(on_commit, title="Twins", body=f"[[book:{book.slug}]]")
    second = publish(on_commit, title="Twins", body=f"Other words.\n\n[[book:{book.slug}]]")
    assert first.share_image.name == second.share_image.name
    assert share_files() == [first.share_image.name.removeprefix("share/")]


@pytest.mark.django_db
def test_saving_without_changing_title_or_first_book_queues_nothing(on_commit):
    book = book_with_cover()
    article = publish(on_commit, title="Steady", body=f"[[book:{book.slug}]]")
    article.body += "\n\nA new paragraph."
    article.standfirst = "A new standfirst."
    with on_commit() as queued:
        article.save()
    assert [callback for callback in queued if "make_share_images" in repr(callback)] == []
    assert inputs_for(article).file_name == article.share_image.name


@pytest.mark.django_db
def test_a_new_title_makes_a_new_image_without_a_new_version_and_drops_the_old(on_commit):
    article = publish(on_commit, title="First title", body="Words.")
    old = article.share_image.name
    article.title = "Second title"
    with on_commit(execute=True):
        article.save()
    saved = Article.objects.get(pk=article.pk)

    assert saved.share_image.name not in ("", old)
    # Set by an update: not a save of the editor's (no version, no new modified time).
    assert saved.version == article.version and saved.updated_at == article.updated_at
    assert not default_storage.exists(old)
    assert share_files() == [saved.share_image.name.removeprefix("share/")]


@pytest.mark.django_db
def test_a_restored_version_gets_back_the_picture_its_title_had(on_commit):
    article = publish(on_commit, title="Old title", body="Words.")
    old = article.share_image.name
    with reversion.create_revision():  # the version kept names the picture
        article.save()
    article.title = "New title"
    with on_commit(execute=True):
        article.save()
    assert not default_storage.exists(old)

    with on_commit(execute=True):
        Version.objects.get_for_object(article).first().revert()
    article.refresh_from_db()
    assert article.title == "Old title" and article.share_image.name == old
    assert stored_picture(old).size == (1200, 630)


@pytest.mark.django_db
def test_an_old_image_another_article_still_shows_is_kept(on_commit):
    one = publish(on_commit, title="Same", body="Words.")
    publish(on_commit, title="Same", body="Other words.")
    one.title = "Different"
    with on_commit(execute=True):
        one.save()
    assert len(share_files()) == 2


@pytest.mark.django_db
def test_a_new_first_book_makes_a_new_image(on_commit):
    red, blue = book_with_cover(RED), book_with_cover((30, 30, 200))
    article = publish(on_commit, title="Colours", body=f"[[book:{red.slug}]]")
    article.body = f"[[book:{blue.slug}]]\n\n[[book:{red.slug}]]"
    with on_commit(execute=True):
        article.save()
    article.refresh_from_db()
    assert near(cover_colour(article.share_image.name), (30, 30, 200))


@pytest.mark.django_db
def test_a_new_cover_of_the_first_book_makes_a_new_image(on_commit):
    book = book_with_cover(RED)
    article = publish(on_commit, title="Covers", body=f"[[book:{book.slug}]]")
    old = article.share_image.name

    with on_commit(execute=True):
        book.cover.save("green.png", ContentFile(cover_bytes((30, 160, 60))))
        make_renditions(book)
    article.refresh_from_db()
    assert article.share_image.name != old
    assert near(cover_colour(article.share_image.name), (30, 160, 60))


@pytest.mark.django_db
def test_a_retitled_or_recredited_book_without_a_cover_redraws_its_cover(on_commit):
    book = make_book(title="Drawn", authors=[make_author(name="First Author")])
    article = publish(on_commit, title="Drawn covers", body=f"[[book:{book.slug}]]")
    names = [article.share_image.name]

    book.title = "Drawn again"
    with on_commit(execute=True):
        book.save()
    article.refresh_from_db()
    names.append(article.share_image.name)

    with on_commit(execute=True):
        Contribution.objects.filter(book=book).delete()
    article.refresh_from_db()
    names.append(article.share_image.name)
    assert len(set(names)) == 3


@pytest.mark.django_db
@pytest.mark.parametrize("leaving", ["withdrawn", "deleted"])
def test_a_first_book_leaving_gives_the_picture_to_the_next(on_commit, leaving):
    gone, kept = book_with_cover(RED), book_with_cover((30, 30, 200))
    article = publish(
        on_commit, title="Leaving", body=f"[[book:{gone.slug}]]\n\n[[book:{kept.slug}]]"
    )
    assert near(cover_colour(article.share_image.name), RED)
    with on_commit(execute=True):
        if leaving == "deleted":
            gone.delete()
        else:
            gone.status = gone.Status.WITHDRAWN
            gone.save()
    article.refresh_from_db()
    assert near(cover_colour(article.share_image.name), (30, 30, 200))


@pytest.mark.django_db
@pytest.mark.page_cache
def test_the_cached_article_page_names_the_new_image_at_once(client, on_commit):
    with on_commit(execute=True):
        article = make_article(title="Cached", body="Words.")
    client.get(article.get_absolute_url())  # kept in the page cache
    article.refresh_from_db()
    old = article.share_image.name
    article.title = "Cached, retitled"
    with on_commit(execute=True):
        article.save()
    article.refresh_from_db()
    html = client.get(article.get_absolute_url()).content.decode()
    assert article.share_image.url in html and old not in html


@pytest.mark.django_db
def test_the_command_makes_the_images_of_existing_articles(on_commit, capsys):
    # Articles written before share images existed: set without signals.
    article = make_article(title="From before", body="Words.")
    Article.objects.filter(pk=article.pk).update(share_image="")
    make_article(title="A draft", status=Article.Status.DRAFT)
    make_article(title="Scheduled", published_at=timezone.now() + timedelta(days=1), body="Soon.")
    Article.objects.update(share_image="")

    call_command("refresh_share_images")

    made = Article.objects.exclude(share_image="").values_list("title", flat=True)
    assert sorted(made) == ["From before", "Scheduled"]
    assert "2 share images made or changed." in capsys.readouterr().out


# --- Drawing ---------------------------------------------------------------------------

HOSTILE_TITLES = [
    "A" * 300,
    " ".join(["Extraordinarily"] * 40),
    "ספרים על ההיסטוריה של המלחמה האחרונה",
    "كتب عن تاريخ الحرب العالمية الثانية",
    "Books 📚 we loved 🎉 and 👩‍👩‍👧 families",
    "中文书名没有空格的很长很长很长很长很长很长很长很长很长很长很长很长很长的标题",
    "Tabs\tand\x00NULs\nand new lines",
    "",
]


@pytest.mark.parametrize("title", HOSTILE_TITLES)
@pytest.mark.parametrize("book", [True, False])
def test_any_title_draws_a_picture_of_the_right_size(title, book):
    inputs = ShareImageInputs(
        title=title, site_name="Colophon", book_title="B" if book else "", book_author="A"
    )
    picture = Image.open(io.BytesIO(render_share_image(inputs)))
    assert picture.size == (1200, 630)


def test_a_long_title_is_cut_at_its_last_line_with_an_ellipsis():
    from articles.share_images import TITLE_FONT, TITLE_SIZES, _font

    font = _font(TITLE_FONT, TITLE_SIZES[-1])
    lines = shorten(wrap(" ".join(["word"] * 200), font, 600), font, 600, TITLE_MAX_LINES)
    assert len(lines) == TITLE_MAX_LINES and lines[-1].endswith("…")
    assert all(font.getlength(line) <= 600 for line in lines)
    # A word wider than a line is broken inside; nothing is lost before the cut.
    assert "".join(wrap("x" * 500, font, 600)) == "x" * 500
