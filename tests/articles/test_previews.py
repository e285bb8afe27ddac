"""Previews: the desk's live pane beside the body, and signed links that show an
unpublished article to a reviewer without an account (articles/previews.py)."""

import datetime as dt
import json
import re
import time

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from articles.forms import MAX_BODY_LENGTH
from articles.models import Article
from articles.previews import LINK_SALT, ROW_SALT, make_preview_link, render_preview_body
from articles.rendering import render_body
from catalogue.models import Book
from catalogue.shops import enabled_shops
from pagecache import store
from tests.factories import article_form, make_article, make_author, make_book
from tests.helpers import text_of


def staff_with(*codenames: str) -> Client:
    user = get_user_model().objects.create_user(
        f"staff-{len(codenames)}-{'-'.join(codenames)}"[:150], is_staff=True
    )
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="articles", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def editor(db) -> Client:
    return staff_with("view_article", "add_article", "change_article", "publish_article")


@pytest.fixture
def book(db) -> Book:
    author = make_author(name="Stephen Harding")
    return make_book(title="The Last Battle", slug="the-last-battle", authors=[author])


@pytest.fixture
def draft(book) -> Article:
    return make_article(
        title="Torgau, April 1945",
        standfirst="Two armies meet.",
        body="The first words.\n\n[[book:the-last-battle]]",
        status=Article.Status.DRAFT,
    )


def live_url(article: Article | None = None) -> str:
    if article is None:
        return "/admin/articles/article/live-preview/"
    return f"/admin/articles/article/{article.pk}/live-preview/"


def link_url(article: Article) -> str:
    return f"/admin/articles/article/{article.pk}/preview-link/"


def live(client, article=None, **fields):
    fields = {"title": "Torgau", "standfirst": "", "byline": "", "body": "", **fields}
    return client.post(live_url(article), fields)


def pane(response) -> str:
    return json.loads(response.content)["html"]


# --- The live pane -----------------------------------------------------------------------


def test_the_pane_shows_the_body_as_typed_with_its_cards(editor, draft):
    response = live(
        editor,
        draft,
        title="Torgau, revised",
        standfirst="Two armies meet at the Elbe.",
        byline="Colophon",
        body="New *words*.\n\n[[book:the-last-battle]]",
    )
    assert response.status_code == 200
    html = pane(response)
    assert text_of(html, "h1.article__title") == ["Torgau, revised"]
    assert text_of(html, ".article__standfirst") == ["Two armies meet at the Elbe."]
    assert text_of(html, ".article__meta") == ["By Colophon"]
    assert text_of(html, ".prose em") == ["words"]
    assert text_of(html, ".book-card__title") == ["The Last Battle"]
    assert text_of(html, ".book-card__authors") == ["by Stephen Harding"]
    assert json.loads(response.content)["unknown"] == []
    # Nothing is saved.
    assert Article.objects.get(pk=draft.pk).title == "Torgau, April 1945"


def test_a_reference_to_no_book_is_flagged_where_it_stands(editor, draft):
    body = "Before.\n\n[[book:no-such-book]]\n\nBetween.\n\n[[book:the-last-battle]]"
    response = live(editor, draft, body=body)
    html = pane(response)
    assert text_of(html, ".preview-missing strong") == ["No book matches [[book:no-such-book]]."]
    assert text_of(html, ".prose > p, .prose > .preview-missing > p, .book-card__title") == [
        "Before.",
        "No book matches [[book:no-such-book]]. Use a book’s slug or ISBN-13, or add the book "
        "to the catalogue first: the article can’t be saved until then.",
        "Between.",
        "The Last Battle",
    ]
    assert json.loads(response.content)["unknown"] == ["no-such-book"]


def test_a_book_readers_cannot_see_is_flagged_instead_of_its_card(editor, draft):
    make_book(title="Still a Draft", slug="still-a-draft", status=Book.Status.DRAFT)
    response = live(editor, draft, body="[[book:still-a-draft]]")
    html = pane(response)
    assert text_of(html, ".book-card") == []
    assert text_of(html, ".preview-missing")[0].startswith(
        "Readers see no card here: [[book:still-a-draft]] is “Still a Draft”, which is not "
        "published in the catalogue."
    )
    answer = json.loads(response.content)
    assert (answer["unknown"], answer["unpublished"]) == ([], ["still-a-draft"])


@pytest.mark.parametrize("edited", [False, True], ids=["body as saved", "body edited"])
def test_the_preview_button_flags_a_book_readers_cannot_see_as_the_pane_does(editor, draft, edited):
    make_book(title="Still a Draft", slug="still-a-draft", status=Book.Status.DRAFT)
    body = "Coming soon.\n\n[[book:still-a-draft]]\n\n[[book:the-last-battle]]"
    saved = Article.objects.get(pk=draft.pk)  # stored with the draft book in its body
    saved.body = body
    saved.save()
    typed = body + "\n\nOne more line." if edited else body
    form = article_form(title=saved.title, status="draft", body=typed)

    page = editor.post(f"/admin/articles/article/{draft.pk}/preview/", form)
    in_the_pane = pane(live(editor, draft, body=typed))

    flag = (
        "Readers see no card here: [[book:still-a-draft]] is “Still a Draft”, which is not "
        "published in the catalogue."
    )
    assert page.status_code == 200
    assert text_of(page.content, ".article__body .preview-missing") == [flag]
    assert text_of(in_the_pane, ".preview-missing") == [flag]
    assert text_of(page.content, ".article__body .book-card__title") == ["The Last Battle"]
    assert body_html(page.content) == body_html(in_the_pane)


def test_what_the_editor_types_is_shown_as_text_never_run(editor, draft):
    response = live(
        editor,
        draft,
        title="<script>alert(1)</script>",
        body='<script>alert(2)</script><img src="x" onerror="alert(3)">\n\n{{ secret }}',
    )
    html = pane(response)
    assert text_of(html, "h1") == ["<script>alert(1)</script>"]
    assert "<script>" not in html and "onerror" not in html
    assert "{{ secret }}" in html


def test_a_new_article_can_be_previewed_before_its_first_save(editor, book):
    response = live(editor, body="[[book:the-last-battle]]")
    assert text_of(pane(response), ".book-card__title") == ["The Last Battle"]
    assert not Article.objects.exists()


def test_the_pane_is_never_stored_nor_indexed(editor, draft):
    response = live(editor, draft, body="Words.")
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex"


def test_an_overlong_body_is_refused_with_a_message(editor, draft):
    response = live(editor, draft, body="x" * (MAX_BODY_LENGTH + 1))
    assert response.status_code == 413
    assert json.loads(response.content)["error"] == (
        f"The preview stops here: this body is {MAX_BODY_LENGTH + 1:,} characters long, and an "
        f"article holds up to {MAX_BODY_LENGTH:,} (about 80,000 words). Split it into several "
        "articles, or cut it."
    )


def test_visitors_who_are_not_signed_in_are_sent_to_the_login(client, draft):
    for url in (live_url(draft), live_url(), link_url(draft)):
        response = client.post(url, {"body": "Words."})
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_staff_who_may_not_change_the_article_are_refused(draft):
    viewer = staff_with("view_article")
    assert live(viewer, draft).status_code == 403
    assert live(viewer).status_code == 403  # nor add one
    assert viewer.post(link_url(draft)).status_code == 403
    assert live(staff_with("view_article", "add_article")).status_code == 200


def test_an_article_that_does_not_exist_is_refused(editor, db):
    assert editor.post("/admin/articles/article/987654/live-preview/").status_code == 403


def test_the_pane_needs_a_post_with_the_forms_csrf_token(draft):
    user = get_user_model().objects.create_superuser("chief", password="long-enough-pass-9")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.get(live_url(draft)).status_code == 405
    assert strict.post(live_url(draft), {"body": "Words."}).status_code == 403  # no token
    assert strict.post(link_url(draft)).status_code == 403


def test_the_form_offers_the_pane_and_links_only_where_they_work(editor, draft):
    change = editor.get(f"/admin/articles/article/{draft.pk}/change/").content
    assert text_of(change, "#preview-link-button") == ["Copy a preview link"]
    config = text_of(change, "#live-preview-config[data-url$='/live-preview/']")
    assert config == [""]
    add = editor.get("/admin/articles/article/add/").content
    assert text_of(add, "#preview-link-button") == []  # nothing saved to link to yet
    assert text_of(add, "#live-preview-config[data-url='/admin/articles/article/live-preview/']")
    viewer = staff_with("view_article").get(f"/admin/articles/article/{draft.pk}/change/")
    assert text_of(viewer.content, "#preview-link-button, #live-preview-config") == []


def live_query_count(editor, draft, embeds: int, django_assert_max_num_queries) -> int:
    books = [make_book(slug=f"book-{embeds}-{n}") for n in range(embeds)]
    body = "\n\n".join(f"[[book:{book.slug}]]" for book in books) + "\n\n[[book:nothing]]"
    with django_assert_max_num_queries(100) as captured:
        response = live(editor, draft, body=body)
    assert len(text_of(pane(response), ".book-card")) == embeds
    return len(captured)


def test_the_panes_query_count_does_not_grow_with_the_cards(
    editor, draft, django_assert_max_num_queries
):
    enabled_shops()  # read once into the cache, as by any earlier page
    one = live_query_count(editor, draft, 1, django_assert_max_num_queries)
    ten = live_query_count(editor, draft, 10, django_assert_max_num_queries)
    assert one == ten


# --- One render path: the preview shows what the page shows ------------------------------

# Markdown, raw HTML to be cleaned, a would-be placeholder, template syntax, and cards by
# slug, by ISBN and twice over.
EVERY_KIND_OF_BODY = (
    "## At the Elbe\n\nSome *words*, <b>bold</b> and <script>alert(1)</script>.\n\n"
    "[[book:the-last-battle]]\n\n"
    '<div data-embed="0123456789abcdef:0"></div>\n\n'
    "- {{ settings.SECRET_KEY }}\n- two\n\n"
    "[[book:9780306822087]]\n\n"
    "    [[book:the-last-battle]]\n\n"
    "[[book:the-last-battle]]\n"
)


def body_html(page: bytes | str) -> str:
    return BeautifulSoup(page, "html.parser").select_one(".article__body").decode_contents()


def test_a_body_of_published_books_renders_the_same_in_the_preview_and_on_the_page(
    editor, book, client
):
    """Page and preview share one renderer: any drift between them fails here."""
    Book.objects.filter(pk=book.pk).update(isbn13="9780306822087")
    page_body = render_body(EVERY_KIND_OF_BODY)
    preview = render_preview_body(EVERY_KIND_OF_BODY)
    assert len(text_of(page_body.html, ".book-card")) == 3
    assert preview.html == page_body.html
    assert (preview.unknown, preview.unpublished) == ([], [])

    article = make_article(title="Torgau", body=EVERY_KIND_OF_BODY)
    on_the_page = body_html(client.get(article.get_absolute_url()).content)
    in_the_pane = body_html(pane(live(editor, article, body=EVERY_KIND_OF_BODY)))
    from_a_link = body_html(client.get(make_preview_link(article)[0]).content)
    assert on_the_page == in_the_pane == from_a_link
    assert "book-card" in on_the_page


def test_the_preview_differs_from_the_page_only_where_readers_see_no_card(book):
    make_book(title="Still a Draft", slug="still-a-draft", status=Book.Status.DRAFT)
    body = "One.\n\n[[book:still-a-draft]]\n\n[[book:the-last-battle]]\n\n[[book:no-such-book]]"
    page_body = render_body(body)
    preview = render_preview_body(body)
    soup = BeautifulSoup(preview.html, "html.parser")
    flags = soup.select(".preview-missing")
    assert len(flags) == 2
    for flag in flags:
        flag.decompose()

    def tight(html) -> str:  # the same markup, however the flags' templates are spaced
        return re.sub(r">\s+<", "><", str(html)).strip()

    assert tight(soup) == tight(BeautifulSoup(page_body.html, "html.parser"))
    assert page_body.hidden == ["still-a-draft", "no-such-book"]
    assert (preview.unknown, preview.unpublished) == (["no-such-book"], ["still-a-draft"])


# --- Signed links ------------------------------------------------------------------------


def made_link(editor, article) -> str:
    response = editor.post(link_url(article))
    assert response.status_code == 200
    answer = json.loads(response.content)
    assert answer["url"].startswith("http://testserver/articles/preview/")
    assert answer["expires"]
    return answer["url"].removeprefix("http://testserver")


def test_a_reviewer_without_an_account_reads_the_draft_from_the_link(editor, draft, client):
    link = made_link(editor, draft)
    response = client.get(link)
    assert response.status_code == 200
    assert text_of(response.content, ".preview-banner")[0].startswith(
        "Preview: not published. This article is a draft"
    )
    assert text_of(response.content, "h1") == ["Torgau, April 1945"]
    assert text_of(response.content, ".article__standfirst") == ["Two armies meet."]
    assert text_of(response.content, ".book-card__title") == ["The Last Battle"]
    # The article itself is still not public.
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_the_link_page_is_never_stored_nor_indexed(editor, draft, client):
    response = client.get(made_link(editor, draft))
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    html = response.content.decode()
    assert '<meta name="robots" content="noindex">' in html
    assert 'rel="canonical"' not in html and "application/ld+json" not in html


@pytest.mark.parametrize(
    ("status", "published_at", "banner"),
    [
        ("review", None, "Preview: not published. This article is in review"),
        ("published", dt.timedelta(days=2), "Preview: not published yet. This article is "),
        ("published", -dt.timedelta(days=2), "Preview link: this article is published"),
    ],
)
def test_the_banner_says_where_the_article_stands(
    editor, draft, client, status, published_at, banner
):
    draft.status = status
    draft.published_at = timezone.now() + published_at if published_at else None
    draft.save()
    response = client.get(made_link(editor, draft))
    assert text_of(response.content, ".preview-banner")[0].startswith(banner)


def test_one_link_shows_every_later_save(editor, draft, client):
    link = made_link(editor, draft)
    client.get(link)
    draft.title = "Torgau, the second draft"
    draft.save()
    assert text_of(client.get(link).content, "h1") == ["Torgau, the second draft"]


def link_made_days_ago(article, days: float, monkeypatch) -> str:
    with monkeypatch.context() as patched:  # signed then: the token carries its time
        signed_at = time.time() - days * 24 * 3600
        patched.setattr(time, "time", lambda: signed_at)
        path, _ = make_preview_link(article)
    return path


def test_a_link_works_until_it_expires_then_says_so(draft, client, settings, monkeypatch):
    settings.PREVIEW_LINK_DAYS = 7
    assert client.get(link_made_days_ago(draft, 6.9, monkeypatch)).status_code == 200
    expired = client.get(link_made_days_ago(draft, 7.1, monkeypatch))
    assert expired.status_code == 410
    assert text_of(expired.content, "h1") == ["This preview link has expired"]
    assert "Preview links work for 7 days after they are made." in expired.content.decode()
    assert text_of(expired.content, ".article__title, .book-card") == []
    assert expired["X-Robots-Tag"] == "noindex"


def another_signature(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def another_article(token: str) -> str:
    """Another article's number, with this token's time and signature."""
    _, signed = token.split(":", 1)
    return signing.dumps(2, salt=LINK_SALT).split(":")[0] + ":" + signed


def another_salt(token: str) -> str:
    """Signed by this site, but for another purpose."""
    return signing.dumps(signing.loads(token, salt=ROW_SALT))


@pytest.mark.parametrize(
    "tamper", [another_signature, another_article, another_salt, lambda token: "not-a-token"]
)
def test_a_tampered_link_shows_no_article_and_says_why(editor, draft, client, tamper):
    token = made_link(editor, draft).split("/")[-2]
    response = client.get(f"/articles/preview/{tamper(token)}/")
    assert response.status_code == 404
    assert text_of(response.content, "h1") == ["This preview link doesn’t work"]
    assert text_of(response.content, ".article__title") == []


def test_a_link_to_a_deleted_article_says_so(editor, draft, client):
    link = made_link(editor, draft)
    draft.delete()
    response = client.get(link)
    assert response.status_code == 404
    assert text_of(response.content, "h1") == ["This article is no longer here"]


@pytest.mark.page_cache
def test_the_page_cache_never_keeps_a_link_page(editor, draft, django_capture_on_commit_callbacks):
    link = made_link(editor, draft)
    reviewer = Client()
    first = reviewer.get(link)
    assert "X-Page-Cache" not in first
    request = first.wsgi_request
    assert cache.get(store.page_key(store.page_address(request))) is None
    with django_capture_on_commit_callbacks(execute=True):
        draft.title = "Torgau, saved again"
        draft.save()
    second = reviewer.get(link)
    assert "X-Page-Cache" not in second
    assert text_of(second.content, "h1") == ["Torgau, saved again"]


def link_page_query_count(editor, embeds: int, django_assert_max_num_queries) -> int:
    books = [make_book(slug=f"linked-{embeds}-{n}") for n in range(embeds)]
    body = "\n\n".join(f"[[book:{book.slug}]]" for book in books)
    article = make_article(title=f"With {embeds}", body=body, status=Article.Status.DRAFT)
    link = made_link(editor, article)
    with django_assert_max_num_queries(100) as captured:
        response = Client().get(link)
    assert len(text_of(response.content, ".book-card")) == embeds
    return len(captured)


def test_the_link_pages_query_count_does_not_grow_with_the_cards(
    editor, db, django_assert_max_num_queries
):
    enabled_shops()  # read once into the cache, as by any earlier page
    one = link_page_query_count(editor, 1, django_assert_max_num_queries)
    ten = link_page_query_count(editor, 10, django_assert_max_num_queries)
    assert one == ten
    # article, its books, their authors, their shop links (issue 22), its topics, read-next
    # rows, the latest to top up
    assert one <= 7


def test_a_withdrawn_articles_preview_link_stops_working(db, client):
    article = make_article(title="Pulled", status=Article.Status.DRAFT)
    link, _ = make_preview_link(article)
    assert client.get(link).status_code == 200
    Article.objects.filter(pk=article.pk).update(status=Article.Status.WITHDRAWN)
    refused = client.get(link)
    assert refused.status_code == 410
    assert "has been withdrawn" in refused.content.decode()
