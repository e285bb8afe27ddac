import logging

import pytest
from bs4 import BeautifulSoup

from articles.rendering import cut_at_word, embed_refs, plain_text, render_body
from catalogue.models import Book
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of


@pytest.fixture
def battle(db):
    author = make_author(name="Stephen Harding")
    return make_book(
        title="The Last Battle", slug="the-last-battle", isbn13="9780306822087", authors=[author]
    )


def test_commonmark_is_rendered(db):
    html = render_body(
        "## Section\n\nSome *emphasis* and a [link](https://example.org).\n\n- one\n- two\n"
    ).html
    assert "<h2>Section</h2>" in html
    assert "<em>emphasis</em>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer">link</a>' in html
    assert "<li>one</li>" in html


def test_the_same_book_embedded_twice_renders_two_cards(battle):
    rendered = render_body(
        "Intro\n\n[[book:the-last-battle]]\n\nMiddle\n\n[[book:the-last-battle]]\n"
    )
    assert len(text_of(rendered.html, ".book-card")) == 2
    assert [book.pk for book in rendered.books] == [battle.pk]


@pytest.mark.parametrize("ref", ["9780306822087", "978-0-306-82208-7", "0306822083"])
def test_a_book_can_be_embedded_by_isbn(battle, ref):
    html = render_body(f"[[book:{ref}]]").html
    assert text_of(html, ".book-card__title") == ["The Last Battle"]


def test_an_embed_must_stand_on_its_own_line(battle):
    html = render_body("See [[book:the-last-battle]] for more.").html
    assert "book-card" not in html
    assert "[[book:the-last-battle]]" in html


def test_an_embed_interrupts_a_paragraph_without_a_blank_line(battle):
    html = render_body("A paragraph.\n[[book:the-last-battle]]\nMore text.").html
    assert len(text_of(html, ".book-card")) == 1


def test_embed_refs_lists_every_reference_in_order():
    assert embed_refs("[[book:a]]\n\ntext\n\n[[book: b ]]\n\n[[book:a]]") == ["a", "b", "a"]


def test_an_unknown_book_renders_nothing_and_logs_a_warning(db, caplog):
    with caplog.at_level(logging.WARNING, logger="articles.rendering"):
        html = render_body("Before\n\n[[book:no-such-book]]\n\nAfter").html
    assert "book-card" not in html and "no-such-book" not in html
    assert "<p>Before</p>" in html and "<p>After</p>" in html
    assert "[[book:no-such-book]]" in caplog.text


def test_a_withdrawn_book_is_not_shown(battle, caplog):
    Book.objects.filter(pk=battle.pk).update(status=Book.Status.WITHDRAWN)
    assert "book-card" not in render_body("[[book:the-last-battle]]").html
    assert "matches no public book" in caplog.text


HOSTILE = {
    "script": "<script>alert(1)</script>",
    "handler": '<img src="x.png" onerror="alert(1)">',
    "javascript link": "[click](javascript:alert(1))",
    "javascript html link": '<a href="javascript:alert(1)">x</a>',
    "data url": '<img src="data:image/svg+xml;base64,PHN2Zz4=">',
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "form": '<form action="https://evil.example"><input name="password"></form>',
    "style attribute": '<p style="position:fixed">x</p>',
    "style element": "<style>body{display:none}</style>",
    "object": '<object data="x.swf"></object>',
}


@pytest.mark.parametrize("payload", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_html_never_reaches_readers(db, payload):
    soup = BeautifulSoup(render_body(f"Text\n\n{payload}\n\nMore").html, "html.parser")
    forbidden_tags = ["script", "iframe", "form", "input", "style", "object", "embed"]
    assert soup.find_all(forbidden_tags) == []
    for element in soup.find_all(True):
        for name, value in element.attrs.items():
            assert not name.startswith("on") and name != "style"
            if name in ("href", "src"):
                assert value.split(":")[0].lower() in ("http", "https", "mailto", "x.png")
    assert "Text" in soup.get_text() and "More" in soup.get_text()


def test_template_syntax_in_a_body_is_shown_as_text(db, settings):
    html = render_body("Value: {{ settings.SECRET_KEY }} {% csrf_token %}").html
    assert "{{ settings.SECRET_KEY }}" in html
    assert "{% csrf_token %}" in html
    assert settings.SECRET_KEY not in html


def test_an_editor_cannot_forge_an_embed_placeholder(battle):
    # The forged placeholder points at embed 0, a real book: only the real embed may show.
    body = '<div data-embed="0123456789abcdef:0"></div>\n\nText\n\n[[book:the-last-battle]]'
    html = render_body(body).html
    assert len(text_of(html, ".book-card")) == 1
    assert html.index("book-card") > html.index("Text")


def test_plain_text_drops_markdown_syntax_and_embeds():
    body = (
        "## A *Heading*\n\nSome **bold** text with a [link](https://x.org)\nand a break."
        "\n\n[[book:x]]\n\n> quoted"
    )
    assert plain_text(body) == "A Heading Some bold text with a link and a break. quoted"


def test_teasers_are_cut_at_a_word_with_an_ellipsis():
    text = "The human voice is a captivating and complex phenomenon"
    assert cut_at_word(text, 30) == "The human voice is a…"
    assert cut_at_word(text, 200) == text
    assert cut_at_word("Anticonstitutionnellement", 10) == "Anticonsti…"


def test_teasers_never_cut_inside_an_entity(db):
    from articles.models import Article

    article = Article(body="Fish & chips " * 30)
    assert article.teaser.endswith("chips…") or article.teaser.endswith("Fish…")
    assert "&amp" not in article.teaser


def test_an_articles_teaser_follows_its_saved_body(db):
    from articles.models import Article

    article = make_article(body="## First *words*\n\nThe opening of the piece.")
    assert Article.objects.get(pk=article.pk).teaser == "First words The opening of the piece."
    article.body = "Rewritten from the start."
    article.save(update_fields=["body"])
    assert Article.objects.get(pk=article.pk).teaser == "Rewritten from the start."


def test_an_edited_body_not_yet_saved_has_its_own_teaser(db):
    """A preview shows the words being written, not the stored excerpt."""
    from articles.models import Article

    article = Article.objects.get(pk=make_article(body="Stored words.").pk)
    article.body = "Words being written."
    assert article.teaser == "Words being written."
    assert Article(body="A new piece, never saved.").teaser == "A new piece, never saved."


def test_a_list_of_teasers_parses_no_markdown(db, client, monkeypatch):
    from articles import rendering

    for number in range(3):
        make_article(body=f"Piece number {number}, *with* emphasis.")

    def refuse(body):
        raise AssertionError("a stored article's teaser was parsed from its body")

    monkeypatch.setattr(rendering, "plain_text", refuse)
    html = client.get("/articles/").content
    assert text_of(html, ".teaser__text")[0] == "Piece number 2, with emphasis."
