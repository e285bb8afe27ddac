"""An article's vocabulary: its most frequent meaningful words, kept on every save in
Article.text_profile for the "Read next" engine's text signal (articles.recommendations)."""

import re
from collections import Counter

PROFILE_TERMS = 40  # most frequent words kept per article

WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
COMMON_WORDS = """about above after again against all also and any are because been before
    being below
    between both but can could did does doing down during each few for from further had has
    have having her here hers herself him himself his how into its itself just more most
    nor not now off once only other our ours ourselves out over own same she should some
    such than that the their theirs them themselves then there these they this those
    through too under until very was were what when where which while who whom why will
    with would you your yours yourself yourselves one two many much may might must shall
    upon even still yet ever every like well back made make way new old first last long
    great little own right big high different small large next early young important few
    public bad same able book books read reading story"""
STOP_WORDS = frozenset(COMMON_WORDS.split())


def profile_of(title: str, plain_body: str) -> dict[str, int]:
    """The most frequent meaningful words of a title and a body already turned into plain
    text (rendering.plain_text), with counts; the title counts twice."""
    title_words = words_of(title)
    words = Counter(title_words)
    words.update(title_words)
    words.update(words_of(plain_body))
    return dict(words.most_common(PROFILE_TERMS))


def words_of(text: str) -> list[str]:
    return [word for word in WORD.findall(text.lower()) if word not in STOP_WORDS]
