"""Every route of the desk answers each role as the rules say.

The test walks every URL pattern of the admin site (`admin.site.get_urls()`, each
ModelAdmin's own included: reversion's recover and revision pages, the desk's compare,
previews, imports and picker, Django's history, delete and autocomplete), fills its
parameters with rows made here, and asks it with GET and POST as a stranger, a
contributor, an editor and an administrator. Each answer must be the one ROUTES lists;
a route nobody listed fails the test, so a route added later cannot slip through. A
POST is the form the administrator is shown on that page (or the list's bulk action),
and where the role may not change that row, nothing in the database changes.

Each answer is two letters, GET then POST:
  L  sent to sign in        D  403 refused            H  not shown (302 to the index)
  N  404                    M  405 (wrong method)     O  200
  R  302 elsewhere (a saved form, a redirect)           B  400 (refused in words: JSON)
"""

import copy

import pytest
import reversion
from axes.models import AccessAttempt, AccessFailureLog
from bs4 import BeautifulSoup
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from reversion.models import Version

from articles.models import Article, PreviewLink, Topic
from articles.previews import make_preview_link
from catalogue.models import (
    Author,
    Book,
    BookAlias,
    ImportJob,
    Rating,
    ReadingList,
    ReadingListItem,
    Subject,
)
from catalogue.ratings import Reader, rate
from catalogue.shops import Shop
from images.models import Image
from tests.factories import make_article, make_book
from tests.pictures import make_ready_image

pytestmark = pytest.mark.django_db
ROLES = ["anonymous", "contributor", "editor", "administrator"]
PASSWORD = "a-long-pass-phrase-9"
# The articles a contributor's answers differ for.
ARTICLES = ["own draft", "own in review", "another's draft", "live"]
# What a contributor may change: their own drafts and pictures, and new ones.
CONTRIBUTOR_MAY_CHANGE = {"own draft", "own picture"}
CONTRIBUTOR_MAY_ADD = {"articles_article_add", "images_image_add", "images_image_upload"}
# Routes where a contributor changes what is theirs in any state: their articles' links.
OWN_LINK_ROUTES = {"articles_article_preview_link", "articles_article_revoke_preview_link"}

ROUTES: dict[str, str | dict[str, str]] = {
    "index": "LL OO OO OO",
    "login": "OO HO HO HO",
    "logout": "HH MO MO MO",
    "password_change": "LL OO OO OO",
    "password_change_done": "LL OM OM OM",
    "autocomplete": {
        "an article's topics": "LL OM OM OM",
        "an article's recommendations": "LL OM OM OM",
        "an article's featured picture": "LL OM OM OM",
        "a book's subjects": "LL OM OM OM",
        "a credit's author": "LL OM OM OM",
        "a list's book": "LL OM OM OM",
    },
    "jsi18n": "LL OM OM OM",
    "view_on_site": {  # desk/sites.py: only to what the desk shows the person
        "own draft": "LL RR RR RR",
        "own in review": "LL RR RR RR",
        "another's draft": "LL NN RR RR",
        "live": "LL NN RR RR",
    },
    "auth_group_changelist": "LL DD DD OR",
    "auth_group_add": "LL DD DD OO",
    "auth_group_history": "LL DD DD OO",
    "auth_group_delete": "LL DD DD OR",
    "auth_group_change": "LL DD DD OR",
    "auth/group/<path:object_id>/": "LL RR RR RR",
    "auth_user_password_change": "LL DD DD OO",
    "auth_user_changelist": "LL DD DD OR",
    "auth_user_add": "LL DD DD OO",
    "auth_user_history": "LL DD DD OO",
    "auth_user_delete": "LL DD DD OR",
    "auth_user_change": "LL DD DD OR",
    "auth/user/<path:object_id>/": "LL RR RR RR",
    "axes_accessattempt_changelist": "LL DD DD OR",
    "axes_accessattempt_add": "LL DD DD DD",
    "axes_accessattempt_history": "LL DD DD OO",
    "axes_accessattempt_delete": "LL DD DD OR",
    "axes_accessattempt_change": "LL DD DD OR",
    "axes/accessattempt/<path:object_id>/": "LL RR RR RR",
    "axes_accesslog_changelist": "LL DD DD OR",
    "axes_accesslog_add": "LL DD DD DD",
    "axes_accesslog_history": "LL DD DD OO",
    "axes_accesslog_delete": "LL DD DD OR",
    "axes_accesslog_change": "LL DD DD OR",
    "axes/accesslog/<path:object_id>/": "LL RR RR RR",
    "axes_accessfailurelog_changelist": "LL DD DD OR",
    "axes_accessfailurelog_add": "LL DD DD DD",
    "axes_accessfailurelog_history": "LL DD DD OO",
    "axes_accessfailurelog_delete": "LL DD DD OR",
    "axes_accessfailurelog_change": "LL DD DD OR",
    "axes/accessfailurelog/<path:object_id>/": "LL RR RR RR",
    "django_tasks_database_dbtaskresult_changelist": "LL DD DD DD",
    "django_tasks_database_dbtaskresult_add": "LL DD DD DD",
    "django_tasks_database_dbtaskresult_history": "LL DD DD DD",
    "django_tasks_database_dbtaskresult_delete": "LL DD DD DD",
    "django_tasks_database_dbtaskresult_change": "LL DD DD DD",
    "django_tasks_database/dbtaskresult/<path:object_id>/": "LL RR RR RR",
    "catalogue_author_changelist": "LL OO OR OR",
    "catalogue_author_add": "LL DD OO OO",
    "catalogue_author_history": "LL OO OO OO",
    "catalogue_author_delete": "LL DD OR OR",
    "catalogue_author_change": "LL OD OR OR",
    "catalogue/author/<path:object_id>/": "LL RR RR RR",
    "catalogue_subject_changelist": "LL OO OR OR",
    "catalogue_subject_add": "LL DD OO OO",
    "catalogue_subject_history": "LL OO OO OO",
    "catalogue_subject_delete": "LL DD OR OR",
    "catalogue_subject_change": "LL OD OR OR",
    "catalogue/subject/<path:object_id>/": "LL RR RR RR",
    "catalogue_book_import": "LL DD OO OO",
    "catalogue_book_import_job": "LL DD OR OR",
    "catalogue_book_import_progress": "LL DD OO OO",
    "catalogue_book_import_rejects": "LL DD OO OO",
    "catalogue_book_picker": "LL OO OO OO",
    "catalogue_book_compare": "LL DD OO OO",
    "catalogue_book_version_preview": "LL DD OO OO",
    "catalogue_book_recoverlist": "LL DD OO OO",
    "catalogue_book_recover": "LL DD OR OR",
    "catalogue_book_revision": "LL DD OR OR",
    "catalogue_book_changelist": "LL OO OR OR",
    "catalogue_book_add": "LL DD OO OO",
    "catalogue_book_history": "LL DD OO OO",
    "catalogue_book_delete": "LL DD OR OR",
    "catalogue_book_change": "LL OD OR OR",
    "catalogue/book/<path:object_id>/": "LL RR RR RR",
    "catalogue_bookalias_changelist": "LL DD OR OR",
    "catalogue_bookalias_add": "LL DD DD DD",
    "catalogue_bookalias_history": "LL DD OO OO",
    "catalogue_bookalias_delete": "LL DD OH OH",
    "catalogue_bookalias_change": "LL DD OD OD",
    "catalogue/bookalias/<path:object_id>/": "LL RR RR RR",
    # Shops and libraries (LINKS): editors' to change, with history; contributors none.
    "catalogue_shop_recoverlist": "LL DD OO OO",
    "catalogue_shop_recover": "LL DD OR OR",
    "catalogue_shop_revision": "LL DD OR OR",
    # No bulk delete for shops (a shop with clicks is switched off): the POST is shown back.
    "catalogue_shop_changelist": "LL DD OO OO",
    "catalogue_shop_add": "LL DD OO OO",
    "catalogue_shop_history": "LL DD OO OO",
    "catalogue_shop_delete": "LL DD OR OR",
    "catalogue_shop_change": "LL DD OR OR",
    "catalogue/shop/<path:object_id>/": "LL RR RR RR",
    # Reading lists (LISTS): editors' to change, with history; contributors see the lists
    # and their forms (to embed them), as they see books, not their history.
    "catalogue_readinglist_compare": "LL DD OO OO",
    "catalogue_readinglist_version_preview": "LL DD OO OO",
    "catalogue_readinglist_recoverlist": "LL DD OO OO",
    "catalogue_readinglist_recover": "LL DD OR OR",
    "catalogue_readinglist_revision": "LL DD OR OR",
    "catalogue_readinglist_changelist": "LL OO OR OR",
    "catalogue_readinglist_add": "LL DD OO OO",
    "catalogue_readinglist_history": "LL DD OO OO",
    "catalogue_readinglist_delete": "LL DD OR OR",
    "catalogue_readinglist_change": "LL OD OR OR",
    "catalogue/readinglist/<path:object_id>/": "LL RR RR RR",
    "catalogue_rating_changelist": "LL DD OR OR",
    "catalogue_rating_add": "LL DD DD DD",
    "catalogue_rating_history": "LL DD OO OO",
    "catalogue_rating_delete": "LL DD OH OH",
    "catalogue_rating_change": "LL DD OD OD",
    "catalogue/rating/<path:object_id>/": "LL RR RR RR",
    # The "Clicks to shops" report is ShopClick's only page (catalogue/admin/shop_clicks.py).
    "catalogue_shopclick_changelist": "LL DD OM OM",
    "articles_article_picker": "LL OO OO OO",  # the [[ picker: contributors find their own
    "articles_article_preview_new": "LL RO RO RO",
    "articles_article_live_preview_new": "LL MO MO MO",
    "articles_article_preview": {
        "own draft": "LL RO RO RO",
        "own in review": "LL RD RO RO",
        "another's draft": "LL RD RO RO",
        "live": "LL RD RO RO",
    },
    "articles_article_live_preview": {
        "own draft": "LL MO MO MO",
        "own in review": "LL MD MO MO",
        "another's draft": "LL MD MO MO",
        "live": "LL MD MO MO",
    },
    "articles_article_preview_link": {
        "own draft": "LL MO MO MO",
        "own in review": "LL MO MO MO",
        "another's draft": "LL MD MO MO",
        "live": "LL MD MO MO",
    },
    # Revoking one preview link: asked (GET), done (POST) by editors or the article's writer.
    "articles_article_revoke_preview_link": {
        "own draft": "LL OR OR OR",
        "own in review": "LL OR OR OR",
        "another's draft": "LL DD OR OR",
        "live": "LL DD OR OR",
    },
    "articles_article_compare": {
        "own draft": "LL OO OO OO",
        "own in review": "LL DD OO OO",
        "another's draft": "LL NN OO OO",
        "live": "LL NN OO OO",
    },
    "articles_article_version_preview": {
        "own draft": "LL OO OO OO",
        "own in review": "LL DD OO OO",
        "another's draft": "LL NN OO OO",
        "live": "LL NN OO OO",
    },
    "articles_article_recoverlist": "LL DD OO OO",
    "articles_article_recover": "LL DD OR OR",
    "articles_article_revision": {
        "own draft": "LL OR OR OR",
        "own in review": "LL DD OR OR",
        "another's draft": "LL DD OR OR",
        "live": "LL DD OR OR",
    },
    "articles_article_changelist": "LL OO OR OR",
    "articles_article_add": "LL OO OO OO",
    "articles_article_history": {
        "own draft": "LL OO OO OO",
        "own in review": "LL DD OO OO",
        "another's draft": "LL NN OO OO",
        "live": "LL NN OO OO",
    },
    "articles_article_delete": {
        "own draft": "LL DD OR OR",
        "own in review": "LL DD OR OR",
        "another's draft": "LL DD OR OR",
        "live": "LL DD OR OR",
    },
    "articles_article_change": {
        "own draft": "LL OR OR OR",
        "own in review": "LL OD OR OR",
        "another's draft": "LL HH OR OR",
        "live": "LL HH OR OR",
    },
    "articles/article/<path:object_id>/": {
        "own draft": "LL RR RR RR",
        "own in review": "LL RR RR RR",
        "another's draft": "LL RR RR RR",
        "live": "LL RR RR RR",
    },
    "articles_topic_changelist": "LL OO OR OR",
    "articles_topic_add": "LL DD OO OO",
    "articles_topic_history": "LL OO OO OO",
    "articles_topic_delete": "LL DD OR OR",
    "articles_topic_change": "LL OD OR OR",
    "articles/topic/<path:object_id>/": "LL RR RR RR",
    # The pictures library (images/admin.py): contributors add pictures and change their
    # own; others' they see (to embed them), not change; editors keep the library.
    # The JSON upload answers 400 to the route walk's post, which carries no file.
    "images_image_upload": "LL MB MB MB",
    "images_image_picker": "LL OO OO OO",
    "images_image_compare": {"own picture": "LL OO OO OO", "another's picture": "LL DD OO OO"},
    "images_image_version_preview": {
        "own picture": "LL OO OO OO",
        "another's picture": "LL DD OO OO",
    },
    # A deleted picture's files go with it: nothing to recover (ImageAdmin).
    "images_image_recoverlist": "LL DD DD DD",
    "images_image_recover": "LL DD DD DD",
    "images_image_revision": {"own picture": "LL OR OR OR", "another's picture": "LL DD OR OR"},
    "images_image_changelist": "LL OO OR OR",
    "images_image_add": "LL OO OO OO",
    "images_image_history": {"own picture": "LL OO OO OO", "another's picture": "LL DD OO OO"},
    "images_image_delete": {"own picture": "LL DD OR OR", "another's picture": "LL DD OR OR"},
    "images_image_change": {"own picture": "LL OR OR OR", "another's picture": "LL OD OR OR"},
    "images/image/<path:object_id>/": {
        "own picture": "LL RR RR RR",
        "another's picture": "LL RR RR RR",
    },
    "app_list": "LL OO OO OO",
    "(?P<url>.*)$": "LL NN NN NN",
}


# --- Walking the routes -------------------------------------------------------------


def admin_routes(patterns=None, prefix=""):
    """(key, route) for every pattern of the admin site: its name, or its route."""
    for pattern in admin.site.get_urls() if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from admin_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            assert isinstance(pattern, URLPattern)
            route = prefix + str(pattern.pattern)
            yield pattern.name or route, route


def model_of(route: str):
    for model in admin.site._registry:
        if route.startswith(f"{model._meta.app_label}/{model._meta.model_name}/"):
            return model
    return None


def fill(route: str, obj, version_id, deleted_version_id, user_id) -> str:
    """The route's address with its parameters given."""
    pk = str(obj.pk) if obj is not None else ""
    link = PreviewLink.objects.filter(article=obj).first() if isinstance(obj, Article) else None
    replacements = {
        "<int:link_id>": str(link.pk if link else 0),
        "<path:object_id>": pk,
        "<int:version_id>": str(version_id),
        "<int:pk>": pk,
        "<id>": str(user_id),
        "<path:content_type_id>": str(ContentType.objects.get_for_model(Article).pk),
        "^recover/$": "recover/",
        r"^recover/(\d+)/$": f"recover/{deleted_version_id}/",
        r"^([^/]+)/history/(\d+)/$": f"{pk}/history/{version_id}/",
        "(?P<url>.*)$": "no-such-page/",
    }
    for parameter, value in replacements.items():
        route = route.replace(parameter, value)
    if route.startswith("^(?P<app_label>"):
        route = "catalogue/"
    assert "<" not in route and "(" not in route and "^" not in route, route
    return "/admin/" + route


# --- What exists ------------------------------------------------------------------------


@pytest.fixture
def desk(monkeypatch):
    """An account for each role, and a row of everything the desk shows."""
    monkeypatch.setenv("COLOPHON_PASSWORD", PASSWORD)
    users = {}
    for name, role in [("casey", "contributor"), ("chris", "contributor"),
                       ("erin", "editor"), ("ada", "administrator")]:  # fmt: skip
        call_command("createeditor", name, role=role, stdout=None)
        users[name] = get_user_model().objects.get(username=name)

    def kept(make, user, **fields):
        with reversion.create_revision():
            reversion.set_user(user)
            return make(**fields)

    book = kept(make_book, users["erin"], title="Beloved", isbn13="9781400033416")
    other_book = kept(make_book, users["erin"], title="Jazz")
    gone_book = kept(make_book, users["erin"], title="Paradise")
    gone_book_version = Version.objects.get_for_object(gone_book).get().pk
    gone_book.delete()
    articles = {
        "own draft": kept(make_article, users["casey"], created_by=users["casey"],
                          status=Article.Status.DRAFT, title="Casey's draft"),
        "own in review": kept(make_article, users["casey"], created_by=users["casey"],
                              status=Article.Status.REVIEW, title="Casey's submitted piece"),
        "another's draft": kept(make_article, users["chris"], created_by=users["chris"],
                                status=Article.Status.DRAFT, title="Chris's draft"),
        "live": kept(make_article, users["erin"], created_by=users["erin"],
                     body=f"[[book:{book.slug}]]", title="A live piece"),
    }  # fmt: skip
    for article in articles.values():
        make_preview_link(article, created_by=article.created_by)
    gone_article = kept(make_article, users["erin"], created_by=users["erin"], title="Gone")
    gone_article_version = Version.objects.get_for_object(gone_article).get().pk
    gone_article.delete()
    author = Author.objects.create(name="Toni Morrison")
    shop = kept(Shop.objects.create, users["erin"], name="Local Books", slug="local-books",
                url_pattern="https://local.example/isbn/{isbn13}")  # fmt: skip
    gone_shop = kept(Shop.objects.create, users["erin"], name="Gone Books", slug="gone-books",
                     url_pattern="https://gone.example/isbn/{isbn13}")  # fmt: skip
    gone_shop_version = Version.objects.get_for_object(gone_shop).get().pk
    gone_shop.delete()
    reading_list = kept(make_reading_list, users["erin"], title="Morrison's novels", book=book)
    gone_list = kept(make_reading_list, users["erin"], title="Gone list", book=other_book)
    gone_list_version = (
        Version.objects.get_for_object(gone_list).filter(object_id=str(gone_list.pk)).get().pk
    )
    gone_list.delete()
    pictures = {
        "own picture": kept(make_ready_image, users["casey"], uploaded_by=users["casey"]),
        "another's picture": kept(make_ready_image, users["chris"], uploaded_by=users["chris"]),
    }
    gone_picture = kept(make_ready_image, users["erin"], alt="Gone picture")
    gone_picture_version = Version.objects.get_for_object(gone_picture).get().pk
    gone_picture.delete()
    objects = {
        Image: pictures,
        Article: articles,
        Shop: shop,
        Topic: Topic.objects.create(name="Fiction", slug="fiction"),
        Author: author,
        Subject: Subject.objects.create(name="Novels", slug="novels"),
        ReadingList: reading_list,
        BookAlias: BookAlias.objects.create(book=book, title="Beloved", slug="beloved-old"),
        Rating: rated(book),
        ImportJob: ImportJob.objects.create(
            file_name="books.csv", contents=b"", created_by=users["erin"]
        ),
        AccessAttempt: AccessAttempt.objects.create(
            username="casey",
            ip_address="192.0.2.1",
            failures_since_start=1,
            get_data="",
            post_data="",
            **REQUEST,
        ),
        AccessFailureLog: AccessFailureLog.objects.create(
            username="casey", ip_address="192.0.2.1", **REQUEST
        ),
        DBTaskResult: DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="catalogue.tasks.x",
            backend_name="default",
            run_after=timezone.now(),
        ),  # fmt: skip
    }
    objects[Book] = book
    clients = {"anonymous": Client()}
    for role, name in [("contributor", "casey"), ("editor", "erin"), ("administrator", "ada")]:
        clients[role] = Client()
        clients[role].force_login(users[name])
    return {
        "users": users,
        "objects": objects,
        "clients": clients,
        "books": [book, other_book],
        "deleted": {
            Article: gone_article_version,
            Book: gone_book_version,
            ReadingList: gone_list_version,
            Shop: gone_shop_version,
            Image: gone_picture_version,
        },
    }


def make_reading_list(*, book, **fields) -> ReadingList:
    reading_list = ReadingList.objects.create(status=ReadingList.Status.PUBLISHED, **fields)
    ReadingListItem.objects.create(reading_list=reading_list, book=book, note="A classic.")
    return reading_list


REQUEST = {"user_agent": "test", "http_accept": "*/*", "path_info": "/admin/login/"}


def rated(book) -> Rating:
    rate(book=book, reader=Reader(visitor="a-visitor"), score=4)
    return Rating.objects.get(book=book)


# What the autocomplete is asked for: each field of a form that completes.
AUTOCOMPLETE = {
    "an article's topics": "app_label=articles&model_name=article&field_name=topics",
    "an article's recommendations": (
        "app_label=articles&model_name=article&field_name=pinned_recommendations"
    ),
    "an article's featured picture": (
        "app_label=articles&model_name=article&field_name=featured_image"
    ),
    "a book's subjects": "app_label=catalogue&model_name=book&field_name=subjects",
    "a credit's author": "app_label=catalogue&model_name=contribution&field_name=author",
    "a list's book": "app_label=catalogue&model_name=readinglistitem&field_name=book",
}


def targets(route: str, desk) -> dict:
    """The rows a route is asked about: each kind of article for an article's page."""
    model = model_of(route)
    if route == "autocomplete/":
        return AUTOCOMPLETE
    if "<path:object_id>" not in route and "([^/]+)" not in route and "<int:pk>" not in route:
        return {"": None}
    if route.startswith("r/"):
        return {name: article for name, article in desk["objects"][Article].items()}
    if model is None:
        return {"": None}
    found = desk["objects"].get(model)
    if found is None:
        found = model._default_manager.order_by("pk").first()
    if route.startswith("catalogue/book/import/"):
        found = desk["objects"][ImportJob]
    return found if isinstance(found, dict) else {"": found}


# --- Watching the database ---------------------------------------------------------------

UNWATCHED = {"sessions.session", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}


def database_state() -> dict:
    """Every row the desk can change (sessions and login logs aside)."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label_lower in UNWATCHED or model._meta.proxy:
            continue
        state[model._meta.label_lower] = list(model._default_manager.order_by("pk").values())
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


# --- Asking -------------------------------------------------------------------------------


def outcome(response) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return "L"
        return "H" if location == "/admin/" else "R"
    return {200: "O", 400: "B", 403: "D", 404: "N", 405: "M"}.get(response.status_code, "?")


def posted_form(response) -> dict:
    """What the page's own form would post, as the administrator sees it."""
    if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
        return {}
    page = BeautifulSoup(response.content, "html.parser")
    form = page.select_one("#content form[method=post], #content form[method=POST]")
    if form is None:
        return {}
    data = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name = field["name"]
        if field.name == "textarea":
            data[name] = field.text.lstrip("\n")
        elif field.name == "select":
            chosen = field.select("option[selected]") or field.select("option")[:1]
            values = [option.get("value", "") for option in chosen]
            data[name] = values if field.has_attr("multiple") else (values or [""])[0]
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif field.get("type") not in ("submit", "file", "button"):
            data[name] = field.get("value", "")
    return data


def post_data(key: str, page: dict, desk) -> dict:
    """The POST each role tries: the administrator's form, or the list's bulk action."""
    data = {"post": "yes", "action": "confirm", "q": "Beloved", "body": "Some words.", **page}
    if key.endswith("_changelist"):
        model = key.rsplit("_", 1)[0]
        rows = {
            "catalogue_book": [book.pk for book in desk["books"]],
            "articles_article": [article.pk for article in desk["objects"][Article].values()],
        }
        data.update(action="delete_selected", post="yes", index="0")
        if model in rows:
            data["_selected_action"] = [str(pk) for pk in rows[model]]
        if model == "catalogue_book":
            data.update(action="merge_selected", confirm="1", kept=str(desk["books"][0].pk))
        if model == "catalogue_rating":
            data["action"] = "remove_selected"
    return data


def ask(client, method: str, url: str, data: dict, *, watched: bool = True):
    """One request, its writes undone afterwards; the database as the request left it
    (None unless `watched`: reading every table takes longer than the request)."""
    cookies = copy.deepcopy(client.cookies)  # a logout must not sign the client out
    with transaction.atomic():
        response = client.generic(method, url) if method == "GET" else client.post(url, data)
        after = database_state() if watched else None
        transaction.set_rollback(True)
    client.cookies = cookies
    return response, after


def test_every_admin_route_answers_each_role_as_the_rules_say(desk):
    walked = dict(admin_routes())
    assert set(walked) == set(ROUTES), (
        "Routes not listed in ROUTES (add them, with what each role may do): "
        f"{sorted(set(walked) - set(ROUTES))}; listed but gone: {sorted(set(ROUTES) - set(walked))}"
    )
    before = database_state()
    found, changes = {}, []
    for key, route in walked.items():
        for target, obj in targets(route, desk).items():
            kept = isinstance(obj, models.Model) and reversion.is_registered(type(obj))
            version = Version.objects.get_for_object(obj).order_by("-pk").first() if kept else None
            url = fill(
                route,
                obj if not isinstance(obj, str) else None,
                version.pk if version else 0,
                desk["deleted"].get(model_of(route), 0),
                desk["users"]["chris"].pk,
            )
            if isinstance(obj, str):
                url += f"?{obj}&term="
            elif key.endswith("_compare"):
                url += f"?from={version.pk}&to=live"
            admin_page, _ = ask(desk["clients"]["administrator"], "GET", url, {}, watched=False)
            data = post_data(key, posted_form(admin_page), desk)
            letters = []
            for role in ROLES:
                client = desk["clients"][role]
                may_change = role in ("editor", "administrator") or (
                    role == "contributor"
                    and (
                        target in CONTRIBUTOR_MAY_CHANGE
                        or key in CONTRIBUTOR_MAY_ADD
                        or (key in OWN_LINK_ROUTES and target.startswith("own"))
                    )
                )
                for method in ("GET", "POST"):
                    response, after = ask(client, method, url, data, watched=not may_change)
                    letters.append(outcome(response))
                    if not may_change and changed_tables(before, after):
                        changes.append(f"{role} {method} {url}: {changed_tables(before, after)}")
                letters.append(" ")
            found.setdefault(key, {})[target] = "".join(letters).strip()
    expected = {
        key: rule if isinstance(rule, dict) else {target: rule for target in found[key]}
        for key, rule in ROUTES.items()
    }
    table = "\n".join(
        f"    {key!r}: {answers[''] if list(answers) == [''] else answers!r},"
        for key, answers in found.items()
    )
    assert found == expected, f"What each route answered:\n{table}"
    assert not changes, changes


def article_row(article) -> tuple:
    return Article.objects.filter(pk=article.pk).values_list("status", "body", "version").get()


def test_a_contributor_cannot_recover_a_live_article_over_itself(desk):
    live = desk["objects"][Article]["live"]
    kept = article_row(live)
    version = Version.objects.get_for_object(live).get()
    url = f"/admin/articles/article/recover/{version.pk}/"
    contributor = desk["clients"]["contributor"]
    assert contributor.get(url).status_code == 403
    posted = contributor.post(url, {"title": "Mine now", "body": "Rewritten.", "status": "draft"})
    assert posted.status_code == 403
    assert article_row(live) == kept
    # Nor bring back what an editor deleted.
    deleted = desk["deleted"][Article]
    assert contributor.post(f"/admin/articles/article/recover/{deleted}/").status_code == 403
    assert not Article.objects.filter(title="Gone").exists()


def test_an_editor_recovers_what_was_deleted_and_nothing_else(desk):
    editor = desk["clients"]["editor"]
    live = desk["objects"][Article]["live"]
    live_version = Version.objects.get_for_object(live).get().pk
    book_version = Version.objects.get_for_object(desk["objects"][Book]).get().pk
    # A row that exists is restored from its history; another model's version is not ours.
    assert editor.get(f"/admin/articles/article/recover/{live_version}/").status_code == 404
    assert editor.get(f"/admin/articles/article/recover/{book_version}/").status_code == 404
    listed = editor.get("/admin/articles/article/")
    assert "Recover deleted articles" in listed.content.decode()
    assert (
        "Recover deleted"
        not in desk["clients"]["contributor"].get("/admin/articles/article/").content.decode()
    )
    url = f"/admin/articles/article/recover/{desk['deleted'][Article]}/"
    data = posted_form(editor.get(url))
    assert editor.post(url, data).status_code == 302
    assert Article.objects.get(title="Gone").created_by == desk["users"]["erin"]


def test_a_contributor_cannot_bring_back_their_deleted_draft_from_its_history(desk):
    """The restore page of a row that is gone is a recovery: an editor's to make."""
    draft = desk["objects"][Article]["own draft"]
    version = Version.objects.get_for_object(draft).get()
    url = f"/admin/articles/article/{draft.pk}/history/{version.pk}/"
    Article.objects.filter(pk=draft.pk).delete()
    contributor = desk["clients"]["contributor"]
    assert contributor.get(url).status_code == 403
    posted = contributor.post(url, {"title": draft.title, "body": draft.body, "status": "draft"})
    assert posted.status_code == 403
    assert not Article.objects.filter(pk=draft.pk).exists()
