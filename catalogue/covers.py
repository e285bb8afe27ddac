"""Drawn covers: title and author on a colour derived from the title."""

import io
import textwrap
import zlib

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

COVER_SIZE = (600, 900)
# Deep, readable backgrounds for white text (WCAG AA at these sizes).
PALETTE = [
    (122, 31, 43), (31, 74, 122), (35, 94, 64), (92, 45, 110),
    (140, 72, 18), (30, 88, 96), (66, 66, 66), (110, 40, 80),
]  # fmt: skip


def cover_colour(title: str) -> tuple[int, int, int]:
    return PALETTE[zlib.crc32(title.encode()) % len(PALETTE)]


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
