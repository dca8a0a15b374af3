"""The stylesheet's colours: every one is a variable of `:root`, and the dark scheme (which
follows the system's setting) gives each of them a value of its own, so no rule keeps a light
colour in the dark."""

import re
from pathlib import Path

from django.conf import settings

PORTAL_CSS = Path(settings.BASE_DIR) / "static" / "css" / "portal.css"
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\brgba?\(|\bhsla?\(")
VARIABLE = re.compile(r"(--[\w-]+)\s*:")


def blocks(css: str) -> tuple[str, str, str]:
    """The light `:root`, the dark `:root`, and every other rule."""
    light = re.search(r"^:root \{(.*?)^\}", css, re.S | re.M).group(1)
    dark_media = re.search(
        r"@media \(prefers-color-scheme: dark\) \{\s*:root \{(.*?)\}\s*\}", css, re.S
    )
    rest = css.replace(light, "").replace(dark_media.group(0), "")
    return light, dark_media.group(1), rest


def test_every_colour_is_a_variable_with_a_dark_value_too():
    css = re.sub(r"/\*.*?\*/", "", PORTAL_CSS.read_text(), flags=re.S)
    light, dark, rest = blocks(css)

    assert "color-scheme: light dark" in light
    assert COLOUR.findall(rest) == []  # no rule outside the two :root blocks names a colour
    light_names, dark_names = set(VARIABLE.findall(light)), set(VARIABLE.findall(dark))
    assert light_names == dark_names
    used = set(re.findall(r"var\((--[\w-]+)\)", rest))
    assert used <= light_names  # no rule uses a variable that has no value
    assert {"--ink", "--bg", "--card", "--accent", "--bad-bg", "--bar-bg"} <= used


def test_every_block_of_the_stylesheet_is_closed():
    # Features append their own blocks; a block left open (an `@media` without its `}`) puts
    # every later rule under its condition, and nothing else would notice.
    css = re.sub(r"/\*.*?\*/", "", PORTAL_CSS.read_text(), flags=re.S)
    depth = 0
    for number, line in enumerate(css.splitlines(), start=1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"line {number} closes a block that was not open"
        if line.startswith(("@media", ".", "#", ":root", "html", "body")):
            assert depth <= 2, f"line {number} starts a rule inside a rule"
    assert depth == 0
