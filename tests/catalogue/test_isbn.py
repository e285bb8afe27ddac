import pytest
from django.core.exceptions import ValidationError
from stdnum import ean, isbn

from catalogue.isbn import isbn10_from_isbn13, normalise_isbn13
from catalogue.models import Book
from tests.factories import make_book


@pytest.mark.parametrize(
    "typed",
    ["9780439023481", "978-0-439-02348-1", "978 0 439 02348 1", "0439023483", "0-439-02348-3"],
)
def test_isbn_is_normalised_to_thirteen_digits(typed):
    assert normalise_isbn13(typed) == "9780439023481"


def test_isbn10_with_check_character_x_is_accepted():
    assert normalise_isbn13("0-8044-2957-X") == "9780804429573"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9780439023482", "wrong check digit"),
        ("0439023484", "wrong check digit"),
        ("978043902348", "10 or 13 digits"),
        ("04390234", "10 or 13 digits"),
        ("9780439O23481", "only digits"),
        ("2940000000007", "starts with 978 or 979"),
    ],
)
def test_bad_isbns_are_rejected_with_a_reason(typed, message):
    with pytest.raises(ValidationError) as error:
        normalise_isbn13(typed)
    assert message in error.value.messages[0]


def test_isbn10_is_derived_for_978_and_absent_for_979():
    assert isbn10_from_isbn13("9780439023481") == "0439023483"
    assert isbn10_from_isbn13("9791090636071") == ""


def test_isbn10_check_digit_is_the_one_the_standard_gives():
    """Worked out without stdnum for the stored form: the same as stdnum's for every
    body of a spread of 978 ISBNs (an X check digit among them), and for a spelled one."""
    twelve = [f"978{number:09d}" for number in range(0, 10**9, 9_999_991)]
    stored = [digits + ean.calc_check_digit(digits) for digits in twelve]
    assert any(isbn.to_isbn10(number).endswith("X") for number in stored)
    for number in stored:
        assert isbn10_from_isbn13(number) == isbn.to_isbn10(number), number
    assert isbn10_from_isbn13("9780804429573") == "080442957X"
    assert isbn10_from_isbn13("978-0-439-02348-1") == "0-439-02348-3"


@pytest.mark.django_db
def test_book_validation_stores_the_normalised_isbn():
    book = Book(title="The Hunger Games", isbn13="0-439-02348-3")
    book.full_clean()
    assert book.isbn13 == "9780439023481"
    assert book.isbn10 == "0439023483"


@pytest.mark.django_db
def test_book_validation_refuses_a_bad_check_digit():
    book = Book(title="Typo", isbn13="978-0-439-02348-2")
    with pytest.raises(ValidationError) as error:
        book.full_clean()
    assert "wrong check digit" in error.value.message_dict["isbn13"][0]


@pytest.mark.django_db
def test_two_books_cannot_share_an_isbn_but_many_can_have_none():
    make_book(title="First", isbn13="9780439023481")
    make_book(title="No ISBN one")
    make_book(title="No ISBN two")
    duplicate = Book(title="Second", isbn13="0439023483")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "already has this ISBN-13" in str(error.value)
    assert Book.objects.filter(isbn13="").count() == 2
