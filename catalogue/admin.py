import tempfile
from pathlib import Path

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from reversion.admin import VersionAdmin

from config.desk import ConflictSafeAdmin

from .covers import make_renditions
from .forms import BookAdminForm
from .importers import ImportFileError, import_books
from .merging import MergeError, merge_books
from .models import STARS, Author, Book, BookAlias, Contribution, Rating, Subject
from .ratings import remove_ratings


class ContributionInline(admin.TabularInline):
    model = Contribution
    extra = 1
    autocomplete_fields = ["author"]
    fields = ["author", "role", "position"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "book_count"]
    search_fields = ["name"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(book_count=Count("books", distinct=True))

    @admin.display(description="Books", ordering="book_count")
    def book_count(self, author):
        return author.book_count


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


MAX_IMPORT_BYTES = 50 * 1024 * 1024
MAX_ISSUES_SHOWN = 200
MAX_REJECTS_SHOWN = 1024 * 1024


class BookImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Up to 50 MB (the 10,000 books of goodbooks-10k are 3 MB).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(
                f"This file is {upload.size / 1024 / 1024:.0f} MB; the desk takes up to 50 MB. "
                "Split it, or import it with manage.py import_books."
            )
        return upload


class MergeForm(forms.Form):
    keeper = forms.ModelChoiceField(
        queryset=Book.objects.none(),
        error_messages={
            "required": "Choose the book to keep.",
            "invalid_choice": "Choose the book to keep.",
        },
    )

    def __init__(self, *args, books, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keeper"].queryset = Book.objects.filter(pk__in=[book.pk for book in books])


@admin.register(Book)
class BookAdmin(ConflictSafeAdmin, VersionAdmin):
    """Books, with saves that never overwrite a colleague's (config/desk.py) and a
    history of versions to compare and restore (django-reversion)."""

    form = BookAdminForm
    list_display = [
        "cover_thumbnail", "title", "author_names", "isbn13", "language", "status",
        "rating_display",
    ]  # fmt: skip
    list_display_links = ["cover_thumbnail", "title"]
    list_filter = ["status", "language", "text_to_speech", "x_ray", "word_wise"]
    search_fields = ["title", "subtitle", "isbn13", "authors__name"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ContributionInline]
    autocomplete_fields = ["subjects"]
    # A cover URL typed without a scheme is https (what Django 6 assumes).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["cover_preview", "isbn10", "site_rating_counts"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "subtitle",
                    "slug",
                    "status",
                    "description",
                    "subjects",
                    "loaded_version",
                ]  # fmt: skip
            },
        ),
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
                    "rating_source",
                    "source_ratings_5",
                    "source_ratings_4",
                    "source_ratings_3",
                    "source_ratings_2",
                    "source_ratings_1",
                ],  # fmt: skip
                "description": "Readers’ ratings on this site are counted automatically. A "
                "histogram published by the book’s source can be entered below; cards add "
                "the two together and name the source.",
            },
        ),
    ]

    actions = ["merge_selected"]
    change_list_template = "admin/catalogue/book/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="catalogue_book_import"), *super().get_urls()]

    def import_view(self, request):
        """Import a CSV of books into the catalogue, as `manage.py import_books` does,
        and show what happened row by row."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = BookImportForm(request.POST or None, request.FILES or None)
        report, rejects = None, ""
        if request.method == "POST" and form.is_valid():
            with tempfile.TemporaryDirectory(prefix="colophon-import-") as folder:
                path, rejected = Path(folder) / "books.csv", Path(folder) / "rejects.csv"
                with path.open("wb") as copy:
                    for chunk in form.cleaned_data["file"].chunks():
                        copy.write(chunk)
                try:
                    report = import_books(path, rejects=rejected)
                except ImportFileError as error:
                    form.add_error("file", str(error))
                else:
                    if rejected.exists() and rejected.stat().st_size <= MAX_REJECTS_SHOWN:
                        rejects = rejected.read_text(encoding="utf-8")
        context = {
            **self.admin_site.each_context(request),
            "title": "Import books from CSV",
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "issues": report.issues[:MAX_ISSUES_SHOWN] if report else [],
            "rejects": rejects,
        }
        return TemplateResponse(request, "admin/catalogue/book/import.html", context)

    def get_queryset(self, request):
        return super().get_queryset(request).for_cards()

    @admin.action(description="Merge selected books into one…", permissions=["delete"])
    def merge_selected(self, request, queryset):
        """Asks which book to keep, then merges the others into it (catalogue/merging.py)."""
        books = list(queryset.annotate(article_count=Count("articles", distinct=True)))
        if len(books) < 2:
            self.message_user(request, "Select two or more books to merge.", messages.WARNING)
            return None
        form = MergeForm(request.POST if request.POST.get("confirm") else None, books=books)
        if form.is_valid():
            keeper = form.cleaned_data["keeper"]
            try:
                with reversion.create_revision():
                    reversion.set_user(request.user)
                    report = merge_books(keeper, [book for book in books if book != keeper])
                    reversion.set_comment(str(report))
            except (MergeError, ValidationError) as error:
                self.message_user(request, f"Nothing was merged: {error}", messages.ERROR)
                return None
            self.log_change(request, report.keeper, str(report))
            self.message_user(request, str(report), messages.SUCCESS)
            return None
        for book in books:
            book.author_list = ", ".join(credit.author.name for credit in book.credits)
            book.reader_ratings = sum(book.site_histogram)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Merge {len(books)} books into one",
            "opts": self.model._meta,
            "books": books,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/catalogue/book/merge.html", context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "cover" in form.changed_data:
            # A new cover gets its renditions now; a cleared one loses them.
            make_renditions(obj)

    @admin.display(description="Cover")
    def cover_thumbnail(self, book):
        if not book.cover:
            return "—"
        # The smallest rendition, not the original upload (which may be megabytes).
        smallest = min(book.cover_renditions.items(), key=lambda item: int(item[0]), default=None)
        if smallest:
            width, files = int(smallest[0]), smallest[1]
            url, height = book.cover.storage.url(files["jpeg"]), files["height"]
        else:
            url, width, height = book.cover.url, book.cover_width, book.cover_height
        return format_html(
            '<img src="{}" alt="" width="40" height="{}" class="cover-thumbnail">',
            url,
            round(40 * height / width) if width and height else 60,
        )

    @admin.display(description="Cover preview")
    def cover_preview(self, book):
        if not book.cover:
            return "No cover uploaded: readers see a generated one."
        return format_html('<img src="{}" alt="" width="160">', book.cover.url)

    @admin.display(description="Authors")
    def author_names(self, book):
        return ", ".join(str(credit) for credit in book.credits)

    @admin.display(description="Rating")
    def rating_display(self, book):
        average = book.rating_average
        return f"{average} ({book.rating_count})" if average is not None else "—"

    @admin.display(description="Ratings")
    def site_rating_counts(self, book):
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}★</th><td>{}</td><td>{}</td></tr>",
            (
                (star, site, source)
                for star, site, source in zip(
                    reversed(STARS),
                    reversed(book.site_histogram),
                    reversed(book.source_histogram),
                    strict=True,
                )
            ),
        )
        return format_html(
            "<table><thead><tr><th></th><th>On Colophon</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table><p>Average shown to readers: {} from {} ratings. "
            '<a href="{}?book__id__exact={}">Moderate this book\'s ratings</a></p>',
            book.rating_source or "Published source",
            rows,
            book.rating_average or "none",
            book.rating_count,
            reverse("admin:catalogue_rating_changelist"),
            book.pk,
        )


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """Moderation: ratings come from readers; editors inspect and remove them."""

    list_display = ["book", "score", "reader_link", "address_link", "created_at", "updated_at"]
    list_filter = ["score", "created_at", ("user", admin.EmptyFieldListFilter)]
    search_fields = ["book__title", "user__username", "=visitor", "=ip_hash"]
    list_select_related = ["book", "user"]
    date_hierarchy = "created_at"
    fields = ["book", "score", "user", "visitor", "ip_hash", "created_at", "updated_at"]
    readonly_fields = fields
    actions = ["remove_selected", "remove_by_same_readers", "remove_from_same_addresses"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # replaced by remove_selected, which recounts
        return actions

    @admin.display(description="Reader", ordering="visitor")
    def reader_link(self, rating):
        query = (
            f"user__id__exact={rating.user_id}" if rating.user_id else f"visitor={rating.visitor}"
        )
        return format_html(
            '<a href="?{}" title="All ratings by this reader">{}</a>', query, rating.reader
        )

    @admin.display(description="Address (hashed)", ordering="ip_hash")
    def address_link(self, rating):
        if not rating.ip_hash:
            return "—"
        return format_html(
            '<a href="?ip_hash={}" title="All ratings from this address">{}…</a>',
            rating.ip_hash,
            rating.ip_hash[:10],
        )

    def delete_model(self, request, obj):
        remove_ratings(Rating.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        remove_ratings(queryset)

    def _removed(self, request, count: int, what: str) -> None:
        self.message_user(
            request, f"Removed {count} rating{pluralize(count)} {what}; the books' figures follow."
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


@admin.register(BookAlias)
class BookAliasAdmin(admin.ModelAdmin):
    """What merged books were known by, and where it leads now (made by merging books)."""

    list_display = ["title", "slug", "isbn13", "goodreads_id", "book", "merged_at"]
    search_fields = ["title", "slug", "isbn13", "book__title"]
    list_select_related = ["book"]
    readonly_fields = ["book", "title", "slug", "isbn13", "goodreads_id", "merged_at"]

    def has_add_permission(self, request):
        return False  # made by merging books, never by hand

    def has_change_permission(self, request, obj=None):
        return False
