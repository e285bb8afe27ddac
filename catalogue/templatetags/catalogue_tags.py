"""`{% book_card %}` and `{% book_json_ld %}`: the card and its structured data."""

from django import template

from catalogue import cards, structured_data
from catalogue.models import Book

register = template.Library()


@register.inclusion_tag("includes/book_card.html")
def book_card(book: Book, lazy: bool = True, source=None, prominent: bool = False) -> dict:
    """`{% book_card book %}`: the card; pass lazy=False for a card above the fold,
    `source` for the page its shop links' clicks count against, prominent=True to show
    those links first, as buttons."""
    return cards.book_card_context(book, lazy=lazy, source=source, prominent=prominent)


@register.simple_tag(takes_context=True)
def book_json_ld(context, book: Book) -> str:
    return structured_data.book_json_ld(book, context["request"])
