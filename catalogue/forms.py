"""The catalogue's forms: the desk's (a book, a CSV import, a merge), a reader's rating,
and the browse filters.

The browse filters are a form over the query string, forgiving of bad input: a
parameter that does not make sense is dropped with a note on the page; the others still
apply, so a mistyped link shows a sensible page, never an error.
"""

from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from desk.deleting import titles
from desk.forms import ConflictSafeForm

from .covers import COVER_FORMATS, validate_cover_upload
from .languages import language_name
from .models import LIST_ORDERS, Book
from .querysets import BookQuerySet
from .where_used import where_used


class BookAdminForm(ConflictSafeForm):
    # Shown (as a checkbox) only when a change would take the book's card away from
    # articles readers see: the editor confirms having read which ones.
    confirm_hiding = forms.BooleanField(
        label="Take its card out of these articles",
        required=False,
        widget=forms.HiddenInput,
    )

    class Meta:
        model = Book
        fields = ["cover"]  # BookAdmin adds the fields of its fieldsets.
        # A plain file field: forms.ImageField would refuse bombs and renamed files with
        # one vague message before clean_cover could say what is wrong.
        field_classes = {"cover": forms.FileField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "cover" in self.fields:
            self.fields["cover"].widget.attrs["accept"] = "image/jpeg,image/png,image/webp"

    def clean(self):
        cleaned = super().clean()
        hides = (
            self.instance.pk
            and "status" in self.changed_data
            and self.initial.get("status") == Book.Status.PUBLISHED
            and cleaned.get("status") not in (None, Book.Status.PUBLISHED)
        )
        if hides and not cleaned.get("confirm_hiding"):
            shown = where_used(self.instance).shown
            if shown:
                self.fields["confirm_hiding"].widget = forms.CheckboxInput()
                self.add_error(
                    "status",
                    ValidationError(
                        "%(title)s is shown in %(articles)s. Once it is %(status)s, its "
                        "card disappears from them. Tick “Take its card out of these "
                        "articles” to confirm, or keep it published.",
                        code="card_in_use",
                        params={
                            "title": f"“{self.instance}”",
                            "articles": (
                                f"{'an article' if len(shown) == 1 else 'articles'} readers "
                                f"see or will see: {titles(shown)}"
                            ),
                            "status": (
                                "withdrawn"
                                if cleaned["status"] == Book.Status.WITHDRAWN
                                else "a draft again"
                            ),
                        },
                    ),
                )
        return cleaned

    def clean_cover(self):
        cover = self.cleaned_data["cover"]
        # Only a new upload: the stored cover (unchanged) and False (cleared) pass as they are.
        if isinstance(cover, UploadedFile):
            image_format = validate_cover_upload(cover)
            # Stored under the extension of what it is, so it is always served as an image.
            cover.name = Path(cover.name).stem + COVER_FORMATS[image_format]
        return cover


SCORE_ERROR = "Choose a rating from 1 to 5 stars."


class RatingForm(forms.Form):
    """What a reader posts to /books/<slug>/rate/: a score, or a request to remove theirs."""

    score = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=5,
        error_messages={
            key: SCORE_ERROR for key in ("invalid", "min_value", "max_value", "max_digits")
        },
    )
    action = forms.ChoiceField(
        required=False, choices=[("rate", "Rate"), ("remove", "Remove my rating")]
    )

    def clean(self):
        cleaned = super().clean()
        wants_score = cleaned.get("action") != "remove"
        if wants_score and cleaned.get("score") is None and "score" not in self.errors:
            self.add_error("score", SCORE_ERROR)
        return cleaned

    @property
    def removing(self) -> bool:
        return self.cleaned_data.get("action") == "remove"

    def error_text(self) -> str:
        return " ".join(message for errors in self.errors.values() for message in errors)


MAX_IMPORT_BYTES = 50 * 1024 * 1024


class BookImportForm(forms.Form):
    """The CSV an editor uploads to import books in the desk (catalogue/admin/importing.py),
    and whether the books it creates are published at once or held as drafts."""

    file = forms.FileField(
        label="CSV file",
        help_text="Up to 50 MB (the 10,000 books of goodbooks-10k are 3 MB).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    new_book_status = forms.ChoiceField(
        label="New books",
        choices=[
            (Book.Status.PUBLISHED, "Published: readers see them at once"),
            (Book.Status.DRAFT, "Drafts: held back until an editor publishes them"),
        ],
        initial=Book.Status.PUBLISHED,
        widget=forms.RadioSelect,
        help_text="Books the catalogue already has keep their status.",
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
    """Which of the selected books to keep when merging them (catalogue/admin/merging.py)."""

    kept = forms.ModelChoiceField(
        queryset=Book.objects.none(),
        error_messages={
            "required": "Choose the book to keep.",
            "invalid_choice": "Choose the book to keep.",
        },
    )

    def __init__(self, *args, books, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kept"].queryset = Book.objects.filter(pk__in=[book.pk for book in books])


# --- Browse filters ------------------------------------------------------------

# Books without a rating or a year go last, whatever the direction and the database;
# each order has an index (catalogue.models.LIST_ORDERS).
SORT_LABELS = {
    "title": "Title",
    "rating": "Highest rated",
    "ratings": "Most rated",
    "newest": "Newest",
    "oldest": "Oldest",
}
SORTS = {key: (label, list(LIST_ORDERS[key])) for key, label in SORT_LABELS.items()}
MIN_RATINGS = [("", "Any rating"), ("4.5", "4.5 and up"), ("4", "4 and up"), ("3", "3 and up")]


class YearInput(forms.NumberInput):
    """Shows a typed value that is no number as empty, as browsers do (HTML allows only
    numbers in a number field's value); the notice above the list names the problem."""

    def format_value(self, value):
        value = super().format_value(value)
        return value if value is None or str(value).lstrip("-").isdigit() else None


class BookFilterForm(forms.Form):
    """Years before the common era are negative: -750 is 750 BC."""

    q = forms.CharField(required=False, max_length=200, label="Title contains")
    author = forms.CharField(required=False, max_length=200, label="Author")
    language = forms.ChoiceField(required=False, label="Language")
    year_min = forms.IntegerField(
        required=False, min_value=-9999, max_value=9999, label="Year from", widget=YearInput
    )
    year_max = forms.IntegerField(
        required=False, min_value=-9999, max_value=9999, label="Year to", widget=YearInput
    )
    min_rating = forms.ChoiceField(required=False, choices=MIN_RATINGS, label="Rating")
    sort = forms.ChoiceField(
        required=False, choices=[(key, label) for key, (label, _) in SORTS.items()], label="Sort by"
    )

    def __init__(self, *args, languages: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", "Any language")] + sorted(
            ((code, language_name(code)) for code in languages), key=lambda pair: pair[1]
        )
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "filter__input")

    def valid_values(self) -> dict:
        """The cleaned value of every field that validated; invalid ones are left out."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}

    def filter(self, books: BookQuerySet) -> BookQuerySet:
        values = self.valid_values()
        if values.get("q"):
            books = books.filter(title__icontains=values["q"])
        if values.get("author"):
            books = books.filter(
                pk__in=Book.objects.filter(authors__name__icontains=values["author"]).values("pk")
            )
        if values.get("language"):
            books = books.filter(language=values["language"])
        if "year_min" in values:
            books = books.filter(publication_year__gte=values["year_min"])
        if "year_max" in values:
            books = books.filter(publication_year__lte=values["year_max"])
        if values.get("min_rating"):
            books = books.filter(rating_mean__gte=float(values["min_rating"]) - 0.05)
        return books.order_by(*SORTS[values.get("sort", "title")][1])

    @property
    def problems(self) -> list[str]:
        return [
            f"{self.fields[name].label}: {' '.join(errors)} This filter was ignored."
            for name, errors in self.errors.items()
        ]
