"""Audit: a contributor reads no other writer's unpublished title through their own
article's "Read next" choices.

An editor may pin (or exclude) any article in a contributor's draft's recommendations,
an upcoming piece of another writer's among them. The contributor's form then lists
that draft's title as a chosen option (the autocomplete widget renders every chosen
row, whatever the person may open), and so do the draft's restore page and the
comparison of its versions (desk/history.py names related rows for whoever looks).
The where-used panels already count such articles instead of naming them
(desk/viewers.py, tests/test_audit_where_used.py); these should too.
"""

import pytest
import reversion
from django.contrib.auth import get_user_model
from reversion.models import Version

from articles.models import Article
from tests.factories import desk_client, make_article

pytestmark = pytest.mark.django_db

EMBARGOED = "Embargoed Rival Scoop"


@pytest.fixture
def writer_and_draft():
    writer = desk_client("writer", "contributor")
    desk_client("other-writer", "contributor")
    users = {user.username: user for user in get_user_model().objects.all()}
    rival = make_article(
        title=EMBARGOED, status=Article.Status.DRAFT, created_by=users["other-writer"]
    )
    draft = make_article(
        title="My own draft", status=Article.Status.DRAFT, created_by=users["writer"]
    )
    with reversion.create_revision():
        draft.save()
    with reversion.create_revision():  # an editor's choice of what to read next
        draft.pinned_recommendations.add(rival)
        draft.save()
    return writer, draft


def test_a_contributors_form_does_not_name_another_writers_draft(writer_and_draft):
    writer, draft = writer_and_draft
    page = writer.get(f"/admin/articles/article/{draft.pk}/change/")
    assert page.status_code == 200 and "My own draft" in page.content.decode()
    assert EMBARGOED not in page.content.decode()


def test_comparing_versions_of_a_contributors_draft_names_no_other_writers_draft(
    writer_and_draft,
):
    writer, draft = writer_and_draft
    first = Version.objects.get_for_object(draft).order_by("pk").first()
    compare = writer.get(
        f"/admin/articles/article/{draft.pk}/history/compare/", {"from": first.pk, "to": "live"}
    )
    assert compare.status_code == 200 and "Pinned recommendations" in compare.content.decode()
    assert EMBARGOED not in compare.content.decode()
