"""Covers: drawn ones for books without an image, and checks and renditions for uploads."""

import io
import textwrap
import zlib
from typing import TYPE_CHECKING

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model
from PIL import Image, ImageDraw, ImageFont

from shared import pictures

# The catalogue's names for them (cards, share cards and the worker's task use these).
from shared.pictures import NotCleaned as CoverNotCleaned
from shared.pictures import Rendition as Rendition
from shared.pictures import pick_rendition as pick_rendition

if TYPE_CHECKING:
    from .models import Book

COVER_SIZE = (600, 900)
# Deep, readable backgrounds for white text (WCAG AA at these sizes). The card's drawn
# cover uses the same colours, in this order, as .cover--hue-0 to -7 in site.css.
PALETTE = [
    (122, 31, 43), (31, 74, 122), (35, 94, 64), (92, 45, 110),
    (140, 72, 18), (30, 88, 96), (66, 66, 66), (110, 40, 80),
]  # fmt: skip


def cover_hue(title: str) -> int:
    """Which PALETTE colour a book without a cover gets: stable, derived from its title."""
    return zlib.crc32(title.encode()) % len(PALETTE)


def cover_colour(title: str) -> tuple[int, int, int]:
    return PALETTE[cover_hue(title)]


def draw_cover(title: str, author: str) -> ContentFile:
    """A JPEG cover for a book that has none, named after nothing: the caller names it."""
    width, height = COVER_SIZE
    image = Image.new("RGB", COVER_SIZE, cover_colour(title))
    draw = ImageDraw.Draw(image)
    title_font = ImageFont.load_default(size=44)
    author_font = ImageFont.load_default(size=32)
    margin = 60
    draw.rectangle([24, 24, width - 25, height - 25], outline=(255, 255, 255), width=3)
    y = 120
    for line in textwrap.wrap(title, width=22)[:9]:
        draw.text((margin, y), line, font=title_font, fill=(255, 255, 255))
        y += 58
    draw.text((margin, height - 140), author, font=author_font, fill=(235, 235, 235))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue())


# --- Uploaded covers: what editors may upload, and the renditions cards are served from ----
# Checking, cleaning and sizing are shared.pictures'; covers give their limits and folders.

MAX_COVER_BYTES = 10 * 1024 * 1024
# A cover is served at most 640 wide: these leave room for print-quality scans while keeping
# the worker's full decode of a PNG (4 bytes a pixel) near 100 MB.
MAX_COVER_PIXELS = 25_000_000
MAX_COVER_SIDE = 8_000
MAX_COVER_ASPECT = 4  # no side more than 4 times the other: a cover, not a strip or a banner
COVER_FORMATS = pictures.FORMATS
RENDITION_WIDTHS = (160, 320, 640)
RENDITION_DIR = "covers/renditions"
# Uploads re-encoded without their metadata, one folder per book: covers/originals/<pk>/.
ORIGINAL_DIR = "covers/originals"
# Where readers may fetch media from: every cover shown is stored under it.
PUBLIC_DIR = "covers"
# An editor's upload as sent (a photo's EXIF may hold where it was taken) waits here, outside
# PUBLIC_DIR, until the worker has stored it again without its metadata: no page links it,
# website.views.serve_media refuses it, and an object store must not let anyone read it.
HELD_DIR = "private/cover-uploads"


def validate_cover_upload(file: File) -> str:
    """Check that an upload is a JPEG, PNG or WebP cover within our limits; return its
    format (see shared.pictures.validate_upload: read from the header, bombs refused)."""
    limits = pictures.Limits(
        max_bytes=MAX_COVER_BYTES,
        max_pixels=MAX_COVER_PIXELS,
        max_side=MAX_COVER_SIDE,
        max_aspect=MAX_COVER_ASPECT,
    )
    return pictures.validate_upload(file, limits=limits)


def hold_upload(book: "Book", upload: File) -> None:
    """Store an editor's upload under HELD_DIR, where nobody can fetch it, and point the
    book at it: pages go on showing the book's previous cover (its renditions), or an
    imported or drawn one, until the worker has cleaned it (see `store_clean_original`).

    Alters data: writes the file to storage (under a random name, in the extension the form
    gave it); the caller saves the book and queues the worker's task.
    """
    book.cover = pictures.hold_upload(book._meta.get_field("cover").storage, HELD_DIR, upload)


hold_upload.alters_data = True


def is_held(name: str) -> bool:
    """Whether a stored cover is an upload still waiting to be cleaned (never shown)."""
    return bool(name) and name.startswith(f"{HELD_DIR}/")


def renditions_of(book: "Book") -> list[Rendition]:
    """The renditions of the book's cover, narrowest first; none without a cover."""
    if not book.cover:
        return []
    return pictures.renditions_in(book.cover_renditions)


def make_renditions(book: "Book") -> dict[str, dict]:
    """Write WebP and JPEG copies of the book's cover at RENDITION_WIDTHS; record them.

    Alters data: writes the files to the cover's storage as
    covers/renditions/<pk>-<content hash>-<width>.<webp|jpg>, saves
    `book.cover_renditions` ({"320": {"webp": name, "jpeg": name, "height": 480}, ...}) and,
    once the transaction commits, deletes the previous cover's renditions. A book without a
    cover is left with none. Never upscales (see shared.pictures.make_renditions).
    Called explicitly wherever a cover changes (the admin, the demo), never from save().
    """
    if book.pk is None:
        raise ValueError("Save the book before making renditions of its cover.")
    storage = book.cover.storage
    previous = book.cover_renditions or {}
    renditions = {}
    if book.cover:
        with book.cover.open("rb") as cover:
            content = cover.read()
        renditions = pictures.make_renditions(
            content, storage=storage, stem=f"{RENDITION_DIR}/{book.pk}", widths=RENDITION_WIDTHS
        )
    book.cover_renditions = renditions
    book.save(update_fields=["cover_renditions"])

    stale = pictures.files_of(previous) - pictures.files_of(renditions)
    if stale:
        # After the commit, so a rolled-back save still finds the files its row names.
        transaction.on_commit(lambda: [storage.delete(name) for name in sorted(stale)])
    return book.cover_renditions


def store_clean_original(book: "Book") -> bool:
    """Store the book's uploaded cover again without its metadata (see
    shared.pictures.clean_original); True when the cover changed.

    Alters data: stores the copy as covers/originals/<pk>/<content hash>.<ext>, points the
    book at it (the post_save signal then drops its cached pages) and, once that commits,
    deletes the upload. A cover already in that folder is left alone. Done by the worker,
    never in the request: it decodes the whole picture (up to MAX_COVER_PIXELS, about
    100 MB) and encodes it again, which takes seconds. Raises CoverNotCleaned when the
    upload cannot be read: the book then keeps pointing at it, held (see `hold_upload`),
    and pages at its previous cover.
    """
    uploaded = book.cover.name
    if not uploaded or uploaded.startswith(f"{ORIGINAL_DIR}/"):
        return False
    storage = book.cover.storage
    try:
        with book.cover.open("rb") as cover:
            content = cover.read()
    except FileNotFoundError as error:
        raise CoverNotCleaned("the uploaded file is no longer in storage") from error
    clean = pictures.clean_original(content)
    name = f"{ORIGINAL_DIR}/{book.pk}/{clean.digest[:10]}{clean.extension}"

    with transaction.atomic():
        # Locked while the copy is stored, so a concurrent task's tidy-up cannot take it.
        current = book.__class__.objects.select_for_update().filter(pk=book.pk)
        if current.values_list("cover", flat=True).first() != uploaded:
            return False  # replaced meanwhile: the newer upload's own task deals with it
        if not storage.exists(name):
            storage.save(name, ContentFile(clean.content))
        book.cover = name
        book.cover_width, book.cover_height = clean.width, clean.height
        book.save(update_fields=["cover", "cover_width", "cover_height"])
        transaction.on_commit(lambda: delete_cover_file_if_unused(book.__class__, uploaded))
    return True


store_clean_original.alters_data = True


def delete_cover_file_if_unused(model: type[Model], name: str) -> None:
    """Delete a stored cover no book uses (any more): a replaced or cleared upload."""
    if name and not model.objects.filter(cover=name).exists():
        model._meta.get_field("cover").storage.delete(name)


def delete_replaced_originals(book: "Book") -> None:
    """Delete the book's earlier clean originals (see `store_clean_original`) that no book
    uses: what a replaced or cleared cover leaves in covers/originals/<pk>/."""
    storage = book._meta.get_field("cover").storage
    folder = f"{ORIGINAL_DIR}/{book.pk}"
    try:
        _, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    with transaction.atomic():
        # The same lock as store_clean_original's: a copy being stored is already in use.
        book.__class__.objects.select_for_update().filter(pk=book.pk).exists()
        for file in files:
            if f"{folder}/{file}" != book.cover.name:
                delete_cover_file_if_unused(book.__class__, f"{folder}/{file}")


delete_replaced_originals.alters_data = True


def thumbnail_url(book, width: int) -> str | None:
    """A small picture of the book's cover for the desk (the book list, the picker): what
    readers see, smaller. A rendition of the upload at least `width` wide (while a new upload
    is held, the previous cover's), else the cleaned upload, else an imported cover's
    address; None for a book whose cover is drawn (see `cover_hue`)."""
    if book.cover:
        thumbnail = pick_rendition(renditions_of(book), width=width)
        if thumbnail:
            return book.cover.storage.url(thumbnail.jpeg)
        if not is_held(book.cover.name):
            return book.cover.url
    if book.cover_url.startswith(("https://", "http://")):
        return book.cover_url
    return None
