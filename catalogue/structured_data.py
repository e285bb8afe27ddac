"""schema.org structured data (JSON-LD) for the pages that show books."""

import json

from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .cards import cover_image
from .models import Book, Contribution

# Inside <script>, "</script>" or "<!--" in a value would end or confuse the element.
JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def json_ld_script(data: dict) -> SafeString:
    payload = json.dumps(data, ensure_ascii=False).translate(JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))


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
