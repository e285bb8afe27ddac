"""The reading lists' pages: every published list, and a list with its books."""

from django.db.models import Count, Q
from django.http import Http404, HttpRequest
from django.utils.safestring import SafeString
from django.views.generic import DetailView, ListView

from pagecache.tags import list_of, tag_for, tags_for_ids
from pagecache.views import CachedPageMixin
from shared.paging import CappedPaginator
from shared.redirects import redirect_from_old_address
from shared.structured_data import json_ld_script

from .list_cards import ListEntry, list_entries
from .models import Book
from .reading_lists import ReadingList, ReadingListAlias

LISTS_PER_PAGE = 20


class ReadingListIndexView(CachedPageMixin, ListView):
    """Every published list, newest first, with how many books each shows."""

    context_object_name = "reading_lists"
    paginate_by = LISTS_PER_PAGE
    paginator_class = CappedPaginator
    template_name = "catalogue/list_list.html"

    def get_queryset(self):
        # Read at each request: published() compares with the clock (scheduled lists).
        shown = Q(items__book__status=Book.Status.PUBLISHED)
        return (
            ReadingList.objects.published()
            .annotate(book_count=Count("items", filter=shown))
            .order_by("-published_at", "-pk")
        )

    def cache_tags(self):
        # A list's count changes with its books: any list change drops the index.
        return [list_of(ReadingList)]


class ReadingListDetailView(CachedPageMixin, DetailView):
    """A list: its introduction, then its public books as cards, each with its note."""

    context_object_name = "reading_list"
    template_name = "catalogue/list_detail.html"

    def get_queryset(self):
        return ReadingList.objects.published()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A renamed list: its old address leads to the new one, in one hop.
            aliases = ReadingListAlias.objects.filter(
                reading_list__in=ReadingList.objects.published()
            )
            moved = redirect_from_old_address(
                aliases.select_related("reading_list"), kwargs["slug"]
            )
            if moved is None:
                raise
            return moved

    def get_context_data(self, **kwargs):
        self.entries = list_entries(self.object, source=self.object)
        return super().get_context_data(
            entries=self.entries,
            json_ld=reading_list_json_ld(self.object, self.entries, self.request),
            **kwargs,
        )

    def cache_tags(self):
        return [
            tag_for(self.object),
            *tags_for_ids(Book, [entry.book.pk for entry in self.entries]),
            list_of(ReadingList),
        ]


def reading_list_json_ld(
    reading_list: ReadingList, entries: list[ListEntry], request: HttpRequest
) -> SafeString:
    """schema.org ItemList as JSON-LD: the books shown, in order, each by its page."""
    url = request.build_absolute_uri(reading_list.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": reading_list.title,
        "url": url,
        "itemListOrder": "https://schema.org/ItemListOrderAscending",
        "numberOfItems": len(entries),
        "itemListElement": [
            {
                "@type": "ListItem",
                "position": entry.position,
                "url": request.build_absolute_uri(entry.book.get_absolute_url()),
                "name": entry.book.full_title,
            }
            for entry in entries
        ],
    }
    if reading_list.introduction:
        data["description"] = reading_list.introduction[:300]
    return json_ld_script(data)
