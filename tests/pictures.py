"""Pictures for tests: image files as uploads (good, or claiming sizes they are not), what
storage holds, and library rows as the worker leaves them (ready, with WebP and JPEG
renditions on disk) without running the worker. Covers and the library share them."""

import io
import itertools
import struct
import zlib

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image as PillowImage

from images.models import Image

RENDITION_WIDTHS = (400, 800, 1200, 1600)
_numbers = itertools.count(1)


def image_bytes(size=(800, 1200), *, mode="RGB", image_format="PNG", colour=None, **save):
    """An image file of one colour (a default one for each Pillow mode)."""
    if colour is None:
        colour = {"1": 1, "L": 128, "LA": (128, 0), "RGBA": (40, 90, 160, 0), "P": 0}.get(
            mode, (40, 90, 160)
        )
    buffer = io.BytesIO()
    PillowImage.new(mode, size, colour).save(buffer, image_format, **save)
    return buffer.getvalue()


def image_upload(name="cover.png", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(**kwargs))


def png_header(width: int, height: int) -> bytes:
    """A tiny PNG that claims to be width × height: what a decompression bomb looks like."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def png_claiming(name: str, width: int, height: int) -> SimpleUploadedFile:
    """An upload whose header claims width × height (see png_header)."""
    return SimpleUploadedFile(name, png_header(width, height))


def stored_files(media_root) -> list[str]:
    """Every file under MEDIA_ROOT, by its name there."""
    if not media_root.exists():
        return []
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def open_stored(name: str) -> PillowImage.Image:
    """A stored image, read whole."""
    with default_storage.open(name) as file:
        image = PillowImage.open(io.BytesIO(file.read()))
        image.load()
    return image


def make_ready_image(
    *, size: tuple[int, int] = (1600, 1000), colour=(70, 110, 150), **fields
) -> Image:
    """A ready picture of `size` with its renditions (never wider than it) stored under
    MEDIA_ROOT; `fields` as the desk would fill them (alt, caption, credit, licence)."""
    number = next(_numbers)
    width, height = size
    name = default_storage.save(
        f"images/originals/test-{number}.jpg",
        ContentFile(image_bytes(size, image_format="JPEG", colour=colour)),
    )
    renditions = {}
    for rendition_width in [w for w in RENDITION_WIDTHS if w <= width] or [width]:
        rendition_height = round(height * rendition_width / width)
        files = {}
        for kind, image_format, extension in (("jpeg", "JPEG", "jpg"), ("webp", "WEBP", "webp")):
            content = image_bytes(
                (rendition_width, rendition_height), image_format=image_format, colour=colour
            )
            files[kind] = default_storage.save(
                f"images/renditions/test-{number}-{rendition_width}.{extension}",
                ContentFile(content),
            )
        renditions[str(rendition_width)] = {**files, "height": rendition_height}
    fields.setdefault("alt", f"Picture {number}")
    return Image.objects.create(
        file=name,
        width=width,
        height=height,
        renditions=renditions,
        status=Image.Status.READY,
        **fields,
    )
