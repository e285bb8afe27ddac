"""Events for the revisions saved before events were recorded, read from their comments.

This is the one place that reads what happened from a revision's sentence, once, for
the revisions kept before RevisionEvent existed; everything since records the event
(desk/events.py) and nothing reads a comment back. The sentences are copied here as
they were written then, so rewording them later changes nothing below.
"""

import re

from django.db import migrations

BATCH = 2000
OVER = r"version (\d+)(?: \(saved by an import or outside the desk\))?"
# A revision whose comment starts otherwise is a plain save: it gets no event.
MAY_SAY_AN_EVENT = (
    r"^(As it was before|Took |Restored version |Submitted for review|Approved and published"
    r"|Sent back|Note: |Kept my version over )"
)
FIRST_SAVE = "As it was before its first save in the desk."
TOOK_THEIRS = re.compile(r"Took .*version (\d+) over my unsaved changes, which were dropped\.")
RESTORED = re.compile(rf"Restored version (\d+) of .*?(?:, over .*{OVER})?\.", re.DOTALL)
KEPT_MINE = rf"Kept my version over .*{OVER}\."
REVIEW_STEP = re.compile(
    rf"(Submitted for review|Approved and published|Sent back)(?:: (.*?)|\.)(?: {KEPT_MINE})?",
    re.DOTALL,
)
NOTE = re.compile(rf"Note: (.*?)(?: {KEPT_MINE})?", re.DOTALL)
KEPT_MINE_ALONE = re.compile(KEPT_MINE, re.DOTALL)
STEPS = {
    "Submitted for review": "submitted",
    "Approved and published": "approved",
    "Sent back": "sent_back",
}


def events_said_in(comment: str) -> list[dict]:
    """The events an old comment says, as RevisionEvent fields (no revision yet)."""
    if comment == FIRST_SAVE:
        return [{"kind": "first_save"}]
    if match := TOOK_THEIRS.fullmatch(comment):
        return [{"kind": "took_theirs", "version_number": int(match[1])}]
    if match := RESTORED.fullmatch(comment):
        restored = [{"kind": "restored", "version_number": int(match[1])}]
        return restored + (
            [{"kind": "kept_mine", "version_number": int(match[2])}] if match[2] else []
        )
    if match := REVIEW_STEP.fullmatch(comment):
        step, note, kept_over = match.groups()
        step_event = {"kind": STEPS[step], "note": note or ""}
    elif match := NOTE.fullmatch(comment):
        note, kept_over = match.groups()
        step_event = {"kind": "note", "note": note}
    elif match := KEPT_MINE_ALONE.fullmatch(comment):
        return [{"kind": "kept_mine", "version_number": int(match[1])}]
    else:
        return []
    return [step_event] + (
        [{"kind": "kept_mine", "version_number": int(kept_over)}] if kept_over else []
    )


def record_events_from_comments(apps, schema_editor):
    Revision = apps.get_model("reversion", "Revision")
    RevisionEvent = apps.get_model("desk", "RevisionEvent")
    candidates = Revision.objects.filter(comment__regex=MAY_SAY_AN_EVENT).order_by("pk")
    last = 0
    while True:
        batch = list(candidates.filter(pk__gt=last).values_list("pk", "comment")[:BATCH])
        if not batch:
            return
        RevisionEvent.objects.bulk_create(
            [
                RevisionEvent(revision_id=pk, **fields)
                for pk, comment in batch
                for fields in events_said_in(comment)
            ],
            ignore_conflicts=True,  # a revision that has its events keeps them
        )
        last = batch[-1][0]


class Migration(migrations.Migration):
    # Each batch commits by itself: a long history is not one long transaction, and
    # running this again after a failure records only what is missing.
    atomic = False

    dependencies = [
        ("desk", "0003_revision_events"),
    ]

    operations = [
        migrations.RunPython(record_events_from_comments, migrations.RunPython.noop),
    ]
