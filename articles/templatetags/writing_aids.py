"""`{% reading_rule_attributes %}`: the server's rule for an article's words and reading
time (articles.models WORD, WORDS_PER_MINUTE), as data attributes for the desk's live word
count (desk/static/desk/word_count.js), so the count beside the body is the one the
article's page will show, not a rule of the script's own."""

from django import template
from django.utils.html import format_html

from articles.models import WORD, WORDS_PER_MINUTE

register = template.Library()


@register.simple_tag
def reading_rule_attributes() -> str:
    return format_html(
        'data-words-per-minute="{}" data-word-pattern="{}"', WORDS_PER_MINUTE, WORD.pattern
    )
