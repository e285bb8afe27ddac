"""A book's card rendered once per shape, as its stars and shop links are (cards.render_
shaped): includes/book_card.html is rendered for a card's shape with a stand-in for each
of its texts, then each card of that shape has its own texts put in. On a list of cards
the partial's nodes were most of the card's cost (a book page's sixteen cards: 1.1 ms).
A series' list of volumes likewise (rendered_by_shape).

The shape is read from the context itself (for a card, cards.book_card_context): which
values are none, false, empty or zero (the partial may test them), how many items each
list holds; every other text or number is a text. So the partial and its context may
change without this module: a value of a kind it cannot take apart fails loudly, and
tests/catalogue/test_card_shapes.py renders both ways (so would see the card's partial
start reading one of NOT_READ, which a shape leaves out).
"""

import dataclasses
from collections.abc import Hashable, Iterator

from django.utils.safestring import SafeString

from .cards import book_card_context, render_shaped
from .models import Book

CARD_TEMPLATE = "includes/book_card.html"
# What the context carries for the card's other partials and for other pages, and the
# card's partial never reads (it shows them as rating_html, shop_links_html, authors).
NOT_READ = frozenset({"book", "credits", "rating", "shop_links"})
TEXT = "text"  # a text's place in a shape


def card_html(book: Book) -> SafeString:
    """The book's card as `{% book_card book %}` renders it (its cover loaded lazily, its
    shop links counted against no page), for a book read `for_cards()`."""
    context = book_card_context(book)
    read = {key: value for key, value in context.items() if key not in NOT_READ}
    return rendered_by_shape(CARD_TEMPLATE, read)


def rendered_by_shape(template_name: str, context: dict) -> SafeString:
    """`template_name` rendered with `context` (texts, numbers, flags, and lists, dicts and
    dataclasses of them), once per shape. The partial writes each text as it is: a
    filter would work on the stand-in (cards.render_shaped)."""
    texts: list[str] = []
    shape = _shape_of(context, texts)
    return render_shaped(template_name, _context_of, shape, texts)


def _shape_of(value, texts: list[str]) -> Hashable:
    """`value`'s shape; its texts appended to `texts`, in the order _context_of takes them."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str | int):  # a SafeString too: it is put in as it is
        if not value:
            return ("empty", value)
        texts.append(value if isinstance(value, str) else str(value))
        return TEXT
    if isinstance(value, list | tuple):
        return (type(value), tuple(_shape_of(item, texts) for item in value))
    if isinstance(value, dict):
        return (dict, tuple((key, _shape_of(item, texts)) for key, item in value.items()))
    if dataclasses.is_dataclass(value):  # read by the partial as a dict is (cover.src)
        names = [field.name for field in dataclasses.fields(value)]
        return (dict, tuple((name, _shape_of(getattr(value, name), texts)) for name in names))
    raise TypeError(f"A card's {type(value).__name__} has no shape: add it to NOT_READ?")


def _context_of(shape: Hashable, texts: list[str]) -> dict:
    return _put_together(shape, iter(texts))


def _put_together(shape: Hashable, texts: Iterator[str]):
    if shape == TEXT:
        return next(texts)
    if shape is None or isinstance(shape, bool):
        return shape
    kind, parts = shape
    if kind == "empty":
        return parts
    if kind is dict:
        return {key: _put_together(part, texts) for key, part in parts}
    return kind(_put_together(part, texts) for part in parts)
