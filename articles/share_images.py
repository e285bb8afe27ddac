"""An article's share image: the picture a social network shows with a link to it
(1200x630), its first public book's cover beside its title and the site's name.

Made once, by the worker (articles.tasks.make_share_images), and stored under a name made
from what it shows (`ShareImageInputs.file_name`): the same inputs are the same file,
never drawn twice; a changed title or cover is a new file, and the article points at it.

PNG rather than JPEG: most of the picture is flat colour and text, whose edges JPEG
smears. Measured: 30-50 kB with a drawn cover or none, about 0.3 MB with a photographic
cover (a JPEG at quality 88 would be about a quarter of that), far under the networks'
limits (5 MB for X, 8 MB for Facebook), and fetched once per network, not per reader.
"""

import hashlib
import io
import json
import logging
import unicodedata
from dataclasses import asdict, dataclass
from functools import cache, lru_cache, partial
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont, ImageOps

from catalogue.covers import draw_cover, is_held, renditions_of
from catalogue.models import Book
from catalogue.share_cards import first_author_name
from pagecache.tags import tag_for
from pagecache.versions import invalidate
from shared.share_cards import LARGE_IMAGE_SIZE

from . import rendering
from .models import Article

logger = logging.getLogger(__name__)

# Raised whenever the drawing below changes, so that every image is made again.
LAYOUT_VERSION = 1
FOLDER = "share"
WIDTH, HEIGHT = LARGE_IMAGE_SIZE
MARGIN = 64
COVER_BOX = (400, HEIGHT - 2 * MARGIN)  # the cover is scaled into it, never stretched
TITLE_SIZES = (68, 60, 52, 46)  # the largest at which the title fits is used
TITLE_MAX_LINES = 5
ELLIPSIS = "…"
# The site's colours (static/css/site.css, light scheme): paper, ink, accent.
BACKGROUND = (251, 248, 243)
TEXT = (29, 27, 24)
ACCENT = (140, 47, 27)
# Debian's DejaVu (fonts-dejavu-core) where installed; else Pillow's own font, which
# scales from Pillow 10.1 (pyproject asks for more).
FONT_FOLDER = Path("/usr/share/fonts/truetype/dejavu")
TITLE_FONT = "DejaVuSerif-Bold.ttf"
# For titles in scripts the serif lacks (Hebrew, Arabic): the sans has them.
FALLBACK_TITLE_FONT = "DejaVuSans-Bold.ttf"
NOT_A_CHARACTER = "\ue000"  # private use: drawn as the font's "missing" box
SITE_FONT = "DejaVuSans-Bold.ttf"


@dataclass(frozen=True)
class ShareImageInputs:
    """Everything the picture shows: its name is made from these alone."""

    title: str
    site_name: str
    # The stored cover drawn in (a rendition or a cleaned original: names that change
    # with their content), or "" for a drawn cover of `book_title` by `book_author`, or
    # for no book at all (`book_title` "" too).
    cover: str = ""
    book_title: str = ""
    book_author: str = ""

    @property
    def file_name(self) -> str:
        described = json.dumps(
            {"layout": LAYOUT_VERSION, **asdict(self)}, sort_keys=True, ensure_ascii=False
        )
        return f"{FOLDER}/{hashlib.sha256(described.encode()).hexdigest()}.png"


def first_public_book(article: Article) -> Book | None:
    """The first book the body embeds that readers may see (the page's first card)."""
    refs = rendering.embed_refs(article.body)
    found = rendering.find_books(refs, Book.objects.public().with_credits())
    return next((found[ref] for ref in refs if ref in found), None)


def inputs_for(article: Article) -> ShareImageInputs:
    """What the article's share image shows now (a query or two: its first book)."""
    book = first_public_book(article)
    inputs = ShareImageInputs(title=article.title, site_name=settings.SITE_NAME)
    if book is None:
        return inputs
    renditions = renditions_of(book)
    if renditions:
        cover = renditions[-1].jpeg
    elif book.cover and not is_held(book.cover.name):
        cover = book.cover.name
    else:
        # An imported cover stays where its data set points (we do not copy it), so the
        # picture has the drawn cover the card would show without it.
        cover = ""
    return ShareImageInputs(
        title=article.title,
        site_name=settings.SITE_NAME,
        cover=cover,
        book_title=book.title,
        book_author=first_author_name(book),
    )


def needs_new_image(article: Article) -> bool:
    """Whether the article's share image does not show what it should (or is missing);
    drafts get none until they are published."""
    if article.status != Article.Status.PUBLISHED:
        return False
    return article.share_image.name != inputs_for(article).file_name


def refresh_share_image(article: Article) -> str:
    """Make the article's share image if what it shows changed, and point the article
    at it: its storage name ("" for a draft, which has none made).

    Alters data: stores the picture (unless a file of that name, the same picture,
    exists; one named but missing, as a restored old version may name, is drawn again),
    sets `Article.share_image` by a queryset update (no save(): no new version, no
    change of `updated_at`, no signals), drops the article's cached pages, and once that
    commits deletes the picture it replaced if no article uses it (the networks copy the
    picture when they read the page; a stale page revalidates)."""
    if article.status != Article.Status.PUBLISHED:
        return article.share_image.name or ""
    inputs = inputs_for(article)
    name = inputs.file_name
    previous = article.share_image.name or ""
    storage = _storage()
    if previous == name and storage.exists(name):
        return name
    if not storage.exists(name):
        # The returned name differs only if another worker stored the same one meanwhile.
        name = storage.save(name, ContentFile(render_share_image(inputs, storage)))
    Article.objects.filter(pk=article.pk).update(share_image=name)
    article.share_image.name = name
    invalidate(tag_for(article))
    if previous and previous != name:
        transaction.on_commit(lambda: delete_if_unused(previous))
    return name


refresh_share_image.alters_data = True


def delete_if_unused(name: str) -> None:
    if name and not Article.objects.filter(share_image=name).exists():
        _storage().delete(name)


def _storage() -> Storage:
    return Article._meta.get_field("share_image").storage


# --- Drawing --------------------------------------------------------------------------


def render_share_image(inputs: ShareImageInputs, storage: Storage | None = None) -> bytes:
    """The PNG: the cover on the left (scaled into COVER_BOX, its shape kept), the site's
    name and the title, wrapped, on the right; the title alone, wider, without a book."""
    image = Image.new("RGB", LARGE_IMAGE_SIZE, BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, WIDTH, 12], fill=ACCENT)
    text_left = MARGIN
    cover = _cover_picture(inputs, storage or _storage())
    if cover is not None:
        cover = ImageOps.contain(cover, COVER_BOX, Image.Resampling.LANCZOS)
        top = (HEIGHT - cover.height) // 2 + 6
        shadow = Image.new("RGB", cover.size, (214, 207, 196))
        image.paste(shadow, (MARGIN + 6, top + 6))
        image.paste(cover, (MARGIN, top))
        text_left = MARGIN + cover.width + MARGIN
    text_width = WIDTH - MARGIN - text_left

    site_font = _font(SITE_FONT, 34)
    draw.text((text_left, MARGIN + 10), inputs.site_name, font=site_font, fill=ACCENT)

    title = _printable(inputs.title)
    font, lines = _fitted_title(title, _title_font_name(title), text_width)
    line_height = round(font.size * 1.22)
    block_height = line_height * len(lines)
    top = max(MARGIN + 80, (HEIGHT - block_height) // 2 + 20)
    right_to_left = _is_right_to_left(inputs.title)
    for number, line in enumerate(lines):
        y = top + number * line_height
        if right_to_left:
            x = text_left + text_width - font.getlength(line)
            draw.text((x, y), line, font=font, fill=TEXT)
        else:
            draw.text((text_left, y), line, font=font, fill=TEXT)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def _cover_picture(inputs: ShareImageInputs, storage: Storage) -> Image.Image | None:
    if inputs.cover:
        try:
            with storage.open(inputs.cover, "rb") as file:
                picture = Image.open(io.BytesIO(file.read()))
                picture.load()
            return ImageOps.exif_transpose(picture).convert("RGB")
        except (OSError, ValueError, Image.DecompressionBombError):
            # Gone from storage or unreadable: the drawn cover rather than no picture.
            logger.warning("Share image: cover %s unreadable; drawing one.", inputs.cover)
    if inputs.book_title:
        return Image.open(draw_cover(inputs.book_title, inputs.book_author)).convert("RGB")
    return None


@cache
def _font(name: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = FONT_FOLDER / name
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def _title_font_name(title: str) -> str:
    """The serif, unless it lacks letters of the title that the sans has (missing
    glyphs, an emoji say, are drawn as boxes: no font here has them all)."""
    serif, sans = _font(TITLE_FONT, 40), _font(FALLBACK_TITLE_FONT, 40)
    letters = {char for char in title if not char.isspace()}
    if all(_draws(serif, char) for char in letters):
        return TITLE_FONT
    if sum(map(partial(_draws, sans), letters)) > sum(map(partial(_draws, serif), letters)):
        return FALLBACK_TITLE_FONT
    return TITLE_FONT


@lru_cache(maxsize=4096)
def _draws(font, char: str) -> bool:
    """Whether `font` has a glyph for `char` (its mask differs from the missing box's)."""
    if not isinstance(font, ImageFont.FreeTypeFont):
        return True  # Pillow's own font: nothing better to choose
    mask, missing = font.getmask(char), font.getmask(NOT_A_CHARACTER)
    return (mask.size, bytes(mask)) != (missing.size, bytes(missing))


def _fitted_title(title: str, font_name: str, width: int):
    """The largest title size whose lines fit in TITLE_MAX_LINES, else the smallest with
    the last line cut and an ellipsis."""
    for size in TITLE_SIZES:
        font = _font(font_name, size)
        lines = wrap(title, font, width)
        if len(lines) <= TITLE_MAX_LINES:
            return font, lines
    return font, shorten(lines, font, width, TITLE_MAX_LINES)


def wrap(text: str, font, width: int) -> list[str]:
    """`text` in lines no wider than `width` pixels: broken between words, and inside a
    word only when it is wider than a line by itself (a long URL, CJK without spaces)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if font.getlength(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while font.getlength(word) > width and len(word) > 1:
            cut = _longest_fitting_prefix(word, font, width)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def shorten(lines: list[str], font, width: int, max_lines: int) -> list[str]:
    """The first `max_lines` lines, the last ending in an ellipsis that fits."""
    if len(lines) <= max_lines:
        return lines
    last = lines[max_lines - 1]
    while last and font.getlength(last.rstrip() + ELLIPSIS) > width:
        last = last[:-1]
    return [*lines[: max_lines - 1], last.rstrip() + ELLIPSIS]


def _longest_fitting_prefix(word: str, font, width: int) -> int:
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if font.getlength(word[:middle]) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def _printable(text: str) -> str:
    """Without control characters (a stray NUL or tab), which fonts cannot draw."""
    return "".join(" " if unicodedata.category(char) == "Cc" else char for char in text)


def _is_right_to_left(text: str) -> bool:
    """Whether the title's first strong character is Hebrew or Arabic script (it is
    then set against the right edge; its words are ordered by libraqm, where Pillow has
    it, else drawn as stored)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def refresh_share_images(*, chunk_size: int = 200) -> int:
    """Make the share image of every published article that lacks the right one (those
    written before share images, or after a bulk change of books that sends no signals):
    how many were made or changed. Articles already right cost a query or two each."""
    changed = 0
    published = Article.objects.filter(status=Article.Status.PUBLISHED).order_by("pk")
    for article in published.only("pk", "title", "body", "status", "share_image").iterator(
        chunk_size=chunk_size
    ):
        before = article.share_image.name or ""
        if refresh_share_image(article) != before:
            changed += 1
    return changed


refresh_share_images.alters_data = True
