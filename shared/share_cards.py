"""What a page says about itself when it is shared: the Open Graph and Twitter card
values, ready for templates/includes/share_tags.html. Knows no domain model: each app
builds the cards of its own pages from these."""

from dataclasses import dataclass, field

# The size social networks show across a post (Open Graph's and X's large card).
LARGE_IMAGE_SIZE = (1200, 630)


@dataclass(frozen=True)
class ShareImage:
    """A picture a page is shared with: an absolute address, its size where known (it
    is stated only when it is the picture's real size), and what it shows, in words."""

    url: str
    alt: str
    width: int | None = None
    height: int | None = None

    @property
    def is_large(self) -> bool:
        """Fills the large card: made for it (LARGE_IMAGE_SIZE), or a landscape picture
        at least as wide (an article's featured photograph); a cover is tall."""
        if not (self.width and self.height):
            return False
        return self.width >= LARGE_IMAGE_SIZE[0] and self.width > self.height


@dataclass(frozen=True)
class ShareCard:
    """One page's card. `properties` are the type's own (`article:section`,
    `book:isbn`), as (property, content) pairs in the order they are written; none of it
    may depend on who asks: pages are cached for everyone."""

    title: str
    description: str
    url: str
    site_name: str
    image: ShareImage
    type: str = "website"
    locale: str = "en_GB"
    properties: list[tuple[str, str]] = field(default_factory=list)

    @property
    def twitter_card(self) -> str:
        """X's large card only for a picture wide enough for it; a cover (tall) fits the small."""
        return "summary_large_image" if self.image.is_large else "summary"


def og_locale(language_code: str) -> str:
    """Django's "en-gb" as Open Graph writes it: "en_GB"."""
    language, _, region = language_code.partition("-")
    return f"{language.lower()}_{region.upper()}" if region else language.lower()
