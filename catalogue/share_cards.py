"""What a book's or an author's page says when it is shared (Open Graph, Twitter card),
and the drawn cover that stands for a book without a picture of its own."""

import hashlib
from collections.abc import Callable, Sequence

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.text import Truncator
from django.views.decorators.http import require_safe

from shared.share_cards import ShareCard, ShareImage, og_locale

from .covers import COVER_SIZE, draw_cover, is_held, renditions_of
from .models import Author, Book, Contribution

DESCRIPTION_LENGTH = 200  # as the pages' own meta description

# Turns a path or an address into an absolute address (request.build_absolute_uri).
Absolute = Callable[[str], str]


def first_author_name(book: Book) -> str:
    """The name a drawn cover carries: the first credited author (the card's order)."""
    authors = [credit for credit in book.credits if credit.role == Contribution.Role.AUTHOR]
    credit = (authors or book.credits or [None])[0]
    return credit.author.name if credit else ""


def drawn_cover_key(book: Book) -> str:
    """What the drawn cover shows, as a short hash: its address changes with it, so the
    picture may be kept for good by browsers and shared caches."""
    shown = f"{book.title}\n{first_author_name(book)}"
    return hashlib.sha256(shown.encode()).hexdigest()[:16]


def drawn_cover_url(book: Book) -> str:
    return reverse(
        "catalogue:book-drawn-cover", kwargs={"slug": book.slug, "key": drawn_cover_key(book)}
    )


def cover_share_image(book: Book, absolute: Absolute) -> ShareImage:
    """The book's cover to share: its largest rendition, else its cleaned upload, else the
    imported address (its size unknown: we never fetch it, so none is claimed), else the
    drawn cover. An upload still held is never shown (as on the card)."""
    alt = f"Cover of {book.title}"
    renditions = renditions_of(book)
    if renditions:
        largest = renditions[-1]
        url = book.cover.storage.url(largest.jpeg)
        return ShareImage(absolute(url), alt, largest.width, largest.height)
    if book.cover and not is_held(book.cover.name):
        return ShareImage(absolute(book.cover.url), alt, book.cover_width, book.cover_height)
    if book.cover_url.startswith(("https://", "http://")):
        return ShareImage(book.cover_url, alt)
    width, height = COVER_SIZE
    return ShareImage(absolute(drawn_cover_url(book)), alt, width, height)


def book_share_card(book: Book, *, url: str, absolute: Absolute) -> ShareCard:
    """A book page's card (`url`: its canonical address): type `book`, its ISBN, its
    authors' pages, its release date."""
    properties = [("book:isbn", book.isbn13)] if book.isbn13 else []
    properties += [
        # Open Graph's book:author is a profile: the author's page here.
        ("book:author", absolute(credit.author.get_absolute_url()))
        for credit in book.credits
        if credit.role == Contribution.Role.AUTHOR
    ]
    if book.publication_date:
        properties.append(("book:release_date", book.publication_date.isoformat()))
    return ShareCard(
        title=book.full_title,
        description=Truncator(book.description or book.full_title).chars(DESCRIPTION_LENGTH),
        url=url,
        site_name=settings.SITE_NAME,
        image=cover_share_image(book, absolute),
        type="book",
        locale=og_locale(settings.LANGUAGE_CODE),
        properties=properties,
    )


def author_share_card(
    author: Author,
    books: Sequence[Book],
    *,
    url: str,
    absolute: Absolute,
    default_image: ShareImage,
) -> ShareCard:
    """An author page's card: a profile, shown with the cover of the first book listed
    (`books`, the page's own, already loaded), or the site's picture."""
    description = (
        Truncator(author.bio).chars(DESCRIPTION_LENGTH)
        if author.bio
        else f"Books by {author.name} in the {settings.SITE_NAME} catalogue."
    )
    return ShareCard(
        title=author.name,
        description=description,
        url=url,
        site_name=settings.SITE_NAME,
        image=cover_share_image(books[0], absolute) if books else default_image,
        type="profile",
        locale=og_locale(settings.LANGUAGE_CODE),
    )


@require_safe
def drawn_cover_view(request, slug: str, key: str) -> HttpResponse:
    """The drawn cover of a public book without a picture, as a JPEG: what its page is
    shared with. Its address names what it shows (`drawn_cover_key`), so it is kept a year;
    an old address leads to the current picture."""
    book = get_object_or_404(Book.objects.public().with_credits(), slug=slug)
    if key != drawn_cover_key(book):
        return redirect(drawn_cover_url(book))
    response = HttpResponse(
        draw_cover(book.title, first_author_name(book)).read(), content_type="image/jpeg"
    )
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def reading_list_share_card(
    reading_list, books: Sequence[Book], *, url: str, absolute: Absolute, default_image: ShareImage
) -> ShareCard:
    """A reading list's card, shown with the cover of its first book (`books`: those the
    page shows, in order, already loaded), or the site's picture."""
    return ShareCard(
        title=reading_list.title,
        description=Truncator(reading_list.introduction or reading_list.title).chars(
            DESCRIPTION_LENGTH
        ),
        url=url,
        site_name=settings.SITE_NAME,
        image=cover_share_image(books[0], absolute) if books else default_image,
        locale=og_locale(settings.LANGUAGE_CODE),
    )
