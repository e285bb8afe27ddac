"""Who may do what at the desk: contributors, editors and administrators.

- **Contributors** write articles and submit them for review. They cannot publish,
  schedule, withdraw or delete, and they see the catalogue (to embed books) without
  changing it. They see only the articles they created and change only those still
  drafts (ArticleAdmin's permission hooks, which every route of the admin asks).
- **Editors** review (approve with a note, or send back), publish and withdraw, and keep
  the catalogue: books, authors, imports, ratings.
- **Administrators** do what editors do and manage people: accounts, roles, lockouts.

Each role is a group. A migration makes them (desk/migrations/0001_roles.py) and every
`migrate` tops them up, so a model added later joins the roles that cover its app;
nothing is ever taken from a group, so a permission an administrator gave by hand stays.
`manage.py createeditor NAME --role contributor|editor|administrator` makes accounts.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

# A permission as "app_label.codename", or every permission of an app as "app_label.*".
ROLES: dict[str, list[str]] = {
    "Contributors": [
        "articles.add_article",
        "articles.change_article",
        "articles.view_article",
        "articles.view_topic",
        "catalogue.view_book",
        "catalogue.view_author",
        "catalogue.view_subject",
    ],
    "Editors": ["articles.*", "catalogue.*"],
    "Administrators": ["articles.*", "catalogue.*", "auth.*", "axes.*"],
}
ROLE_NAMES = {"contributor": "Contributors", "editor": "Editors", "administrator": "Administrators"}


def sync_roles(apps=global_apps, using: str = "default") -> None:
    """Make each role's group and give it every permission its rules name that exists.

    `apps` is a migration's historical registry or the project's own.
    """
    for app_config in global_apps.get_app_configs():
        # Permissions are made after migrating; a fresh database has none yet.
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, rules in ROLES.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        wanted = Permission.objects.using(using).none()
        for rule in rules:
            app_label, codename = rule.split(".")
            found = Permission.objects.using(using).filter(content_type__app_label=app_label)
            wanted |= found if codename == "*" else found.filter(codename=codename)
        group.permissions.add(*wanted)


def sync_after_migrate(sender, using="default", **kwargs) -> None:
    sync_roles(using=using)
