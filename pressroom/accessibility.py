"""Checks on the text of releases and pages, for readers who use screen readers.

An image without a text alternative is an error: a blind reader would miss what it shows.
A link without text, or a heading that skips a level, is a warning: the page still works,
but is harder to use. Problems are found in the HTML (whatever Markdown or raw HTML made
it) and located in the Markdown by what the author wrote there.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from pressroom.errors import SiteError
from pressroom.source import Document


@dataclass
class TextProblems:
    errors: list[SiteError] = field(default_factory=list)
    warnings: list[SiteError] = field(default_factory=list)


def check_text(doc: Document, html: str) -> TextProblems:
    """The page's title is its only <h1>, so the text's headings start at ##."""
    outline = _Outline()
    outline.feed(html)
    outline.close()
    where = _Locator(doc)
    found = TextProblems()
    for src, alt in outline.images:
        if not alt:
            found.errors.append(SiteError(doc.path, where.find(src), (
                f'the image "{src}" has no alt text; describe what it shows for people who cannot see it, '
                f"like ![A short description]({src})"
            )))
    for href, text in outline.links:
        if not text:
            found.warnings.append(SiteError(doc.path, where.find(href), (
                f'the link to "{href}" has no text, so screen readers read out the address; '
                f"write what it leads to, like [Annual report 2024]({href})"
            )))
    previous = 1
    for level, text in outline.headings:
        if level != 1 and level <= previous + 1:  # a heading in its place
            where.pass_words(text)
            previous = level
            continue
        line = where.find_words(text)
        if level == 1:
            found.warnings.append(SiteError(doc.path, line, (
                f'the heading "{text}" is a second main title (#); the title is the page\'s only one, '
                f"so start sections with ##"
            )))
        elif level > previous + 1:
            above = "directly under the title" if previous == 1 else f'after {"#" * previous}'
            found.warnings.append(SiteError(doc.path, line, (
                f'the heading "{text}" skips a level ({"#" * level} {above}); '
                f'screen reader users move through a page by its headings, so use {"#" * (previous + 1)}'
            )))
        previous = level
    return found


_HEADINGS = frozenset(f"h{level}" for level in range(1, 7))


class _Outline(HTMLParser):
    """Images (src, alt), links (href, text) and headings (level, text) of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[tuple[str, str]] = []
        self.links: list[tuple[str, str]] = []
        self.headings: list[tuple[int, str]] = []
        self.link: list | None = None  # [href, text parts] of the link being read
        self.heading: list | None = None  # [level, text parts]

    def handle_starttag(self, tag, attrs):
        if tag in _HEADINGS:
            self.heading = [int(tag[1]), []]
            return
        if tag != "img" and tag != "a":
            return
        attributes = {name: value or "" for name, value in attrs}
        if tag == "img":
            decorative = attributes.get("role") in ("presentation", "none") or attributes.get("aria-hidden") == "true"
            alt = attributes.get("alt", "").strip()
            self.images.append((attributes.get("src", ""), alt or ("decorative" if decorative else "")))
            self.text(alt)
        elif tag == "a" and "href" in attributes:
            self.link = [attributes["href"], [attributes.get("aria-label", ""), attributes.get("title", "")]]

    def handle_endtag(self, tag):
        if tag == "a" and self.link is not None:
            self.links.append((self.link[0], " ".join("".join(self.link[1]).split())))
            self.link = None
        elif tag in _HEADINGS and self.heading is not None:
            self.headings.append((self.heading[0], " ".join("".join(self.heading[1]).split())))
            self.heading = None

    def handle_data(self, data):
        self.text(data)

    def text(self, data: str) -> None:
        for open_element in (self.link, self.heading):
            if open_element is not None:
                open_element[1].append(data)


class _Locator:
    """Finds the line of the body where something was written; the n-th time a thing is
    looked for, its n-th occurrence. Falls back to the first line of the body."""

    def __init__(self, doc: Document):
        self.lines = doc.body.split("\n")
        self.first = doc.body_line
        self.used: Counter = Counter()
        self._letter_lines: list[str] | None = None
        self._passed: Counter = Counter()  # words looked past, not yet found (see pass_words)

    def find(self, needle: str, lines: list[str] | None = None) -> int:
        for number, line in enumerate(lines or self.lines):
            if needle and line.count(needle) > self.used[needle, number]:
                self.used[needle, number] += 1
                return self.first + number
        return self.first

    def find_words(self, text: str) -> int:
        """Headings are matched on their letters and digits: Markdown turns ' into ’."""
        if self._letter_lines is None:
            self._letter_lines = [_letters(line) for line in self.lines]
        needle = _letters(text)
        for _ in range(self._passed.pop(needle, 0)):  # the same words passed before are above
            self.find(needle, self._letter_lines)
        return self.find(needle, self._letter_lines)

    def pass_words(self, text: str) -> None:
        """find_words(text) for a heading whose line is not wanted: it is only counted, and
        found when the same words are looked for later (most pages never need the lines)."""
        self._passed[_letters(text)] += 1


_NOT_LETTERS = re.compile(r"[\W_]+")  # \w is what isalnum() is, and "_"


def _letters(text: str) -> str:
    """The letters and digits of a text, in lower case."""
    return _NOT_LETTERS.sub("", text.casefold())
