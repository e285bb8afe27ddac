"""Readers' ratings in the desk, for moderation: editors inspect and remove them, and
approve or remove the ones held back (a burst of newcomers from one address)."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.utils.formats import date_format

from desk.admin import AsksBeforeActions, render_display
from shared.paging import CappedPaginator

from ..models import STARS, Book, Rating
from ..ratings import approve_ratings, remove_ratings

# Times in the list as the article list gives them, the zone in the column's head: Django's
# "7 Dec 2026, 7:53 a.m." said no zone and pushed the last column past a 1280 px screen.
LISTED_TIME = "j M Y, H:i"


class ScoreFilter(admin.SimpleListFilter):
    """1 to 5 stars, named without asking the table (its DISTINCT read ten million rows)."""

    title = "score"
    parameter_name = "score__exact"  # the address Django's own filter gave it

    def lookups(self, request, model_admin):
        return [(str(star), f"{star} star{pluralize(star)}") for star in STARS]

    def queryset(self, request, queryset):
        if self.value() in {str(star) for star in STARS}:
            return queryset.filter(score=int(self.value()))
        return queryset


class ReaderFilter(admin.SimpleListFilter):
    """Signed-in readers or anonymous visitors (Django's empty-field filter said "By user:
    Empty, Not empty")."""

    title = "reader"
    parameter_name = "user__isempty"  # the address Django's own filter gave it

    def lookups(self, request, model_admin):
        return [("0", "Signed-in readers"), ("1", "Anonymous visitors")]

    def queryset(self, request, queryset):
        if self.value() in {"0", "1"}:
            return queryset.filter(user__isnull=self.value() == "1")
        return queryset


@admin.register(Rating)
class RatingAdmin(AsksBeforeActions, admin.ModelAdmin):
    """Moderation: ratings come from readers; editors inspect and remove them."""

    list_display = [
        "book", "score", "status", "reader_link", "address_link", "rated_at", "changed_at",
    ]  # fmt: skip
    # "status" lists its two choices without asking the table; held ones have an index.
    list_filter = ["status", ScoreFilter, "created_at", ReaderFilter]
    search_fields = ["book__title", "user__username", "=visitor", "=ip_hash"]
    list_select_related = ["book", "user"]
    # Ten million ratings: no full count per page, no date hierarchy (its year links
    # read every row); the "created at" filter narrows by date instead.
    paginator = CappedPaginator
    show_full_result_count = False
    fields = ["book", "score", "status", "user", "visitor", "ip_hash", "created_at", "updated_at"]
    readonly_fields = fields
    actions = [
        "approve_selected",
        "remove_selected",
        "remove_by_same_readers",
        "remove_from_same_addresses",
    ]
    action_questions = {
        "remove_selected": "Remove the selected ratings ({count})? The books' figures follow; "
        "this cannot be undone.",
        "remove_by_same_readers": "Remove every rating, on every book, by the readers of the "
        "selected ratings ({count})? This cannot be undone.",
        "remove_from_same_addresses": "Remove every rating, on every book, from the addresses "
        "of the selected ratings ({count})? This cannot be undone.",
    }

    def changelist_view(self, request, extra_context=None):
        narrowed = self.narrowed_to(request)
        context = {"title": narrowed} if narrowed else {}
        return super().changelist_view(request, {**context, **(extra_context or {})})

    def narrowed_to(self, request) -> str | None:
        """The list's title when a link narrowed it to one book, reader or address (the
        book page's "Moderate this book's ratings", a rating's reader or address): the
        list said "Select rating to view", as for every rating."""
        query = request.GET
        book_id = query.get("book__id__exact", "")
        book = Book.objects.filter(pk=book_id).first() if book_id.isdecimal() else None
        if book is not None:
            return f"Ratings of “{book}”"
        user_id = query.get("user__id__exact", "")
        user = get_user_model().objects.filter(pk=user_id).first() if user_id.isdecimal() else None
        if user is not None:
            return f"Ratings by {user}"
        if query.get("visitor"):
            return f"Ratings by visitor {query['visitor'][:8]}"
        if query.get("ip_hash"):
            return "Ratings from one address"
        return None

    @admin.display(description=f"Rated ({settings.TIME_ZONE})", ordering="created_at")
    def rated_at(self, rating):
        return date_format(timezone.localtime(rating.created_at), LISTED_TIME)

    @admin.display(description=f"Changed ({settings.TIME_ZONE})", ordering="updated_at")
    def changed_at(self, rating):
        return date_format(timezone.localtime(rating.updated_at), LISTED_TIME)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_moderate_permission(self, request):
        """Approving a held rating moves a book's figures as removing one does."""
        return self.has_delete_permission(request)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # replaced by remove_selected, which recounts
        return actions

    @admin.display(description="Reader", ordering="visitor")
    def reader_link(self, rating):
        query = (
            f"user__id__exact={rating.user_id}" if rating.user_id else f"visitor={rating.visitor}"
        )
        return render_display(
            "admin/catalogue/rating/filter_link.html",
            {"query": query, "title": "All ratings by this reader", "text": rating.reader},
        )

    @admin.display(description="Address (hashed)", ordering="ip_hash")
    def address_link(self, rating):
        if not rating.ip_hash:
            return "—"
        return render_display(
            "admin/catalogue/rating/filter_link.html",
            {
                "query": f"ip_hash={rating.ip_hash}",
                "title": "All ratings from this address",
                "text": f"{rating.ip_hash[:10]}…",
            },
        )

    def delete_model(self, request, obj):
        remove_ratings(Rating.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        remove_ratings(queryset)

    def _removed(self, request, count: int, what: str) -> None:
        self.message_user(
            request, f"Removed {count} rating{pluralize(count)} {what}; the books' figures follow."
        )

    @admin.action(description="Approve selected held ratings", permissions=["moderate"])
    def approve_selected(self, request, queryset):
        count = approve_ratings(queryset)
        self.message_user(
            request, f"Approved {count} held rating{pluralize(count)}; the books' figures follow."
        )

    @admin.action(description="Remove selected ratings", permissions=["delete"])
    def remove_selected(self, request, queryset):
        self._removed(request, remove_ratings(queryset), "")

    @admin.action(
        description="Remove every rating by the selected ratings' readers", permissions=["delete"]
    )
    def remove_by_same_readers(self, request, queryset):
        users = {r.user_id for r in queryset if r.user_id}
        visitors = {r.visitor for r in queryset if not r.user_id}
        readers = Rating.objects.filter(
            Q(user__in=users) | Q(user__isnull=True, visitor__in=visitors)
        )
        self._removed(request, remove_ratings(readers), "by those readers")

    @admin.action(
        description="Remove every rating from the selected ratings' addresses",
        permissions=["delete"],
    )
    def remove_from_same_addresses(self, request, queryset):
        addresses = {r.ip_hash for r in queryset if r.ip_hash}
        self._removed(
            request,
            remove_ratings(Rating.objects.filter(ip_hash__in=addresses)),
            "from those addresses",
        )
