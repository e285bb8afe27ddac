"""Text that cannot break a page or a feed.

C0 control characters (but tab, newline and carriage return) and the two Unicode
noncharacters have no place in what editors write or imports bring: invisible, so an
editor could not find them to remove them, and one of them in a title made the Atom
feed unwritable (XML 1.0 cannot carry them). The desk's forms and the importers drop
them; the feed drops any a script stored.
"""

import re

INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def without_control_characters(text: str) -> str:
    return INVISIBLE.sub("", text)
