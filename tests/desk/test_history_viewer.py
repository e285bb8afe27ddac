"""The comparison of versions names a related row only for whoever may open it at the
desk (desk.history with desk.viewers.opener): a contributor comparing their draft's
versions reads "1 article you cannot open" where an editor pinned another writer's
draft in its Read next, never that draft's title."""

import pytest
from django.test import RequestFactory

from articles.models import Article
from desk.history import compare, listing, values_of
from desk.viewers import opener
from tests.factories import desk_client, make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(django_user_model):
    desk_client("writer", "contributor")
    desk_client("other-writer", "contributor")
    desk_client("editor", "editor")
    return {user.username: user for user in django_user_model.objects.all()}


def looking(user):
    request = RequestFactory().get("/")
    request.user = user
    return opener(request)


@pytest.fixture
def draft_and_versions(people):
    rival = make_article(
        title="Embargoed Rival Scoop",
        status=Article.Status.DRAFT,
        created_by=people["other-writer"],
    )
    live = make_article(title="A Live Piece")
    draft = make_article(title="My draft", status=Article.Status.DRAFT, created_by=people["writer"])
    before = values_of(draft)
    draft.pinned_recommendations.add(rival, live)
    return draft, before, values_of(draft)


def pinned(changes) -> str:
    return next(change.after for change in changes.fields if change.label.startswith("Pinned"))


def test_a_contributor_reads_the_live_piece_and_a_count_for_the_draft(people, draft_and_versions):
    draft, before, after = draft_and_versions
    changes = compare(Article, before, after, may_open=looking(people["writer"]))
    assert pinned(changes) == "A Live Piece, 1 article you cannot open"
    assert "Embargoed" not in str(listing(Article, after, may_open=looking(people["writer"])))


def test_an_editor_reads_every_title(people, draft_and_versions):
    draft, before, after = draft_and_versions
    changes = compare(Article, before, after, may_open=looking(people["editor"]))
    assert set(pinned(changes).split(", ")) == {"Embargoed Rival Scoop", "A Live Piece"}
