"""The editors' desk: what an editor does in the admin, as the demo editor."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model

from articles import admin as admin_module
from articles.demo import EDITOR_PASSWORD, EDITOR_USERNAME
from articles.models import Article, Recommendation
from catalogue.models import Book
from tests.factories import article_form, book_form, make_article, make_author, make_book
from tests.helpers import form_values, sign_in, text_of


@pytest.fixture
def editor_client(client, demo):
    response = sign_in(client, EDITOR_USERNAME, EDITOR_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    return client


def test_the_desk_locks_a_login_out_after_five_failures(client, demo):
    for _ in range(4):
        assert sign_in(client, EDITOR_USERNAME, "wrong").status_code == 200
    assert sign_in(client, EDITOR_USERNAME, "wrong").status_code == 429  # the fifth
    locked = sign_in(client, EDITOR_USERNAME, EDITOR_PASSWORD)  # even the right password
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # Another editor at the same address is not locked out by it.
    get_user_model().objects.create_user("other", password="another-long-pass-7", is_staff=True)
    assert sign_in(client, "other", "another-long-pass-7").status_code == 302


def test_the_demo_editor_is_staff_but_not_superuser(demo):
    editor = get_user_model().objects.get(username=EDITOR_USERNAME)
    assert editor.is_staff and not editor.is_superuser


def test_editor_sees_articles_and_catalogue_on_the_desk(editor_client):
    html = editor_client.get("/admin/").content.decode()
    for section in ["Articles", "Books", "Authors", "Ratings"]:
        assert section in html


@pytest.mark.parametrize(
    "path",
    [
        "/admin/articles/article/",
        "/admin/articles/article/?q=Torgau&status__exact=published",
        "/admin/articles/article/add/",
        "/admin/catalogue/book/",
        "/admin/catalogue/book/?q=9780306822087",
        "/admin/catalogue/book/add/",
        "/admin/catalogue/author/",
        "/admin/catalogue/rating/",
        "/admin/catalogue/bookalias/",
    ],
)
def test_desk_pages_open(editor_client, path):
    assert editor_client.get(path).status_code == 200


def test_book_list_shows_cover_thumbnail_and_rating(editor_client):
    html = editor_client.get("/admin/catalogue/book/").content
    assert text_of(html, "td.field-rating_display") == ["4.4 (editor’s)"]  # nobody has rated it
    thumbnail = BeautifulSoup(html, "html.parser").select_one(".field-cover_thumbnail img")
    assert thumbnail["src"].endswith("-160.jpg")  # the smallest rendition, not the upload
    assert thumbnail["width"] == "40" and thumbnail["height"] == "60"


def test_article_page_lists_what_it_recommends_and_why(admin_client, db):
    article = make_article(title="Torgau")
    Recommendation.objects.create(
        article=article, recommended=make_article(title="Elbe Day"), score=0.125, reasons=""
    )
    Recommendation.objects.create(
        article=article,
        recommended=make_article(title="Draft <b>", status=Article.Status.DRAFT),
        score=0.5,
        reasons="same author & series",
        pinned=True,
    )
    html = admin_client.get(f"/admin/articles/article/{article.pk}/change/").content
    assert text_of(html, ".field-read_next li") == [
        "Draft <b> (same author & series; score pinned) — not public yet",
        "Elbe Day (recent; score 0.12)",
    ]


def test_saving_an_article_that_embeds_an_unknown_book_is_refused(editor_client):
    response = editor_client.post(
        "/admin/articles/article/add/",
        article_form(body="Intro\n\n[[book:the-last-battle]]\n\n[[book:no-such-book]]\n"),
    )
    assert response.status_code == 200
    errors = text_of(response.content, ".errorlist")
    assert any("No book matches [[book:no-such-book]]" in error for error in errors)
    assert not any("the-last-battle" in error for error in errors)
    assert not Article.objects.filter(title="A new piece").exists()


def test_saving_an_article_records_the_books_it_embeds(editor_client):
    response = editor_client.post(
        "/admin/articles/article/add/", article_form(body="[[book:978-0-306-82208-7]]")
    )
    assert response.status_code == 302
    article = Article.objects.get(title="A new piece")
    assert article.slug == "a-new-piece"
    assert [book.slug for book in article.embedded_books.all()] == ["the-last-battle"]
    book_page = editor_client.get("/books/the-last-battle/").content
    assert "A new piece" in text_of(book_page, "#book-articles + ul", " ")[0]


def test_adding_a_book_normalises_its_isbn_and_language(editor_client):
    author = make_author(name="Toni Morrison")
    response = editor_client.post(
        "/admin/catalogue/book/add/",
        book_form(
            isbn13="1-4000-3341-1",
            language="eng",
            **{
                "contributions-TOTAL_FORMS": "1",
                "contributions-0-author": str(author.pk),
                "contributions-0-role": "author",
                "contributions-0-position": "0",
            },
        ),
    )
    assert response.status_code == 302, text_of(response.content, ".errorlist")
    book = Book.objects.get(title="Beloved")
    assert (book.isbn13, book.language, book.slug) == ("9781400033416", "en", "beloved")
    assert [credit.author for credit in book.credits] == [author]


def test_a_book_with_a_bad_isbn_gets_a_clear_form_error(editor_client):
    response = editor_client.post(
        "/admin/catalogue/book/add/", book_form(isbn13="978-1-4000-3341-7")
    )
    assert response.status_code == 200
    assert any("wrong check digit" in error for error in text_of(response.content, ".errorlist"))
    assert not Book.objects.filter(title="Beloved").exists()


def test_author_autocomplete_finds_authors_for_the_book_form(editor_client):
    make_author(name="Hilary Mantel")
    response = editor_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "catalogue",
            "model_name": "contribution",
            "field_name": "author",
            "term": "mant",
        },
    )
    assert [result["text"] for result in response.json()["results"]] == ["Hilary Mantel"]


def test_a_reader_who_is_not_staff_is_sent_to_the_login(client, db):
    response = client.get("/admin/articles/article/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_admin_moves_with_admin_url(db):
    import subprocess
    import sys

    script = (
        "import django; django.setup(); from django.urls import reverse; "
        "print(reverse('admin:index'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "false",
            "SECRET_KEY": "x",
            "ADMIN_URL": "desk/",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "/desk/"
    make_book()


def test_the_review_log_keeps_its_steps_when_their_sentences_are_reworded(
    editor_client, monkeypatch
):
    article = make_article(title="Under review", status=Article.Status.DRAFT)
    url = f"/admin/articles/article/{article.pk}/change/"
    data = {**form_values(editor_client.get(url)), "_submit_review": "Submit for review"}
    assert editor_client.post(url, data).status_code == 302
    monkeypatch.setitem(admin_module.REVIEW_COMMENTS, "submit", "Put forward")
    monkeypatch.setitem(admin_module.REVIEW_COMMENTS, "send_back", "Returned to its writer")
    data = {**form_values(editor_client.get(url)), "_send_back": "Send back"}
    data["review_note"] = "Needs a map."
    assert editor_client.post(url, data).status_code == 302

    log = text_of(editor_client.get(url).content, ".desk-review-log li")
    assert [entry.split(" — ")[0] for entry in log] == [
        "Returned to its writer: Needs a map.",
        "Submitted for review.",
    ]
