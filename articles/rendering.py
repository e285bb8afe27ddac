"""Article bodies: CommonMark plus book embeds, sanitised before they reach readers.

An embed is a line of its own, `[[book:SLUG-or-ISBN]]`. Rendering goes:

1. markdown-it turns the body into HTML; each embed becomes a placeholder that carries
   a random per-render nonce, so nothing an editor types can pose as one;
2. nh3 cleans the HTML against an allow-list (no scripts, handlers, styles, iframes,
   forms, or javascript:/data: URLs);
3. all referenced books are fetched in one query and each placeholder is replaced by
   the book card, rendered from our own template.

The card that sells: the first card shown under a heading whose text has the word "buy"
(any case, in any emphasis: "Buy the Book", "Where to buy it"; not "buyer" or "buying"),
before the next heading of that level or higher, shows its shop links most prominently.
It is found in the Markdown's token stream (`_mark_buy_sections`), not in the HTML.

A reading list is embedded the same way, by a line `[[list:SLUG]]`: its placeholder is
replaced by the list (its title, its public books' cards with the editor's notes), all
lists of a body in one query and their books in one more.

A picture of the library is embedded by a line `[[image:ID]]`: its figure
(images.embeds.figure_html) goes in after sanitising, so nh3 never has to allow its
markup in what editors type. A picture not ready (or no such picture) shows nothing to
readers, and a note in previews.

Steps 1 and 2, the figures and which book each reference names are worked out once,
when the article is saved (`prepare_body`, kept in `Article.rendered_body`); a request
only puts cards and lists in (`render_prepared`). Each card is kept once rendered, until
its book changes: in the shared cache (pagecache.fragments), and in the database
(pagecache.stored_parts), where a page reads all its cards in one statement and works
without a shared cache; the books of cards kept in neither are read in three. Previews
of unsaved text do all of it at once (`render_body`).

The body never passes through the template engine, so `{{ … }}` in it stays text.
"""

import hashlib
import logging
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields, replace

import nh3
from django.db.models import Q
from django.template.loader import get_template, render_to_string
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

from catalogue.cards import book_card_context
from catalogue.isbn import looks_like_isbn, normalise_isbn13
from catalogue.list_cards import list_entries
from catalogue.models import Book, BookAlias
from catalogue.reading_lists import ReadingList, ReadingListAlias, ReadingListItem
from catalogue.share_cards import cover_share_image
from catalogue.shops import UNPAID_DISCLOSURE, disclosure_sentence, shops_read_at
from images.embeds import figure_html
from images.models import Image
from pagecache import fragments, stored_parts
from pagecache.tags import SITE, tag_for, tag_for_id
from shared.share_cards import ShareImage

logger = logging.getLogger(__name__)

EMBED_LINE = re.compile(r"^\[\[book:\s*([^\]\s]+)\s*\]\]$")
BUY_HEADING = re.compile(r"\bbuy\b", re.IGNORECASE)  # a heading over the card that sells
PLACEHOLDER = re.compile(r'<div data-embed="(?P<nonce>[0-9a-f]+):(?P<index>\d+)"></div>')
LIST_EMBED_LINE = re.compile(r"^\[\[list:\s*([^\]\s]+)\s*\]\]$")
LIST_PLACEHOLDER = re.compile(r'<div data-embed="(?P<nonce>[0-9a-f]+):list:(?P<index>\d+)"></div>')
IMAGE_EMBED_LINE = re.compile(r"^\[\[image:\s*([^\]\s]+)\s*\]\]$")
IMAGE_PLACEHOLDER = re.compile(
    r'<div data-embed="(?P<nonce>[0-9a-f]+):image:(?P<index>\d+)"></div>\n?'
)
# What `prepare_body` stores is read back only by the renderer of the same version: move
# it on with any change to what is stored or to the HTML made at save (the figures).
RENDERER_VERSION = 1

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
    "tr", "u", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "code": {"class"},
    "div": {"data-embed"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def _embed_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule: a line that is exactly `[[book:REF]]` becomes a `book_embed` token."""
    return _embed_line(state, start_line, silent, EMBED_LINE, "book_embed")


def _list_embed_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule: a line that is exactly `[[list:SLUG]]` becomes a `list_embed` token."""
    return _embed_line(state, start_line, silent, LIST_EMBED_LINE, "list_embed")


def _image_embed_rule(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule: a line that is exactly `[[image:ID]]` becomes an `image_embed` token."""
    return _embed_line(state, start_line, silent, IMAGE_EMBED_LINE, "image_embed")


def _embed_line(state: StateBlock, start_line: int, silent: bool, pattern, kind: str) -> bool:
    if state.sCount[start_line] - state.blkIndent >= 4:  # indented code, not an embed
        return False
    start = state.bMarks[start_line] + state.tShift[start_line]
    line = state.src[start : state.eMarks[start_line]].strip()
    match = pattern.match(line)
    if not match:
        return False
    if silent:
        return True
    token = state.push(kind, "", 0)
    token.meta = {"ref": match.group(1)}
    token.map = [start_line, start_line + 1]
    token.block = True
    state.line = start_line + 1
    return True


def _mark_buy_sections(state) -> None:
    """Core rule: each embed under a "buy" heading (BUY_HEADING) gets that heading's
    number as `buy_section` in its meta, until a heading of the same or a higher level.
    Runs after the inline rule, so a heading's text is read without its emphasis."""
    section, level = None, 0
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            heading_level = int(token.tag[1])
            if section is not None and heading_level <= level:
                section = None
            inline = tokens[index + 1]
            words = "".join(
                child.content
                for child in inline.children or ()
                if child.type in ("text", "code_inline")
            )
            if section is None and BUY_HEADING.search(words):
                section, level = index, heading_level
        elif token.type == "book_embed" and section is not None:
            token.meta["buy_section"] = section


def _render_embed(renderer, tokens, idx, options, env) -> str:
    refs = env.setdefault("refs", [])
    refs.append(tokens[idx].meta["ref"])
    env.setdefault("buy_sections", []).append(tokens[idx].meta.get("buy_section"))
    return f'<div data-embed="{env["nonce"]}:{len(refs) - 1}"></div>\n'


def _render_list_embed(renderer, tokens, idx, options, env) -> str:
    list_refs = env.setdefault("list_refs", [])
    list_refs.append(tokens[idx].meta["ref"])
    return f'<div data-embed="{env["nonce"]}:list:{len(list_refs) - 1}"></div>\n'


def _render_image_embed(renderer, tokens, idx, options, env) -> str:
    image_refs = env.setdefault("image_refs", [])
    image_refs.append(tokens[idx].meta["ref"])
    return f'<div data-embed="{env["nonce"]}:image:{len(image_refs) - 1}"></div>\n'


def _build_parser() -> MarkdownIt:
    # Bodies are written by editors, who may use a little HTML; it is sanitised after.
    parser = MarkdownIt("commonmark", {"html": True})
    parser.block.ruler.before(
        "paragraph",
        "book_embed",
        _embed_rule,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    parser.add_render_rule("book_embed", _render_embed)
    parser.block.ruler.before(
        "paragraph",
        "list_embed",
        _list_embed_rule,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    parser.add_render_rule("list_embed", _render_list_embed)
    parser.block.ruler.before(
        "paragraph",
        "image_embed",
        _image_embed_rule,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    parser.add_render_rule("image_embed", _render_image_embed)
    parser.core.ruler.push("buy_sections", _mark_buy_sections)
    return parser


markdown = _build_parser()


def embed_refs(body: str) -> list[str]:
    """Every `[[book:REF]]` reference in the body, in order, repeats included."""
    return [token.meta["ref"] for token in markdown.parse(body) if token.type == "book_embed"]


def list_refs(body: str) -> list[str]:
    """Every `[[list:SLUG]]` reference in the body, in order, repeats included."""
    return [token.meta["ref"] for token in markdown.parse(body) if token.type == "list_embed"]


def image_refs(body: str) -> list[str]:
    """Every `[[image:ID]]` reference in the body, in order, repeats included."""
    return [token.meta["ref"] for token in markdown.parse(body) if token.type == "image_embed"]


def image_id(ref: str) -> int | None:
    """The picture a `[[image:…]]` reference names: its number, or None for none."""
    # isdecimal, not isdigit: "²" is a digit int() refuses. Within a bigint.
    return int(ref) if ref.isdecimal() and len(ref) < 19 else None


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def _isbn_key(ref: str) -> str | None:
    """The ISBN-13 a reference names, when it is a valid ISBN-10 or ISBN-13."""
    return normalise_isbn13(ref) if looks_like_isbn(ref) else None


def find_books(refs: Iterable[str], queryset=None) -> dict[str, Book]:
    """Map each reference to its book, in one query (plus one for all the authors)."""
    refs = set(refs)
    if not refs:
        return {}
    keys = {ref: _isbn_key(ref) for ref in refs}
    isbns = {key for key in keys.values() if key}
    queryset = Book.objects.for_cards() if queryset is None else queryset
    books = queryset.filter(Q(slug__in=refs) | Q(isbn13__in=isbns))
    by_slug, by_isbn = {}, {}
    for book in books:
        by_slug[book.slug] = book
        if book.isbn13:
            by_isbn[book.isbn13] = book
    found = {}
    for ref, key in keys.items():
        book = by_isbn.get(key) or by_slug.get(ref)
        if book is not None:
            found[ref] = book
    missing = {ref: key for ref, key in keys.items() if ref not in found}
    if missing:  # books merged into others answer to their old slugs and ISBNs
        found.update(_found_by_alias(missing, queryset))
    return found


def _found_by_alias(keys: dict[str, str | None], queryset) -> dict[str, Book]:
    isbns = {key for key in keys.values() if key}
    aliases = BookAlias.objects.filter(Q(slug__in=keys) | Q(isbn13__in=isbns))
    by_slug, by_isbn = {}, {}
    for alias in aliases.order_by("created_at"):  # the latest wins
        by_slug[alias.slug] = alias.book_id
        if alias.isbn13:
            by_isbn[alias.isbn13] = alias.book_id
    books = queryset.in_bulk({*by_slug.values(), *by_isbn.values()})
    found = {}
    for ref, key in keys.items():
        book = books.get(by_isbn.get(key) or by_slug.get(ref))
        if book is not None:
            found[ref] = book
    return found


def find_lists(refs: Iterable[str], queryset=None) -> dict[str, ReadingList]:
    """Map each reference to its reading list, in one query; a renamed list answers to
    its old slugs (one more query, only when a reference matched no list)."""
    refs = set(refs)
    if not refs:
        return {}
    queryset = ReadingList.objects.all() if queryset is None else queryset
    found = {reading_list.slug: reading_list for reading_list in queryset.filter(slug__in=refs)}
    missing = refs - set(found)
    if missing:
        aliases = ReadingListAlias.objects.filter(slug__in=missing).order_by("created_at")
        owners = dict(aliases.values_list("slug", "reading_list_id"))  # the latest wins
        lists = queryset.in_bulk(set(owners.values()))
        found.update({ref: lists[pk] for ref, pk in owners.items() if pk in lists})
    return found


def missing_list_refs(body: str) -> list[str]:
    """`[[list:…]]` references in the body that match no reading list at all (for the
    editor's form)."""
    refs = list(dict.fromkeys(list_refs(body)))
    found = find_lists(refs)
    return [ref for ref in refs if ref not in found]


def missing_image_refs(body: str) -> list[str]:
    """`[[image:…]]` references in the body that name no picture of the library (for the
    editor's form)."""
    refs = list(dict.fromkeys(image_refs(body)))
    ids = {image_id(ref) for ref in refs} - {None}
    found = set(Image.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    return [ref for ref in refs if image_id(ref) not in found]


def missing_refs(body: str) -> list[str]:
    """References in the body that match no book at all (for the editor's form)."""
    refs = list(dict.fromkeys(embed_refs(body)))
    found = find_books(refs, Book.objects.all())
    return [ref for ref in refs if ref not in found]


@dataclass
class RenderedBody:
    html: SafeString
    books: list["BookFacts"]  # the distinct books shown, in order of first appearance
    hidden: list[str] = field(default_factory=list)  # references no public book matches
    # Each of `books` in the list at the article's foot (BookInFoot): made once, with
    # the cards.
    cards: list["BookInFoot"] = field(default_factory=list)
    # The reading lists shown (`[[list:…]]`), distinct, in order of first appearance.
    lists: list[ReadingList] = field(default_factory=list)
    hidden_lists: list[str] = field(default_factory=list)  # refs no public list matches
    # The books those lists show: a change of one drops the page, as of a card's book.
    list_book_ids: list[int] = field(default_factory=list)
    # The pictures of the library it embeds (`[[image:…]]`), shown or not: the page is
    # dropped when one changes.
    image_ids: list[int] = field(default_factory=list)

    @property
    def disclosure(self) -> str:
        """One sentence for the shop links of all the books shown, when any earns (the
        list at the article's foot says it once, not once a book)."""
        return disclosure_sentence([name for card in self.cards for name in card.sponsored_names])

    @property
    def links_disclosure(self) -> str:
        """What the foot says of its shop links: who pays, or that nobody does; "" when
        no book shown has a link."""
        if not any(card.has_links for card in self.cards):
            return ""
        return self.disclosure or UNPAID_DISCLOSURE


# Kept cards are told apart by this (and by store.page_variant: a deploy, the affiliate codes).
CARD_VERSION = "card-1"


@dataclass(frozen=True)
class BookFacts:
    """What an article page says of a book it shows outside its card (its structured
    data, its share card, its cache tags), in plain strings: kept with the card, it is
    read back in microseconds where the Book with its credits takes a tenth of a ms."""

    pk: int
    title: str
    full_title: str
    url: str
    isbn13: str
    # Its cover to share (catalogue.share_cards.cover_share_image), the address as the
    # storage gives it: made absolute for the request by `cover_share_image`.
    share_image: ShareImage

    @classmethod
    def of(cls, book: Book) -> "BookFacts":
        return cls(
            pk=book.pk,
            title=book.title,
            full_title=book.full_title,
            url=book.get_absolute_url(),
            isbn13=book.isbn13 or "",
            share_image=cover_share_image(book, absolute=str),
        )

    def get_absolute_url(self) -> str:
        return self.url

    def cover_share_image(self, absolute: Callable[[str], str]) -> ShareImage:
        return replace(self.share_image, url=absolute(self.share_image.url))


@dataclass(frozen=True)
class BookInFoot:
    """A book in the list at the article's foot: its entry as rendered
    (includes/book_in_article.html), and what the list's one disclosure needs."""

    html: SafeString
    sponsored_names: tuple[str, ...]
    has_links: bool

    @classmethod
    def of(cls, context: dict) -> "BookInFoot":
        """From the book's card context (its cover, credits and shop links)."""
        links = context["shop_links"]
        return cls(
            html=get_template("includes/book_in_article.html").render({"card": context}),
            sponsored_names=tuple(links.sponsored_names),
            has_links=bool(links),
        )


@dataclass
class KeptCard:
    """A book's card on one page, kept across requests (pagecache.fragments, and
    pagecache.stored_parts in the database) under the book's tag: the book as read
    (None: not public; its data for the page's structured data and share card), its
    entry at the article's foot and its HTML, plain and prominent, as rendered. Strings,
    not the card's context: a page of 30 cards reads them back in well under a
    millisecond."""

    book: BookFacts | None
    foot: BookInFoot | None = None
    html: dict[bool, str] = field(default_factory=dict)
    changed: bool = True

    def keep(self, foot: BookInFoot, prominent: bool, html: str) -> None:
        self.foot = self.foot or foot
        self.html[prominent] = html
        self.changed = True


# Given the references in a body that match no public book (distinct, in order), the
# HTML to show in place of each: a reference left out shows nothing, with a warning logged.
ShowHidden = Callable[[list[str]], dict[str, str]]


def body_digest(body: str) -> str:
    """A short fingerprint of a body: a stored render made from another body is stale."""
    return hashlib.blake2b(body.encode(), digest_size=16).hexdigest()


@dataclass
class PreparedBody:
    """A body's Markdown worked out once, when the article is saved, and kept in
    `Article.rendered_body`: the sanitised HTML with its figures, and a placeholder for
    each card and list (what they show changes without the article: ratings, a cover, a
    list's books), carrying the nonce made for it, so nothing typed can pose as one."""

    html: str
    nonce: str
    refs: list[str]  # each card placeholder's [[book:…]] reference, by its index
    buy_sections: list[int | None]  # each card's "buy" heading (_mark_buy_sections)
    # The book each reference names, of any status (a draft may be published later),
    # resolved at save so a request fetches them by key; a book merged away is followed
    # by the `book_merged` signal, and one missing at a request by its aliases.
    book_ids: dict[str, int]
    list_refs: list[str]  # each list placeholder's [[list:…]] reference (resolved per request)
    image_ids: list[int]  # the pictures of the library it embeds, ready or not, distinct
    digest: str  # body_digest() of the body it was made from
    version: int = RENDERER_VERSION

    def as_json(self) -> dict:
        return asdict(self)

    def shows_as(self, stored: dict) -> bool:
        """Whether a stored render holds the same as this one, whatever its nonce."""
        if not stored or stored.get("nonce") is None:
            return False

        def unmarked(render: dict) -> dict:
            return {**render, "nonce": "", "html": render["html"].replace(render["nonce"], "")}

        return unmarked(stored) == unmarked(self.as_json())

    @classmethod
    def from_json(cls, stored: dict, body: str) -> "PreparedBody | None":
        """The stored render of `body`, or None when there is none or it is stale (made
        by another version of the renderer, or from another body)."""
        if not stored or stored.get("version") != RENDERER_VERSION:
            return None
        if {item.name for item in fields(cls)} != set(stored):
            return None
        prepared = cls(**stored)
        return prepared if prepared.digest == body_digest(body) else None


def _parse(body: str, *, preview: bool) -> tuple[str, dict, list[int]]:
    """Steps 1 and 2 and the figures: the sanitised HTML, the parser's env (nonce,
    references, buy sections) and the ids of the pictures that exist."""
    env = {"nonce": secrets.token_hex(8), "refs": [], "buy_sections": [], "list_refs": []}
    html = sanitise(markdown.render(body, env))
    html, image_ids = _embed_images(html, env, preview=preview)
    return html, env, image_ids


def prepare_body(body: str) -> PreparedBody:
    """What `Article.save` keeps: the body parsed, sanitised, with its figures in and the
    books it names resolved (two queries at most: the books, then aliases if needed)."""
    html, env, image_ids = _parse(body, preview=False)
    books = find_books(env["refs"], Book.objects.only("pk", "slug", "isbn13"))
    return PreparedBody(
        html=html,
        nonce=env["nonce"],
        refs=env["refs"],
        buy_sections=env["buy_sections"],
        book_ids={ref: book.pk for ref, book in books.items()},
        list_refs=env["list_refs"],
        image_ids=image_ids,
        digest=body_digest(body),
    )


def render_prepared(
    prepared: PreparedBody, *, source=None, context_label: str = ""
) -> RenderedBody:
    """A stored render made whole for readers: its cards as kept (no query) or stored (one,
    whatever their number), and the books of the others fetched by key, with all a card
    shows, in one query (and two for their credits and shop links), their cards kept and
    stored; the lists put in. A book no longer there (merged or deleted since) is looked
    for by its reference, as on save."""
    source_key = tag_for(source) if source is not None else "-"
    keys = {pk: f"card:{source_key}:{pk}" for pk in set(prepared.book_ids.values())}
    wanted = {key: [tag_for_id(Book, pk), SITE] for pk, key in keys.items()}
    # Cards kept in the shared cache (read with the page's other parts, no query), else
    # stored in the database by an earlier render (of this page before its article was
    # edited, or by another process, the cache evicted or absent): only the books
    # without either are read.
    with fragments.batch(wanted, version=CARD_VERSION) as kept:
        cards = {pk: kept.get(key) for pk, key in keys.items()}
        unkept = {keys[pk]: wanted[keys[pk]] for pk, card in cards.items() if card is None}
        with stored_parts.batch(unkept, version=CARD_VERSION) as stored:
            for pk, card in cards.items():
                if card is None and (card := stored.get(keys[pk])) is not None:
                    cards[pk] = card
                    kept.put(keys[pk], card)
            books = _books_for_cards([pk for pk, card in cards.items() if card is None], cards)
            try:
                rendered = _fill_prepared(prepared, books, cards, source, context_label)
            except _CardNotKept:
                # A kept book shown anew in another way (now under a "buy" heading): read.
                books = _books_for_cards(list(cards), cards)
                rendered = _fill_prepared(prepared, books, cards, source, context_label)
            # The shops as this process keeps them, if another's change cannot reach its
            # copy: a shop's change drops every page (SITE, catalogue.signals).
            shops_read = shops_read_at()
            copies = {SITE: shops_read} if shops_read is not None else {}
            for pk, card in cards.items():
                if card is not None and card.changed:
                    card.changed = False
                    kept.put(keys[pk], card)
                    stored.put(keys[pk], card, copies=copies)
    return rendered


class _CardNotKept(Exception):
    """A card must be rendered for a book only its kept facts are at hand for."""


def _books_for_cards(pks: list[int], cards: dict[int, "KeptCard | None"]) -> dict[int, Book]:
    """The books of `pks` as cards show them (one query, and two for their credits and
    shop links); each found gets a card to keep in `cards` if it had none."""
    books = Book.objects.for_cards().in_bulk(pks) if pks else {}
    for pk, book in books.items():
        if cards.get(pk) is None:
            public = book.status == Book.Status.PUBLISHED
            cards[pk] = KeptCard(book=BookFacts.of(book) if public else None)
    return books


def _fill_prepared(prepared, books, cards, source, context_label) -> RenderedBody:
    found = {}
    for ref, pk in prepared.book_ids.items():
        card = cards.get(pk)
        if card is not None and card.book is not None:
            found[ref] = books.get(pk, card.book)
    gone = [ref for ref, pk in prepared.book_ids.items() if cards.get(pk) is None]
    if gone:
        found.update(find_books(gone, Book.objects.public().for_cards()))
    return _fill(
        prepared.html,
        nonce=prepared.nonce,
        refs=prepared.refs,
        buy_sections=prepared.buy_sections,
        books=found,
        list_refs=prepared.list_refs,
        image_ids=prepared.image_ids,
        source=source,
        context_label=context_label,
        show_hidden=None,
        kept_cards={pk: card for pk, card in cards.items() if card is not None},
    )


def render_body(
    body: str,
    *,
    source=None,
    context_label: str = "",
    show_hidden: ShowHidden | None = None,
) -> RenderedBody:
    """Body Markdown to safe HTML with a card in place of every embed that resolves, all
    at once: previews of unsaved text, and a page whose stored render is stale.

    The one path for every preview of the article page. `source` is the page's object
    (the article): the cards' shop links count their clicks against it. A reference that
    no longer matches a public book renders nothing and logs a warning, unless
    `show_hidden` (the desk's previews) gives something to show in its place; with it,
    lists and pictures readers would not see are named in place too.
    """
    html, env, image_ids = _parse(body, preview=show_hidden is not None)
    return _fill(
        html,
        nonce=env["nonce"],
        refs=env["refs"],
        buy_sections=env["buy_sections"],
        books=find_books(env["refs"], Book.objects.public().for_cards()),
        list_refs=env["list_refs"],
        image_ids=image_ids,
        source=source,
        context_label=context_label,
        show_hidden=show_hidden,
    )


def _fill(
    html: str,
    *,
    nonce: str,
    refs: list[str],
    buy_sections: list[int | None],
    books: dict[str, "Book | BookFacts"],
    list_refs: list[str],
    image_ids: list[int],
    source,
    context_label: str,
    show_hidden: ShowHidden | None,
    kept_cards: dict[int, "KeptCard"] | None = None,
) -> RenderedBody:
    """Each card placeholder replaced by its public book's card (`books`, by reference),
    each list placeholder by its list. `kept_cards` (by book id) hold cards rendered
    before, and take the ones rendered now."""
    hidden = list(dict.fromkeys(ref for ref in refs if ref not in books))
    in_place = show_hidden(hidden) if hidden and show_hidden is not None else {}
    shown: dict[int, tuple[BookFacts, BookInFoot]] = {}
    sold: set[int] = set()  # the buy sections whose card is shown
    # One compiled template for every card, each book's card rendered once (as plain or
    # prominent): a book embedded five times costs one render.
    card_template = get_template("includes/book_card.html")
    cards: dict[tuple[int, bool], str] = {}
    kept_cards = kept_cards if kept_cards is not None else {}

    def replace(match: re.Match) -> str:
        if match["nonce"] != nonce:
            return ""
        ref = refs[int(match["index"])]
        book = books.get(ref)
        if book is None:
            if ref in in_place:
                return in_place[ref]
            logger.warning(
                "Embedded book [[book:%s]] in %s matches no public book; not shown.",
                ref,
                context_label or "an article",
            )
            return ""
        section = buy_sections[int(match["index"])]
        prominent = section is not None and section not in sold
        if prominent:
            sold.add(section)
        key = (book.pk, prominent)
        if key not in cards:
            kept = kept_cards.get(book.pk)
            if kept is not None and prominent in kept.html:
                shown.setdefault(book.pk, (kept.book, kept.foot))
                cards[key] = kept.html[prominent]
            else:
                if isinstance(book, BookFacts):
                    raise _CardNotKept
                context = book_card_context(book, source=source, prominent=prominent)
                foot = kept.foot if kept is not None and kept.foot else BookInFoot.of(context)
                facts = kept.book if kept is not None and kept.book else BookFacts.of(book)
                shown.setdefault(book.pk, (facts, foot))
                cards[key] = card_template.render(context)
                if kept is not None:
                    kept.keep(foot, prominent, cards[key])
        return cards[key]

    html = PLACEHOLDER.sub(replace, html) if refs else html
    html, lists, hidden_lists, list_book_ids = _embed_lists(
        html,
        nonce=nonce,
        refs=list_refs,
        source=source,
        context_label=context_label,
        preview=show_hidden is not None,
    )
    return RenderedBody(
        html=html,
        books=[book for book, _ in shown.values()],
        hidden=hidden,
        cards=[foot for _, foot in shown.values()],
        lists=lists,
        hidden_lists=hidden_lists,
        list_book_ids=list_book_ids,
        image_ids=image_ids,
    )


def _embed_images(html: str, env: dict, *, preview: bool) -> tuple[str, list[int]]:
    """Each `[[image:…]]` placeholder replaced by its picture's figure (one query for all
    of them), and the ids of the pictures that exist. A picture readers may not see (not
    ready, or none by that number) shows nothing, or, in a preview, a note saying why."""
    refs = env.get("image_refs", [])
    if not refs:
        return html, []
    ids = list(dict.fromkeys(pk for pk in map(image_id, refs) if pk is not None))
    # Only what a figure shows: columns added to pictures later do not break the data
    # migration that fills existing articles (0014), which runs this code.
    # (The file's width and height too, or Django reads them back one query a picture.)
    shown = ("status", "file", "width", "height", "renditions", "alt", "decorative")
    images = Image.objects.only(*shown, "caption", "credit", "licence").in_bulk(ids) if ids else {}
    figures: dict[str, str] = {}

    def replace(match: re.Match) -> str:
        if match["nonce"] != env["nonce"]:
            return ""
        ref = refs[int(match["index"])]
        if ref not in figures:
            image = images.get(image_id(ref))
            figure = figure_html(image) if image is not None else ""
            if not figure and preview:
                figure = render_to_string(
                    "articles/preview_missing_image.html", {"ref": ref, "image": image}
                )
            figures[ref] = figure
        return figures[ref]

    return IMAGE_PLACEHOLDER.sub(replace, html), [pk for pk in ids if pk in images]


def _embed_lists(
    html: str, *, nonce: str, refs: list[str], source, context_label: str, preview: bool
) -> tuple[SafeString, list[ReadingList], list[str], list[int]]:
    """Each `[[list:…]]` placeholder replaced by its public list (two queries for all of
    them: the lists, then their books' places); one no public list matches shows nothing
    (a warning is logged), or, in a preview, a note saying readers see nothing there."""
    if not refs:
        return mark_safe(html), [], [], []
    lists = find_lists(refs, ReadingList.objects.published())
    places: dict[int, list[ReadingListItem]] = {
        reading_list.pk: [] for reading_list in lists.values()
    }
    for place in ReadingListItem.objects.filter(reading_list__in=places).with_cards():
        places[place.reading_list_id].append(place)
    hidden = list(dict.fromkeys(ref for ref in refs if ref not in lists))
    existing = find_lists(hidden) if hidden and preview else {}
    shown: dict[int, ReadingList] = {}

    def replace(match: re.Match) -> str:
        if match["nonce"] != nonce:
            return ""
        ref = refs[int(match["index"])]
        reading_list = lists.get(ref)
        if reading_list is None:
            if preview:
                return render_to_string(
                    "includes/reading_list_missing.html",
                    {"ref": ref, "reading_list": existing.get(ref)},
                )
            logger.warning(
                "Embedded list [[list:%s]] in %s matches no public reading list; not shown.",
                ref,
                context_label or "an article",
            )
            return ""
        shown.setdefault(reading_list.pk, reading_list)
        entries = list_entries(reading_list, places[reading_list.pk], source=source)
        return render_to_string(
            "includes/reading_list_embed.html", {"reading_list": reading_list, "entries": entries}
        )

    html = mark_safe(LIST_PLACEHOLDER.sub(replace, html))
    book_ids = [place.book_id for pk in shown for place in places[pk]]
    return html, list(shown.values()), hidden, list(dict.fromkeys(book_ids))


def plain_text(body: str) -> str:
    """The body's words without Markdown syntax, HTML or embeds: for teasers and search."""
    words = []
    for token in markdown.parse(body):
        if token.type == "inline" and token.children:
            parts = [
                " " if child.type in ("softbreak", "hardbreak") else child.content
                for child in token.children
                if child.type in ("text", "code_inline", "softbreak", "hardbreak")
            ]
            words.append("".join(parts))
        elif token.type in ("code_block", "fence"):
            words.append(token.content)
    return re.sub(r"\s+", " ", " ".join(words)).strip()


def cut_at_word(text: str, limit: int) -> str:
    """Text no longer than `limit`, cut at a word boundary and marked with “…” when cut."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    if not text[limit].isspace() and re.search(r"\s", cut):
        cut = re.sub(r"\s+\S*$", "", cut)  # drop the word the limit fell inside
    return cut.rstrip(" ,;:.-–—") + "…"
