"""A row deleted in the desk, alone or with others (the list's "Delete selected"), takes
with it every cached page and kept part that showed it: a reader's next visit shows the
page without it. Subjects, authors, topics, shops and pictures, each deleted as an editor
does it, with the shared page cache on."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from articles.models import Topic
from catalogue.models import Subject
from catalogue.shops import Shop
from images.models import Image
from pagecache import store
from tests.factories import make_article, make_author, make_book
from tests.helpers import text_of
from tests.pictures import make_ready_image

pytestmark = pytest.mark.page_cache

SIMILAR = "#book-similar + ul .book-card__title"


@pytest.fixture
def desk(db, django_capture_on_commit_callbacks):
    """An administrator's desk whose posts commit, as in production (what a deletion
    leaves for after its commit runs)."""
    user = get_user_model().objects.create_superuser("ada", "ada@example.com", "pass")
    client = Client()
    client.force_login(user)
    post = client.post

    def post_and_commit(*args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            response = post(*args, **kwargs)
        assert response.status_code == 302, response.content.decode()[:2000]
        return response

    client.post = post_and_commit
    return client


def delete_one(desk, obj) -> None:
    """The row's own delete page, confirmed."""
    opts = obj._meta
    desk.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk]), {"post": "yes"}
    )


def delete_selected(desk, *objs) -> None:
    """The list's "Delete selected" action, confirmed (ModelAdmin.delete_queryset)."""
    opts = objs[0]._meta
    desk.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk for obj in objs], "post": "yes"},
    )


def seen(url: str):
    """The page as a reader gets it, and whether the page cache answered."""
    response = Client().get(url)
    assert response.status_code == 200
    return response


def cached(url: str):
    """The page read twice: the second answer is the cached one."""
    seen(url)
    response = seen(url)
    assert response["X-Page-Cache"] == "hit"
    return response


def drop_page(url: str) -> None:
    """The page's own entry dropped, its kept parts left: as a new edge or an expiry does."""
    from django.test import RequestFactory

    cache.delete(store.page_key(store.page_address(RequestFactory().get(url))))


# --- Subjects: the "Similar" books of the pages of the books that had them -------------


@pytest.fixture
def similar(db, django_capture_on_commit_callbacks):
    """Two books sharing a subject, so each lists the other as similar."""
    with django_capture_on_commit_callbacks(execute=True):
        war = Subject.objects.create(name="War")
        other = Subject.objects.create(name="Sea")
        main, sibling = make_book(title="Main"), make_book(title="Sibling")
        main.subjects.add(war)
        sibling.subjects.add(war)
    return {"war": war, "other": other, "main": main, "sibling": sibling}


@pytest.mark.parametrize("how", [delete_one, delete_selected])
def test_a_deleted_subject_no_longer_makes_books_similar(desk, similar, how):
    url = similar["main"].get_absolute_url()
    assert text_of(cached(url).content, SIMILAR) == ["Sibling"]
    if how is delete_one:
        delete_one(desk, similar["war"])
    else:
        delete_selected(desk, similar["war"], similar["other"])
    assert not Subject.objects.filter(name="War").exists()
    assert text_of(seen(url).content, SIMILAR) == []
    # Nor do the parts kept for the page bring it back when the page itself is gone.
    drop_page(url)
    assert text_of(seen(url).content, SIMILAR) == []


@pytest.mark.parametrize("named", [1000, 0], ids=["its-books-pages", "every-page"])
def test_a_subject_deleted_lets_a_book_look_into_its_next_subject(
    desk, django_capture_on_commit_callbacks, monkeypatch, named
):
    # A book's similar books are looked for in its first five subjects (by name): one of
    # them deleted, the sixth is looked into, whose only other book then shows. (A subject
    # of more books than SUBJECT_BOOKS_NAMED drops every page instead of theirs.)
    monkeypatch.setattr("catalogue.signals.SUBJECT_BOOKS_NAMED", named)
    with django_capture_on_commit_callbacks(execute=True):
        subjects = [Subject.objects.create(name=f"Subject {letter}") for letter in "ABCDEF"]
        main, sibling = make_book(title="Main"), make_book(title="Sibling")
        main.subjects.add(*subjects)
        sibling.subjects.add(subjects[-1])
    url = main.get_absolute_url()
    assert text_of(cached(url).content, SIMILAR) == []
    delete_one(desk, subjects[0])
    assert text_of(seen(url).content, SIMILAR) == ["Sibling"]
    drop_page(url)
    assert text_of(seen(url).content, SIMILAR) == ["Sibling"]


# --- Authors: their own page (one credited with a book cannot be deleted) --------------


@pytest.mark.parametrize("how", [delete_one, delete_selected])
def test_a_deleted_author_has_no_page_left(desk, site, how, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        author = make_author(name="Ann Other")
        spare = make_author(name="Spare Author")
        book = make_book(title="Their Only Book", authors=[author])
    url = author.get_absolute_url()
    assert text_of(cached(url).content, "h1") == ["Ann Other"]
    with django_capture_on_commit_callbacks(execute=True):
        book.delete()  # credited with a book, an author cannot be deleted
    if how is delete_one:
        delete_one(desk, author)
    else:
        delete_selected(desk, author, spare)
    assert Client().get(url).status_code == 404
    # Their fellow author, whose book stays, is still credited on its pages.
    assert "Stephen Harding" in seen(site["book"].get_absolute_url()).content.decode()


# --- Topics: named on their articles' pages ----------------------------------------------


@pytest.mark.parametrize("how", [delete_one, delete_selected])
def test_a_deleted_topic_leaves_its_articles_pages(
    desk, site, how, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        topic = Topic.objects.create(name="Castles at war")
        spare = Topic.objects.create(name="Spare topic")
        site["article"].topics.add(topic)
    url = site["article"].get_absolute_url()
    assert "Castles at war" in cached(url).content.decode()
    if how is delete_one:
        delete_one(desk, topic)
    else:
        delete_selected(desk, topic, spare)
    assert not Topic.objects.filter(name="Castles at war").exists()
    assert "Castles at war" not in seen(url).content.decode()
    drop_page(url)
    assert "Castles at war" not in seen(url).content.decode()


# --- Shops: linked from every card ---------------------------------------------------------


def test_a_deleted_shop_is_linked_from_no_card(desk, site, django_capture_on_commit_callbacks):
    # One at a time: the desk offers no bulk deletion of shops (catalogue/admin/shops.py).
    with django_capture_on_commit_callbacks(execute=True):
        shop = Shop.objects.create(
            name="Corner Books", slug="corner-books", url_pattern="https://corner.example/{title}"
        )
    book_url, article_url = site["book"].get_absolute_url(), site["article"].get_absolute_url()
    for url in (book_url, article_url, "/books/"):
        assert "Corner Books" in cached(url).content.decode()
    delete_one(desk, shop)
    assert not Shop.objects.filter(slug="corner-books").exists()
    for url in (book_url, article_url, "/books/"):
        assert "Corner Books" not in seen(url).content.decode()
        drop_page(url)
        assert "Corner Books" not in seen(url).content.decode()


# --- Pictures: a figure in a body, a featured picture ------------------------------------


@pytest.mark.parametrize("how", [delete_one, delete_selected])
def test_a_deleted_picture_leaves_the_pages_that_showed_it(
    desk, site, how, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        figure = make_ready_image(alt="A castle in the snow", caption="Itter, 1945.")
        featured = make_ready_image(alt="Soldiers at the gate")
        article = make_article(
            title="Pictured",
            body=f"Text.\n\n[[image:{figure.pk}]]\n\n[[book:the-last-battle]]\n",
            featured_image=featured,
        )
    url = article.get_absolute_url()
    pages = (url, "/articles/", site["book"].get_absolute_url())
    page = cached(url).content.decode()
    assert "A castle in the snow" in page and "Soldiers at the gate" in page
    for other in pages[1:]:
        cached(other)
    if how is delete_one:
        delete_one(desk, figure)
        delete_one(desk, featured)
    else:
        delete_selected(desk, figure, featured)
    assert not Image.objects.exists()
    for shown in pages:
        for _ in range(2):
            html = seen(shown).content.decode()
            assert "A castle in the snow" not in html and "Soldiers at the gate" not in html
            assert "/media/images/" not in html
            drop_page(shown)
