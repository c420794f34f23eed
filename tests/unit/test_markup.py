"""Python-Markdown's inline patterns, asked first whether the text holds a character every
match needs: the same matches as the patterns themselves, only sooner where there are none."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pressroom import markup


def inline_patterns() -> list[re.Pattern]:
    """Every inline pattern of both converters (trusted and untrusted authors), smarty's too."""
    from markdown.inlinepatterns import InlineProcessor as NewStylePattern
    from markdown.treeprocessors import InlineProcessor

    found = {}
    for raw_html in (True, False):
        for processor in markup._converter(raw_html).treeprocessors:
            if isinstance(processor, InlineProcessor):
                for pattern in processor.inlinePatterns:
                    if isinstance(pattern, NewStylePattern):
                        regex = pattern.getCompiledRegExp()
                        found[regex.pattern, regex.flags] = regex
    return list(found.values())


PATTERNS = inline_patterns()
# What Markdown's patterns look for, and the rest of Unicode now and then.
text = st.lists(st.one_of(
    st.sampled_from(list("\\`[]()!<>&*_-'\".#;:/@ \t\nabsx09") + ["–", "—", "\u0002", "\u0003", "&nbsp;", "--", "...", "&#8211;", "s "]),
    st.characters(blacklist_categories=("Cs",)),
), max_size=30).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=text, data=st.data())
def test_the_quick_search_finds_what_the_pattern_finds(text, data):
    """What the quicker inline processor does: no search where the text holds none of the
    characters a pattern needs, else searcher()."""
    start = data.draw(st.integers(0, len(text)))
    for pattern in PATTERNS:
        expected = pattern.search(text, start)
        needed = markup.required_characters(pattern)
        found = None if needed and needed.isdisjoint(text) else markup.searcher(pattern)(text, start)
        assert (found and (found.span(), found.groups())) == (expected and (expected.span(), expected.groups())), pattern.pattern


def test_most_patterns_have_characters_to_look_for():
    """The shortcut is worth having only if it applies; smarty's patterns are the slow ones."""
    needed = [markup.required_characters(pattern) for pattern in PATTERNS]
    assert sum(1 for chars in needed if chars) >= len(PATTERNS) - 2


@pytest.mark.parametrize("pattern, needed", [
    (r"abc", {"a"}),
    (r"(?<=x)y", {"x"}),  # a look-behind counts: the character is in the text, before the match
    (r"[ab]c|d", {"c", "d"}),  # the fewest of each alternative
    (r"(?:x|y)+z", {"z"}),
    (r"[0-9]", set("0123456789")),
    (r"a?b*", None),  # nothing is certain
    (r"[^a]", None),
    (r"\w", None),
    (r"(?!a)b", {"b"}),
    (r"(?!a).", None),
    (r"(?i)a", None),  # either case would do
    (r"(?i:a)b", {"b"}),
])
def test_the_characters_every_match_needs(pattern, needed):
    assert markup.required_characters(re.compile(pattern)) == (frozenset(needed) if needed is not None else None)


def test_a_match_whose_look_behind_lies_before_the_start_is_still_found():
    search = markup.searcher(re.compile(r"(?<=x)y"))
    assert search("xy", 1) is not None and search("xy", 1).start() == 1


@pytest.mark.parametrize("pattern, prefix", [
    (r"(?<!-)---(?!-)", "---"),  # the look-behind takes no characters: the match begins after it
    (r"(?<!\.)\.{3}(?!\.)", "..."),
    (r"a{2,5}b", "aa"),  # as many as are certain
    (r"'(\s|s\b)", "'"),
    (r"^'x", "'x"),
    (r"(?:ab)c", "abc"),
    (r"(ab)c", "abc"),
    (r"(a(?!x)b)", "a"),
    (r"(<(x|y))", "<"),
    (r"(?i:a)b", ""),
    (r"a|b", ""),
    (r"x*y", ""),
    (r"(?i)ab", ""),
])
def test_the_text_every_match_begins_with(pattern, prefix):
    assert markup.literal_prefix(re.compile(pattern)) == prefix


@pytest.mark.parametrize("pattern, text, start", [
    (r"(?<=[^ ])'(?!s)", "it's 'x' y'z", 0),  # the first ' fails the look-ahead, the next the look-behind
    (r"(?<=x)y", "xy", 1),  # the look-behind sees before the start
    (r"(?<!-)--(?!-)", "a---b--c", 0),
    (r"aa(?!a)", "aaa", 0),  # occurrences overlap: the match is at the second
    (r"(?<!\.)\.{3}(?!\.)", "wait.... then... done", 0),
    (r"^'a", "x\n'a", 0),  # ^ is the beginning of the text wherever the search starts
    (r"'(\s|s\b)", "the cluster's members' day", 14),
])
def test_the_quicker_search_finds_what_the_pattern_finds(pattern, text, start):
    regex = re.compile(pattern)
    expected, found = regex.search(text, start), markup.searcher(regex)(text, start)
    assert (found and (found.span(), found.groups())) == (expected and (expected.span(), expected.groups()))


def plain_converter(raw_html: bool):
    """The same Python-Markdown, extensions and settings, without the shortcuts."""
    shortcuts = markup._skip_hopeless_patterns, markup._skip_hopeless_blocks, markup._skip_needless_preprocessors
    markup._skip_hopeless_patterns = markup._skip_hopeless_blocks = markup._skip_needless_preprocessors = lambda md: None
    try:
        return markup._converter.__wrapped__(raw_html)
    finally:
        markup._skip_hopeless_patterns, markup._skip_hopeless_blocks, markup._skip_needless_preprocessors = shortcuts


PLAIN = {raw_html: plain_converter(raw_html) for raw_html in (True, False)}
# Pieces of releases, with what smart quotes, emphasis, links, code, HTML and entities look for.
pieces = st.sampled_from([
    "It's the cluster's 10th year", "'quoted'", '"double"', "the '90s", "members' day", "--", "---", "...", "....",
    "*em*", "**strong**", "_x_", "`code`", "``a`b``", "[link](https://example.org)", "![alt](a.png)", "[^1]",
    "<b>bold</b>", "&amp;", "&copy;", "&#8211;", "&amp ", "R&D", "&#38 x", "\n\n<div>\nblock\n</div>\n\n", "\n\n~~~\nx\n~~~\n\n", "\\*", "<https://example.org>", "<x@example.org>", "{: .note }",
    "\n\n", "\n", "  \n", "\n\n## Heading\n\n", "\n\n- item\n- item\n\n", "\n\n> quote\n\n", "\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n",
    "\n\n[^1]: A note.\n\n", "\n\n# Title #\n\n", "\nTitle\n=====\n", "\n\n* * *\n\n", "\n\n___\n\n", "\n> quoted\n",
    "\nTerm\n:   Definition\n", "\n\n*[HTML]: Hyper Text\n\n", "HTML", "\n\n[^2]:\n    Indented note\n\n", "\n\n    code block\n\n", "[text][ref]", "[ref]", "\n\n[ref]: https://example.org/r\n\n", "\n\n```\ncode 'x'\n```\n\n", " ", "word", "x", "'", '"', "-", ".", "<", "[", "!",
])


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.one_of(pieces, st.text(max_size=5)), max_size=25), raw_html=st.booleans())
def test_the_quicker_converter_makes_the_html_plain_python_markdown_makes(parts, raw_html):
    text = "".join(parts)
    quick, plain = markup._converter(raw_html), PLAIN[raw_html]
    try:
        assert quick.convert(text) == plain.convert(text)
    finally:
        quick.reset()
        plain.reset()


@pytest.mark.parametrize("raw_html", [True, False])
def test_the_shortcuts_are_in_place_for_the_installed_markdown(raw_html):
    """Each shortcut is taken only for the Markdown code it was checked against: when an
    upgrade changes that code, this fails, and the new code must be read (and the checked
    digests in markup.py renewed) before the build gets its speed back. (pyproject asks for
    Markdown>=3.5: another minor version is told by a skip, not a failure of every CI run.)"""
    import markdown

    if markdown.__version__.split(".")[:2] != ["3", "11"]:
        pytest.skip(f"the shortcuts were checked against Markdown 3.11, not {markdown.__version__}: read its code and renew the digests")
    md = markup._converter(raw_html)
    inline = [type(p).__name__ for p in md.treeprocessors if hasattr(p, "inlinePatterns")]
    assert inline == ["QuickerInlineProcessor", "QuickerInlineProcessor"]  # the inline patterns, smarty's
    blocks = {type(p).__name__ for p in md.parser.blockprocessors if "shortcut" in (p.test.__name__, p.run.__name__)}
    assert blocks == set(markup._BLOCK_SEARCHES)
    preprocessors = {type(p).__name__ for p in md.preprocessors if p.run.__name__ == "shortcut"}
    assert preprocessors == set(markup._PREPROCESSOR_NEEDS) - ({"HtmlBlockPreprocessor"} if not raw_html else set())
