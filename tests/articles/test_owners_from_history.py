"""Migration articles/0010: articles from before owners were kept take the person who
first saved them in the desk, so a contributor's earlier drafts stay theirs."""

import importlib

import pytest
import reversion
from django.apps import apps
from django.contrib.auth import get_user_model

from articles.models import Article
from tests.factories import make_article

pytestmark = pytest.mark.django_db

migration = importlib.import_module("articles.migrations.0010_article_owners_from_history")


def saved_by(user, article, comment: str) -> None:
    with reversion.create_revision():
        reversion.set_user(user)
        reversion.set_comment(comment)
        article.save()


def test_an_old_draft_goes_to_whoever_first_saved_it():
    users = get_user_model().objects
    casey = users.create_user("casey", is_staff=True)
    erin = users.create_user("erin", is_staff=True)
    draft = make_article(title="Casey's draft", status=Article.Status.DRAFT)
    saved_by(casey, draft, "First save.")
    saved_by(erin, draft, "An editor's change.")
    owned = make_article(title="Already owned", created_by=erin)
    saved_by(casey, owned, "Casey edits an editor's article.")
    no_history = make_article(title="Made by a script")
    Article.objects.update(created_by=None)
    Article.objects.filter(pk=owned.pk).update(created_by=erin)

    migration.owners_from_history(apps, None)

    assert Article.objects.get(pk=draft.pk).created_by == casey
    assert Article.objects.get(pk=owned.pk).created_by == erin
    assert Article.objects.get(pk=no_history.pk).created_by is None
