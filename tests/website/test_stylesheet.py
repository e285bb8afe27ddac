"""The site's stylesheet names its colours once, by role, so the dark scheme and print can
redefine them: a colour written into a component would stay light in the dark, or grey
on paper."""

import re
from pathlib import Path

SITE_CSS = Path(__file__).parents[2] / "static/css/site.css"
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgb|rgba|hsl|hsla)\(")
# Covers keep their own colours in every scheme: the drawn cover's hues and lettering.
OWN_COLOURS = re.compile(r"^\.cover--")


def declarations(css: str):
    """(selector, declaration) for each declaration, comments left out; at-rules'
    own blocks are walked into, so a rule inside @media counts under its selector."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    selectors: list[str] = []
    text = ""
    for character in css:
        if character == "{":
            selectors.append(text.strip())
            text = ""
        elif character == "}":
            if text.strip():
                yield selectors[-1], text.strip()
            selectors.pop()
            text = ""
        elif character == ";":
            if selectors:
                yield selectors[-1], text.strip()
            text = ""
        else:
            text += character


def test_every_colour_is_a_custom_property_or_a_covers_own():
    written_in = [
        f"{selector} {{ {declaration} }}"
        for selector, declaration in declarations(SITE_CSS.read_text())
        if COLOUR.search(declaration)
        and not declaration.startswith("--")
        and not OWN_COLOURS.match(selector)
    ]
    assert written_in == []


def test_the_dark_scheme_and_print_redefine_every_colour_role():
    css = SITE_CSS.read_text()
    roles = {
        name
        for selector, declaration in declarations(css)
        if selector == ":root" and COLOUR.search(declaration)
        for name in [declaration.split(":")[0]]
    }
    assert {"--text", "--background", "--surface", "--link", "--accent", "--star"} <= roles
    for media in ["@media (prefers-color-scheme: dark)", "@media print"]:
        block = css[css.index(media) :]
        block = block[: block.index("\n}\n")]
        redefined = set(re.findall(r"(--[\w-]+):", block))
        assert roles <= redefined, (media, roles - redefined)
