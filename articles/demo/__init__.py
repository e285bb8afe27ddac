"""The demo: the seed article, its book, the two articles it recommends, and, when
developing (DEBUG on), an editor account whose password is published in the README.

With DEBUG off no account is made: a known password must never exist on a server.
`manage.py createeditor` makes real accounts.

Idempotent: each row is looked up by its natural key and written only when it differs,
so a second run changes nothing (not even `updated_at`).
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction

from catalogue.covers import draw_cover, make_renditions
from catalogue.models import Author, Book, Contribution
from desk.roles import ROLE_NAMES, sync_roles

from ..models import Article
from ..recommendations import refresh_all

DEMO_DIR = Path(__file__).resolve().parent
UTC = dt.UTC

EDITOR_USERNAME = "editor"
EDITOR_PASSWORD = "colophon-demo-editor"
EDITORS_GROUP = ROLE_NAMES["editor"]

AUTHOR = {
    "slug": "stephen-harding",
    "name": "Stephen Harding",
    "bio": "Military historian and journalist.",
}

# Known by its ISBN, not its slug: the real catalogue has C.S. Lewis's "The Last Battle"
# too, and whichever arrives first gets the plain slug. The article embeds it by ISBN.
DEMO_ISBN = "9780306822087"
BOOK = {
    "title": "The Last Battle",
    "subtitle": "When U.S. and German Soldiers Joined Forces in the Waning Hours of World War II "
    "in Europe",
    "publisher": "Da Capo Press",
    "language": "en",
    "description": "In the last days of the war in Europe, American soldiers, German troops "
    "who had turned against the regime and French prisoners held in a castle in the "
    "Austrian Tyrol fought side by side against the Waffen-SS. Stephen Harding tells the "
    "story of that unlikely alliance.",
    "file_size_kb": 5086,
    "print_length": 258,
    "text_to_speech": Book.Enabled.ENABLED,
    "screen_reader": Book.Supported.SUPPORTED,
    "enhanced_typesetting": Book.Enabled.ENABLED,
    "x_ray": Book.Enabled.ENABLED,
    "word_wise": Book.Enabled.ENABLED,
    # The seed article says "4.4 out of 5" and nothing more: no count, no retailer. So the
    # demo states it as the editor's figure and claims no ratings; listing the zeros and the
    # empty source clears the invented Amazon histogram an earlier demo wrote.
    "editor_rating": Decimal("4.4"),
    "rating_source": "",
    "source_ratings_5": 0,
    "source_ratings_4": 0,
    "source_ratings_3": 0,
    "source_ratings_2": 0,
    "source_ratings_1": 0,
}

ARTICLES = [
    {
        "slug": "unlikely-allies",
        "title": "Unlikely Allies: When American and German Soldiers Joined Forces in the "
        "Waning Hours of World War II",
        "byline": "Colophon",
        "published_at": dt.datetime(2025, 4, 25, 9, 0, tzinfo=UTC),
        "body_file": "unlikely-allies.md",
    },
    {
        "slug": "republic-of-laws-leopold-von-ranke",
        "title": "Unlocking the Secrets of History: The Republic of Laws by Leopold von Ranke",
        "byline": "Colophon",
        "published_at": dt.datetime(2025, 4, 18, 9, 0, tzinfo=UTC),
        "body_file": "republic-of-laws.md",
    },
    {
        "slug": "oxford-handbook-voice-perception",
        "title": "Unlock the Secrets of Voice Perception with the Authoritative Oxford Handbook",
        "byline": "Colophon",
        "published_at": dt.datetime(2025, 4, 11, 9, 0, tzinfo=UTC),
        "body_file": "voice-perception.md",
    },
]


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    has_editor: bool = False

    def __str__(self) -> str:
        if not self.created and not self.updated:
            return "The demo is already loaded; nothing changed."
        lines = [f"Created {name}" for name in self.created]
        lines += [f"Updated {name}" for name in self.updated]
        return "\n".join(lines)


def _sync(model: type[models.Model], lookup: dict, values: dict, report: DemoReport):
    """Get or create the row, write `values` only where they differ, validate first."""
    instance = model._default_manager.filter(**lookup).first()
    created = instance is None
    if created:
        instance = model(**lookup)
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    if created or changed:
        instance.full_clean()
        instance.save()
        (report.created if created else report.updated).append(
            f"{model._meta.verbose_name} “{instance}”"
        )
    return instance


@transaction.atomic
def load_demo(*, editor: bool | None = None) -> DemoReport:
    """Load the demo; with the demo editor account when `editor`, which defaults to
    DEBUG (tests that drive the desk ask for it explicitly)."""
    report = DemoReport()
    author = _sync(Author, {"slug": AUTHOR["slug"]}, AUTHOR, report)
    book = _sync(Book, {"isbn13": DEMO_ISBN}, BOOK, report)
    _sync(Contribution, {"book": book, "author": author, "role": "author"}, {"position": 0}, report)
    drawn = not book.cover
    if drawn:
        book.cover.save(f"{book.slug}.jpg", draw_cover(book.title, author.name))
        report.updated.append(f"cover of “{book}”")
    if book.cover:
        # FieldFile.save leaves an ImageField's width and height fields empty (Django
        # 5.2); left so, every read of the book opens the file to measure it. (A Book
        # made from such a row has them, measured: the row is what must be filled.)
        Book.objects.filter(pk=book.pk, cover_width__isnull=True).update(
            cover_width=book.cover.width, cover_height=book.cover.height
        )
    if drawn or not book.cover_renditions:
        make_renditions(book)
        report.updated.append(f"cover renditions of “{book}”")

    changed_before = len(report.created) + len(report.updated)
    for spec in ARTICLES:
        values = {
            "title": spec["title"],
            "byline": spec["byline"],
            "body": (DEMO_DIR / spec["body_file"]).read_text(encoding="utf-8"),
            "status": Article.Status.PUBLISHED,
            "published_at": spec["published_at"],
        }
        _sync(Article, {"slug": spec["slug"]}, values, report)  # its save keeps the embeds
    if len(report.created) + len(report.updated) > changed_before:
        refresh_all()

    if settings.DEBUG if editor is None else editor:
        _ensure_editor(report)
        report.has_editor = True
    else:
        _retire_published_password(report)
    return report


def _retire_published_password(report: DemoReport) -> None:
    """An account still signing in with the README's password (made by an earlier
    version on a server) loses it: it can sign in again once someone sets a new one."""
    user = get_user_model().objects.filter(username=EDITOR_USERNAME).first()
    if user is not None and user.check_password(EDITOR_PASSWORD):
        user.set_unusable_password()
        user.save(update_fields=["password"])
        report.updated.append(
            f"account “{EDITOR_USERNAME}”: its published password no longer works (DEBUG is "
            "off); set a new one with manage.py changepassword"
        )


def _ensure_editor(report: DemoReport) -> None:
    sync_roles()
    group = Group.objects.get(name=EDITORS_GROUP)
    User = get_user_model()
    user = User.objects.filter(username=EDITOR_USERNAME).first()
    if user is None:
        user = User(username=EDITOR_USERNAME, is_staff=True)
        user.set_password(EDITOR_PASSWORD)
        user.save()
        user.groups.add(group)
        report.created.append(f"editor account “{EDITOR_USERNAME}”")
