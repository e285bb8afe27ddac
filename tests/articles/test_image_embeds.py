"""`[[image:ID]]`: a picture of the library as a figure in an article body (issue 24),
baked in when the article is saved, again when the picture changes."""

import pytest
from bs4 import BeautifulSoup
from django.db import transaction

from articles.forms import ArticleAdminForm
from articles.models import Article
from articles.rendering import render_body
from images.models import Image
from images.signals import image_changed
from tests.factories import make_article
from tests.helpers import text_of


def make_image(**fields) -> Image:
    """A picture the worker has prepared: two widths, WebP and JPEG each."""
    fields.setdefault("alt", "Soldiers at the castle gate")
    fields.setdefault("status", Image.Status.READY)
    fields.setdefault(
        "renditions",
        {
            "400": {
                "webp": "pictures/gate-400.webp",
                "jpeg": "pictures/gate-400.jpg",
                "height": 300,
            },
            "800": {
                "webp": "pictures/gate-800.webp",
                "jpeg": "pictures/gate-800.jpg",
                "height": 600,
            },
        },
    )
    return Image.objects.create(file="pictures/gate.jpg", width=1600, height=1200, **fields)


def figure_of(client, article):
    page = BeautifulSoup(client.get(article.get_absolute_url()).content, "html.parser")
    return page.select_one(".article__body figure")


def test_a_picture_shows_as_a_figure_with_its_caption_and_credit(client, db):
    image = make_image(
        caption="Itter Castle, May 1945.", credit="Photo: US Army", licence="Public domain"
    )
    article = make_article(body=f"Before.\n\n[[image:{image.pk}]]\n\nAfter.")
    figure = figure_of(client, article)
    img = figure.select_one("picture img")
    assert img["alt"] == "Soldiers at the castle gate"
    assert img["src"] == "/media/pictures/gate-800.jpg"
    assert (img["width"], img["height"]) == ("800", "600")
    assert img["srcset"] == "/media/pictures/gate-400.jpg 400w, /media/pictures/gate-800.jpg 800w"
    assert img["loading"] == "lazy" and img["decoding"] == "async" and img["sizes"]
    webp = figure.select_one("picture source[type='image/webp']")
    assert (
        webp["srcset"] == "/media/pictures/gate-400.webp 400w, /media/pictures/gate-800.webp 800w"
    )
    assert text_of(str(figure), "figcaption", " ") == [
        "Itter Castle, May 1945. Photo: US Army · Public domain"
    ]
    assert list(article.embedded_images.all()) == [image]


def test_a_decorative_picture_has_an_empty_alt(client, db):
    image = make_image(alt="", decorative=True)
    article = make_article(body=f"[[image:{image.pk}]]\n")
    assert figure_of(client, article).select_one("img")["alt"] == ""


@pytest.mark.parametrize("status", [Image.Status.WAITING, Image.Status.FAILED])
def test_a_picture_not_ready_shows_nothing_to_readers(client, db, status):
    image = make_image(status=status, renditions={})
    article = make_article(body=f"Text.\n\n[[image:{image.pk}]]\n")
    assert figure_of(client, article) is None
    assert "preview-missing" not in client.get(article.get_absolute_url()).content.decode()


def test_previews_name_a_picture_not_ready_or_missing(db):
    image = make_image(status=Image.Status.WAITING, renditions={})
    html = render_body(f"[[image:{image.pk}]]\n\n[[image:999]]\n", show_hidden=lambda refs: {}).html
    notes = text_of(html, ".preview-missing")
    assert f"picture #{image.pk} is still being prepared" in notes[0]
    assert "No picture #999." in notes[1]


def test_figure_markup_typed_by_an_editor_is_cleaned(db):
    html = render_body('<figure><picture><source srcset="x.webp"></picture></figure>\n').html
    assert "<picture" not in html and "<source" not in html


def test_a_changed_picture_renders_its_articles_again(
    client, db, django_capture_on_commit_callbacks
):
    image = make_image(caption="Before")
    article = make_article(body=f"[[image:{image.pk}]]\n")
    Image.objects.filter(pk=image.pk).update(caption="After", decorative=True, alt="")
    image = Image.objects.get(pk=image.pk)
    with django_capture_on_commit_callbacks(execute=True):
        image_changed.send(sender=Image, instance=image)
    figure = figure_of(client, article)
    assert text_of(str(figure), "figcaption") == ["After"]
    assert figure.select_one("img")["alt"] == ""


def test_a_picture_made_ready_appears(client, db):
    image = make_image(status=Image.Status.WAITING, renditions={})
    article = make_article(body=f"[[image:{image.pk}]]\n")
    ready = make_image()
    Image.objects.filter(pk=image.pk).update(status=Image.Status.READY, renditions=ready.renditions)
    image = Image.objects.get(pk=image.pk)
    image_changed.send(sender=Image, instance=image)
    assert figure_of(client, article) is not None


def test_a_deleted_picture_leaves_the_body(client, db, django_capture_on_commit_callbacks):
    image = make_image()
    article = make_article(body=f"[[image:{image.pk}]]\n")
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert figure_of(client, article) is None


@pytest.mark.page_cache
def test_the_page_is_dropped_when_its_picture_changes(client, transactional_db):
    image = make_image(caption="Before")
    article = make_article(body=f"[[image:{image.pk}]]\n")
    assert text_of(str(figure_of(client, article)), "figcaption") == ["Before"]
    with transaction.atomic():
        Image.objects.filter(pk=image.pk).update(caption="After")
    image = Image.objects.get(pk=image.pk)
    image_changed.send(sender=Image, instance=image)
    assert text_of(str(figure_of(client, article)), "figcaption") == ["After"]


def test_the_form_refuses_a_picture_the_library_does_not_have(db):
    image = make_image()
    form = ArticleAdminForm(
        data={
            "title": "Pictures",
            "body": f"[[image:{image.pk}]]\n\n[[image:404]]\n",
            "status": "draft",
        }
    )
    form.is_valid()
    assert form.errors["body"] == [
        "No picture #404 in the library: [[image:404]] names a picture by its number. Add "
        "the picture under Pictures first, or correct the number."
    ]
    assert Article.objects.count() == 0


def test_a_digit_that_is_no_number_is_refused_not_an_error(db):
    """`[[image:²]]`: "²" is a digit to str.isdigit() that int() refuses (it was a 500
    on save and in the previews)."""
    form = ArticleAdminForm(data={"title": "Pictures", "body": "[[image:²]]\n", "status": "draft"})
    assert not form.is_valid()
    assert "[[image:²]]" in form.errors["body"][0]
