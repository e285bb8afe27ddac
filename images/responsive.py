"""A picture as pages show it: the addresses and sizes its renditions give a <picture>
(templates/includes/picture.html), and the one rendition a share card names. Readers
see only a ready picture: until the worker has cleaned it, it has no renditions to show.
"""

from dataclasses import dataclass

from .models import Image


@dataclass(frozen=True)
class Rendition:
    """One stored width of a picture: its size and the addresses of its two files."""

    width: int
    height: int
    jpeg_url: str
    webp_url: str


@dataclass(frozen=True)
class Picture:
    """What templates/includes/picture.html needs; no lookups in templates. `alt` is ""
    for a picture marked decorative (screen readers skip it)."""

    src: str
    width: int
    height: int
    srcset: str
    webp_srcset: str
    sizes: str
    alt: str


def renditions_shown(image: Image | None) -> list[Rendition]:
    """The renditions readers may see, narrowest first: none unless the picture is ready."""
    if image is None or image.status != Image.Status.READY or not image.renditions:
        return []
    url = image.file.storage.url
    found = [
        Rendition(
            width=int(width),
            height=files["height"],
            jpeg_url=url(files["jpeg"]),
            webp_url=url(files["webp"]),
        )
        for width, files in image.renditions.items()
    ]
    return sorted(found, key=lambda rendition: rendition.width)


def rendition_for(image: Image | None, *, width: int) -> Rendition | None:
    """The rendition to show `width` pixels wide: the narrowest at least that wide, else
    the widest there is (renditions are never upscaled); None when the picture shows none."""
    shown = renditions_shown(image)
    wide_enough = [rendition for rendition in shown if rendition.width >= width]
    return (wide_enough or shown[-1:] or [None])[0]


def picture(image: Image | None, *, sizes: str, fallback_width: int) -> Picture | None:
    """The picture's <picture> values: WebP and JPEG srcsets at every width, `sizes` (how
    wide the page shows it), and the rendition nearest `fallback_width` as the <img>'s own
    src and size, for browsers without srcset. None when readers may not see it."""
    shown = renditions_shown(image)
    if not shown:
        return None
    fallback = rendition_for(image, width=fallback_width)
    return Picture(
        src=fallback.jpeg_url,
        width=fallback.width,
        height=fallback.height,
        srcset=", ".join(f"{rendition.jpeg_url} {rendition.width}w" for rendition in shown),
        webp_srcset=", ".join(f"{rendition.webp_url} {rendition.width}w" for rendition in shown),
        sizes=sizes,
        alt="" if image.decorative else image.alt,
    )


def credit_line(image: Image) -> str:
    """What a figure says under its caption of where the picture is from: "credit ·
    licence", either alone, or "" for neither."""
    return " · ".join(part for part in (image.credit.strip(), image.licence.strip()) if part)
