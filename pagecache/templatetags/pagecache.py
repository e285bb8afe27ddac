from django import template

from pagecache.visitor_parts import placeholder

register = template.Library()


@register.simple_tag
def visitor_part(name: str, argument: object = "") -> str:
    """`{% visitor_part "rating-form" book.pk %}`: filled for each visitor (see
    pagecache/visitor_parts.py); the page around it is shared."""
    return placeholder(name, argument)
