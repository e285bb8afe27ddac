"""Covers: drawn ones for books without an image, and checks and renditions for uploads."""

import hashlib
import io
import math
import secrets
import textwrap
import warnings
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Model
from django.template.defaultfilters import filesizeformat
from PIL import ExifTags, Image, ImageCms, ImageDraw, ImageFont, ImageOps

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

MAX_COVER_BYTES = 10 * 1024 * 1024
# A cover is served at most 640 wide: these leave room for print-quality scans while keeping
# the worker's full decode of a PNG (4 bytes a pixel) near 100 MB.
MAX_COVER_PIXELS = 25_000_000
MAX_COVER_SIDE = 8_000
MAX_COVER_ASPECT = 4  # no side more than 4 times the other: a cover, not a strip or a banner
# Pillow's format name -> the extension a stored cover gets. MPO is how Pillow reads the
# multi-picture JPEGs many phones and cameras write; browsers show them as JPEG.
COVER_FORMATS = {"JPEG": ".jpg", "MPO": ".jpg", "PNG": ".png", "WEBP": ".webp"}
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
SRGB_PROFILE = ImageCms.createProfile("sRGB")


def validate_cover_upload(file: File) -> str:
    """Check that an upload is a JPEG, PNG or WebP cover within our limits; return its format.

    Size, format and dimensions are read from the header before any pixel data is decoded,
    so a decompression bomb is refused before it can take the memory it claims; the data
    is then checked without ever holding the whole picture (see `_check_image_data`).
    """
    limit = f"{MAX_COVER_PIXELS / 1_000_000:g} megapixels"
    if file.size > MAX_COVER_BYTES:
        raise ValidationError(
            f"The file is {filesizeformat(file.size)}; the limit is "
            f"{filesizeformat(MAX_COVER_BYTES)}.",
            code="file_too_large",
        )
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice its limit; refuse those too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            file.seek(0)
            image = Image.open(file)
            if image.format not in COVER_FORMATS:
                raise ValidationError(
                    f"The image is in {image.format} format; upload a JPEG, PNG or WebP image.",
                    code="cover_format",
                )
            _check_dimensions(*image.size)
            image_format = image.format
            _check_image_data(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ValidationError(
                f"The image claims to be too large to open safely; the limit is {limit}.",
                code="too_many_pixels",
            ) from error
        except ValidationError:
            raise
        except Exception as error:  # Pillow raises many kinds for files it cannot read.
            raise ValidationError(
                "The file is not an image, or it is damaged; upload a JPEG, PNG or WebP image.",
                code="not_an_image",
            ) from error
        finally:
            file.seek(0)
    return image_format


def _check_dimensions(width: int, height: int) -> None:
    shape = f"The image is {width:,} × {height:,} pixels"
    if max(width, height) > MAX_COVER_ASPECT * min(width, height):
        raise ValidationError(
            f"{shape}; no side may be more than {MAX_COVER_ASPECT} times the other.",
            code="cover_shape",
        )
    if max(width, height) > MAX_COVER_SIDE:
        raise ValidationError(
            f"{shape}; the limit is {MAX_COVER_SIDE:,} pixels on the longest side.",
            code="cover_side_too_long",
        )
    if width * height > MAX_COVER_PIXELS:
        raise ValidationError(
            f"{shape}; the limit is {MAX_COVER_PIXELS / 1_000_000:g} megapixels.",
            code="too_many_pixels",
        )


def _check_image_data(image: Image.Image) -> None:
    """Raise if the picture's data is truncated or damaged, without decoding it whole."""
    if image.format in ("JPEG", "MPO"):
        # Decoded at an eighth of each side: every byte is still read, so a truncated file
        # fails here, in 1/64 of the memory of a full decode.
        image.draft(image.mode, (1, 1))
        image.load()
    elif image.format == "PNG":
        # Walks every chunk to IEND checking its checksum, without inflating the pixels.
        image.verify()
    else:
        # libwebp has no reduced decode; the caps above bound this to 100 MB.
        image.load()


@dataclass(frozen=True)
class Rendition:
    """One stored rendition of a cover: its size and the storage names of its two files."""

    width: int
    height: int
    jpeg: str
    webp: str


def hold_upload(book: "Book", upload: File) -> None:
    """Store an editor's upload under HELD_DIR, where nobody can fetch it, and point the
    book at it: pages go on showing the book's previous cover (its renditions), or an
    imported or drawn one, until the worker has cleaned it (see `store_clean_original`).

    Alters data: writes the file to storage (under a random name, in the extension the form
    gave it); the caller saves the book and queues the worker's task.
    """
    storage = book._meta.get_field("cover").storage
    extension = PurePosixPath(upload.name or "").suffix.lower()
    upload.seek(0)
    book.cover = storage.save(f"{HELD_DIR}/{secrets.token_hex(12)}{extension}", upload)


hold_upload.alters_data = True


def is_held(name: str) -> bool:
    """Whether a stored cover is an upload still waiting to be cleaned (never shown)."""
    return bool(name) and name.startswith(f"{HELD_DIR}/")


def renditions_of(book: "Book") -> list[Rendition]:
    """The renditions of the book's cover, narrowest first; none without a cover."""
    if not book.cover:
        return []
    renditions = [
        Rendition(width=int(width), height=files["height"], jpeg=files["jpeg"], webp=files["webp"])
        for width, files in book.cover_renditions.items()
    ]
    return sorted(renditions, key=lambda rendition: rendition.width)


def pick_rendition(renditions: Iterable[Rendition], *, width: int) -> Rendition | None:
    """The rendition to show `width` pixels wide: the narrowest at least that wide, else
    the widest there is; None when there are none."""
    renditions = list(renditions)
    wide_enough = [rendition for rendition in renditions if rendition.width >= width]
    if wide_enough:
        return min(wide_enough, key=lambda rendition: rendition.width)
    return max(renditions, key=lambda rendition: rendition.width, default=None)


def make_renditions(book: "Book") -> dict[str, dict]:
    """Write WebP and JPEG copies of the book's cover at RENDITION_WIDTHS; record them.

    Alters data: writes the files to the cover's storage as
    covers/renditions/<pk>-<content hash>-<width>.<webp|jpg>, saves
    `book.cover_renditions` ({"320": {"webp": name, "jpeg": name, "height": 480}, ...}) and,
    once the transaction commits, deletes the previous cover's renditions. A book without a
    cover is left with none. Never upscales: widths beyond the original's are skipped, and
    an original narrower than the smallest width gets one rendition at its own width.
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
        digest = hashlib.sha256(content).hexdigest()[:10]
        image = Image.open(io.BytesIO(content))
        upright_width, upright_height = _upright_size(image)
        widths = [width for width in RENDITION_WIDTHS if width <= upright_width]
        widths = widths or [upright_width]
        # Decoded at no less than twice the widest rendition: enough for a sharp LANCZOS.
        image = _prepared_for_web(image, scale=min(1.0, 2 * max(widths) / upright_width))
        # Largest first, each from the one before: cheaper than resizing the original thrice.
        for width in sorted(widths, reverse=True):
            height = max(1, round(upright_height * width / upright_width))
            image = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            stem = f"{RENDITION_DIR}/{book.pk}-{digest}-{width}"
            renditions[str(width)] = {
                "webp": _save_rendition(storage, f"{stem}.webp", _encode(image, "WEBP")),
                "jpeg": _save_rendition(storage, f"{stem}.jpg", _encode(image, "JPEG")),
                "height": height,
            }
    book.cover_renditions = dict(sorted(renditions.items(), key=lambda item: int(item[0])))
    book.save(update_fields=["cover_renditions"])

    kept = {name for rendition in renditions.values() for name in _file_names(rendition)}
    stale = [
        name
        for rendition in previous.values()
        for name in _file_names(rendition)
        if name not in kept
    ]
    if stale:
        # After the commit, so a rolled-back save still finds the files its row names.
        transaction.on_commit(lambda: [storage.delete(name) for name in stale])
    return book.cover_renditions


class CoverNotCleaned(Exception):
    """The worker could not clean an upload; the message says why, in an editor's words."""


def store_clean_original(book: "Book") -> bool:
    """Re-encode the book's uploaded cover without what cameras and editors write into a
    file (EXIF with GPS, XMP, comments, a second picture); True when the cover changed.

    Alters data: stores the copy as covers/originals/<pk>/<content hash>.<ext>, upright
    (the EXIF orientation applied), in the upload's format (JPEG with its own quantisation,
    PNG losslessly, WebP at quality 90) and keeping its colour profile; points the book at it
    (the post_save signal then drops its cached pages) and, once that commits, deletes the
    upload. A cover already in that folder is left alone. Done by the worker, never in the
    request: it decodes the whole picture (up to MAX_COVER_PIXELS, about 100 MB) and encodes
    it again, which takes seconds. Raises when the upload cannot be read: the book then
    keeps pointing at it, held (see `hold_upload`), and pages at its previous cover.
    """
    uploaded = book.cover.name
    if not uploaded or uploaded.startswith(f"{ORIGINAL_DIR}/"):
        return False
    storage = book.cover.storage
    try:
        with book.cover.open("rb") as cover:
            image = Image.open(io.BytesIO(cover.read()))
        image.load()
    except FileNotFoundError as error:
        raise CoverNotCleaned("the uploaded file is no longer in storage") from error
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        # Checked in the request, so damaged or replaced in storage since.
        raise CoverNotCleaned(
            "the uploaded file could not be read as an image; it may have been damaged"
        ) from error
    image_format = "JPEG" if image.format == "MPO" else image.format
    extension = COVER_FORMATS[image.format]
    icc_profile = image.info.get("icc_profile")
    ImageOps.exif_transpose(image, in_place=True)
    # Pillow writes some info (a JPEG comment) back by default: keep only what shows.
    image.info = {key: image.info[key] for key in ("transparency",) if key in image.info}
    save = {"icc_profile": icc_profile} if icc_profile else {}
    if image_format == "JPEG":
        save.update(quality="keep", subsampling="keep")  # no second generation of loss
    elif image_format == "WEBP":
        save.update(quality=90)
    buffer = io.BytesIO()
    image.save(buffer, image_format, **save)
    content = buffer.getvalue()
    name = f"{ORIGINAL_DIR}/{book.pk}/{hashlib.sha256(content).hexdigest()[:10]}{extension}"

    with transaction.atomic():
        # Locked while the copy is stored, so a concurrent task's tidy-up cannot take it.
        current = book.__class__.objects.select_for_update().filter(pk=book.pk)
        if current.values_list("cover", flat=True).first() != uploaded:
            return False  # replaced meanwhile: the newer upload's own task deals with it
        if not storage.exists(name):
            storage.save(name, ContentFile(content))
        book.cover = name
        book.cover_width, book.cover_height = image.size
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


TURNED_SIDEWAYS = (5, 6, 7, 8)  # EXIF orientations that swap width and height
REDUCIBLE_MODES = ("L", "LA", "RGB", "RGBA", "CMYK", "I")


def _upright_size(image: Image.Image) -> tuple[int, int]:
    orientation = image.getexif().get(ExifTags.Base.Orientation)
    return image.size[::-1] if orientation in TURNED_SIDEWAYS else image.size


def _prepared_for_web(image: Image.Image, *, scale: float = 1.0) -> Image.Image:
    """Decoded at about `scale` of its size or a little more, upright, in sRGB, 8 bits per
    channel: RGB, or RGBA where the image has transparency.

    Every step that copies the picture comes after the reduction, so a worker holds at
    most one full-size decode (a JPEG not even that: it decodes at 1/2, 1/4 or 1/8).
    """
    target = (max(1, math.ceil(image.width * scale)), max(1, math.ceil(image.height * scale)))
    image.draft(image.mode, target)  # JPEG only; other formats decode whole
    image.load()
    if image.mode.startswith("I;16"):
        # 16-bit grey (PNG), which reduce() refuses: boxed down to the target first, then
        # scaled to 8 bits (rather than clipped to white) on the small copy.
        if image.width > target[0] * 2:
            image = image.resize(target, Image.Resampling.BOX)
        image = image.convert("I").point(lambda value: value / 257).convert("L")
    elif image.mode not in REDUCIBLE_MODES:
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    factor = min(image.width // target[0], image.height // target[1])
    if factor >= 2:
        image = image.reduce(factor)
    image = ImageOps.exif_transpose(image)
    if image.mode == "I":
        image = image.point(lambda value: value / 257).convert("L")
    mode = "RGBA" if image.has_transparency_data else "RGB"
    icc_profile = image.info.get("icc_profile")
    if icc_profile and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        # Print covers come in CMYK or wide-gamut RGB; browsers assume sRGB without a profile.
        try:
            return ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc_profile)),
                SRGB_PROFILE,
                outputMode=mode,
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # A broken or unusual profile: convert as if there were none.
    return image.convert(mode)


def _encode(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "JPEG":
        if image.mode == "RGBA":
            # JPEG has no transparency: put the cover on white, as a page would show it.
            background = Image.new("RGBA", image.size, (255, 255, 255, 255))
            background.alpha_composite(image)
            image = background
        image.convert("RGB").save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
    else:
        image.save(buffer, "WEBP", quality=80, method=5)
    return buffer.getvalue()


def _save_rendition(storage: Storage, name: str, content: bytes) -> str:
    # The name is derived from the content, so an existing file is an earlier run's copy.
    if storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(content))


def _file_names(rendition: dict) -> list[str]:
    return [rendition[kind] for kind in ("webp", "jpeg") if rendition.get(kind)]


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
