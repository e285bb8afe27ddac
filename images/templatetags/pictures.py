"""`{% featured_image %}` and `{% teaser_thumbnail %}`: a library picture where a page
shows one outside an article's body (the body's figures are baked in at save:
images/embeds.py). Each knows how wide its place is (site.css): `sizes` lets the browser
fetch the narrowest rendition that fills it. Nothing for a picture readers may not see."""

from django import template

from images.models import Image
from images.responsive import credit_line, picture

register = template.Library()

# The article's column (.article in site.css: 42rem), or the screen less its margins.
FEATURED_SIZES = "(max-width: 44.5rem) calc(100vw - 2.5rem), 42rem"
# A teaser's thumbnail (.teaser__thumbnail: 7.5rem, 5rem on phones).
THUMBNAIL_SIZES = "(max-width: 32rem) 5rem, 7.5rem"


@register.inclusion_tag("includes/featured_image.html")
def featured_image(image: Image | None, preview: bool = False) -> dict:
    """The large picture at an article's top, with its caption and credit. In a preview,
    a picture still being prepared (or that failed) is named by a note instead: readers
    see the article without it until it is ready."""
    shown = picture(image, sizes=FEATURED_SIZES, fallback_width=800)
    return {
        "picture": shown,
        "image": image,
        "caption": image.caption.strip() if shown else "",
        "credit": credit_line(image) if shown else "",
        "not_ready": preview and image is not None and shown is None,
    }


@register.inclusion_tag("includes/picture.html")
def teaser_thumbnail(image: Image | None) -> dict:
    """The small picture in a teaser, alt "": the linked title beside it says where it
    leads, and a list read aloud stays a list of titles, not of descriptions too."""
    return {
        "picture": picture(image, sizes=THUMBNAIL_SIZES, fallback_width=400),
        "alt": "",
        "class_name": "teaser__thumbnail",
    }
