"""A picture on another site in a body (`![…](https://elsewhere/…)`) is refused by the
pages' security policy: readers see nothing. The desk's previews name it where it stands,
with a link that brings it into the library, and the form refuses to save it."""

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client

from articles.foreign_pictures import foreign_picture_addresses
from articles.models import Article
from tests.factories import article_form, make_article
from tests.helpers import text_of

WIKIMEDIA = "https://upload.wikimedia.org/wikipedia/commons/a/ab/Elbe_Day.jpg"
NOTE = (
    "This picture is on another site: readers will not see it. Add it to the library and "
    "embed it with [[image:ID]]"
)


@pytest.fixture
def editor(db) -> Client:
    user = get_user_model().objects.create_user("picture-editor", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft(db) -> Article:
    return make_article(title="Elbe Day", body="The first words.", status=Article.Status.DRAFT)


# --- Which pictures are foreign ----------------------------------------------------------


def test_pictures_on_other_hosts_are_found_once_each_in_markdown_and_html(settings):
    body = f"""Intro ![Soldiers]({WIKIMEDIA}) and again ![Same]({WIKIMEDIA}).

[![A linked one](//cdn.example.org/bridge.png)](https://example.org/)

<p><img src="http://old.example.com/map.gif" alt="A map"></p>

| A table |
| --- |
| ![In a cell](https://tables.example.net/cell.jpg) |

Ours: ![Media](/media/images/renditions/1-abc-800.jpg) ![Static](/static/img/share.png)
![A path](pictures/local.png) <img src="/media/x.webp" alt="">

    ![In code](https://code.example/never.png)
"""
    assert foreign_picture_addresses(body) == [
        WIKIMEDIA,
        "//cdn.example.org/bridge.png",
        "http://old.example.com/map.gif",
        "https://tables.example.net/cell.jpg",
    ]


def test_media_served_from_another_host_is_still_ours(settings):
    settings.MEDIA_URL = "https://media.colophon.example/m/"
    body = "![Ours](https://media.colophon.example/m/renditions/1-800.jpg)\n\n![Theirs](https://media.colophon.example/elsewhere.jpg)"
    assert foreign_picture_addresses(body) == ["https://media.colophon.example/elsewhere.jpg"]


def test_addresses_browsers_read_as_another_host_are_foreign_too(db):
    """Browsers take a backslash for a slash and drop tabs and newlines; `https:host/x`
    is another host from a page served over http. The sanitiser keeps all of these, so
    each would reach readers as an empty space."""
    body = """<img src="\\\\evil.example/a.png">
<img src="/\\evil.example/b.png">
<img src="https:evil.example/c.png">
<img src="/&#9;/evil.example/d.png">

Ours: <img src="/media/images/x.jpg"> <img src="/\tmedia/y.jpg"> ![A path](pictures/local.png)
"""
    assert foreign_picture_addresses(body) == [
        "\\\\evil.example/a.png",
        "/\\evil.example/b.png",
        "https:evil.example/c.png",
        "/\t/evil.example/d.png",
    ]


# --- Previews ----------------------------------------------------------------------------


def live(client, article, body):
    response = client.post(
        f"/admin/articles/article/{article.pk}/live-preview/",
        {"title": article.title, "standfirst": "", "byline": "", "body": body},
    )
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_live_pane_names_the_foreign_picture_where_it_stands(editor, draft):
    body = (
        f"Before.\n\nThe meeting: ![Soldiers shaking hands]({WIKIMEDIA}) on the bridge.\n\nAfter."
    )
    answer = live(editor, draft, body)
    soup = BeautifulSoup(answer["html"], "html.parser")

    assert soup.select(".prose img") == []  # the browser would refuse it: no broken picture
    paragraphs = text_of(answer["html"], ".prose > p")
    assert paragraphs[0] == "Before."
    assert paragraphs[1].startswith("The meeting: " + NOTE)
    assert paragraphs[1].endswith("on the bridge.")
    assert paragraphs[2] == "After."
    note = soup.select_one(".prose .preview-missing[role=note]")
    link = note.select_one("a")
    assert link.get_text() == f"add {WIKIMEDIA} to the library"
    address = urlsplit(link["href"])
    assert address.path == "/admin/images/image/add/"
    assert parse_qs(address.query) == {"source_url": [WIKIMEDIA]}
    assert answer["foreign"] == [WIKIMEDIA]


def test_our_own_pictures_show_in_the_pane_unflagged(editor, draft):
    answer = live(editor, draft, "![A map](/media/images/map.jpg)")
    assert [img["src"] for img in BeautifulSoup(answer["html"], "html.parser").select("img")] == [
        "/media/images/map.jpg"
    ]
    assert answer["foreign"] == []
    assert "preview-missing" not in answer["html"]


def test_the_preview_button_shows_the_page_with_the_picture_flagged_not_an_error(editor, draft):
    form = article_form(
        title="Elbe Day", status="draft", body=f"Words.\n\n![Soldiers]({WIKIMEDIA})\n"
    )
    response = editor.post(f"/admin/articles/article/{draft.pk}/preview/", form)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("h1").get_text() == "Elbe Day"
    assert soup.select(".article__body img") == []
    assert text_of(response.content, ".article__body .preview-missing strong") == [
        "This picture is on another site: readers will not see it."
    ]
    assert parse_qs(urlsplit(soup.select_one(".preview-missing a")["href"]).query) == {
        "source_url": [WIKIMEDIA]
    }


# --- Saving ------------------------------------------------------------------------------


def test_saving_a_body_with_foreign_pictures_is_refused_naming_each_under_the_body(editor, db):
    other = "https://example.org/torgau.png"
    body = f"Intro.\n\n![Soldiers]({WIKIMEDIA})\n\n<img src='{other}' alt='Torgau'>\n"
    response = editor.post("/admin/articles/article/add/", article_form(body=body))

    assert response.status_code == 200
    assert not Article.objects.filter(title="A new piece").exists()
    soup = BeautifulSoup(response.content, "html.parser")
    errors = [
        " ".join(item.get_text().split()) for item in soup.select(".field-body .errorlist li")
    ]
    assert errors == [
        f"Not saved: the picture at {address} is on another site, and readers will not see "
        "it (the pages show pictures from this site alone). Add it to the library and embed "
        "it with [[image:ID]] instead. Your text is still here."
        for address in (WIKIMEDIA, other)
    ]
    links = [a["href"] for a in soup.select(".field-body .errorlist a")]
    assert [parse_qs(urlsplit(link).query)["source_url"] for link in links] == [
        [WIKIMEDIA],
        [other],
    ]
    assert soup.select_one("textarea#id_body").get_text().strip() == body.strip()


def test_a_body_with_our_own_pictures_saves(editor, db):
    body = "![A map](/media/images/map.jpg)\n\n![The logo](/static/img/share.png)"
    response = editor.post("/admin/articles/article/add/", article_form(body=body))
    assert response.status_code == 302
    assert Article.objects.get(title="A new piece").body == body


def test_the_library_link_opens_the_add_form_with_the_source_filled_in(editor, db):
    response = editor.get("/admin/images/image/add/", {"source_url": WIKIMEDIA})
    assert response.status_code == 200
    source = BeautifulSoup(response.content, "html.parser").select_one("input#id_source_url")
    assert source["value"] == WIKIMEDIA
