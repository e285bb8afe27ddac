from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html

from .covers import make_renditions
from .forms import BookAdminForm
from .models import Author, Book, Contribution, Rating


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


@admin.register(Book)
class BookAdmin(admin.ModelAdmin):
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
    readonly_fields = ["cover_preview", "isbn10", "site_rating_counts"]
    fieldsets = [
        (None, {"fields": ["title", "subtitle", "slug", "status", "description"]}),
        ("Cover", {"fields": ["cover", "cover_preview"]}),
        (
            "Identifiers and publication",
            {"fields": ["isbn13", "isbn10", "asin", "publisher", "publication_date", "language"]},
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

    def get_queryset(self, request):
        return super().get_queryset(request).for_cards()

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "cover" in form.changed_data:
            # A new cover gets its renditions now; a cleared one loses them.
            make_renditions(obj)

    @admin.display(description="Cover")
    def cover_thumbnail(self, book):
        if not book.cover:
            return "—"
        return format_html(
            '<img src="{}" alt="" width="40" height="{}" class="cover-thumbnail">',
            book.cover.url,
            round(40 * book.cover_height / book.cover_width) if book.cover_width else 60,
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

    @admin.display(description="Ratings on this site (5★ to 1★)")
    def site_rating_counts(self, book):
        return " / ".join(str(n) for n in reversed(book.site_histogram))


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["book", "score", "reader", "created_at", "updated_at"]
    list_filter = ["score", "created_at"]
    search_fields = ["book__title", "user__username", "visitor"]
    list_select_related = ["book", "user"]
    autocomplete_fields = ["book", "user"]
    date_hierarchy = "created_at"
    readonly_fields = ["ip_hash", "created_at", "updated_at"]
