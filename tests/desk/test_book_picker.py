"""Finding a book from an article's body: `Book.objects.desk_search()` and the picker's
JSON at /admin/catalogue/book/picker/, which the `[[` in the body asks (book_picker.js).
The book list's search box goes through desk_search too."""

import json

import pytest
from django.contrib.auth.models import Permission

from catalogue.covers import cover_hue, draw_cover, make_renditions
from catalogue.merging import merge_books
from catalogue.models import Author, Book, Rating
from tests.factories import make_author, make_book
from tests.helpers import text_of

PICKER_URL = "/admin/catalogue/book/picker/"


@pytest.fixture
def library(db):
    collins = make_author(name="Suzanne Collins")
    rowling = make_author(name="J.K. Rowling")
    return {
        "hunger": make_book(
            title="The Hunger Games", slug="the-hunger-games", series="The Hunger Games",
            isbn13="9780439023481", publication_year=2008, authors=[collins],
        ),
        "catching": make_book(
            title="Catching Fire", series="The Hunger Games", publication_year=2009,
            authors=[collins], status=Book.Status.DRAFT,
        ),
        "potter": make_book(
            title="Harry Potter and the Sorcerer's Stone", isbn13="9780439554930",
            authors=[rowling], status=Book.Status.WITHDRAWN,
        ),
        "games": make_book(title="Games People Play"),
    }  # fmt: skip


def titles(books) -> list[str]:
    return [book.title for book in books]


# --- desk_search ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "term",
    ["9780439023481", "978-0-439-02348-1", "978 0 439 02348 1", "0439023483", "0-439-02348-3"],
)
def test_an_isbn_in_any_form_finds_its_book(library, term):
    assert titles(Book.objects.desk_search(term)) == ["The Hunger Games"]


def test_a_slug_finds_its_book(library):
    assert titles(Book.objects.desk_search("the-hunger-games")) == ["The Hunger Games"]


def test_every_word_must_be_in_the_title_series_or_an_authors_name(library):
    assert titles(Book.objects.desk_search("collins fire")) == ["Catching Fire"]
    # "Games" is in a title and in a series; Collins wrote both, not "Games People Play".
    assert titles(Book.objects.desk_search("Collins GAMES")) == [
        "Catching Fire",
        "The Hunger Games",
    ]
    assert titles(Book.objects.desk_search("rowling stone")) == [
        "Harry Potter and the Sorcerer's Stone"
    ]


def test_a_book_whose_authors_all_match_is_found_once(db):
    smiths = [make_author(name="Ann Smith"), make_author(name="Bob Smith")]
    make_book(title="Two Smiths", authors=smiths)
    assert titles(Book.objects.desk_search("smith")) == ["Two Smiths"]


def test_names_in_other_alphabets_are_found_whatever_their_case(db):
    make_book(title="Ο τελευταίος πειρασμός", authors=[make_author(name="Νίκος Καζαντζάκης")])
    assert titles(Book.objects.desk_search("νίκος")) == ["Ο τελευταίος πειρασμός"]


def test_exact_hits_come_first_then_titles_that_start_with_the_term(db):
    make_book(title="Children of Dune")
    make_book(title="Dune Messiah")
    make_book(title="Dune", slug="dune")
    assert titles(Book.objects.desk_search("dune")) == ["Dune", "Dune Messiah", "Children of Dune"]


def test_among_equals_the_most_rated_book_comes_first(db):
    make_book(title="The Potter's Field", source_ratings_4=10)
    make_book(title="Harry Potter and the Sorcerer's Stone", source_ratings_5=1000)
    assert titles(Book.objects.desk_search("potter")) == [
        "Harry Potter and the Sorcerer's Stone",
        "The Potter's Field",
    ]


def test_what_merging_left_leads_to_the_book_kept(library):
    duplicate = make_book(
        title="Hunger Games (paperback)", slug="hunger-games-paperback", isbn13="9780439023528"
    )
    merge_books(library["hunger"], [duplicate])
    for term in ["hunger-games-paperback", "978-0-439-02352-8", "0439023521"]:
        assert titles(Book.objects.desk_search(term)) == ["The Hunger Games"], term


def test_a_blank_term_finds_nothing(library, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert list(Book.objects.desk_search("   ")) == []


# --- The picker's JSON ------------------------------------------------------------------


@pytest.fixture
def editor(client, django_user_model):
    """A member of staff who may see books (what the Editors group grants, and less)."""
    user = django_user_model.objects.create_user("picker-editor", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_book"))
    client.force_login(user)
    return client


def pick(client, term: str) -> list[dict]:
    response = client.get(PICKER_URL, {"q": term})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    return response.json()["results"]


def test_the_picker_answers_the_line_to_insert_and_what_to_show(editor, library):
    assert pick(editor, "0439023483") == [
        {
            "slug": "the-hunger-games",
            "title": "The Hunger Games",
            "authors": "Suzanne Collins",
            "year": "2008",
            "status": "published",
            "status_label": "Published",
            "cover": None,
            "hue": cover_hue("The Hunger Games"),
            "embed": "[[book:the-hunger-games]]",
        }
    ]


def test_drafts_and_withdrawn_books_are_offered_and_flagged(editor, library):
    found = {book["title"]: book for book in pick(editor, "collins")}
    assert found["Catching Fire"]["status_label"] == "Draft (not public yet)"
    potter = pick(editor, "potter")[0]
    assert (potter["status"], potter["status_label"]) == ("withdrawn", "Withdrawn")


def test_covers_are_small_renditions_or_imported_images(editor, db):
    uploaded = make_book(title="Uploaded")
    uploaded.cover.save("uploaded.jpg", draw_cover("Uploaded", "Someone"))
    make_renditions(uploaded)
    make_book(title="Imported", cover_url="https://images.gr-assets.com/books/1.jpg")
    make_book(title="Sneaky", cover_url="javascript:alert(1)")
    covers = {book["title"]: (book["cover"], book["hue"]) for book in pick(editor, "e")}
    assert covers["Uploaded"][0].endswith("-160.jpg")
    assert covers["Imported"] == ("https://images.gr-assets.com/books/1.jpg", None)
    assert covers["Sneaky"] == (None, cover_hue("Sneaky"))


def test_a_blank_query_answers_no_books(editor, library):
    assert pick(editor, "") == []
    assert pick(editor, "  ") == []


def test_at_most_ten_books_in_a_fixed_number_of_queries(editor, db, django_assert_num_queries):
    authors = [make_author(name="Ann Volume"), make_author(name="Bob Volume")]
    for number in range(12):
        make_book(title=f"Volume {number}", authors=authors)
    # The session, its user, their own and their groups' permissions; the search's
    # parts (slugs, then exact, starting and inner titles and the document, each
    # capped); the books; their credits with their authors.
    with django_assert_num_queries(11):
        books = pick(editor, "volume")
    assert len(books) == 10
    assert books[0]["authors"] == "Ann Volume, Bob Volume"


def test_only_staff_who_may_see_books_can_pick(client, django_user_model, library):
    response = client.get(PICKER_URL, {"q": "hunger"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")

    staff = django_user_model.objects.create_user("no-books", is_staff=True)
    client.force_login(staff)
    assert client.get(PICKER_URL, {"q": "hunger"}).status_code == 403

    reader = django_user_model.objects.create_user("reader")
    client.force_login(reader)
    assert client.get(PICKER_URL, {"q": "hunger"}).status_code == 302


# --- The book list's search box ---------------------------------------------------------


@pytest.mark.parametrize("term", ["0439023483", "978-0-439-02348-1", "the-hunger-games"])
def test_the_book_list_finds_a_book_by_isbn_in_any_form_and_by_slug(admin_client, library, term):
    response = admin_client.get("/admin/catalogue/book/", {"q": term})
    assert response.status_code == 200
    assert text_of(response.content, "#result_list .field-title") == ["The Hunger Games"]


def test_the_book_list_finds_by_author_and_title_words(admin_client, library):
    response = admin_client.get("/admin/catalogue/book/", {"q": "collins fire"})
    assert text_of(response.content, "#result_list .field-title") == ["Catching Fire"]


def test_the_article_form_offers_the_picker_on_its_body(admin_client):
    response = admin_client.get("/admin/articles/article/add/")
    config = text_of(response.content, "#book-picker-config")
    assert config == [
        "Type [[ to find a book to embed (by its title, author, ISBN or slug), an article "
        "to link or a picture to embed."
    ]
    assert b'data-url="/admin/catalogue/book/picker/"' in response.content
    assert b'data-articles-url="/admin/articles/article/picker/"' in response.content
    assert b'data-pictures-url="/admin/images/image/picker/"' in response.content
    assert b"desk/book_picker.js" in response.content


# --- What no search sends to the database ------------------------------------------------
# PostgreSQL refuses a NUL in any string: `?q=%00` answered 500. The site refuses such
# requests before any view (website.middleware); these call the search and the views
# themselves, which must be safe on their own.


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("\x00", []),
        ("hun\x00ger", ["Catching Fire", "The Hunger Games"]),
        ("\x00 collins", ["Catching Fire", "The Hunger Games"]),
        ("978-0-439\x00-02348-1", ["The Hunger Games"]),
    ],
)
def test_a_nul_in_the_term_never_reaches_the_database(library, term, found):
    assert titles(Book.objects.desk_search(term)) == found


def call_desk_view(model, view: str, user, **params):
    """A desk view called straight, without the middleware in front of it."""
    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/", params)
    request.user, request.session = user, {}
    request._messages = FallbackStorage(request)
    model_admin = admin.site._registry[model]
    if view == "picker":
        from catalogue.admin.picker import picker_view

        return picker_view(model_admin, request)
    return model_admin.changelist_view(request)


def test_the_picker_itself_drops_a_nul(admin_user, library):
    response = call_desk_view(Book, "picker", admin_user, q="hun\x00ger")
    assert response.status_code == 200
    found = [book["title"] for book in json.loads(response.content)["results"]]
    assert "The Hunger Games" in found


@pytest.mark.parametrize("model", [Book, Author, Rating])
def test_the_desk_lists_search_boxes_take_a_nul(admin_user, library, model):
    # Past the site's own guard (a NUL in an address is a 400): the list itself holds.
    response = call_desk_view(model, "changelist", admin_user, q="\x00")
    assert response.status_code == 200
    response.render()


def test_the_public_search_drops_a_nul_too(library):
    from catalogue.search import search_books

    assert [book.title for book in search_books("hun\x00ger games")] == ["The Hunger Games"]


# --- Typos: the desk finds at least what readers find -------------------------------------


@pytest.fixture
def shelf(db):
    """Rows copied from goodbooks-10k, and a few that share their words."""
    books = [
        ("Stalingrad: The Fateful Siege, 1942–1943", "Antony Beevor", 20577),
        ("Unbroken: A World War II Story of Survival, Resilience, and Redemption",
         "Laura Hillenbrand", 555000),
        ("The Hunger Games", "Suzanne Collins", 4942365),
        ("Harry Potter and the Sorcerer's Stone", "J.K. Rowling", 4800065),
        ("Berlin: The Downfall 1945", "Antony Beevor", 30000),
        ("Seabiscuit: An American Legend", "Laura Hillenbrand", 150000),
    ]  # fmt: skip
    for title, name, count in books:
        make_book(title=title, source_ratings_5=count, authors=[make_author(name=name)])


@pytest.mark.parametrize(
    "typed", ["Stalingrd", "Unbrokn", "hungr games", "Hary Poter", "Hilenbrand"]
)
def test_the_picker_finds_what_readers_find_despite_a_typo(editor, shelf, typed):
    from django.db import connection

    from catalogue.search import search_books

    if connection.vendor != "postgresql":
        pytest.skip("the public search has no typo tolerance on SQLite")
    readers_find = [book.title for book in search_books(typed)]
    assert readers_find, typed  # the public search forgives the typo
    picked = [book["title"] for book in pick(editor, typed)]
    assert set(readers_find) <= set(picked)
    assert picked[0] == readers_find[0]
