"""Three-way merges: what the editor loaded (base), what a colleague saved since (theirs)
and what the editor posts (mine), field by field.

A field only one side changed takes that side's value; a long text both changed is
merged by lines (a Markdown paragraph is one line), each run of lines changed by only one
side taken from it; lines both changed differently are a clash, written into the text
between marks in words for the editor to resolve. Anything else both changed to
different values is a clash. Pure functions over values in the shape of reversion's
`Version.field_dict` (desk/history.py makes them comparable first).
"""

import difflib
import re
from dataclasses import dataclass

MINE = "mine"
THEIRS = "theirs"
# The marks around a clash in a merged draft (as git writes them, in words): the
# editor's lines, then the colleague's.
MINE_MARK = "<<<<<<< Yours"
SPLIT_MARK = "======="
THEIRS_MARK = ">>>>>>> {label}"
_THEIRS_MARK_LINE = re.compile(r">>>>>>> .*\(version \d+\)")


@dataclass(frozen=True)
class _Hunk:
    """Lines `start` to `end` of the base replaced by `lines` (an insertion when empty)."""

    start: int
    end: int
    lines: tuple[str, ...]
    side: str


@dataclass(frozen=True)
class TextChange:
    """One side's change the merge took: paragraphs `first` to `last` of the merged text,
    or, for a removal, of the base."""

    side: str
    first: int
    last: int
    removed: bool = False

    def describe(self) -> str:
        """“paragraph 3”, “paragraphs 3–4”, “the removal of paragraph 2”."""
        if self.first == self.last:
            where = f"paragraph {self.first}"
        else:
            where = f"paragraphs {self.first}–{self.last}"
        return f"the removal of {where}" if self.removed else where


@dataclass(frozen=True)
class TextMerge:
    text: str
    changes: tuple[TextChange, ...]
    clashes: int = 0


@dataclass(frozen=True)
class FieldMerge:
    """How one field was merged: the sides that changed it, and whether they clash."""

    name: str
    changed_by: frozenset[str]
    clash: bool = False
    text: TextMerge | None = None

    def changes_of(self, side: str, label: str) -> list[str]:
        """What `side` changed in this field, for a sentence (“paragraph 3 of the body”,
        “the title”); [] for nothing taken from that side."""
        if self.clash:
            return []
        if self.text is not None:
            return [
                f"{change.describe()} of the {label}"
                for change in self.text.changes
                if change.side == side
            ]
        return [f"the {label}"] if side in self.changed_by else []


@dataclass(frozen=True)
class Merge:
    """The merged values (a clash in a short field keeps mine; a clash in a text holds
    both sides between marks) and how each changed field was merged."""

    values: dict
    fields: tuple[FieldMerge, ...]
    # The fields whose merged value is not the one the editor posted.
    not_mine: frozenset[str] = frozenset()

    @property
    def clean(self) -> bool:
        return not any(field.clash for field in self.fields)

    @property
    def took_theirs(self) -> bool:
        """Whether the merge holds a change of theirs beside the clashes."""
        for field in self.fields:
            if field.text is not None:
                if any(change.side == THEIRS for change in field.text.changes):
                    return True
            elif not field.clash and THEIRS in field.changed_by:
                return True
        return False

    @property
    def text_clashes(self) -> int:
        return sum(field.text.clashes for field in self.fields if field.text is not None)

    def resolved_as_mine(self) -> dict:
        """The values with each clash settled for mine (what Keep mine saves)."""
        return {
            name: keep_mine(value) if self._is_text(name) else value
            for name, value in self.values.items()
        }

    def _is_text(self, name: str) -> bool:
        return any(field.name == name and field.text is not None for field in self.fields)


def merge_values(
    base: dict, mine: dict, theirs: dict, *, texts: set[str], theirs_label: str
) -> Merge:
    """Merge each field of `mine` (the fields the editor's form posts). `texts` names the
    long text fields, merged by lines; `theirs_label` names the colleague's side of a
    clash (“Sam’s (version 7)”). Values must be comparable with ==."""
    values, fields = {}, []
    for name, my_value in mine.items():
        if name not in theirs:  # not stored (yet): nothing of theirs to lose
            values[name] = my_value
            continue
        their_value = theirs[name]
        if name not in base:  # added after the base was kept: what each side meant is unknown
            base_value, unknown_base = None, True
        else:
            base_value, unknown_base = base[name], False
        changed_by = frozenset(
            side
            for side, value in ((MINE, my_value), (THEIRS, their_value))
            if unknown_base or value != base_value
        )
        if my_value == their_value or THEIRS not in changed_by:
            values[name] = my_value
        elif MINE not in changed_by:
            values[name] = their_value
        elif name in texts and not unknown_base:
            text = merge_text(base_value or "", my_value or "", their_value or "", theirs_label)
            values[name] = text.text
            fields.append(FieldMerge(name, changed_by, clash=text.clashes > 0, text=text))
            continue
        else:
            values[name] = my_value
            fields.append(FieldMerge(name, changed_by, clash=True))
            continue
        if changed_by:
            fields.append(FieldMerge(name, changed_by))
    not_mine = frozenset(name for name, value in values.items() if value != mine[name])
    return Merge(values, tuple(fields), not_mine)


def lines_of(text: str) -> list[str]:
    """A text's lines, whatever its line endings (a browser posts CRLF); a final line
    break is no line of its own, as the history compares texts (history.comparable)."""
    return text.splitlines()


def merge_text(base: str, mine: str, theirs: str, theirs_label: str) -> TextMerge:
    """Merge two changed copies of `base` line by line (see the module's docstring)."""
    base_lines = lines_of(base)
    hunks = sorted(
        [*_hunks(base_lines, lines_of(mine), MINE), *_hunks(base_lines, lines_of(theirs), THEIRS)],
        key=lambda hunk: (hunk.start, hunk.end),
    )
    merged: list[str] = []
    taken: list[tuple[str, int, int, int, int]] = []  # side, merged lines, base lines
    clashes = 0
    position = 0
    for group in _groups(hunks):
        start, end = group[0].start, max(hunk.end for hunk in group)
        merged += base_lines[position:start]
        position = end
        sides = {hunk.side for hunk in group}
        versions = {side: _apply(base_lines, group, side, start, end) for side in sides}
        if len(sides) == 1 or versions[MINE] == versions[THEIRS]:
            side = group[0].side if len(sides) == 1 else MINE
            lines = versions[side]
            for each in sides:
                taken.append((each, len(merged), len(merged) + len(lines), start, end))
            merged += lines
            continue
        clashes += 1
        merged += _clash(versions[MINE], versions[THEIRS], theirs_label)
    merged += base_lines[position:]
    changes = tuple(
        _change(side, merged, base_lines, (first, last), (start, end))
        for side, first, last, start, end in taken
    )
    return TextMerge("\n".join(merged), changes, clashes)


def _hunks(base: list[str], side_lines: list[str], side: str) -> list[_Hunk]:
    """`side`'s changes to `base`, as small as lines allow."""
    # Blank lines (one between every two paragraphs) are no anchors over the whole text
    # (as in desk.diffs: long bodies would be quadratic), so two paragraphs changed in a
    # row come as one run; within a run they are, so each paragraph is a change of its own.
    matcher = difflib.SequenceMatcher(
        lambda line: not line.strip(), base, side_lines, autojunk=False
    )
    hunks = []
    for tag, start, end, new_start, new_end in matcher.get_opcodes():
        if tag == "equal":
            continue
        within = difflib.SequenceMatcher(
            None, base[start:end], side_lines[new_start:new_end], autojunk=False
        )
        hunks += [
            _Hunk(
                start + old_from,
                start + old_to,
                tuple(side_lines[new_start + new_from : new_start + new_to]),
                side,
            )
            for part, old_from, old_to, new_from, new_to in within.get_opcodes()
            if part != "equal"
        ]
    return hunks


def _touch(one: _Hunk, other: _Hunk) -> bool:
    """Whether two changes concern the same base lines: overlapping ranges, or two
    insertions at one place (whose order nobody could tell). Changes that only meet
    (adjacent lines, or an insertion just before or after a changed run) merge."""
    if one.start < other.end and other.start < one.end:
        return True
    return one.start == one.end == other.start == other.end


def _groups(hunks: list[_Hunk]) -> list[list[_Hunk]]:
    groups: list[list[_Hunk]] = []
    for hunk in hunks:
        if groups and any(_touch(hunk, other) for other in groups[-1]):
            groups[-1].append(hunk)
        else:
            groups.append([hunk])
    return groups


def _apply(base: list[str], group: list[_Hunk], side: str, start: int, end: int) -> list[str]:
    """Base lines `start` to `end` with `side`'s changes in `group` applied."""
    lines, position = [], start
    for hunk in group:
        if hunk.side == side:
            lines += base[position : hunk.start] + list(hunk.lines)
            position = hunk.end
    return lines + base[position:end]


def _clash(mine: list[str], theirs: list[str], theirs_label: str) -> list[str]:
    """Both versions between marks; lines they share at either end stay outside."""
    head = 0
    while head < min(len(mine), len(theirs)) and mine[head] == theirs[head]:
        head += 1
    tail = 0
    while (
        tail < min(len(mine), len(theirs)) - head
        and mine[len(mine) - 1 - tail] == theirs[len(theirs) - 1 - tail]
    ):
        tail += 1
    return [
        *mine[:head],
        MINE_MARK,
        *mine[head : len(mine) - tail],
        SPLIT_MARK,
        *theirs[head : len(theirs) - tail],
        THEIRS_MARK.format(label=theirs_label),
        *mine[len(mine) - tail :],
    ]


def _paragraph_numbers(lines: list[str]) -> list[int]:
    """Each line's paragraph (runs of lines that are not blank), from 1; a blank line
    counts with the paragraph before it."""
    numbers, number, in_paragraph = [], 0, False
    for line in lines:
        if line.strip() and not in_paragraph:
            number += 1
        in_paragraph = bool(line.strip())
        numbers.append(max(number, 1))
    return numbers


def _change(
    side: str, merged: list[str], base: list[str], written: tuple, replaced: tuple
) -> TextChange:
    """Where a taken change is: the paragraphs it wrote in the merged text, or for a
    removal, the paragraphs it removed from the base."""
    for lines, (first, last), removed in ((merged, written, False), (base, replaced, True)):
        filled = [index for index in range(first, last) if lines[index].strip()]
        if filled:
            numbers = _paragraph_numbers(lines)
            return TextChange(side, numbers[filled[0]], numbers[filled[-1]], removed=removed)
    # Blank lines only: said as where they are.
    numbers = _paragraph_numbers(base) or [1]
    at = numbers[min(replaced[0], len(numbers) - 1)]
    return TextChange(side, at, at)


def clash_marks_in(text: str) -> int | None:
    """The line number (from 1) of the first clash mark left in `text`, or None."""
    for number, line in enumerate(lines_of(text), start=1):
        if line == MINE_MARK or _THEIRS_MARK_LINE.fullmatch(line):
            return number
    return None


def keep_mine(text: str) -> str:
    """`text` with each marked clash settled for the editor's lines (Keep mine)."""
    kept, state = [], None
    for line in lines_of(text):
        if state is None and line == MINE_MARK:
            state = MINE
        elif state == MINE and line == SPLIT_MARK:
            state = THEIRS
        elif state == THEIRS and _THEIRS_MARK_LINE.fullmatch(line):
            state = None
        elif state != THEIRS:
            kept.append(line)
    return "\n".join(kept)
