"""Every link the desk shows a person leads to a page that person may open.

A contributor reading a book at the desk was offered History (403), "Moderate this book's
ratings" (403) and the change page of a colleague's live article that embeds it (back to
the desk's home, told the article "doesn't exist. Perhaps it was deleted?"): plain error
pages with no way back, or a false alarm. Each role here opens the desk's everyday pages and
follows every desk link in their content; none may answer "refused" or "not found".
"""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model

from catalogue.models import ReadingList, ReadingListItem
from catalogue.ratings import Reader, rate
from tests.factories import desk_client, make_article, make_author, make_book
from tests.pictures import make_ready_image

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk_rows():
    """A book embedded by an editor's live article and a contributor's own draft, with a
    reader's rating; a reading list embedded by the live article."""
    editor = desk_client("erin", "editor")
    contributor = desk_client("casey", "contributor")
    users = get_user_model().objects
    book = make_book(
        title="The Dispossessed",
        slug="the-dispossessed",
        authors=[make_author(name="Ursula K. Le Guin")],
        cover_url="https://covers.example/dispossessed.jpg",
    )
    reading_list = ReadingList.objects.create(title="Utopias", slug="utopias")
    ReadingListItem.objects.create(reading_list=reading_list, book=book, position=1)
    live = make_article(
        title="Ambiguous utopias",
        body="[[book:the-dispossessed]]\n\n[[list:utopias]]",
        created_by=users.get(username="erin"),
    )
    draft = make_article(
        title="My own draft",
        body="[[book:the-dispossessed]]",
        status="draft",
        created_by=users.get(username="casey"),
    )
    rate(book=book, reader=Reader(visitor="reader-1"), score=4)
    make_ready_image(alt="A map of Anarres", uploaded_by=users.get(username="erin"))
    return {
        "editor": editor,
        "contributor": contributor,
        "pages": [
            "/admin/",
            "/admin/articles/article/",
            f"/admin/articles/article/{draft.pk}/change/",
            "/admin/catalogue/book/",
            f"/admin/catalogue/book/{book.pk}/change/",
            "/admin/catalogue/readinglist/",
            f"/admin/catalogue/readinglist/{reading_list.pk}/change/",
            "/admin/images/image/",
            "/admin/catalogue/author/",
            "/admin/catalogue/subject/",
            "/admin/articles/topic/",
        ],
        "live": live,
    }


def desk_links(html: bytes) -> set[str]:
    """The desk addresses linked from a page's content (not its header or side bar)."""
    content = BeautifulSoup(html, "html.parser").select_one("#content")
    links = set()
    for anchor in content.select("a[href]"):
        href = anchor["href"]
        if href.startswith("?"):
            continue  # the same list, sorted or filtered otherwise
        if href.startswith("/admin/") and "/logout/" not in href:
            links.add(href)
    return links


@pytest.mark.parametrize("role", ["contributor", "editor"])
def test_no_desk_link_leads_to_a_refusal(desk_rows, role):
    client = desk_rows[role]
    broken = []
    for page in desk_rows["pages"]:
        response = client.get(page)
        if response.status_code in (403, 404):
            continue  # a page this role may not open is no link of theirs
        for link in desk_links(response.content):
            answer = client.get(link)
            if answer.status_code in (403, 404):
                broken.append(f"{page} links {link}: {answer.status_code}")
            elif answer.status_code == 302 and answer["Location"] == "/admin/":
                # Django's way to say “doesn't exist. Perhaps it was deleted?”
                broken.append(f"{page} links {link}: sent back to the desk's home")
    assert broken == [], "\n".join(broken)


def test_a_colleagues_live_article_is_named_with_its_page_on_the_site(desk_rows):
    """Where a book is used, a contributor reads the live article's title and may open
    its page on the site; only an editor, who may open it at the desk, gets that link."""
    live = desk_rows["live"]
    book_page = f"/admin/catalogue/book/{live.embedded_books.get().pk}/change/"
    for role, links in [
        ("contributor", [live.get_absolute_url()]),
        ("editor", [f"/admin/articles/article/{live.pk}/change/", live.get_absolute_url()]),
    ]:
        page = BeautifulSoup(desk_rows[role].get(book_page).content, "html.parser")
        live_entries = page.select_one(".where-used").select("dd")
        assert "Ambiguous utopias" in live_entries[0].get_text()
        assert [a["href"] for a in live_entries[0].select("a")] == links
