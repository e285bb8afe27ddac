"""A role a release narrows is narrowed where the desk runs (desk/roles.py): the next
`migrate` or `createeditor` takes from the group what the rules no longer give, and
says so; what an administrator gave the group by hand stays."""

import importlib
import logging
import os
from types import SimpleNamespace
from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.db import connection

from desk.models import RoleGrant
from desk.roles import sync_roles
from tests.factories import DESK_PASSWORD, desk_client

pytestmark = pytest.mark.django_db

SAID = "Contributors: no longer may delete image (the rules changed)"


@pytest.fixture
def contributors_may(monkeypatch):
    """Says what contributors may do with pictures, as a release's images/apps.py would."""
    config = apps.get_app_config("images")

    def declare(*codenames: str) -> None:
        monkeypatch.setattr(
            config, "desk_roles", {**config.desk_roles, "Contributors": list(codenames)}
        )

    return declare


def may(username: str, permission: str) -> bool:
    """What the person may do as they sign in next (a fresh user, no cached permissions)."""
    return get_user_model().objects.get(username=username).has_perm(permission)


def give_by_hand(codename: str, group_name: str = "Contributors") -> None:
    """An administrator ticks one more permission in the desk's form for the group."""
    administrator = desk_client("ada", "administrator")
    group = Group.objects.get(name=group_name)
    url = f"/admin/auth/group/{group.pk}/change/"
    assert administrator.get(url).status_code == 200
    ticked = [*group.permissions.all(), Permission.objects.get(codename=codename)]
    form = {"name": group.name, "permissions": [str(permission.pk) for permission in ticked]}
    assert administrator.post(url, form).status_code == 302


@pytest.fixture
def casey_could_delete_pictures(contributors_may):
    """Casey, a contributor, under an older release whose rules let contributors delete
    pictures (anyone's), with a permission an administrator gave contributors by hand."""
    contributors_may("add_image", "change_image", "view_image", "delete_image")
    sync_roles()
    desk_client("casey", "contributor")
    give_by_hand("add_subject")
    assert may("casey", "images.delete_image")
    assert may("casey", "catalogue.add_subject")


def test_a_permission_the_rules_no_longer_give_is_taken_at_the_next_sync(
    casey_could_delete_pictures, contributors_may, caplog
):
    contributors_may("add_image", "change_image", "view_image")
    with caplog.at_level(logging.WARNING, logger="desk.roles"):
        taken = sync_roles()

    assert not may("casey", "images.delete_image")
    assert [str(permission) for permission in taken] == [SAID]
    assert caplog.messages == [SAID]
    # What the rules still give, and what an administrator gave by hand, stay.
    assert may("casey", "images.change_image")
    assert may("casey", "articles.add_article")
    assert may("casey", "catalogue.add_subject")
    # Taken once: the next sync has nothing to take or to say.
    assert sync_roles() == []


def test_migrate_takes_it_and_says_so(casey_could_delete_pictures, contributors_may, caplog):
    contributors_may("add_image", "change_image", "view_image")
    with caplog.at_level(logging.WARNING, logger="desk.roles"):
        call_command("migrate", verbosity=0)
    assert not may("casey", "images.delete_image")
    assert may("casey", "catalogue.add_subject")
    assert caplog.messages == [SAID]


def test_createeditor_takes_it_too(casey_could_delete_pictures, contributors_may, caplog):
    contributors_may("add_image", "change_image", "view_image")
    with (
        caplog.at_level(logging.WARNING, logger="desk.roles"),
        mock.patch.dict(os.environ, {"COLOPHON_PASSWORD": DESK_PASSWORD}),
    ):
        call_command("createeditor", "chris", role="contributor", stdout=None)
    assert not may("casey", "images.delete_image")
    assert not may("chris", "images.delete_image")
    assert may("chris", "catalogue.add_subject")
    assert caplog.messages == [SAID]


def test_a_permission_the_rules_later_give_is_theirs_to_take_back(contributors_may):
    give_by_hand("delete_image")  # an administrator's, until the rules give it too
    contributors_may("add_image", "change_image", "view_image", "delete_image")
    sync_roles()
    contributors_may("add_image", "change_image", "view_image")
    assert [str(permission) for permission in sync_roles()] == [SAID]


def test_editors_and_administrators_keep_theirs_when_contributors_lose_one(
    casey_could_delete_pictures, contributors_may
):
    desk_client("erin", "editor")
    contributors_may("add_image", "change_image", "view_image")
    sync_roles()
    assert may("erin", "images.delete_image")
    assert may("ada", "images.delete_image")


def record_as_the_migration_does() -> None:
    migration = importlib.import_module("desk.migrations.0006_role_grants")
    migration.record_the_rules_grants(apps, SimpleNamespace(connection=connection))


def test_a_database_from_before_the_record_has_the_rules_grants_recorded(contributors_may):
    """A desk that ran an older release: its groups hold the rules' permissions and one
    an administrator gave by hand, and nothing says which is which. The release that
    brings the record also narrows contributors (no more changing pictures)."""
    desk_client("casey", "contributor")
    give_by_hand("add_subject")
    RoleGrant.objects.all().delete()
    contributors_may("add_image", "view_image")

    record_as_the_migration_does()
    taken = sync_roles()

    assert [str(permission) for permission in taken] == [
        "Contributors: no longer may change image (the rules changed)"
    ]
    assert not may("casey", "images.change_image")
    assert may("casey", "images.add_image")
    assert may("casey", "catalogue.add_subject")
