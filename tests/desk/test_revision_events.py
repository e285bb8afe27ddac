"""What happened in a revision is recorded as data (RevisionEvent), and the revisions
kept before that are given their events once, from their comments."""

import importlib

import pytest
import reversion
from django.apps import apps
from reversion.models import Revision, Version

from desk.models import RevisionEvent
from tests.factories import make_article
from tests.helpers import form_values, text_of

backfill = importlib.import_module("desk.migrations.0004_revision_events_from_comments")


def change_url(article) -> str:
    return f"/admin/articles/article/{article.pk}/change/"


def latest_revision(obj) -> Revision:
    return Version.objects.get_for_object(obj).order_by("-pk").first().revision


def events_of(revision) -> set[tuple]:
    return {(e.kind, e.note, e.version_number) for e in revision.events.all()}


def refused_after_a_colleagues_save(editors, article):
    """The first editor's save, refused because the second saved version 2 meanwhile."""
    first, second = editors
    mine = form_values(first.get(change_url(article)))
    theirs = form_values(second.get(change_url(article)))
    assert second.post(change_url(article), {**theirs, "body": "Theirs."}).status_code == 302
    refused = first.post(change_url(article), {**mine, "body": "Mine."})
    assert refused.status_code == 200
    return form_values(refused)


def test_settling_a_clash_and_approving_keeps_both_facts(editors, demo):
    article = make_article(title="Contested", status="review")
    again = refused_after_a_colleagues_save(editors, article)
    # The clash's marks settled by hand (tests/desk/test_merging_saves.py), then approved.
    again.update(body="Mine.", _approve="Approve and publish", review_note="Fine by me.")
    assert editors[0].post(change_url(article), again).status_code == 302

    revision = latest_revision(article)
    assert events_of(revision) == {("approved", "Fine by me.", None), ("merged", "", 2)}
    assert revision.get_comment() == (
        "Approved and published: Fine by me. Merged my version with second-editor’s version "
        "2: where we both changed the same lines, I chose by hand."
    )
    log = text_of(editors[0].get(change_url(article)).content, ".desk-review-log li")
    assert log[0].startswith("Approved and published: Fine by me. Merged my version with")


def test_taking_theirs_and_the_first_save_are_recorded(editors, demo):
    article = make_article(title="Contested")
    again = refused_after_a_colleagues_save(editors, article)
    assert editors[0].post(change_url(article), {**again, "take_theirs": "2"}).status_code == 302
    kinds = [
        (version.revision.get_comment(), events_of(version.revision))
        for version in Version.objects.get_for_object(article).order_by("pk")
    ]
    assert kinds == [
        ("As it was before its first save in the desk.", {("first_save", "", None)}),
        ("Changed Body.", set()),
        (
            "Took second-editor’s version 2 over my unsaved changes, which were dropped.",
            {("took_theirs", "", 2)},
        ),
    ]


def test_a_restore_over_a_colleagues_save_records_both(editors, demo):
    first, second = editors
    article = make_article(title="Torgau")
    form = form_values(first.get(change_url(article)))
    assert first.post(change_url(article), {**form, "title": "Torgau, two"}).status_code == 302
    oldest = Version.objects.get_for_object(article).order_by("pk").first()
    restore_url = f"/admin/articles/article/{article.pk}/history/{oldest.pk}/"
    restore = form_values(first.get(restore_url))
    theirs = form_values(second.get(change_url(article)))
    assert second.post(change_url(article), {**theirs, "body": "Theirs."}).status_code == 302
    refused = first.post(restore_url, restore)
    assert refused.status_code == 200
    assert (
        first.post(restore_url, {**form_values(refused), "_save": "Keep mine"}).status_code == 302
    )

    revision = latest_revision(article)
    assert events_of(revision) == {("restored", "", 1), ("kept_mine", "", 3)}
    assert revision.get_comment().endswith(", over second-editor’s version 3.")


# --- The events of revisions kept before events were recorded ------------------------


@pytest.mark.parametrize(
    ("comment", "events"),
    [
        ("As it was before its first save in the desk.", {("first_save", "", None)}),
        ("Changed Title and Body.", set()),
        ("Submitted for review.", {("submitted", "", None)}),
        (
            "Sent back: Needs sources.\nAnd a map.",
            {("sent_back", "Needs sources.\nAnd a map.", None)},
        ),
        (
            "Approved and published: Fine by me. Kept my version over second-editor’s version 2.",
            {("approved", "Fine by me.", None), ("kept_mine", "", 2)},
        ),
        ("Note: Call the author.", {("note", "Call the author.", None)}),
        (
            "Kept my version over version 4 (saved by an import or outside the desk).",
            {("kept_mine", "", 4)},
        ),
        (
            "Took the stored version 7 over my unsaved changes, which were dropped.",
            {("took_theirs", "", 7)},
        ),
        (
            "Restored version 1 of 3 Dec 2026 14:02:11 by an import or outside the desk, "
            "over version2’s version 3.",
            {("restored", "", 1), ("kept_mine", "", 3)},
        ),
        ("Restored version 2 of 3 Dec 2026 14:02:11 by alice.", {("restored", "", 2)}),
    ],
)
def test_old_comments_become_events(db, comment, events, monkeypatch):
    article = make_article(title="Old")
    for said in [comment, "Changed Byline."]:
        with reversion.create_revision():
            reversion.add_to_revision(article)
            reversion.set_comment(said)
    monkeypatch.setattr(backfill, "BATCH", 1)  # several batches, one revision each

    backfill.record_events_from_comments(apps, None)
    backfill.record_events_from_comments(apps, None)  # again: nothing twice

    first, second = Revision.objects.order_by("pk")
    assert events_of(first) == events
    assert events_of(second) == set()
    assert RevisionEvent.objects.count() == len(events)
