"""The book picker behind `[[` in an article's body (desk/static/desk/book_picker.js):
the books that match what the editor typed, as JSON, drafts and withdrawn books too."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse

from ..covers import cover_hue, thumbnail_url
from ..models import Book

PICKER_LIMIT = 10
# The picker shows covers 40 px wide; a rendition at least that wide (the smallest is 160).
COVER_WIDTH = 40


def picker_entry(book: Book) -> dict:
    """What the picker shows of a book, and the line it inserts."""
    cover = thumbnail_url(book, COVER_WIDTH)
    return {
        "slug": book.slug,
        "title": book.title,
        "authors": ", ".join(str(credit) for credit in book.credits),
        "year": book.publication_label or None,
        "status": book.status,
        "status_label": book.get_status_display(),
        "cover": cover,
        # Which of the drawn covers' colours (catalogue.covers.PALETTE) to draw it in.
        "hue": None if cover else cover_hue(book.title),
        "embed": f"[[book:{book.slug}]]",
    }


def picker_view(model_admin, request: HttpRequest) -> JsonResponse:
    """GET ?q=: the best matches for a title, author, ISBN or slug, exact hits first.

    Behind admin_view, so only staff get here, and answered `Cache-Control: no-store`.
    """
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    # The admin's queryset is the book list's: ready for cards (credits prefetched).
    books = model_admin.get_queryset(request).desk_search(request.GET.get("q", ""))
    return JsonResponse({"results": [picker_entry(book) for book in books[:PICKER_LIMIT]]})
