"""The article form's everyday tools in a real browser: the words and reading time beside
the body, counted as the server counts them; the sharing fields' lengths; Ctrl+S saves
and stays on the form."""

import pytest
from django.db import connection

from articles import rendering
from articles.models import Article, reading_minutes_for, word_count_of
from tests.browser.test_accessibility import ARTICLE_WITH_LIST
from tests.factories import make_article

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite", reason="needs concurrent requests: PostgreSQL pass"
    ),
]

# Bodies whose words the server does not all count: embeds, addresses, pictures, HTML.
BODIES = [
    "One two three.",
    "Before the card.\n\n[[book:the-last-battle]]\n\nAfter [the card](/articles/torgau/)"
    " and <https://example.org/archive>.",
    ARTICLE_WITH_LIST,
    "# A heading\n\n![A map of the Elbe](https://example.org/map.png)\n\n[[image:12]]\n\n"
    "* side-by-side soldiers’ letters\n* 1945, 25 April\n\n[ref]: https://example.org/ref\n",
    "word " * 700,
]


def server_count(title: str, body: str) -> str:
    words = word_count_of(title, rendering.plain_text(body))
    return f"{words:,} word{'' if words == 1 else 's'} · {reading_minutes_for(words)} min read"


def test_the_word_count_beside_the_body_is_the_servers(page, desk):
    page.goto(f"{desk}/admin/articles/article/add/")
    page.wait_for_load_state("load")
    counted = page.locator("#id_body-word-count")
    assert counted.inner_text() == "0 words · 1 min read"
    page.fill("#id_title", "Torgau, April 1945")
    for body in BODIES:
        page.fill("#id_body", body)
        expected = server_count("Torgau, April 1945", body)
        page.wait_for_function(
            "(expected) => document.getElementById('id_body-word-count').textContent === expected",
            arg=expected,
        )
    assert "id_body-word-count" in page.get_attribute("#id_body", "aria-describedby")
    # Read out once the typing pauses, in a polite live region.
    said = page.locator(
        "[aria-live=polite]", has_text=server_count("Torgau, April 1945", BODIES[-1])
    )
    said.wait_for(state="attached")
    assert said.get_attribute("class") == "visually-hidden"


def test_the_sharing_fields_show_their_length_against_their_limit(page, desk):
    page.goto(f"{desk}/admin/articles/article/add/")
    page.wait_for_load_state("load")
    page.fill("#id_meta_description", "A short description.")
    count = page.locator("#id_meta_description-character-count")
    count.filter(has_text="20 of 300 characters").wait_for()
    page.fill("#id_social_title", "x" * 190)
    page.locator("#id_social_title-character-count").filter(
        has_text="190 of 200 characters (10 left)"
    ).wait_for()


def test_ctrl_s_saves_and_stays_on_the_form(page, desk):
    article = make_article(title="Torgau, April 1945", body="The first words.")
    url = f"{desk}/admin/articles/article/{article.pk}/change/"
    page.goto(url)
    page.wait_for_load_state("load")
    body = page.locator("#id_body")
    body.press("Control+End")
    body.press_sequentially(" And a second sentence.")
    with page.expect_navigation():
        body.press("Control+s")  # from within the text
    assert page.url == url
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    assert Article.objects.get(pk=article.pk).body == "The first words. And a second sentence."
    assert page.input_value("#id_body") == "The first words. And a second sentence."


def test_ctrl_s_on_a_new_article_saves_it_and_opens_its_form(page, desk):
    page.goto(f"{desk}/admin/articles/article/add/")
    page.wait_for_load_state("load")
    page.fill("#id_title", "A new piece")
    page.fill("#id_body", "Its words.")
    page.select_option("#id_status", "draft")
    with page.expect_navigation():
        page.keyboard.press("Control+s")
    article = Article.objects.get(title="A new piece")
    assert page.url.endswith(f"/admin/articles/article/{article.pk}/change/")


def test_ctrl_s_does_nothing_while_the_picker_is_open(page, desk):
    article = make_article(title="Torgau, April 1945", body="The first words.")
    page.goto(f"{desk}/admin/articles/article/{article.pk}/change/")
    page.wait_for_load_state("load")
    body = page.locator("#id_body")
    body.press("Control+End")
    body.press_sequentially(" [[")
    picker = page.get_by_role("combobox", name="Find a book to embed")
    picker.wait_for()
    picker.press("Control+s")
    page.wait_for_timeout(500)
    assert picker.is_visible()
    assert Article.objects.get(pk=article.pk).version == article.version  # not saved
