"""Reading lists in the desk: the list and its books in order (each picked through the
catalogue's search, with the editor's note), where the list is used, saves that never
overwrite a colleague's, and a history of versions (django-reversion, the books' places
kept with each version)."""

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from reversion.admin import VersionAdmin

from desk.admin import ConflictSafeAdmin, FreeSlugOnAdd, render_display
from desk.deleting import deleted_objects_naming_embeds, titles
from desk.forms import ConflictSafeForm
from desk.formsets import BlankPlaceGoesLast, SwapSafeInlineFormSet
from desk.viewers import NamesOnlyWhatTheyMayOpen, may_open
from shared.delete_warnings import warn_if_shown

from ..models import Book
from ..reading_lists import ReadingList, ReadingListItem
from ..where_used import lost_list, where_used

# A version of a list keeps its books' places: a restore brings back its books and notes.
reversion.register(ReadingListItem)
reversion.register(ReadingList, follow=["items"])


class ReadingListAdminForm(ConflictSafeForm):
    # Shown (as a checkbox) only when a change would take the list away from articles
    # readers see: the editor confirms having read which ones.
    confirm_hiding = forms.BooleanField(
        label="Take the list out of these articles", required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = ReadingList
        fields = ["title", "slug", "status", "published_at", "introduction"]

    def clean(self):
        cleaned = super().clean()
        status, published_at = cleaned.get("status"), cleaned.get("published_at")
        # A live list leaves readers' articles when it stops being published, or when
        # its publication time moves into the future (the instance is still as stored).
        rescheduled = (
            status == ReadingList.Status.PUBLISHED
            and published_at is not None
            and published_at > timezone.now()
        )
        hides = (
            self.instance.pk
            and self.instance.is_public
            and status is not None
            and (status != ReadingList.Status.PUBLISHED or rescheduled)
        )
        if hides and not cleaned.get("confirm_hiding"):
            shown = where_used(self.instance).shown
            if shown:
                self.fields["confirm_hiding"].widget = forms.CheckboxInput()
                self.add_error(
                    "status",
                    ValidationError(
                        "%(title)s is shown in %(articles)s. Once it is %(status)s, it "
                        "disappears from them. Tick “Take the list out of these articles” "
                        "to confirm, or keep it published.",
                        code="list_in_use",
                        params={
                            "title": f"“{self.instance}”",
                            "articles": (
                                f"{'an article' if len(shown) == 1 else 'articles'} readers "
                                f"see or will see: {titles(shown)}"
                            ),
                            "status": (
                                "scheduled for later"
                                if rescheduled
                                else "withdrawn"
                                if status == ReadingList.Status.WITHDRAWN
                                else "a draft again"
                            ),
                        },
                    ),
                )
        return cleaned


class ReadingListItemForm(forms.ModelForm):
    class Meta:
        model = ReadingListItem
        fields = ["position", "book", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A book added with no position goes at the end, not (as 0 would put it) first.
        self.fields["position"].required = False
        self.fields["position"].help_text = "Left blank, the book goes at the end."
        if self.instance.pk is None:
            self.fields["position"].initial = None


class PlacesFormSet(BlankPlaceGoesLast, SwapSafeInlineFormSet):  # two books swapped are saved
    def get_unique_error_message(self, unique_check):
        if "book" in unique_check:  # Django's: "Please correct the duplicate data for book."
            return "A book can be on the list only once: remove one of its places."
        return super().get_unique_error_message(unique_check)


class ReadingListItemInline(admin.TabularInline):
    """The list's books in order; each book is found by the catalogue's own search
    (title, author, ISBN or slug), never a select of every book."""

    model = ReadingListItem
    form = ReadingListItemForm
    formset = PlacesFormSet
    extra = 1
    autocomplete_fields = ["book"]
    fields = ["position", "book", "note"]
    ordering = ["position", "pk"]
    verbose_name = "book on the list"
    verbose_name_plural = "books on the list, in order (lowest position first)"


@admin.register(ReadingList)
class ReadingListAdmin(FreeSlugOnAdd, NamesOnlyWhatTheyMayOpen, ConflictSafeAdmin, VersionAdmin):
    """Reading lists, with saves that never overwrite a colleague's (desk/forms.py,
    desk/admin.py) and a history of versions to compare and restore."""

    form = ReadingListAdminForm
    list_display = ["title", "slug", "status", "published_at", "book_count", "article_count"]
    list_filter = ["status"]
    search_fields = ["title", "slug", "introduction"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ReadingListItemInline]
    readonly_fields = ["where_used"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "status",
                    "confirm_hiding",
                    "published_at",
                    "introduction",
                    "loaded_version",
                ]
            },
        ),
        ("Where used", {"fields": ["where_used"]}),
    ]
    list_per_page = 50

    def get_queryset(self, request):
        # Counted per row of the page (a join and GROUP BY would count every list's).
        books = (
            ReadingListItem.objects.filter(reading_list=OuterRef("pk"))
            .order_by()
            .values("reading_list")
            .annotate(count=Count("pk"))
            .values("count")
        )
        articles = (
            ReadingList.articles.through.objects.filter(readinglist=OuterRef("pk"))
            .order_by()
            .values("readinglist")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(
                book_count=Coalesce(Subquery(books), Value(0)),
                article_count=Coalesce(Subquery(articles), Value(0)),
            )
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        url_name = getattr(request.resolver_match, "url_name", "") or ""
        if object_id and url_name.endswith(("_revision", "_recover")):
            self.leave_out_gone_books(request, unquote(object_id))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def leave_out_gone_books(self, request, pk) -> None:
        """Restoring (or recovering) a version, just reverted by reversion in the view's
        transaction: a place of a book merged away or deleted since cannot come back (its
        row would point at no book, and the form could not even show it). The restore
        leaves it out and says so."""
        gone = ReadingListItem.objects.filter(reading_list_id=pk).exclude(
            book_id__in=Book.objects.values("pk")
        )
        notes = [note.strip() for note in gone.values_list("note", flat=True)]
        if not notes:
            return
        gone.delete()
        noted = [f"“{note}”" for note in notes if note]
        messages.warning(
            request,
            f"{len(notes)} book{'s' if len(notes) > 1 else ''} on this version "
            f"{'are' if len(notes) > 1 else 'is'} no longer in the catalogue (merged into "
            "another book or deleted), so the restored list leaves "
            f"{'them' if len(notes) > 1 else 'it'} out"
            + (
                f" (the note{'s' if len(noted) > 1 else ''} read {', '.join(noted)})"
                if noted
                else ""
            )
            + ".",
        )

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="Books", ordering="book_count")
    def book_count(self, reading_list):
        return reading_list.book_count

    @admin.display(description="In articles", ordering="article_count")
    def article_count(self, reading_list):
        return reading_list.article_count

    @admin.display(description="Articles and addresses")
    def where_used(self, reading_list):
        """The articles that embed the list (live, scheduled, drafts) and the old
        addresses that lead to it."""
        opens = may_open(reading_list, ReadingList.articles.rel.related_model)
        used = where_used(reading_list, may_open=opens)
        return render_display(
            "admin/catalogue/readinglist/where_used.html",
            {
                "used": used,
                # Live articles are named to everyone; linked to those who may open them.
                "openable": {article.pk for article in used.live if opens(article)},
                "aliases": reading_list.aliases.all() if reading_list.pk else [],
            },
        )

    def get_deleted_objects(self, objs, request):
        # Each embed named by the article that loses it (desk/deleting.py).
        return deleted_objects_naming_embeds(
            self, objs, request, embeds=ReadingList.articles.through, lost=lost_list
        )

    def render_delete_form(self, request, context):
        """Deleting a list that articles readers see embed says which, above Django's
        confirmation."""
        warn_if_shown(
            context,
            "list_in_use",
            shown_in=lambda reading_list: where_used(reading_list).shown,
            titles=titles,
            then="and their [[list:…]] lines show nothing",
        )
        return super().render_delete_form(request, context)
