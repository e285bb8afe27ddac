"""Library pictures for tests of the pages that show them: rows as the worker leaves them
(ready, with WebP and JPEG renditions on disk), without running the worker."""

import io
import itertools

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PillowImage

from images.models import Image

RENDITION_WIDTHS = (400, 800, 1200, 1600)
_numbers = itertools.count(1)


def _encoded(size: tuple[int, int], image_format: str, colour) -> bytes:
    buffer = io.BytesIO()
    PillowImage.new("RGB", size, colour).save(buffer, image_format)
    return buffer.getvalue()


def make_ready_image(
    *, size: tuple[int, int] = (1600, 1000), colour=(70, 110, 150), **fields
) -> Image:
    """A ready picture of `size` with its renditions (never wider than it) stored under
    MEDIA_ROOT; `fields` as the desk would fill them (alt, caption, credit, licence)."""
    number = next(_numbers)
    width, height = size
    name = default_storage.save(
        f"images/originals/test-{number}.jpg", ContentFile(_encoded(size, "JPEG", colour))
    )
    renditions = {}
    for rendition_width in [w for w in RENDITION_WIDTHS if w <= width] or [width]:
        rendition_height = round(height * rendition_width / width)
        files = {}
        for kind, image_format, extension in (("jpeg", "JPEG", "jpg"), ("webp", "WEBP", "webp")):
            content = _encoded((rendition_width, rendition_height), image_format, colour)
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
