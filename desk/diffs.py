"""Line diffs of text for people: which lines went, which came, and in a changed line,
which words.

A Markdown paragraph is one long line, so a one-word edit would show as a whole
paragraph removed and another added; a removed line and the added line that replaces it
are therefore diffed word by word too, when they are alike enough to be the same
paragraph edited. Long runs of unchanged lines are cut to a few lines of context.
"""

import difflib
import re
from dataclasses import dataclass

# Unchanged lines kept around each change; longer runs are summed up as "n unchanged lines".
CONTEXT_LINES = 2
# Below this likeness (difflib's ratio), a removed and an added line are different
# paragraphs, not one edited: marking their common words would only be noise.
EDITED_LINE_LIKENESS = 0.5
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class Segment:
    text: str
    changed: bool


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: `same`, `removed`, `added`, or `skipped` (a run of unchanged
    lines not shown, `skipped` of them)."""

    kind: str
    segments: tuple[Segment, ...] = ()
    skipped: int = 0

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)


def line_diff(old: str, new: str, context: int = CONTEXT_LINES) -> list[DiffLine]:
    """From `old` to `new`, line by line; an empty list when they hold the same lines."""
    before, after = old.splitlines(), new.splitlines()
    # Blank lines (one between every two paragraphs) are no anchors: matching them all
    # against each other made long bodies quadratic (40 s for 1,000 paragraphs).
    matcher = difflib.SequenceMatcher(lambda line: not line.strip(), before, after, autojunk=False)
    opcodes = matcher.get_opcodes()
    if all(tag == "equal" for tag, *_ in opcodes):
        return []
    lines: list[DiffLine] = []
    for tag, start, end, new_start, new_end in opcodes:
        if tag == "equal":
            lines += _unchanged(
                before[start:end], at_start=start == 0, at_end=end == len(before), context=context
            )
        else:
            lines += _changed(before[start:end], after[new_start:new_end])
    return lines


def _unchanged(run: list[str], *, at_start: bool, at_end: bool, context: int) -> list[DiffLine]:
    head = 0 if at_start else context
    tail = 0 if at_end else context
    if len(run) <= head + tail + 1:  # cutting one line out would save nothing
        return [_whole("same", line) for line in run]
    return [
        *(_whole("same", line) for line in run[:head]),
        DiffLine("skipped", skipped=len(run) - head - tail),
        *(_whole("same", line) for line in run[len(run) - tail :]),
    ]


def _changed(removed: list[str], added: list[str]) -> list[DiffLine]:
    """Removed lines, then added ones; a pair alike enough is marked word by word."""
    removed_lines = [_whole("removed", line) for line in removed]
    added_lines = [_whole("added", line) for line in added]
    for index, (old, new) in enumerate(zip(removed, added, strict=False)):
        words = difflib.SequenceMatcher(None, _TOKENS.findall(old), _TOKENS.findall(new))
        if words.ratio() >= EDITED_LINE_LIKENESS:
            removed_lines[index], added_lines[index] = _word_diff(words)
    return removed_lines + added_lines


def _word_diff(words: difflib.SequenceMatcher) -> tuple[DiffLine, DiffLine]:
    old_tokens, new_tokens = words.a, words.b
    old_parts: list[Segment] = []
    new_parts: list[Segment] = []
    for tag, start, end, new_start, new_end in words.get_opcodes():
        changed = tag != "equal"
        _append(old_parts, "".join(old_tokens[start:end]), changed)
        _append(new_parts, "".join(new_tokens[new_start:new_end]), changed)
    return DiffLine("removed", tuple(old_parts)), DiffLine("added", tuple(new_parts))


def _append(parts: list[Segment], text: str, changed: bool) -> None:
    if not text:
        return
    if parts and parts[-1].changed == changed:
        parts[-1] = Segment(parts[-1].text + text, changed)
    else:
        parts.append(Segment(text, changed))


def _whole(kind: str, line: str) -> DiffLine:
    return DiffLine(kind, (Segment(line, kind != "same"),) if line else ())
