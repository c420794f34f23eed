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
    start = data.draw(st.integers(0, len(text)))
    for pattern in PATTERNS:
        expected = pattern.search(text, start)
        found = markup._quick_search(pattern)(text, start)
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
    search = markup._quick_search(re.compile(r"(?<=x)y"))
    assert search("xy", 1) is not None and search("xy", 1).start() == 1
