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


STATIC = Template("{% load site_links %}{% site_static 'css/site.css' %}")


def test_a_site_file_has_the_address_static_gives_it_and_follows_the_settings(settings):
    from django.templatetags.static import static

    assert STATIC.render(Context()) == static("css/site.css")
    settings.STATIC_URL = "https://cdn.example/assets/"
    assert STATIC.render(Context()) == "https://cdn.example/assets/css/site.css"


def test_a_page_links_its_stylesheet_and_icon_where_static_says(client, db):
    from bs4 import BeautifulSoup
    from django.templatetags.static import static

    page = BeautifulSoup(client.get("/search/").content, "html.parser")
    assert page.select_one("link[rel=stylesheet]")["href"] == static("css/site.css")
    assert page.select_one("link[rel=icon]")["href"] == static("img/favicon.svg")
