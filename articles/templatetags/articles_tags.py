"""`{% article_json_ld %}`: an article page's structured data."""

from django import template

from articles import structured_data

register = template.Library()


@register.simple_tag(takes_context=True)
def article_json_ld(context, article, books=()) -> str:
    return structured_data.article_json_ld(article, books, context["request"])
