"""Three-way merges (desk/merging.py): what the editor loaded, a colleague's save since,
and the editor's post, field by field and, in long texts, line by line."""

from desk.merging import (
    MINE,
    THEIRS,
    TextChange,
    clash_marks_in,
    keep_mine,
    merge_text,
    merge_values,
)

LABEL = "Sam’s (version 7)"
BASE = "One.\n\nTwo.\n\nThree.\n\nFour.\n\nFive."


def merged(mine: str, theirs: str, base: str = BASE):
    return merge_text(base, mine, theirs, LABEL)


def test_changes_to_different_paragraphs_are_both_kept():
    result = merged(BASE.replace("Two.", "Two, mine."), BASE.replace("Five.", "Five, Sam's."))
    assert result.text == "One.\n\nTwo, mine.\n\nThree.\n\nFour.\n\nFive, Sam's."
    assert result.clashes == 0
    assert result.changes == (TextChange(MINE, 2, 2), TextChange(THEIRS, 5, 5))


def test_changes_to_neighbouring_paragraphs_merge():
    result = merged(BASE.replace("Two.", "Two, mine."), BASE.replace("Three.", "Three, Sam's."))
    assert result.text == "One.\n\nTwo, mine.\n\nThree, Sam's.\n\nFour.\n\nFive."
    assert result.clashes == 0


def test_changes_to_adjacent_lines_merge():
    result = merge_text("a\nb\nc\nd", "a\nB\nc\nd", "a\nb\nC\nd", LABEL)
    assert (result.text, result.clashes) == ("a\nB\nC\nd", 0)


def test_two_paragraphs_changed_in_a_row_are_two_changes():
    """Blank lines are no anchors over the whole text: two paragraphs changed one after
    the other still clash only where the colleague changed one of them."""
    mine = BASE.replace("Two.", "Two, mine.").replace("Three.", "Three, mine.")
    theirs = BASE.replace("Two.", "Two, Sam's.")
    result = merged(mine, theirs)
    assert result.clashes == 1
    assert result.text == (
        "One.\n\n<<<<<<< Yours\nTwo, mine.\n=======\nTwo, Sam's.\n>>>>>>> Sam’s (version 7)"
        "\n\nThree, mine.\n\nFour.\n\nFive."
    )


def test_a_paragraph_added_before_one_the_colleague_edited_merges():
    mine = BASE.replace("Three.", "New.\n\nThree.")
    theirs = BASE.replace("Three.", "Three, Sam's.")
    result = merged(mine, theirs)
    assert result.text == "One.\n\nTwo.\n\nNew.\n\nThree, Sam's.\n\nFour.\n\nFive."
    assert result.clashes == 0


def test_the_same_paragraph_changed_differently_is_a_clash_marked_in_words():
    result = merged(BASE.replace("Three.", "Three, mine."), BASE.replace("Three.", "Three, Sam's."))
    assert result.clashes == 1
    assert result.text.split("\n") == [
        "One.", "", "Two.", "",
        "<<<<<<< Yours", "Three, mine.", "=======", "Three, Sam's.", ">>>>>>> Sam’s (version 7)",
        "", "Four.", "", "Five.",
    ]  # fmt: skip
    assert keep_mine(result.text) == BASE.replace("Three.", "Three, mine.")


def test_a_clash_beside_a_clean_change_keeps_the_clean_one():
    mine = BASE.replace("Three.", "Three, mine.")
    theirs = BASE.replace("Three.", "Three, Sam's.").replace("Five.", "Five, Sam's.")
    result = merged(mine, theirs)
    assert result.clashes == 1
    assert result.text.endswith("Four.\n\nFive, Sam's.")
    assert keep_mine(result.text) == mine.replace("Five.", "Five, Sam's.")


def test_a_paragraph_one_side_removed_and_the_other_edited_is_a_clash():
    mine = BASE.replace("Two.\n\n", "")
    theirs = BASE.replace("Two.", "Two, Sam's.")
    result = merged(mine, theirs)
    assert result.clashes == 1
    assert "Two, Sam's." in result.text  # never dropped without showing it
    assert keep_mine(result.text) == mine


def test_a_paragraph_removed_by_one_side_alone_is_removed():
    result = merged(BASE.replace("\n\nFour.", ""), BASE.replace("One.", "One, Sam's."))
    assert result.text == "One, Sam's.\n\nTwo.\n\nThree.\n\nFive."
    assert TextChange(MINE, 4, 4, removed=True) in result.changes
    assert TextChange(MINE, 4, 4, removed=True).describe() == "the removal of paragraph 4"


def test_both_making_the_same_change_is_no_clash():
    same = BASE.replace("Three.", "Three, agreed.")
    result = merged(same, same)
    assert (result.text, result.clashes) == (same, 0)


def test_both_adding_different_paragraphs_at_one_place_is_a_clash():
    """Nobody could tell which goes first."""
    result = merged(BASE + "\n\nSix, mine.", BASE + "\n\nSix, Sam's.")
    assert result.clashes == 1
    assert "Six, mine." in result.text and "Six, Sam's." in result.text


def test_line_endings_and_a_final_line_break_are_no_change():
    """A browser posts CRLF, and may add a final line break."""
    mine = BASE.replace("Two.", "Two, mine.").replace("\n", "\r\n") + "\r\n"
    theirs = BASE.replace("Five.", "Five, Sam's.") + "\n"
    result = merged(mine, theirs)
    assert result.text == "One.\n\nTwo, mine.\n\nThree.\n\nFour.\n\nFive, Sam's."
    assert result.clashes == 0


def test_clash_marks_are_found_by_line_and_only_ours():
    text = merged(BASE.replace("Two.", "Two, mine."), BASE.replace("Two.", "Two, Sam's.")).text
    assert clash_marks_in(text) == 3
    # An article about git may show git's own marks; a setext heading uses "=======".
    assert clash_marks_in("<<<<<<< HEAD\nTitle\n=======\n>>>>>>> main") is None


def test_a_field_changed_by_one_side_takes_that_side():
    base = {"title": "A", "subtitle": "B", "topics": [1]}
    mine = {"title": "A, mine", "subtitle": "B", "topics": [1]}
    theirs = {"title": "A", "subtitle": "B, Sam's", "topics": [1, 2]}
    merge = merge_values(base, mine, theirs, texts=set(), theirs_label=LABEL)
    assert merge.clean
    assert merge.values == {"title": "A, mine", "subtitle": "B, Sam's", "topics": [1, 2]}
    assert merge.not_mine == {"subtitle", "topics"}
    assert merge.took_theirs


def test_a_short_field_both_changed_differently_is_a_clash_keeping_mine_in_the_form():
    merge = merge_values(
        {"title": "A"}, {"title": "A, mine"}, {"title": "A, Sam's"}, texts=set(), theirs_label=LABEL
    )
    assert not merge.clean
    assert merge.values == {"title": "A, mine"}
    assert not merge.took_theirs


def test_many_to_many_both_changed_differently_is_a_clash():
    merge = merge_values(
        {"topics": [1]}, {"topics": [1, 2]}, {"topics": [3]}, texts=set(), theirs_label=LABEL
    )
    assert not merge.clean


def test_a_field_the_base_did_not_have_merges_only_when_both_agree():
    merge = merge_values(
        {}, {"standfirst": "X"}, {"standfirst": "Y"}, texts={"standfirst"}, theirs_label=LABEL
    )
    assert not merge.clean
    agreed = merge_values(
        {}, {"standfirst": "X"}, {"standfirst": "X"}, texts=set(), theirs_label=LABEL
    )
    assert agreed.clean and agreed.values == {"standfirst": "X"}


def test_texts_merge_by_lines_and_say_where():
    merge = merge_values(
        {"body": BASE},
        {"body": BASE.replace("Two.", "Two, mine.")},
        {"body": BASE.replace("Four.", "Four, Sam's.")},
        texts={"body"},
        theirs_label=LABEL,
    )
    assert merge.clean
    (field,) = merge.fields
    assert field.changes_of(MINE, "body") == ["paragraph 2 of the body"]
    assert field.changes_of(THEIRS, "body") == ["paragraph 4 of the body"]
    assert merge.resolved_as_mine() == merge.values
