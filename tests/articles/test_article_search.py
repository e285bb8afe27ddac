"""/search/ finds articles through their stored, indexed search document (a tsvector
column on PostgreSQL, an FTS5 table on SQLite): title above standfirst and body,
published articles only, whatever the reader types."""

from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from tests.factories import make_article
from tests.helpers import text_of


def found(client, query: str) -> list[str]:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return text_of(response.content, ".teaser__title")


@pytest.fixture
def articles(db):
    return {
        "torgau": make_article(
            title="Torgau, April 1945",
            standfirst="Two armies meet at a river.",
            body="The Elbe and its broken bridges.",
        ),
        "bridges": make_article(title="Bridges", body="A short history of spans."),
        "draft": make_article(title="A draft about bridges", status=Article.Status.DRAFT),
        "scheduled": make_article(
            title="Bridges to come",
            published_at=timezone.now() + timedelta(days=2),
        ),
    }


def test_words_of_the_standfirst_and_body_find_the_article(client, articles):
    assert found(client, "armies") == ["Torgau, April 1945"]
    assert found(client, "elbe") == ["Torgau, April 1945"]


def test_a_title_match_ranks_above_a_body_match(client, articles):
    assert found(client, "bridges") == ["Bridges", "Torgau, April 1945"]


def test_other_forms_of_a_word_are_found(client, articles):
    assert found(client, "bridge") == ["Bridges", "Torgau, April 1945"]
    assert found(client, "meeting armies") == ["Torgau, April 1945"]


def test_drafts_and_scheduled_articles_are_not_found(client, articles):
    assert "A draft about bridges" not in found(client, "draft bridges")
    assert "Bridges to come" not in found(client, "come")


def test_the_index_follows_edits_and_deletions(client, articles):
    article = articles["bridges"]
    article.title = "Viaducts"
    article.save()
    assert found(client, "viaducts") == ["Viaducts"]
    assert "Viaducts" not in found(client, "bridges")
    Article.objects.filter(pk=article.pk).update(body="Aqueducts too.")
    assert found(client, "aqueducts") == ["Viaducts"]
    article.delete()
    assert found(client, "viaducts") == []


@pytest.mark.parametrize(
    "query",
    ['"', "*", "-", "NEAR(", "(((", "title:bridges", "OR", "NOT", '"bridges', "bridges*",
     "\\", "'", "!@#$%^&*()" * 20, "-bridges", "bridges -torgau"],
)  # fmt: skip
def test_search_syntax_typed_by_a_reader_never_fails(client, articles, query):
    assert isinstance(found(client, query), list)


def test_the_desk_finds_articles_by_their_words_title_or_byline(admin_client):
    from tests.factories import make_article

    make_article(title="Unlikely Allies", body="Soldiers of two armies met at the castle.")
    make_article(title="Another", body="Nothing here.", byline="Jane Castleton", status="draft")
    make_article(title="Third", body="Nothing either.")
    for term, expected in [
        ("armies", ["Unlikely Allies"]),
        ("allies", ["Unlikely Allies"]),
        ("castleton", ["Another"]),
    ]:
        html = admin_client.get("/admin/articles/article/", {"q": term}).content
        assert text_of(html, "#result_list tbody th a") == expected, term
