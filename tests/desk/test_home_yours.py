"""A contributor's home panels of scheduled and published articles count only their own
articles, and say so: "Nothing has been published yet." beside four live articles misled."""

import pytest
from bs4 import BeautifulSoup

from tests.factories import make_article
from tests.helpers import text_of

pytestmark = pytest.mark.django_db


def panel_text(page, slug: str) -> str:
    return " ".join(text_of(page.content, f"#panel-{slug}", " "))


def test_a_contributor_is_told_none_of_their_articles_is_published(contributor, editor):
    make_article(title="Someone else's")
    home = contributor.get("/admin/")
    assert "None of your articles is published yet." in panel_text(home, "recently-published")
    assert "None of your articles is scheduled to go live." in panel_text(
        home, "scheduled-to-go-live"
    )
    assert "None of your articles is set to be withdrawn." in panel_text(
        home, "scheduled-to-be-withdrawn"
    )
    assert "Nothing has been published yet." not in home.content.decode()
    # Editors see every article: the panel lists it.
    assert "Someone else's" in panel_text(editor.get("/admin/"), "recently-published")


def test_a_contributors_see_all_link_lists_their_own(contributor):
    make_article(title="Someone else's")
    home = contributor.get("/admin/")
    [label] = text_of(home.content, "#panel-recently-published .desk-panel__all a")
    assert label == "All your published articles"
    [link] = BeautifulSoup(home.content, "html.parser").select(
        "#panel-recently-published .desk-panel__all a"
    )
    listing = contributor.get(link["href"])
    # Their list is theirs alone anyway (ArticleAdmin.get_queryset): the link opens it
    # with the writer filter at "Me", so the list says so too.
    chosen = text_of(listing.content, "#changelist-filter li.selected a")
    assert {"Published", "Me"} <= set(chosen)


def test_an_editors_empty_panels_speak_of_every_article(editor):
    home = editor.get("/admin/")
    assert "Nothing has been published yet." in panel_text(home, "recently-published")
    assert "Nothing is scheduled to go live." in panel_text(home, "scheduled-to-go-live")
