"""schema.org structured data (JSON-LD) for the pages that show books."""

from django.http import HttpRequest
from django.utils.safestring import SafeString

from shared.structured_data import json_ld_script

from .cards import cover_image
from .models import Book, Contribution
from .shops import ShopLinks, links_for


def book_json_ld(book: Book, request: HttpRequest) -> SafeString:
    """schema.org Book as JSON-LD; AggregateRating only from ratings given on this site.

    Imported or editor-entered figures are shown on the page with their source, but
    never marked up: search engines treat copied ratings as spam.
    """
    data = {
        "@context": "https://schema.org",
        "@type": "Book",
        "name": book.full_title,
        "url": request.build_absolute_uri(book.get_absolute_url()),
        "author": [
            {"@type": "Person", "name": credit.author.name}
            for credit in book.credits
            if credit.role == Contribution.Role.AUTHOR
        ],
    }
    if book.isbn13:
        data["isbn"] = book.isbn13
    if book.language:
        data["inLanguage"] = book.language
    if book.print_length:
        data["numberOfPages"] = book.print_length
    if book.publisher:
        data["publisher"] = {"@type": "Organization", "name": book.publisher}
    if book.publication_year and book.publication_year > 0:
        data["datePublished"] = str(book.publication_year)
    cover = cover_image(book)
    if cover:
        data["image"] = request.build_absolute_uri(cover.src)
    data.update(accessibility(book))
    offers = offers_for(links_for(book, source=book))
    if offers:
        data["offers"] = offers
    site_count = sum(book.site_histogram)
    if site_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": str(book.site_rating_average),
            "ratingCount": site_count,
            "bestRating": 5,
            "worstRating": 1,
        }
    return json_ld_script(data)


# What the card's reading features say in schema.org's accessibility vocabulary (the
# W3C's "Schema.org Accessibility Properties for Discoverability Vocabulary"), where a
# term means the same thing. A Kindle-style "Screen Reader: Supported" says the text can
# be read wholly by a screen reader: the text alone suffices (accessModeSufficient
# "textual", from which the W3C's display guide says "readable in read aloud or dynamic
# braille"), and the content is text (accessMode "textual"). The others have no term:
# "ttsMarkup" means pronunciation markup (SSML, PLS) in the content, not a device that
# reads aloud; "displayTransformability" means styling the reader controls, not Amazon's
# typesetting engine; X-Ray and Word Wise are a retailer's features. Those, and any
# feature that is off or unsupported, are said as the card says them (additionalProperty).
FEATURES = ["text_to_speech", "screen_reader", "enhanced_typesetting", "x_ray", "word_wise"]


def accessibility(book: Book) -> dict:
    """accessMode and accessModeSufficient where the card's features mean them, and the
    rest as additionalProperty in the card's words ("Text-to-Speech": "Enabled")."""
    data, properties = {}, []
    for name in FEATURES:
        value = getattr(book, name)
        if not value:
            continue  # unknown: the card does not show it either
        if name == "screen_reader" and value == Book.Supported.SUPPORTED:
            data["accessMode"] = ["textual"]
            data["accessModeSufficient"] = [{"@type": "ItemList", "itemListElement": ["textual"]}]
            continue
        properties.append(
            {
                "@type": "PropertyValue",
                "name": str(book._meta.get_field(name).verbose_name),
                "value": getattr(book, f"get_{name}_display")(),
            }
        )
    if properties:
        data["additionalProperty"] = properties
    return data


def offers_for(links: ShopLinks) -> list[dict]:
    """An Offer for each buy link whose price an editor gave; none is ever guessed. Its
    url is the shop's own page for the book, where the offer is."""
    return [
        {
            "@type": "Offer",
            "price": f"{link.price:.2f}",
            "priceCurrency": link.currency,
            "url": link.destination,
            "seller": {"@type": "Organization", "name": link.shop.name},
        }
        for link in links.buy
        if link.price is not None and link.currency
    ]
