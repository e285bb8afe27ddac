"""What happened in the revision being saved, recorded as data (a RevisionEvent row,
django-reversion's meta) and said as a sentence (the revision's comment, which the
history shows). Nothing reads the sentence back: lists and branches read the rows."""

import reversion
from django.http import HttpRequest

from .models import REVIEW_STEPS, RevisionEvent


def record(
    kind: RevisionEvent.Kind,
    *,
    sentence: str,
    request: HttpRequest | None = None,
    note: str = "",
    version_number: int | None = None,
) -> None:
    """Record `kind` in the revision being saved, and say it in the revision's comment.

    With a request, the comment says every event the request recorded, review steps
    first (“Approved and published. Kept my version over …”), in place of reversion's
    list of changed fields. An event with no sentence of its own (one another event's
    sentence already says) is recorded and not said.
    """
    reversion.add_meta(RevisionEvent, kind=kind, note=note, version_number=version_number)
    if request is None:
        reversion.set_comment(sentence)
        return
    said = request.__dict__.setdefault("desk_revision_events", [])
    said.append((kind, sentence))
    review_steps_first = sorted(said, key=lambda event: event[0] not in REVIEW_STEPS)
    reversion.set_comment(" ".join(sentence for _, sentence in review_steps_first if sentence))
