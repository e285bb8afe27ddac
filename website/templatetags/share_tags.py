"""`{% share_tags %}` and its kin: a page's Open Graph and Twitter card tags, from its
app's card builder (catalogue.share_cards, articles.share_cards), laid out by
templates/includes/share_tags.html. Every address absolute; nothing per visitor."""

from django import template
from django.conf import settings
from django.templatetags.static import static

from articles.share_cards import article_share_card
from catalogue.share_cards import author_share_card, book_share_card, reading_list_share_card
from shared.share_cards import LARGE_IMAGE_SIZE, ShareCard, ShareImage, og_locale

register = template.Library()

TEMPLATE = "includes/share_tags.html"
# The site's own picture (1200x630) and words, for pages that have none of their own.
DEFAULT_IMAGE = "img/share.png"
DEFAULT_IMAGE_ALT = "Colophon: articles about books and history, and the books behind them"
DEFAULT_DESCRIPTION = (
    "Colophon: long-form articles about books and history, and a catalogue of the books "
    "they discuss."
)


def default_image(request) -> ShareImage:
    width, height = LARGE_IMAGE_SIZE
    return ShareImage(
        request.build_absolute_uri(static(DEFAULT_IMAGE)), DEFAULT_IMAGE_ALT, width, height
    )


def _canonical(context) -> str:
    url = context.get("canonical_url")  # website.context_processors.canonical_url
    return url() if callable(url) else url or context["request"].build_absolute_uri()


@register.inclusion_tag(TEMPLATE, takes_context=True)
def share_tags(context, title: str = "", description: str = "") -> dict:
    """A page's card from its title and description; the site's own where not given."""
    request = context["request"]
    card = ShareCard(
        title=title or settings.SITE_NAME,
        description=description or DEFAULT_DESCRIPTION,
        url=_canonical(context),
        site_name=settings.SITE_NAME,
        image=default_image(request),
        locale=og_locale(settings.LANGUAGE_CODE),
    )
    return {"share": card}


@register.inclusion_tag(TEMPLATE, takes_context=True)
def article_share_tags(context, article, books=(), topics=()) -> dict:
    request = context["request"]
    card = article_share_card(
        article,
        books=list(books),
        topics=list(topics),
        url=_canonical(context),
        absolute=request.build_absolute_uri,
        default_image=default_image(request),
    )
    return {"share": card}


@register.inclusion_tag(TEMPLATE, takes_context=True)
def book_share_tags(context, book) -> dict:
    request = context["request"]
    card = book_share_card(book, url=_canonical(context), absolute=request.build_absolute_uri)
    return {"share": card}


@register.inclusion_tag(TEMPLATE, takes_context=True)
def author_share_tags(context, author, books=()) -> dict:
    """`books`: the page's list, already loaded (its first cover is the picture)."""
    request = context["request"]
    card = author_share_card(
        author,
        list(books),
        url=_canonical(context),
        absolute=request.build_absolute_uri,
        default_image=default_image(request),
    )
    return {"share": card}


@register.inclusion_tag(TEMPLATE, takes_context=True)
def reading_list_share_tags(context, reading_list, entries=()) -> dict:
    """`entries`: the list page's (catalogue.list_cards.ListEntry), already loaded."""
    request = context["request"]
    card = reading_list_share_card(
        reading_list,
        [entry.book for entry in entries],
        url=_canonical(context),
        absolute=request.build_absolute_uri,
        default_image=default_image(request),
    )
    return {"share": card}
