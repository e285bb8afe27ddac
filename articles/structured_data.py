"""schema.org structured data (JSON-LD) for article pages."""

from django.http import HttpRequest
from django.utils.safestring import SafeString

from catalogue.structured_data import json_ld_script

from .models import Article


def article_json_ld(article: Article, books, request: HttpRequest) -> SafeString:
    """schema.org Article as JSON-LD, naming the books it embeds as what it is about."""
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": article.title[:110],
        "description": article.teaser,
        "url": request.build_absolute_uri(article.get_absolute_url()),
        "mainEntityOfPage": request.build_absolute_uri(article.get_absolute_url()),
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "publisher": {"@type": "Organization", "name": "Colophon"},
        # The reading time the page shows, as an ISO 8601 duration, and the words it
        # is counted from (articles.models.WORDS_PER_MINUTE).
        "timeRequired": f"PT{article.reading_minutes}M",
        "wordCount": article.word_count,
    }
    if article.byline:
        data["author"] = {"@type": "Person", "name": article.byline}
    about = []
    for book in books:
        entry = {
            "@type": "Book",
            "name": book.full_title,
            "url": request.build_absolute_uri(book.get_absolute_url()),
        }
        if book.isbn13:
            entry["isbn"] = book.isbn13
        about.append(entry)
    if about:
        data["about"] = about
    return json_ld_script(data)
