"""Who may do what at the desk: the roles, and the machinery that gives them permissions.

- **Contributors** write and submit for review; they publish, withdraw and delete nothing
  and change only what they wrote.
- **Editors** review, publish and withdraw, and keep the content.
- **Administrators** do what editors do and manage people: accounts, roles, lockouts.

The desk names the roles; each app says what each role may do with its own models, in its
AppConfig's `desk_roles` (`{"Editors": ["*"], "Contributors": ["view_book", …]}`): a
codename of that app's, "*" for all of them, or "app_label.codename" for an app that cannot
say it itself (the desk grants administrators `auth` and `axes` so).

Each role is a group. A migration makes them (desk/migrations/0001_roles.py) and every
`migrate` (and `createeditor`) keeps them to the rules: a permission they name that the
group lacks is given, so a model added later joins the roles that cover its app; one they
gave and no longer name is taken, so a role a release narrows is narrowed where the desk
runs, and the log says so ("Contributors: no longer may delete image (the rules
changed)").

To tell the rules' permissions from those an administrator gave a group by hand, which
stay, the desk records what the rules gave (desk.RoleGrant): after each sync, exactly
what they name, so the next sync takes what was recorded and is named no more. It cannot
tell apart a permission both gave: that counts as the rules', and goes with them (the log
line says so, for the administrator to give it back by hand if they meant it). One an
administrator took from a role's group that the rules name comes back at the next sync,
as it always has: a role is changed in its app's rules, not in the desk. Databases made
before the record began had theirs recorded by desk/migrations/0006.
`manage.py createeditor NAME --role contributor|editor|administrator` makes accounts.
"""

import logging
from typing import NamedTuple

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import transaction
from django.db.models import Q

logger = logging.getLogger(__name__)

ROLE_NAMES = {"contributor": "Contributors", "editor": "Editors", "administrator": "Administrators"}


def declared_rules() -> dict[str, list[tuple[str, str]]]:
    """Each role's rules as (app_label, codename or "*"), gathered from every app's
    `desk_roles`; a role no role name knows is a KeyError, not a silent no-op."""
    rules: dict[str, list[tuple[str, str]]] = {name: [] for name in ROLE_NAMES.values()}
    # The project's registry even in a migration: a historical one has no AppConfig classes.
    for app_config in global_apps.get_app_configs():
        for role, permissions in getattr(app_config, "desk_roles", {}).items():
            for permission in permissions:
                app_label, _, codename = permission.rpartition(".")
                rules[role].append((app_label or app_config.label, codename))
    return rules


class TakenPermission(NamedTuple):
    """A permission a sync took from a role's group because the rules no longer give it."""

    role: str
    app_label: str
    codename: str
    name: str  # the permission's own words, "Can delete image"

    def __str__(self) -> str:
        what = self.name.removeprefix("Can ")
        return f"{self.role}: no longer may {what[:1].lower()}{what[1:]} (the rules changed)"


def permissions_named_by(rules: list[tuple[str, str]]) -> Q:
    """A filter of Permission for a role's rules (as declared_rules gives them)."""
    named = Q(pk__in=[])
    for app_label, codename in rules:
        of_app = Q(content_type__app_label=app_label)
        named |= of_app if codename == "*" else of_app & Q(codename=codename)
    return named


def sync_roles(apps=global_apps, using: str = "default") -> list[TakenPermission]:
    """Make each role's group, give it every permission its rules name that exists, and
    take back those the rules gave before and name no more (logged, and returned).

    `apps` is a migration's historical registry or the project's own.
    """
    for app_config in global_apps.get_app_configs():
        # Permissions are made after migrating; a fresh database has none yet.
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    try:
        RoleGrant = apps.get_model("desk", "RoleGrant")
    except LookupError:
        RoleGrant = None  # in desk's migration 0001, before 0006 makes the record: only give
    taken: list[TakenPermission] = []
    with transaction.atomic(using=using):
        for name, rules in declared_rules().items():
            group, _created = Group.objects.using(using).get_or_create(name=name)
            named = Permission.objects.using(using).filter(permissions_named_by(rules))
            wanted = set(named.values_list("pk", flat=True))
            group.permissions.add(*wanted)
            if RoleGrant is None:
                continue
            grants = RoleGrant.objects.using(using).filter(group=group)
            given_before = set(grants.values_list("permission_id", flat=True))
            no_longer = given_before - wanted
            for permission in (
                group.permissions.filter(pk__in=no_longer)
                .select_related("content_type")
                .order_by("content_type__app_label", "codename")
            ):
                taken.append(
                    TakenPermission(
                        name,
                        permission.content_type.app_label,
                        permission.codename,
                        permission.name,
                    )
                )
            group.permissions.remove(*no_longer)
            grants.filter(permission_id__in=no_longer).delete()
            RoleGrant.objects.using(using).bulk_create(
                [RoleGrant(group=group, permission_id=pk) for pk in wanted - given_before],
                ignore_conflicts=True,
            )
    for permission in taken:
        logger.warning("%s", permission)
    return taken


def sync_after_migrate(sender, using="default", apps=global_apps, **kwargs) -> None:
    # The registry as migrated: after migrating back before desk 0006, no record to keep.
    sync_roles(apps, using=using)
