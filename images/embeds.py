"""The `<figure>` an article body shows for `[[image:ID]]`.

It is made when the article is saved (articles/rendering.py inserts it after the body's
Markdown is sanitised, so nothing an editor types can produce this markup), and again
whenever the picture's words or renditions change (`images.signals.image_changed`).
"""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from .models import Image
from .responsive import credit_line, picture

# How wide an article's text column shows a figure (.article in site.css: 42rem, or the
# screen less its margins): the browser fetches the narrowest rendition that fills it.
BODY_SIZES = "(max-width: 44.5rem) calc(100vw - 2.5rem), 42rem"
FALLBACK_WIDTH = 800  # the <img>'s own src and size, where srcset is not understood


def figure_html(image: Image) -> SafeString:
    """The picture (lazy), its caption and "credit · licence" under it; "" for a picture
    readers may not see (not prepared yet, or failed)."""
    shown = picture(image, sizes=BODY_SIZES, fallback_width=FALLBACK_WIDTH)
    if shown is None:
        return SafeString("")
    return render_to_string(
        "includes/figure.html",
        {"picture": shown, "caption": image.caption.strip(), "credit": credit_line(image)},
    )
