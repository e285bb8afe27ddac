"""Cells a spreadsheet would run as formulas, escaped in the rejects file and read back.

The rejected rows are written out to be opened in a spreadsheet, fixed and imported
again. A cell that starts with = + - @ (or a tab or carriage return) would run there as
a formula, so it is written with a single quote in front, as OWASP advises against CSV
injection; reading a file, that quote is dropped again, so the fixed rows import as
they were (a Goodreads export's ="0439023483" ISBNs, a year of -750).

A title or an author's name that looks like a formula is imported as the text it is
(pages escape it), with a warning: it most likely came from a tampered file.
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# After + - @: a call, a link to another program or sheet, or arithmetic ("+cmd|' /C
# calc'!A0", "@SUM(1+1)", "-2+3"); "@Home" and "-ism" are titles.
FORMULA_AFTER_SIGN = re.compile(r"[(!|]|^\s*[\d.]+\s*[-+*/^&]")
ESCAPED_STARTS = frozenset(f"'{start}" for start in FORMULA_STARTS)


def escape_formula(value: str) -> str:
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def unescape_formula(value: str) -> str:
    return value[1:] if value[:2] in ESCAPED_STARTS else value


def looks_like_formula(value: str) -> bool:
    """True for a cell a spreadsheet would run: "=HYPERLINK(…)", "+cmd|…", "@SUM(…)"."""
    if not value.startswith(("=", "+", "-", "@")):
        return False
    rest = value[1:]
    if value.startswith("="):
        return bool(rest.strip())
    return bool(FORMULA_AFTER_SIGN.search(rest))
