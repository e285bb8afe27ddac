"""The catalogue's forms: the desk's (a book, a CSV import, a merge), a reader's rating,
and the browse filters.

The browse filters are a form over the query string, forgiving of bad input: a
parameter that does not make sense is dropped with a note on the page; the others still
apply, so a mistyped link shows a sensible page, never an error.
"""

import copy
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from desk.deleting import titles
from desk.forms import ConflictSafeForm

from .covers import COVER_FORMATS, validate_cover_upload
from .languages import language_name
from .models import LIST_ORDERS, Book, Contribution
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


class ContributionForm(forms.ModelForm):
    """A row of the book's Authors inline (catalogue.admin.books.CreditsFormSet)."""

    class Meta:
        model = Contribution
        fields = ["author", "role", "position"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # An author added with no position goes at the end, not (as 0 would put it) second.
        self.fields["position"].required = False
        self.fields["position"].help_text = "Left blank, the author goes at the end."
        if self.instance.pk is None:
            self.fields["position"].initial = None
        # Validation writes the typed values into the form's instance; the admin labels a
        # refused row by the row as it is stored (the inline's `original`), so not this one.
        self.instance = copy.copy(self.instance)


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


# A word of the title or author filter needs this many letters or digits to be looked
# for: a trigram index finds it among a million books; "zq" it cannot, and each distinct
# short word read the whole table (0.3 to 0.9 s), past the page cache and the edge.
FILTER_WORD_LENGTH = 3
WORD = re.compile(r"[^\W_]+")  # letters and digits: no LIKE wildcard, no punctuation


@dataclass(frozen=True)
class FilterWords:
    """What a title or author filter looks for: each word of 3 letters or more, anywhere
    and in any order (a phrase of common words, "of the", is not narrowed by an index:
    it read most of the catalogue), and the words left out as too short."""

    typed: str
    used: tuple[str, ...]
    too_short: tuple[str, ...]

    @classmethod
    def of(cls, typed: str) -> "FilterWords":
        words = WORD.findall(unicodedata.normalize("NFC", typed))
        used, too_short = {}, {}
        for word in words:
            kept = used if len(word) >= FILTER_WORD_LENGTH else too_short
            kept.setdefault(word.casefold(), word)
        return cls(typed, tuple(used.values()), tuple(too_short.values()))

    @property
    def as_typed(self) -> bool:
        """The filter is one word, looked for as it was typed."""
        return self.used == (self.typed,)


def quoted(words: tuple[str, ...]) -> str:
    """“lord”, “the” and “rings”."""
    marked = [f"“{word}”" for word in words]
    return marked[0] if len(marked) == 1 else f"{', '.join(marked[:-1])} and {marked[-1]}"


class WordsField(forms.CharField):
    """A title or author filter: its words (FilterWords), or none of 3 letters and
    the filter is refused with the reason, the list shown without it."""

    def clean(self, value):
        typed = super().clean(value)
        if not typed:
            return typed
        words = FilterWords.of(typed)
        if not words.used:
            raise ValidationError(
                "“%(typed)s” is too short to look for: type a word of at least %(length)s letters.",
                code="too_short",
                params={"typed": typed, "length": FILTER_WORD_LENGTH},
            )
        return words


class BookFilterForm(forms.Form):
    """Years before the common era are negative: -750 is 750 BC."""

    q = WordsField(required=False, max_length=200, label="Title contains")
    author = WordsField(required=False, max_length=200, label="Author")
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
            books = books.titled_with(values["q"].used)
        if values.get("author"):
            books = books.credited_with(values["author"].used)
        if values.get("language"):
            books = books.filter(language=values["language"])
        if "year_min" in values:
            books = books.filter(publication_year__gte=values["year_min"])
        if "year_max" in values:
            books = books.filter(publication_year__lte=values["year_max"])
        if values.get("min_rating"):
            books = books.filter(rating_mean__gte=float(values["min_rating"]) - 0.05)
        return books.order_by(*self.order)

    @property
    def order(self) -> list:
        """The chosen sort, as `order_by()` takes it."""
        return SORTS[self.valid_values().get("sort", "title")][1]

    @property
    def narrows(self) -> bool:
        """Some filter applies (a sort alone does not narrow the list)."""
        return any(name != "sort" for name in self.valid_values())

    @property
    def has_words(self) -> bool:
        """A title or author filter applies."""
        values = self.valid_values()
        return bool(values.get("q") or values.get("author"))

    @property
    def problems(self) -> list[str]:
        return [
            f"{self.fields[name].label}: {' '.join(errors)} This filter was ignored."
            for name, errors in self.errors.items()
        ]

    @property
    def notes(self) -> list[str]:
        """What was done with a title or author filter not looked for as typed."""
        values, notes = self.valid_values(), []
        for name, subject in [("q", "titles that contain"),
                              ("author", "books whose authors’ names contain")]:  # fmt: skip
            words = values.get(name)
            if words is None or words.as_typed:
                continue
            note = f"{self.fields[name].label} “{words.typed}”: showing {subject} "
            note += quoted(words.used)
            note += ", in any order." if len(words.used) > 1 else "."
            if words.too_short:
                shorts = quoted(words.too_short)
                verb = "was" if len(words.too_short) == 1 else "were"
                note += (
                    f" {shorts} {verb} left out: a word needs at least "
                    f"{FILTER_WORD_LENGTH} letters."
                )
            notes.append(note)
        return notes
