"""Template tags of the articles app."""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from catalogue.templatetags.catalogue_tags import JSON_ESCAPES

register = template.Library()


@register.simple_tag(takes_context=True)
def article_json_ld(context, article, books=()) -> str:
    """schema.org Article as JSON-LD, naming the books it embeds as what it is about."""
    request = context["request"]
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
    payload = json.dumps(data, ensure_ascii=False).translate(JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))
