"""What an article's page says when it is shared (Open Graph, Twitter card)."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings

from catalogue.models import Book
from catalogue.share_cards import Absolute
from images.responsive import rendition_for
from shared.share_cards import LARGE_IMAGE_SIZE, ShareCard, ShareImage, og_locale

from .models import Article, Topic

if TYPE_CHECKING:
    from .rendering import BookFacts

# The width social networks show across a post: the featured picture's rendition nearest it.
FEATURED_SHARE_WIDTH = LARGE_IMAGE_SIZE[0]


def share_image_alt(article: Article, book: Book | None) -> str:
    """What the share image (articles.share_images) shows, in words."""
    if book is None:
        return f"The title “{article.title}” on {settings.SITE_NAME}"
    return f"The cover of {book.title} beside the title “{article.title}”"


def featured_share_image(article: Article, absolute: Absolute) -> ShareImage | None:
    """The article's featured picture at its 1200-wide rendition (the widest there is when
    the original is narrower), at its true size; None unless readers may see it."""
    image = article.featured_image if article.featured_image_id else None
    rendition = rendition_for(image, width=FEATURED_SHARE_WIDTH)
    if rendition is None:
        return None
    # A decorative picture has no alt text of its own: say what it stands for.
    alt = (
        ("" if image.decorative else image.alt)
        or image.caption
        or f"The picture at the top of “{article.title}”"
    )
    return ShareImage(absolute(rendition.jpeg_url), alt, rendition.width, rendition.height)


def article_share_card(
    article: Article,
    *,
    books: Sequence["BookFacts"],
    topics: Sequence[Topic],
    url: str,
    absolute: Absolute,
    default_image: ShareImage,
) -> ShareCard:
    """An article page's card, from what the page has loaded already (`books`: the
    public books its body shows, in order, as articles.rendering.BookFacts; `topics`):
    type `article`, with its times, its first topic as the section, the others as tags,
    and its byline; its social title and meta description where the editor gave them.

    Its picture is its featured picture when readers may see it; else the share image the
    worker made (1200x630); until then its first book's cover, or the site's picture."""
    first_book = books[0] if books else None
    featured = featured_share_image(article, absolute)
    if featured is not None:
        image = featured
    elif article.share_image:
        width, height = LARGE_IMAGE_SIZE
        image = ShareImage(
            absolute(article.share_image.url), share_image_alt(article, first_book), width, height
        )
    elif first_book is not None:
        image = first_book.cover_share_image(absolute)
    else:
        image = default_image
    properties = []
    if article.published_at:
        properties.append(("article:published_time", article.published_at.isoformat()))
    if article.updated_at:
        properties.append(("article:modified_time", article.updated_at.isoformat()))
    if topics:
        properties.append(("article:section", topics[0].name))
        properties += [("article:tag", topic.name) for topic in topics[1:]]
    if article.byline:
        properties.append(("article:author", article.byline))
    return ShareCard(
        title=article.shared_title,
        description=article.description,
        url=url,
        site_name=settings.SITE_NAME,
        image=image,
        type="article",
        locale=og_locale(settings.LANGUAGE_CODE),
        properties=properties,
    )
