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
`migrate` tops them up, so a model added later joins the roles that cover its app;
nothing is ever taken from a group, so a permission an administrator gave by hand stays.
`manage.py createeditor NAME --role contributor|editor|administrator` makes accounts.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

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


def sync_roles(apps=global_apps, using: str = "default") -> None:
    """Make each role's group and give it every permission its rules name that exists.

    `apps` is a migration's historical registry or the project's own.
    """
    for app_config in global_apps.get_app_configs():
        # Permissions are made after migrating; a fresh database has none yet.
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, rules in declared_rules().items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        wanted = Permission.objects.using(using).none()
        for app_label, codename in rules:
            found = Permission.objects.using(using).filter(content_type__app_label=app_label)
            wanted |= found if codename == "*" else found.filter(codename=codename)
        group.permissions.add(*wanted)


def sync_after_migrate(sender, using="default", **kwargs) -> None:
    sync_roles(using=using)
