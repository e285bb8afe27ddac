"""The header and footer links, worked out once: still right for a site mounted under a
path, and for the site at its root in the same process."""

import pytest
from django.template import Context, Template
from django.urls import clear_script_prefix, set_script_prefix

LINKS = Template(
    "{% load site_links %}{% site_url 'articles:article-list' %} {% site_url 'website:search' %}"
)


@pytest.fixture
def mounted_at():
    def mount(prefix: str) -> None:
        set_script_prefix(prefix)

    yield mount
    clear_script_prefix()


def test_links_name_the_path_the_site_is_mounted_under(mounted_at):
    mounted_at("/colophon/")
    assert LINKS.render(Context()) == "/colophon/articles/ /colophon/search/"
    mounted_at("/")
    assert LINKS.render(Context()) == "/articles/ /search/"


def test_the_header_of_a_page_links_to_the_sections(client, db):
    from bs4 import BeautifulSoup

    page = BeautifulSoup(client.get("/search/").content, "html.parser")
    nav = [a["href"] for a in page.select(".site-nav a")]
    assert nav == ["/articles/", "/books/"]
    assert page.select_one("form.site-search")["action"] == "/search/"
