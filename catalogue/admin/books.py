"""Books in the desk, with their authors, subjects and the aliases merging leaves."""

from functools import partial

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models
from django.db.models import Count, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import path, reverse
from django.utils.html import format_html
from reversion.admin import VersionAdmin

from desk.admin import ConflictSafeAdmin, FreeSlugOnAdd, render_display
from desk.deleting import deleted_objects_naming_embeds
from desk.formsets import BlankPlaceGoesLast, SwapSafeInlineFormSet
from desk.viewers import NamesOnlyWhatTheyMayOpen, may_open
from shared.paging import CappedPaginator

from ..covers import cover_hue, hold_upload, is_held, thumbnail_url
from ..forms import BookAdminForm, ContributionForm
from ..languages import language_name, languages_in_use
from ..models import STARS, Author, Book, BookAlias, Contribution, Rating, Subject
from ..tasks import cover_failure, make_cover_renditions_after_commit
from ..where_used import lost_card, where_used
from . import shop_clicks as click_report
from .importing import import_urls
from .merging import merge_selected
from .picker import picker_view
from .shops import BookShopLinkInline

THUMBNAIL_WIDTH = 40
KEPT_PRIVATELY = (
    "Readers still see the cover they saw before. The file is kept privately; upload it "
    "again, or another, to try again."
)


class CreditsFormSet(BlankPlaceGoesLast, SwapSafeInlineFormSet):
    def get_unique_error_message(self, unique_check):
        if "author" in unique_check and "role" in unique_check:  # Django: "…duplicate data…"
            return (
                "An author is credited once in each role: remove one of the two rows, or "
                "give it another role."
            )
        return super().get_unique_error_message(unique_check)


class ContributionInline(admin.TabularInline):
    model = Contribution
    form = ContributionForm
    formset = CreditsFormSet  # authors swapped between two rows are saved (desk.formsets)
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["author", "role", "position"]
    verbose_name, verbose_name_plural = "author", "authors"  # a book's credits, in order


class NamesTheBookWithThisIsbn:
    """A book form mixin: an ISBN-13 another book has is refused naming that book, with a
    link to open it (the constraint's "Another book already has this ISBN-13." left the
    editor to search for it)."""

    def clean_isbn13(self):
        typed = self.cleaned_data.get("isbn13")
        try:
            isbn13 = Book._meta.get_field("isbn13").to_python(typed)  # hyphens, ISBN-10s
        except ValidationError:
            return typed  # not an ISBN: the model's validation says why
        holder = isbn13 and Book.objects.exclude(pk=self.instance.pk).filter(isbn13=isbn13).first()
        if holder:
            raise ValidationError(
                format_html(
                    "Another book already has this ISBN-13: "
                    '<a href="{}">“{}”</a>. Open it to check, or merge the two books from '
                    "the book list.",
                    reverse("admin:catalogue_book_change", args=[holder.pk]),
                    holder,
                ),
                code="taken",
            )
        return typed


@admin.register(Author)
class AuthorAdmin(FreeSlugOnAdd, admin.ModelAdmin):
    list_display = ["name", "slug", "book_count"]
    search_fields = ["name"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    paginator = CappedPaginator  # no full count of a million rows per page
    show_full_result_count = False

    def get_queryset(self, request):
        # Counted for the page's rows alone (a join and GROUP BY counted every author's).
        books = (
            Contribution.objects.filter(author=OuterRef("pk"))
            .order_by()
            .values("author")
            .annotate(count=Count("book", distinct=True))
            .values("count")
        )
        return (
            super().get_queryset(request).annotate(book_count=Coalesce(Subquery(books), Value(0)))
        )

    @admin.display(description="Books", ordering="book_count")
    def book_count(self, author):
        return author.book_count


@admin.register(Subject)
class SubjectAdmin(FreeSlugOnAdd, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class LanguageFilter(admin.SimpleListFilter):
    """The catalogue's languages, from a cache: Django's own filter asks for the DISTINCT
    languages of every book on every page of the list."""

    title = "language"
    parameter_name = "language__exact"  # the address Django's own filter gave it

    def lookups(self, request, model_admin):
        return [(code, language_name(code) or code) for code in languages_in_use(public_only=False)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(language=self.value())
        return queryset


@admin.register(Book)
class BookAdmin(FreeSlugOnAdd, NamesOnlyWhatTheyMayOpen, ConflictSafeAdmin, VersionAdmin):
    """Books, with saves that never overwrite a colleague's (desk/forms.py, desk/admin.py)
    and a history of versions to compare and restore (django-reversion). The book list's
    tools live apart: importing.py and merging.py."""

    form = BookAdminForm
    list_display = [
        "cover_thumbnail", "title", "slug", "author_names", "isbn13", "language", "status",
        "rating_display",
    ]  # fmt: skip
    list_display_links = ["cover_thumbnail", "title"]
    list_filter = ["status", LanguageFilter, "text_to_speech", "x_ray", "word_wise"]
    # get_search_results searches (Book.objects.desk_search); this shows the box.
    search_fields = ["title", "subtitle", "isbn13", "authors__name"]
    search_help_text = "Title, author, ISBN (with or without hyphens, or ISBN-10) or slug."
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ContributionInline, BookShopLinkInline]
    autocomplete_fields = ["subjects"]
    # A cover URL typed without a scheme is https (what Django 6 assumes).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["where_used", "cover_preview", "isbn10", "site_rating_counts", "shop_clicks"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "subtitle",
                    "slug",
                    "status",
                    "confirm_hiding",
                    "description",
                    "subjects",
                    "loaded_version",
                ]  # fmt: skip
            },
        ),
        ("Where used", {"fields": ["where_used"]}),
        ("Series", {"fields": ["series", "series_number"]}),
        ("Cover", {"fields": ["cover", "cover_preview", "cover_url"]}),
        (
            "Identifiers and publication",
            {
                "fields": [
                    "isbn13",
                    "isbn10",
                    "goodreads_id",
                    "asin",
                    "publisher",
                    "publication_year",
                    "publication_date",
                    "language",
                ]  # fmt: skip
            },
        ),
        (
            "Ebook details",
            {
                "fields": [
                    "print_length",
                    "file_size_kb",
                    "text_to_speech",
                    "screen_reader",
                    "enhanced_typesetting",
                    "x_ray",
                    "word_wise",
                ]  # fmt: skip
            },
        ),
        (
            "Ratings",
            {
                "fields": [
                    "site_rating_counts",
                    "editor_rating",
                    "rating_source",
                    "source_ratings_5",
                    "source_ratings_4",
                    "source_ratings_3",
                    "source_ratings_2",
                    "source_ratings_1",
                ],  # fmt: skip
                "description": "Readers’ ratings on this site are counted automatically. A "
                "histogram published by the book’s source can be entered below; cards add "
                "the two together and name the source. The editor’s rating is shown, "
                "labelled, only while nobody has rated the book.",
            },
        ),
    ]

    actions = [merge_selected]
    change_list_template = "admin/catalogue/book/change_list.html"
    list_per_page = 50  # a screenful or three; a hundred rows took 0.2 s to render
    paginator = CappedPaginator  # no full count of a million rows per page
    show_full_result_count = False

    def get_urls(self):
        picker = self.admin_site.admin_view(partial(picker_view, self))
        return [
            *import_urls(self),
            path("picker/", picker, name="catalogue_book_picker"),
            *super().get_urls(),
        ]

    def get_search_results(self, request, queryset, search_term):
        """The list's search box: title, author, slug, or an ISBN in any form."""
        if not search_term.strip():
            return queryset, False
        return queryset.desk_search(search_term), False

    def get_queryset(self, request):
        return super().get_queryset(request).with_credits()

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data.get("cover")
        if "cover" in form.changed_data and isinstance(upload, UploadedFile):
            # Kept where no address serves it until the worker has cleaned it.
            hold_upload(obj, upload)
        super().save_model(request, obj, form, change)
        if "cover" in form.changed_data:
            # A new cover is cleaned and sized in the background; a cleared one loses them.
            replaced = form.initial.get("cover")
            make_cover_renditions_after_commit(
                obj,
                getattr(replaced, "name", replaced) or "",
                on_failure=lambda why: messages.warning(
                    request, f"The new cover could not be prepared: {why}. {KEPT_PRIVATELY}"
                ),
            )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (NamesTheBookWithThisIsbn, form), {})

    @admin.display(description="Cover")
    def cover_thumbnail(self, book):
        """A rendition of an upload (never the megabytes of the original), an imported
        cover, or the drawn cover's colour."""
        url = thumbnail_url(book, THUMBNAIL_WIDTH)
        height = (
            round(THUMBNAIL_WIDTH * book.cover_height / book.cover_width)
            if book.cover and book.cover_width and book.cover_height
            else round(THUMBNAIL_WIDTH * 1.5)
        )
        # format_html, not a template: a hundred rows rendered a hundred templates.
        if url:
            return format_html(
                '<img src="{}" alt="" width="{}" height="{}" class="cover-thumbnail" '
                'loading="lazy">',
                url,
                THUMBNAIL_WIDTH,
                height,
            )
        return format_html(
            '<span class="desk-cover desk-cover--hue-{}" title="Drawn cover"></span>',
            cover_hue(book.title),
        )

    @admin.display(description="Articles and addresses")
    def where_used(self, book):
        """The articles that embed the book (live, scheduled, drafts) and the old
        addresses that lead to it."""
        opens = may_open(book, Book.articles.rel.related_model)
        used = where_used(book, may_open=opens)
        return render_display(
            "admin/catalogue/book/where_used.html",
            {
                "used": used,
                # Live articles are named to everyone; linked to those who may open them.
                "openable": {article.pk for article in used.live if opens(article)},
                "aliases": book.aliases.all() if book.pk else [],
            },
        )

    def get_deleted_objects(self, objs, request):
        # Each embed named by the article that loses it (desk/deleting.py).
        return deleted_objects_naming_embeds(
            self, objs, request, embeds=Book.articles.through, lost=lost_card
        )

    @admin.display(description="Cover preview")
    def cover_preview(self, book):
        if not book.cover:
            imported = thumbnail_url(book, 160)  # the cover image URL's, if any
            if imported:
                return render_display(
                    "admin/catalogue/book/cover_preview.html", {"url": imported, "imported": True}
                )
            return "No cover uploaded: readers see a generated one."
        if not is_held(book.cover.name):
            return render_display(
                "admin/catalogue/book/cover_preview.html", {"url": book.cover.url}
            )
        # The upload itself is served nowhere; the preview is what readers see meanwhile.
        return render_display(
            "admin/catalogue/book/cover_preview.html",
            {
                "url": thumbnail_url(book, 160),
                "held": True,
                "failure": cover_failure(book),
                "kept_privately": KEPT_PRIVATELY,
            },
        )

    @admin.display(description="Authors")
    def author_names(self, book):
        return ", ".join(str(credit) for credit in book.credits)

    @admin.display(description="Rating", ordering=F("rating_mean").desc(nulls_last=True))
    def rating_display(self, book):
        average = book.rating_average
        if average is not None:
            return f"{average} ({book.rating_count:,})"
        if book.editor_rating is not None:
            return f"{book.editor_rating} (editor’s)"
        return "—"

    @admin.display(description="Ratings")
    def site_rating_counts(self, book):
        """This site's readers' ratings beside the published source's, five stars first."""
        counts = zip(STARS, book.site_histogram, book.source_histogram, strict=True)
        return render_display(
            "admin/catalogue/book/rating_counts.html",
            {
                "book": book,
                "rows": list(reversed(list(counts))),
                "moderate_url": (
                    f"{reverse('admin:catalogue_rating_changelist')}?book__id__exact={book.pk}"
                ),
                "may_moderate": may_open(book, Rating)(None),  # the ratings list, not one
            },
        )

    @admin.display(description="Clicks to shops")
    def shop_clicks(self, book):
        return click_report.clicks_panel(book, source=False)

    def get_fieldsets(self, request, obj=None):
        """Those who may read the click report see the book's clicks to shops."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and request.user.has_perm(click_report.VIEW_PERMISSION):
            return [*fieldsets, click_report.PANEL_FIELDSET]
        return fieldsets


@admin.register(BookAlias)
class BookAliasAdmin(admin.ModelAdmin):
    """What books were known by before a rename or a merge, and where it leads now."""

    list_display = ["title", "slug", "isbn13", "goodreads_id", "book", "reason", "created_at"]
    list_filter = ["reason"]
    search_fields = ["title", "slug", "isbn13", "book__title"]
    list_select_related = ["book"]
    readonly_fields = ["book", "title", "slug", "isbn13", "goodreads_id", "reason", "created_at"]

    def has_add_permission(self, request):
        return False  # made by renaming and merging books, never by hand

    def has_change_permission(self, request, obj=None):
        return False
