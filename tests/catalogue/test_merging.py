"""Merging duplicate books: ratings, credits, embeds and addresses all end on the book
kept; nothing is lost and no link breaks."""

import pytest
from bs4 import BeautifulSoup

from articles.models import Article
from catalogue.importers import import_books
from catalogue.merging import MergeError, merge_books
from catalogue.models import Book, BookAlias, Rating, Subject
from catalogue.ratings import Reader, find_drift, rate
from tests.factories import article_form, make_article, make_author, make_book
from tests.helpers import text_of


@pytest.fixture
def twins(db):
    morrison, editor = make_author(name="Toni Morrison"), make_author(name="A. Editor")
    kept = make_book(title="Beloved", authors=[morrison])
    duplicate = make_book(
        title="Beloved (duplicate)",
        slug="beloved-1987",
        isbn13="9781400033416",
        goodreads_id=6149,
        publisher="Knopf",
        description="A novel.",
        authors=[morrison, editor],
    )
    war = Subject.objects.create(name="Slavery")
    duplicate.subjects.add(war)
    return {"kept": kept, "duplicate": duplicate, "editor": editor, "subject": war}


def test_ratings_move_to_the_book_kept_and_a_readers_second_rating_goes(twins):
    kept, duplicate = twins["kept"], twins["duplicate"]
    rate(book=kept, reader=Reader(visitor="both"), score=5)
    rate(book=duplicate, reader=Reader(visitor="both"), score=1)
    rate(book=duplicate, reader=Reader(visitor="only-duplicate"), score=4)

    report = merge_books(kept, [duplicate])

    kept.refresh_from_db()
    assert sorted(Rating.objects.filter(book=kept).values_list("visitor", "score")) == [
        ("both", 5), ("only-duplicate", 4),
    ]  # fmt: skip
    assert (kept.ratings_4, kept.ratings_5, sum(kept.site_histogram)) == (1, 1, 2)
    assert find_drift() == []
    assert (report.ratings_moved, report.ratings_dropped) == (1, 1)
    assert "1 rating moved" in str(report) and "0 articles now embed it" in str(report)
    assert not Book.objects.filter(pk=duplicate.pk).exists()


def test_credits_subjects_and_blanks_come_from_the_duplicate(twins):
    kept = twins["kept"]
    merge_books(kept, [twins["duplicate"]])
    kept = Book.objects.get(pk=kept.pk)
    assert [c.author.name for c in kept.contributions.order_by("position")] == [
        "Toni Morrison", "A. Editor",
    ]  # fmt: skip
    assert list(kept.subjects.all()) == [twins["subject"]]
    assert (kept.isbn13, kept.goodreads_id, kept.publisher, kept.description) == (
        "9781400033416", 6149, "Knopf", "A novel.",
    )  # fmt: skip


def test_the_old_address_redirects_to_the_book_kept(client, twins):
    merge_books(twins["kept"], [twins["duplicate"]])
    response = client.get("/books/beloved-1987/")
    assert response.status_code == 301
    assert response["Location"] == "/books/beloved/"
    assert client.get("/books/never-was/").status_code == 404


def test_articles_embedding_the_duplicate_show_the_book_kept(client, twins):
    by_slug = make_article(title="By slug", body="[[book:beloved-1987]]")
    kept = Book.objects.get(pk=twins["kept"].pk)
    kept.isbn13 = "9780099760115"  # the kept has its own ISBN: the other becomes an alias
    kept.save()
    by_isbn = make_article(title="By ISBN", body="[[book:978-1-4000-3341-6]]")

    report = merge_books(kept, [twins["duplicate"]])

    assert "2 articles now embed it" in str(report)
    for article in (by_slug, by_isbn):
        html = client.get(article.get_absolute_url()).content
        assert text_of(html, ".book-card__title") == ["Beloved"], article.title
        assert list(Article.objects.get(pk=article.pk).embedded_books.all()) == [kept]
    assert BookAlias.objects.get(slug="beloved-1987").isbn13 == "9781400033416"


def test_the_desk_accepts_an_article_naming_a_merged_book(admin_client, twins):
    merge_books(twins["kept"], [twins["duplicate"]])
    response = admin_client.post(
        "/admin/articles/article/add/", article_form(body="[[book:beloved-1987]]")
    )
    assert response.status_code == 302, text_of(response.content, ".errorlist")


def test_reimporting_the_row_that_made_the_duplicate_does_not_bring_it_back(twins, tmp_path):
    kept = twins["kept"]
    kept.goodreads_id = 999  # its own: the duplicate's id becomes an alias
    kept.save()
    merge_books(kept, [twins["duplicate"]])
    path = tmp_path / "goodreads_library_export.csv"
    path.write_text(
        "Book Id,Title,Author,Author l-f,Additional Authors,ISBN,ISBN13,My Rating,"
        "Average Rating,Publisher,Binding,Number of Pages,Year Published,"
        "Original Publication Year,Date Read,Date Added,Bookshelves,"
        "Bookshelves with positions,Exclusive Shelf,My Review,Spoiler,Private Notes,"
        "Read Count,Owned Copies\n"
        '6149,Beloved,Toni Morrison,"Morrison, Toni",,"=""""","=""9781400033416""",0,3.8,'
        "Knopf,Paperback,324,2004,1987,,2020/01/01,,,read,,,,0,0\n"
    )
    report = import_books(path)
    assert report.created == 0
    assert Book.objects.count() == 1


def test_merging_a_book_into_itself_is_refused(twins):
    with pytest.raises(MergeError):
        merge_books(twins["kept"], [twins["kept"]])


def test_editors_merge_from_the_book_list_choosing_the_book_to_keep(admin_client, twins):
    kept, duplicate = twins["kept"], twins["duplicate"]
    rate(book=duplicate, reader=Reader(visitor="v"), score=4)
    selection = {"action": "merge_selected", "_selected_action": [kept.pk, duplicate.pk]}
    confirm = admin_client.post("/admin/catalogue/book/", selection)
    assert confirm.status_code == 200
    page = BeautifulSoup(confirm.content, "html.parser")
    assert [h1.get_text() for h1 in page.select("h1")] == ["Merge 2 books into one"]
    choices = [label.get_text(" ", strip=True) for label in page.select(".merge-choice label")]
    assert len(choices) == 2 and any("1 rating" in choice for choice in choices)

    done = admin_client.post(
        "/admin/catalogue/book/", {**selection, "kept": kept.pk, "confirm": "yes"}
    )
    assert done.status_code == 302
    assert list(Book.objects.all()) == [kept]
    messages = text_of(admin_client.get("/admin/catalogue/book/").content, ".messagelist li")
    assert any(m.startswith("Merged “Beloved (duplicate)” into “Beloved”") for m in messages)


def test_a_merge_without_choosing_the_book_to_keep_merges_nothing(admin_client, twins):
    selection = {
        "action": "merge_selected",
        "_selected_action": [twins["kept"].pk, twins["duplicate"].pk],
        "confirm": "yes",
    }
    response = admin_client.post("/admin/catalogue/book/", selection)
    assert response.status_code == 200
    assert "Choose the book to keep" in response.content.decode()
    assert Book.objects.count() == 2
