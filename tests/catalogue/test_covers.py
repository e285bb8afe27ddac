"""Covers: what editors may upload, the renditions readers get, imported and drawn covers."""

import io
import json
import re
import socket

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.template import Context, Template
from PIL import Image

from catalogue import covers
from catalogue.covers import make_renditions, validate_cover_upload
from catalogue.models import Book
from catalogue.shops import enabled_shops
from catalogue.tasks import make_cover_renditions
from tests.factories import book_form, make_author, make_book
from tests.helpers import run_worker, text_of
from tests.pictures import (
    image_bytes,
    image_upload,
    open_stored,
    png_claiming,
    stored_files,
)

ADD_URL = "/admin/catalogue/book/add/"
SIZES = "(max-width: 32rem) 5rem, 7.5rem"
GOODREADS_COVER = "https://images.gr-assets.com/books/1447303603m/2767052.jpg"


# --- Helpers ---------------------------------------------------------------------------


def change_form(book, **overrides) -> dict:
    """The book form as the desk's change page gives it (its version) with `overrides`."""
    return book_form(loaded_version=str(Book.objects.get(pk=book.pk).version), **overrides)


def render_card(book, lazy=True) -> str:
    template = Template("{% load catalogue_tags %}{% book_card book lazy=lazy %}")
    return template.render(Context({"book": book, "lazy": lazy}))


def srcset_entries(srcset: str) -> list[tuple[str, str]]:
    return [tuple(entry.split()) for entry in srcset.split(", ")]


@pytest.fixture
def editor_client(client, django_user_model, django_capture_on_commit_callbacks):
    """A desk client whose saves commit, as in production: what a save queues for after
    its commit (the cover's renditions, a background task, run at once in tests) runs."""
    user = django_user_model.objects.create_superuser("cover-editor", password="not-secret")
    client.force_login(user)
    post = client.post

    def post_and_commit(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return post(*args, **kwargs)

    client.post = post_and_commit
    return client


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a connection fails the test: imported covers are never fetched."""

    def refuse(*args, **kwargs):
        raise AssertionError("a cover was fetched over the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


# --- Uploading through the admin -------------------------------------------------------


def test_uploaded_png_is_served_as_webp_and_jpeg_renditions_with_srcset(editor_client):
    response = editor_client.post(ADD_URL, book_form(cover=image_upload(size=(800, 1200))))
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    book = Book.objects.for_cards().get(title="Beloved")

    assert list(book.cover_renditions) == ["160", "320", "640"]
    for width, rendition in book.cover_renditions.items():
        assert rendition["height"] == int(width) * 3 // 2
        assert rendition["webp"].startswith(f"covers/renditions/{book.pk}-")
        for kind, image_format in [("webp", "WEBP"), ("jpeg", "JPEG")]:
            image = open_stored(rendition[kind])
            assert (image.format, image.size) == (image_format, (int(width), int(width) * 3 // 2))

    soup = BeautifulSoup(render_card(book), "html.parser")
    source = soup.select_one(".book-card__cover picture source")
    assert source["type"] == "image/webp"
    assert [w for _, w in srcset_entries(source["srcset"])] == ["160w", "320w", "640w"]
    assert all(url.endswith(".webp") for url, _ in srcset_entries(source["srcset"]))
    assert source["sizes"] == SIZES
    img = soup.select_one(".book-card__cover picture img.cover")
    assert img["src"].startswith("/media/covers/renditions/") and img["src"].endswith("-320.jpg")
    assert (img["width"], img["height"]) == ("320", "480")
    assert [w for _, w in srcset_entries(img["srcset"])] == ["160w", "320w", "640w"]
    assert all(url.endswith(".jpg") for url, _ in srcset_entries(img["srcset"]))
    assert img["sizes"] == SIZES
    assert img["alt"] == "Cover of Beloved"
    assert img["loading"] == "lazy" and img["decoding"] == "async"


def test_the_book_page_loads_its_cover_at_once(editor_client, client):
    editor_client.post(ADD_URL, book_form(cover=image_upload(size=(800, 1200))))
    book = Book.objects.get(title="Beloved")
    img = BeautifulSoup(client.get(book.get_absolute_url()).content, "html.parser").select_one(
        ".book-card__cover img.cover"
    )
    assert img["src"].endswith("-320.jpg") and (img["width"], img["height"]) == ("320", "480")
    assert not img.has_attr("loading")


def test_the_cover_field_offers_only_the_accepted_formats(editor_client):
    soup = BeautifulSoup(editor_client.get(ADD_URL).content, "html.parser")
    assert soup.select_one("input[name=cover]")["accept"] == "image/jpeg,image/png,image/webp"


def test_a_cover_is_stored_under_the_extension_of_what_it_is(editor_client):
    upload = image_upload("cover.html", size=(200, 300))  # a PNG, whatever its name says
    response = editor_client.post(ADD_URL, book_form(cover=upload))
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    name = Book.objects.get(title="Beloved").cover.name
    assert name.startswith("covers/originals/") and name.endswith(".png")


def test_saving_a_book_without_changing_its_cover_keeps_its_renditions(editor_client, media_root):
    editor_client.post(ADD_URL, book_form(cover=image_upload(size=(800, 1200))))
    book = Book.objects.get(title="Beloved")
    files = stored_files(media_root)
    response = editor_client.post(
        f"/admin/catalogue/book/{book.pk}/change/",
        change_form(book, slug="beloved", publisher="Knopf"),
    )
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    book.refresh_from_db()
    assert book.publisher == "Knopf" and list(book.cover_renditions) == ["160", "320", "640"]
    assert stored_files(media_root) == files


def test_a_new_cover_replaces_the_renditions_of_the_old_one(
    editor_client, media_root, django_capture_on_commit_callbacks
):
    editor_client.post(ADD_URL, book_form(cover=image_upload(size=(800, 1200))))
    book = Book.objects.get(title="Beloved")
    old = [name for r in book.cover_renditions.values() for name in (r["webp"], r["jpeg"])]

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            f"/admin/catalogue/book/{book.pk}/change/",
            change_form(book, slug="beloved", cover=image_upload("new.jpg", image_format="JPEG")),
        )
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    book.refresh_from_db()
    new = [name for r in book.cover_renditions.values() for name in (r["webp"], r["jpeg"])]
    assert len(new) == 6 and not set(new) & set(old)
    assert all(default_storage.exists(name) for name in new)
    assert not any(default_storage.exists(name) for name in old)


def test_clearing_the_cover_removes_its_renditions_and_shows_a_drawn_one(
    editor_client, media_root, django_capture_on_commit_callbacks
):
    editor_client.post(ADD_URL, book_form(cover=image_upload(size=(800, 1200))))
    book = Book.objects.get(title="Beloved")
    old = [name for r in book.cover_renditions.values() for name in (r["webp"], r["jpeg"])]

    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            f"/admin/catalogue/book/{book.pk}/change/",
            change_form(book, slug="beloved", **{"cover-clear": "on"}),
        )
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    book.refresh_from_db()
    assert not book.cover and book.cover_renditions == {}
    assert not any(default_storage.exists(name) for name in old)
    assert stored_files(media_root) == []  # the original too
    assert text_of(render_card(book), ".cover--generated .cover__title") == ["Beloved"]


def photo_with_location() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS
    return image_bytes(
        size=(1200, 800), image_format="JPEG", exif=exif, comment=b"Home, 12 Elm Road"
    )


def test_a_stored_cover_keeps_no_location_or_other_metadata_from_the_upload(
    editor_client, media_root
):
    upload = SimpleUploadedFile("photo.jpg", photo_with_location())
    assert Image.open(io.BytesIO(upload.read())).getexif().get_ifd(0x8825)  # there to strip
    upload.seek(0)
    response = editor_client.post(ADD_URL, book_form(cover=upload))
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    book = Book.objects.get(title="Beloved")

    original = open_stored(book.cover.name)
    assert original.format == "JPEG" and original.size == (800, 1200)  # upright, not sideways
    assert (book.cover_width, book.cover_height) == (800, 1200)
    assert not original.getexif() and "comment" not in original.info
    with default_storage.open(book.cover.name) as file:
        content = file.read()
    assert b"PhoneMaker" not in content and b"Elm Road" not in content
    for rendition in book.cover_renditions.values():
        for kind in ("webp", "jpeg"):
            assert not open_stored(rendition[kind]).getexif()
    # Nothing else stored: the upload as sent is gone.
    renditions = {name for r in book.cover_renditions.values() for name in (r["webp"], r["jpeg"])}
    assert set(stored_files(media_root)) == {book.cover.name, *renditions}


def test_a_replaced_cover_is_deleted_from_storage(editor_client, media_root):
    editor_client.post(ADD_URL, book_form(cover=image_upload(size=(800, 1200))))
    book = Book.objects.get(title="Beloved")
    old = book.cover.name
    response = editor_client.post(
        f"/admin/catalogue/book/{book.pk}/change/",
        change_form(book, slug="beloved", cover=image_upload("new.jpg", image_format="JPEG")),
    )
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    book.refresh_from_db()
    assert book.cover.name != old and not default_storage.exists(old)
    renditions = {name for r in book.cover_renditions.values() for name in (r["webp"], r["jpeg"])}
    assert set(stored_files(media_root)) == {book.cover.name, *renditions}


def test_a_cover_stored_before_originals_were_cleaned_goes_when_replaced(editor_client):
    book = book_with_cover(image_bytes(size=(300, 450)), name="legacy.png")  # in covers/
    legacy = book.cover.name
    response = editor_client.post(
        f"/admin/catalogue/book/{book.pk}/change/",
        change_form(book, title=book.title, slug=book.slug, cover=image_upload("new.png")),
    )
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    assert not default_storage.exists(legacy)


@pytest.mark.django_db
def test_an_upload_replaced_before_the_worker_got_to_it_is_deleted_too():
    book = book_with_cover(image_bytes(size=(300, 450)), name="first.png")
    first = book.cover.name
    book.cover.save("second.png", ContentFile(image_bytes(size=(300, 450), colour=(1, 2, 3))))
    make_cover_renditions.call(book.pk, first)
    book.refresh_from_db()
    assert not default_storage.exists(first)
    assert book.cover.name.startswith(f"covers/originals/{book.pk}/")


@pytest.mark.django_db
def test_a_cover_file_another_book_uses_is_never_deleted():
    book = book_with_cover(image_bytes(size=(300, 450)))
    make_cover_renditions.call(book.pk, book.cover.name)
    book.refresh_from_db()
    sharing = make_book(title="Shares the file", cover=book.cover.name)
    book.cover = None
    book.save()
    make_cover_renditions.call(book.pk, "")
    assert default_storage.exists(sharing.cover.name)


# --- What editors may not upload -------------------------------------------------------


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        pytest.param(
            lambda: SimpleUploadedFile("cover.jpg", b"Chapter One\n" * 100, "image/jpeg"),
            "The file is not an image, or it is damaged; upload a JPEG, PNG or WebP image.",
            id="text file renamed .jpg",
        ),
        pytest.param(
            lambda: SimpleUploadedFile("cover.jpg", image_bytes(image_format="JPEG")[:2000]),
            "The file is not an image, or it is damaged; upload a JPEG, PNG or WebP image.",
            id="truncated JPEG",
        ),
        pytest.param(
            lambda: image_upload("cover.gif", image_format="GIF"),
            "The image is in GIF format; upload a JPEG, PNG or WebP image.",
            id="GIF",
        ),
        pytest.param(
            lambda: image_upload("scan.png", size=(6000, 6000), mode="1"),
            "The image is 6,000 × 6,000 pixels; the limit is 25 megapixels.",
            id="36 megapixels",
        ),
        pytest.param(
            lambda: png_claiming("strip.png", 40_000_000, 1),
            "The image is 40,000,000 × 1 pixels; no side may be more than 4 times the other.",
            id="a 40,000,000 × 1 strip",
        ),
        pytest.param(
            lambda: png_claiming("tall.png", 2_500, 9_000),
            "The image is 2,500 × 9,000 pixels; the limit is 8,000 pixels on the longest side.",
            id="a side over 8,000 pixels",
        ),
        pytest.param(
            lambda: png_claiming("bomb.png", 100_000, 100_000),
            "The image claims to be too large to open safely; the limit is 25 megapixels.",
            id="decompression bomb",
        ),
        pytest.param(
            # Between Pillow's limit and twice it, where Pillow only warns.
            lambda: png_claiming("bomb.png", 10_000, 10_000),
            "The image claims to be too large to open safely; the limit is 25 megapixels.",
            id="decompression bomb Pillow only warns about",
        ),
    ],
)
def test_a_bad_upload_gets_a_clear_form_error_and_stores_nothing(
    editor_client, media_root, upload, message
):
    response = editor_client.post(ADD_URL, book_form(cover=upload()))
    assert response.status_code == 200
    assert message in text_of(response.content, ".errorlist")
    assert not Book.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_over_the_byte_limit_gets_a_form_error(editor_client, media_root, monkeypatch):
    monkeypatch.setattr(covers, "MAX_COVER_BYTES", 1000)
    upload = SimpleUploadedFile("noise.png", image_bytes(size=(64, 64)) + b"\x00" * 2000)
    response = editor_client.post(ADD_URL, book_form(cover=upload))
    assert response.status_code == 200
    errors = text_of(response.content, ".errorlist")
    assert any(error.endswith("; the limit is 1000 bytes.") for error in errors), errors
    assert not Book.objects.exists() and stored_files(media_root) == []


def test_the_byte_limit_is_ten_megabytes():
    upload = image_upload(size=(16, 16))
    upload.size = 11 * 1024 * 1024
    with pytest.raises(ValidationError) as refused:
        validate_cover_upload(upload)
    assert " ".join(refused.value.messages[0].split()) == (
        "The file is 11.0 MB; the limit is 10.0 MB."
    )


def test_an_image_refused_by_a_lower_pillow_limit_is_a_form_error_not_a_crash(
    editor_client, monkeypatch
):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    response = editor_client.post(ADD_URL, book_form(cover=image_upload(size=(40, 60))))
    assert response.status_code == 200
    assert "too large to open safely" in " ".join(text_of(response.content, ".errorlist"))


def test_accepted_formats_pass_validation():
    for name, image_format in [("a.jpg", "JPEG"), ("a.png", "PNG"), ("a.webp", "WEBP")]:
        upload = image_upload(name, size=(30, 45), image_format=image_format)
        assert validate_cover_upload(upload) == image_format
        assert upload.tell() == 0  # ready to be saved


def test_the_largest_accepted_image_is_checked_without_decoding_it_whole(monkeypatch):
    # A 16-bit PNG decodes to 4 bytes a pixel whatever its file size; a JPEG at 1/8 scale.
    uploads = [
        image_upload("a.png", size=(5000, 5000), mode="I;16", colour=40000),
        image_upload("a.jpg", size=(4000, 6000), image_format="JPEG"),
    ]
    loads = []
    original_load = Image.Image.load
    monkeypatch.setattr(
        Image.Image, "load", lambda image: loads.append(image.size) or original_load(image)
    )
    assert [validate_cover_upload(upload) for upload in uploads] == ["PNG", "JPEG"]
    assert all(width * height <= 500 * 750 for width, height in loads), loads


# --- Renditions ------------------------------------------------------------------------


def book_with_cover(content: bytes, name="cover.png", **fields) -> Book:
    book = make_book(**fields)
    book.cover.save(name, ContentFile(content, name=name))
    return book


@pytest.mark.django_db
def test_a_small_cover_is_never_upscaled():
    book = book_with_cover(image_bytes(size=(100, 150)))
    renditions = make_renditions(book)
    assert list(renditions) == ["100"] and renditions["100"]["height"] == 150
    assert open_stored(renditions["100"]["jpeg"]).size == (100, 150)
    html = render_card(book)
    assert "100w" in html and "160w" not in html
    assert 'width="100" height="150"' in html


@pytest.mark.django_db
def test_a_cover_between_widths_gets_the_widths_below_it():
    book = book_with_cover(image_bytes(size=(500, 750)))
    assert list(make_renditions(book)) == ["160", "320"]


@pytest.mark.django_db
def test_renditions_are_upright_when_the_camera_said_it_was_turned():
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    book = book_with_cover(
        image_bytes(size=(400, 200), image_format="JPEG", exif=exif), name="photo.jpg"
    )
    renditions = make_renditions(book)
    assert list(renditions) == ["160"] and renditions["160"]["height"] == 320
    assert open_stored(renditions["160"]["webp"]).size == (160, 320)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
@pytest.mark.django_db
def test_transparent_covers_keep_alpha_in_webp_and_sit_on_white_in_jpeg(mode):
    save = {"transparency": 0} if mode == "P" else {}
    book = book_with_cover(image_bytes(size=(200, 300), mode=mode, **save))
    rendition = make_renditions(book)["160"]
    jpeg = open_stored(rendition["jpeg"])
    assert jpeg.mode == "RGB" and jpeg.getpixel((80, 120)) == (255, 255, 255)
    webp = open_stored(rendition["webp"])
    assert webp.mode == "RGBA" and webp.getpixel((80, 120))[3] == 0


@pytest.mark.parametrize(
    ("mode", "image_format", "colour"),
    [("CMYK", "JPEG", (0, 255, 255, 0)), ("I;16", "PNG", 40000), ("1", "PNG", 1)],
)
@pytest.mark.django_db
def test_covers_in_any_mode_become_rgb_renditions(mode, image_format, colour):
    content = image_bytes(size=(200, 300), mode=mode, image_format=image_format, colour=colour)
    rendition = make_renditions(book_with_cover(content))["160"]
    jpeg = open_stored(rendition["jpeg"])
    assert jpeg.mode == "RGB"
    if mode == "I;16":  # 16-bit grey is scaled to 8 bits, not clipped to white
        assert jpeg.getpixel((80, 120))[0] == pytest.approx(155, abs=3)
    if mode == "CMYK":
        red, green, blue = jpeg.getpixel((80, 120))
        assert red > 200 and green < 80 and blue < 80


@pytest.mark.django_db
def test_making_renditions_again_for_the_same_cover_writes_the_same_files(media_root):
    book = book_with_cover(image_bytes(size=(800, 1200)))
    first = make_renditions(book)
    files = stored_files(media_root)
    assert make_renditions(book) == first
    assert stored_files(media_root) == files


@pytest.mark.django_db
def test_a_cover_without_renditions_is_served_as_uploaded():
    book = book_with_cover(image_bytes(size=(300, 450)))
    img = BeautifulSoup(render_card(book), "html.parser").select_one("img.cover")
    assert img["src"] == book.cover.url
    assert (img["width"], img["height"]) == ("300", "450")
    assert not img.has_attr("srcset") and img.find_parent("picture") is None


@pytest.mark.parametrize(
    ("widths", "shown_at", "picked"),
    [
        ((160, 320, 640), 320, 320),  # the card's <img> src
        ((160, 320), 320, 320),
        ((160,), 320, 160),  # none wide enough: the widest there is
        ((100,), 320, 100),
        ((160, 320, 640), 40, 160),  # the desk's thumbnail
        ((30,), 40, 30),
        ((), 320, None),
    ],
)
def test_the_rendition_shown_is_the_narrowest_wide_enough_else_the_widest(widths, shown_at, picked):
    renditions = [
        covers.Rendition(width=width, height=width * 3 // 2, jpeg=f"{width}.jpg", webp="")
        for width in reversed(widths)
    ]
    chosen = covers.pick_rendition(renditions, width=shown_at)
    assert (chosen.width if chosen else None) == picked


# --- Imported and drawn covers ---------------------------------------------------------


@pytest.mark.django_db
def test_an_imported_cover_url_is_shown_as_is_and_never_fetched(no_network, media_root):
    book = make_book(title="Dune", cover_url=GOODREADS_COVER)
    html = render_card(book)
    img = BeautifulSoup(html, "html.parser").select_one(".book-card__cover img.cover")
    assert img["src"] == GOODREADS_COVER
    assert (img["width"], img["height"]) == ("98", "148")
    assert img["referrerpolicy"] == "no-referrer"
    assert img["alt"] == "Cover of Dune" and img["loading"] == "lazy"
    assert "<picture>" not in html and "cover--generated" not in html
    assert stored_files(media_root) == []


@pytest.mark.django_db
def test_an_uploaded_cover_takes_precedence_over_an_imported_url():
    book = book_with_cover(image_bytes(size=(300, 450)), cover_url=GOODREADS_COVER)
    make_renditions(book)
    assert GOODREADS_COVER not in render_card(book)


@pytest.mark.django_db
def test_a_cover_url_that_is_not_a_web_address_is_not_used():
    html = render_card(make_book(title="Dune", cover_url="javascript:alert(1)"))
    assert "javascript" not in html
    assert text_of(html, ".cover--generated .cover__title") == ["Dune"]


@pytest.mark.django_db
def test_a_book_with_no_cover_at_all_gets_a_drawn_one_with_title_and_author():
    book = make_book(title="Beloved", authors=[make_author(name="Toni Morrison")])
    html = render_card(Book.objects.for_cards().get(pk=book.pk))
    assert text_of(html, ".cover--generated .cover__title") == ["Beloved"]
    assert text_of(html, ".cover--generated .cover__author") == ["Toni Morrison"]
    assert "<img" not in html


@pytest.mark.django_db
def test_the_card_and_the_drawn_demo_cover_give_a_book_the_same_colour():
    css = (settings.BASE_DIR / "static" / "css" / "site.css").read_text()
    hues = re.findall(r"\.cover--hue-(\d+) \{ background: #([0-9a-f]{6}); \}", css)
    assert [(int(hue), tuple(bytes.fromhex(colour))) for hue, colour in hues] == list(
        enumerate(covers.PALETTE)
    )
    hue = covers.cover_hue("Beloved")
    assert f"cover--hue-{hue}" in render_card(make_book(title="Beloved"))
    drawn = Image.open(io.BytesIO(covers.draw_cover("Beloved", "Toni Morrison").read()))
    corner = drawn.convert("RGB").getpixel((5, 5))
    assert all(abs(a - b) <= 4 for a, b in zip(corner, covers.PALETTE[hue], strict=True))


@pytest.mark.django_db
def test_cards_need_no_queries_for_their_covers(django_assert_num_queries):
    make_renditions(book_with_cover(image_bytes(size=(800, 1200)), title="A"))
    make_book(title="B", cover_url=GOODREADS_COVER)
    make_book(title="C")
    books = list(Book.objects.for_cards())
    enabled_shops()  # the shops the cards link to: read once a page, from the cache after
    with django_assert_num_queries(0):
        html = "".join(render_card(book) for book in books)
    assert html.count("<picture>") == 1 and html.count("cover--generated") == 1


# --- The demo --------------------------------------------------------------------------


def test_the_seed_page_serves_the_demo_cover_as_renditions(client, demo):
    book = Book.objects.get(slug="the-last-battle")
    assert list(book.cover_renditions) == ["160", "320"]  # the drawn cover is 600 wide
    soup = BeautifulSoup(client.get("/articles/unlikely-allies/").content, "html.parser")
    sources = soup.select(".book-card picture source[type='image/webp']")
    assert len(sources) == 2
    assert [w for _, w in srcset_entries(sources[0]["srcset"])] == ["160w", "320w"]


def test_load_demo_remakes_missing_renditions_and_only_those(db, capsys):
    call_command("load_demo")
    Book.objects.update(cover_renditions={})
    capsys.readouterr()
    call_command("load_demo")
    assert (
        capsys.readouterr().out.splitlines()[0] == "Updated cover renditions of “The Last Battle”"
    )
    assert list(Book.objects.get().cover_renditions) == ["160", "320"]
    call_command("load_demo")
    assert "nothing changed" in capsys.readouterr().out


def test_caches_may_keep_what_is_named_by_its_content_and_nothing_else(editor_client, client):
    editor_client.post(ADD_URL, book_form(cover=image_upload(size=(800, 1200))))
    book = Book.objects.get(title="Beloved")
    rendition = client.get(f"/media/{book.cover_renditions['320']['webp']}")
    assert rendition.status_code == 200
    assert rendition["Cache-Control"] == "public, max-age=31536000, immutable"
    original = client.get(book.cover.url)  # covers/originals/<pk>/<content hash>.png
    assert original.status_code == 200
    assert original["Cache-Control"] == "public, max-age=31536000, immutable"
    # A name that may come back with other content (a cover from before uploads were
    # cleaned, the demo's): no cache may answer for it without asking again.
    legacy = book_with_cover(image_bytes(size=(300, 450)), name="legacy.png", title="Old")
    served = client.get(legacy.cover.url)
    assert served.status_code == 200 and served["Cache-Control"] == "no-cache"
    legacy.cover.delete()
    assert client.get(served.wsgi_request.path).status_code == 404
    assert client.get("/media/covers/missing.jpg").status_code == 404


# --- Nothing uploaded is public before the worker has cleaned it ----------------------


@pytest.fixture
def queue(settings):
    """The real queue: what a save leaves for the worker waits there until run_worker()
    (in tests marked `worker`, whose saves commit as the worker's do)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


worker = pytest.mark.django_db(transaction=True)


def image_urls(html: str) -> list[str]:
    """Every image address a page gives a browser or a search engine."""
    soup = BeautifulSoup(html, "html.parser")
    urls = [img["src"] for img in soup.select("img[src]")]
    for element in soup.select("[srcset]"):
        urls += [url for url, _ in srcset_entries(element["srcset"])]
    for script in soup.select('script[type="application/ld+json"]'):
        image = json.loads(script.string).get("image")
        urls += [image] if image else []
    return urls


def served(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content)


@worker
def test_a_photo_is_shown_only_once_the_worker_has_taken_its_location_out(
    editor_client, client, queue
):
    response = editor_client.post(
        ADD_URL, book_form(cover=SimpleUploadedFile("photo.jpg", photo_with_location()))
    )
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    book = Book.objects.for_cards().get(title="Beloved")
    upload = book.cover.name
    assert Image.open(default_storage.open(upload)).getexif().get_ifd(0x8825)  # kept as sent

    # Before the worker: the drawn cover, on the book's page and on its card, and no
    # address of the upload, which the media URL refuses however it is spelt.
    page = client.get(book.get_absolute_url()).content.decode()
    assert image_urls(page) == [] and upload.rsplit("/", 1)[-1] not in page
    assert text_of(page, ".book-card__cover .cover--generated .cover__title") == ["Beloved"]
    assert image_urls(render_card(book)) == []
    assert client.get(book.cover.url).status_code == 404
    assert client.get(f"/media/covers/../{upload}").status_code == 404
    assert client.get(f"/media//{upload}").status_code == 404

    run_worker()

    page = client.get(book.get_absolute_url()).content.decode()
    urls = image_urls(page)
    assert urls and all("/media/covers/renditions/" in url for url in urls)
    img = BeautifulSoup(page, "html.parser").select_one(".book-card__cover img.cover")
    shown = Image.open(io.BytesIO(served(client, img["src"])))
    assert shown.format == "JPEG" and shown.size == (320, 480)  # upright
    assert not shown.getexif() and "comment" not in shown.info
    for url in urls:
        content = served(client, url.removeprefix("http://testserver"))
        assert b"PhoneMaker" not in content and b"Elm Road" not in content
        assert not Image.open(io.BytesIO(content)).getexif().get_ifd(0x8825)
    assert not default_storage.exists(upload)


PHOTO = photo_with_location()


@worker
@pytest.mark.page_cache
def test_a_new_upload_leaves_the_previous_cover_shown_until_the_worker_has_cleaned_it(
    editor_client, client, settings
):
    editor_client.post(ADD_URL, book_form(cover=image_upload(size=(800, 1200))))
    book = Book.objects.get(title="Beloved")
    before = image_urls(client.get(book.get_absolute_url()).content.decode())
    assert before and all("/media/covers/renditions/" in url for url in before)

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    editor_client.post(
        f"/admin/catalogue/book/{book.pk}/change/",
        change_form(book, slug="beloved", cover=SimpleUploadedFile("photo.jpg", PHOTO)),
    )
    book.refresh_from_db()
    assert image_urls(client.get(book.get_absolute_url()).content.decode()) == before
    form = editor_client.get(f"/admin/catalogue/book/{book.pk}/change/").content.decode()
    assert "waits for the background worker" in " ".join(text_of(form, ".field-cover_preview"))
    assert client.get(book.cover.url).status_code == 404

    run_worker()
    after = image_urls(client.get(book.get_absolute_url()).content.decode())  # not the cached page
    assert after and not set(after) & set(before)
    assert all(client.get(url).status_code == 404 for url in before)  # replaced: deleted


@worker
def test_an_upload_the_worker_cannot_read_leaves_the_previous_cover_and_says_why(
    editor_client, client, settings
):
    editor_client.post(ADD_URL, book_form(cover=image_upload(size=(800, 1200))))
    book = Book.objects.get(title="Beloved")
    before = image_urls(client.get(book.get_absolute_url()).content.decode())

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    editor_client.post(
        f"/admin/catalogue/book/{book.pk}/change/",
        change_form(book, slug="beloved", cover=SimpleUploadedFile("photo.jpg", PHOTO)),
    )
    book.refresh_from_db()
    upload = book.cover.name
    with default_storage.open(upload, "wb") as file:  # damaged in storage after the check
        file.write(b"not a picture any more")
    run_worker()

    assert image_urls(client.get(book.get_absolute_url()).content.decode()) == before
    form = editor_client.get(f"/admin/catalogue/book/{book.pk}/change/").content.decode()
    assert text_of(form, ".field-cover_preview .errornote") == [
        "The new cover could not be prepared: the uploaded file could not be read as an "
        "image; it may have been damaged. Readers still see the cover they saw before. The "
        "file is kept privately; upload it again, or another, to try again."
    ]
    assert default_storage.exists(upload) and client.get(book.cover.url).status_code == 404


@worker  # the save commits, and the task runs, in the request
def test_where_tasks_run_at_once_a_failed_cleaning_is_told_to_the_editor(
    client, django_user_model, monkeypatch
):
    client.force_login(django_user_model.objects.create_superuser("e", password="not-secret"))

    def fail(book):
        raise OSError("the store went away")

    monkeypatch.setattr("catalogue.tasks.store_clean_original", fail)
    response = client.post(ADD_URL, book_form(cover=image_upload(size=(800, 1200))), follow=True)
    assert text_of(response.content, ".messagelist .warning") == [
        "The new cover could not be prepared: the worker stopped on an error (OSError: the "
        "store went away). Readers still see the cover they saw before. The file is kept "
        "privately; upload it again, or another, to try again."
    ]
    book = Book.objects.for_cards().get(title="Beloved")
    assert image_urls(render_card(book)) == [] and default_storage.exists(book.cover.name)
