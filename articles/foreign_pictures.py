"""Pictures on other sites in an article's body: `![…](https://elsewhere/…)`, or an
<img> in its HTML. The pages' security policy (CONTENT_SECURITY_POLICY, img-src) lets a
reader's browser load pictures from this site and the covers' hosts alone, so readers
would see an empty space. The desk's previews name each one where it stands and the
article form refuses to save them, each with a link that brings the picture into the
library (its add form, the address filled in), to embed as `[[image:ID]]`.

Our own pictures stay allowed: an address under MEDIA_URL or STATIC_URL, or a path on
this site. Only http(s) addresses on another host are foreign; the sanitiser drops other
schemes (data:, javascript:) anyway."""

import html
import re
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# CommonMark with HTML, as bodies are written (articles.rendering); embed lines read as
# paragraphs here, which holds no picture.
markdown = MarkdownIt("commonmark", {"html": True})
IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
SRC_ATTRIBUTE = re.compile(r"""\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


# What a browser drops from an address before reading it (the WHATWG URL standard):
# controls and spaces around it, tabs and newlines anywhere in it.
AROUND = "".join(map(chr, range(0x21)))
INSIDE = str.maketrans("", "", "\t\n\r")


def is_foreign(address: str) -> bool:
    """Whether readers' browsers would be refused the picture at `address`, read as they
    read it: a backslash is a slash (`\\\\host/x`, `/\\host/x` are on another host), and
    `https:host/x` is on another host from a page served over http."""
    address = address.strip(AROUND).translate(INSIDE).replace("\\", "/")
    ours = [str(settings.MEDIA_URL), str(settings.STATIC_URL)]
    if any(address.startswith(prefix) for prefix in ours if "//" in prefix):
        return False  # media or static files on their own host (an object store, a CDN)
    parts = urlsplit(address)
    if parts.scheme and parts.scheme.lower() not in ("http", "https"):
        return False
    # "//host/…" too: a path alone is on this site
    return bool(parts.netloc) or bool(parts.scheme)


class _ImageSources(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sources: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.sources += [value for name, value in attrs if name == "src" and value]

    handle_startendtag = handle_starttag


def _sources_in_html(fragment: str) -> list[str]:
    parser = _ImageSources()
    parser.feed(fragment)
    parser.close()
    return parser.sources


def foreign_picture_addresses(body: str) -> list[str]:
    """Every foreign picture's address in the body, once each, in order of appearance."""
    found: list[str] = []
    for token in markdown.parse(body):
        if token.type == "html_block":
            found += _sources_in_html(token.content)
        for child in token.children or ():
            if child.type == "image":
                found.append(str(child.attrs.get("src", "")))
            elif child.type == "html_inline":
                found += _sources_in_html(child.content)
    return list(dict.fromkeys(address for address in found if is_foreign(address)))


def library_add_url(address: str) -> str:
    """The desk's form that adds a picture to the library, with its source filled in."""
    return f"{reverse('admin:images_image_add')}?{urlencode({'source_url': address})}"


def flag_foreign_pictures(rendered: str, addresses: list[str]) -> SafeString:
    """The rendered body with a note in place of each picture at one of `addresses` (the
    body's foreign pictures): what readers would see there is nothing."""
    foreign = set(addresses)
    if not foreign:
        return mark_safe(rendered)

    def replace(match: re.Match) -> str:
        source = SRC_ATTRIBUTE.search(match.group(0))
        address = html.unescape(next(filter(None, source.groups()), "")) if source else ""
        if address not in foreign:
            return match.group(0)
        return render_to_string(
            "articles/preview_foreign_picture.html",
            {"address": address, "add_url": library_add_url(address)},
        ).strip()

    return mark_safe(IMG_TAG.sub(replace, rendered))
