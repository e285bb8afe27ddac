"""JSON-LD in a page: whatever a title holds, the script element ends where it should and
reads back as the title."""

import json

from bs4 import BeautifulSoup

from shared.structured_data import json_ld_script
from tests.factories import make_article

AWKWARD_TITLE = "“Café” </script><!-- & <b>bold</b>"


def test_markup_in_a_value_is_escaped_and_other_characters_kept():
    script = json_ld_script({"name": AWKWARD_TITLE})
    assert script == (
        '<script type="application/ld+json">{"name": "“Café” \\u003C/script\\u003E'
        '\\u003C!-- \\u0026 \\u003Cb\\u003Ebold\\u003C/b\\u003E"}</script>'
    )
    assert json.loads(script.removeprefix('<script type="application/ld+json">')[:-9]) == {
        "name": AWKWARD_TITLE
    }


def test_an_article_page_names_its_awkward_title_in_its_structured_data(client, db):
    article = make_article(title=AWKWARD_TITLE, slug="awkward", body="Some words.")
    html = client.get(article.get_absolute_url()).content.decode()
    scripts = BeautifulSoup(html, "html.parser").find_all("script", type="application/ld+json")
    assert len(scripts) == 1
    data = json.loads(scripts[0].string)
    assert data["headline"] == AWKWARD_TITLE
    assert data["url"] == data["mainEntityOfPage"] == "http://testserver/articles/awkward/"
    assert "</script><!--" not in html
