"""One old-address redirect for every kind of row (shared/redirects.py)."""

from articles.models import ArticleAlias
from catalogue.models import BookAlias
from shared.redirects import redirect_from_old_address
from tests.factories import make_article, make_book


def test_an_old_address_leads_to_its_row_for_good_in_one_query(db, django_assert_num_queries):
    article = make_article(title="Torgau", slug="torgau")
    article.slug = "torgau-1945"
    article.save()
    with django_assert_num_queries(1):
        moved = redirect_from_old_address(ArticleAlias.objects.select_related("article"), "torgau")
    assert (moved.status_code, moved["Location"]) == (301, "/articles/torgau-1945/")


def test_a_slug_no_alias_has_leads_nowhere(db):
    make_article(title="Torgau", slug="torgau")
    assert redirect_from_old_address(ArticleAlias.objects.all(), "torgau") is None
    assert redirect_from_old_address(BookAlias.objects.all(), "torgau") is None


def test_the_callers_rows_decide_which_owners_an_old_address_may_lead_to(db):
    book = make_book(title="Dune", slug="dune")
    book.slug = "dune-1965"
    book.save()
    assert redirect_from_old_address(BookAlias.objects.all(), "dune")["Location"] == (
        "/books/dune-1965/"
    )
    assert redirect_from_old_address(BookAlias.objects.exclude(book=book), "dune") is None
