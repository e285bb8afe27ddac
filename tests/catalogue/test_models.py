from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalogue.models import Author, Book, Rating
from tests.factories import make_author, make_book


@pytest.mark.django_db
def test_slugs_fill_themselves_and_stay_unique():
    first = make_book(title="The Last Battle")
    second = make_book(title="The Last Battle")
    author = make_author(name="Stephen Harding")
    assert first.slug == "the-last-battle"
    assert second.slug == "the-last-battle-2"
    assert author.slug == "stephen-harding"


@pytest.mark.django_db
def test_titles_in_other_scripts_get_a_readable_slug(client):
    book = make_book(title="الأجنحة المتكسرة")
    assert book.slug == "الأجنحة-المتكسرة"
    response = client.get(book.get_absolute_url())
    assert "الأجنحة المتكسرة" in response.content.decode()


@pytest.mark.django_db
def test_an_editor_given_slug_is_kept():
    assert make_book(title="Anything", slug="chosen").slug == "chosen"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "stored"),
    [("eng", "en"), ("en-US", "en"), ("fre", "fr"), ("fra", "fr"), ("grc", "grc"), ("", "")],
)
def test_language_codes_are_stored_in_one_form(typed, stored):
    book = Book(title="T", language=typed)
    book.full_clean(exclude=["slug"])
    assert book.language == stored


def test_language_is_shown_by_its_english_name():
    assert Book(language="en").language_name == "English"
    assert Book(language="fr").language_name == "French"


@pytest.mark.django_db
def test_unknown_language_is_refused():
    with pytest.raises(ValidationError) as error:
        Book(title="T", language="xx-nope").full_clean(exclude=["slug"])
    assert "not an ISO 639 language code" in error.value.message_dict["language"][0]


def test_average_rounds_half_up_to_one_decimal():
    # 9 fives and 11 fours: 89 / 20 = 4.45, which binary floats would round down.
    book = Book(source_ratings_5=9, source_ratings_4=11)
    assert book.rating_average == Decimal("4.5")
    assert book.rating_count == 20


def test_average_adds_site_ratings_to_the_published_histogram():
    book = Book(source_ratings_5=3, ratings_1=1)
    assert book.rating_histogram == [1, 0, 0, 0, 3]
    assert book.rating_average == Decimal("4.0")


def test_a_book_nobody_rated_has_no_average():
    assert Book().rating_average is None
    assert Book().rating_count == 0


def test_only_known_reading_features_are_listed():
    book = Book(text_to_speech=Book.Enabled.ENABLED, screen_reader=Book.Supported.NOT_SUPPORTED)
    assert book.reading_features() == [
        ("Text-to-Speech", "Enabled"),
        ("Screen Reader", "Not supported"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("score", [0, 6])
def test_the_database_refuses_a_score_outside_one_to_five(score):
    book = make_book()
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(book=book, visitor="v1", score=score)


@pytest.mark.django_db
def test_one_rating_per_visitor_per_book():
    book = make_book()
    Rating.objects.create(book=book, visitor="v1", score=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(book=book, visitor="v1", score=5)


@pytest.mark.django_db
def test_an_author_with_books_cannot_be_deleted_from_under_them():
    author = make_author()
    make_book(authors=[author])
    with pytest.raises(Exception, match="protected"):
        Author.objects.filter(pk=author.pk).delete()
