"""Markdown -> HTML with one configured Python-Markdown, and plain text taken from HTML.

Raw HTML in a release is kept by default (trusted authors). With `markdown.raw_html = false`
(outside contributors) it is shown as text, and so is everything else that could run script:
`{: onclick=...}` attributes are not read, and links to `javascript:` and other schemes that
are not web, mail or phone addresses are dropped.
"""

from __future__ import annotations

import functools
import re
from html.parser import HTMLParser
from xml.etree.ElementTree import Element

import markdown
from markdown.treeprocessors import Treeprocessor

EXTRA_WITHOUT_ATTRIBUTES = ["fenced_code", "footnotes", "def_list", "tables", "abbr", "md_in_html"]
EXTENSIONS = ["extra", "sane_lists", "smarty", "toc"]
UNTRUSTED_EXTENSIONS = EXTRA_WITHOUT_ATTRIBUTES + ["sane_lists", "smarty", "toc"]
EXTENSION_CONFIGS = {"toc": {"permalink": False}}
SAFE_SCHEMES = ("http", "https", "mailto", "tel")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):")
_IGNORED_IN_URLS = re.compile(r"[\x00-\x20]")

# Python-Markdown slows down with the square of these (minutes for a few thousand), so
# a file that goes past them is refused with its line instead of stalling the build.
MAX_NESTING = 32  # list levels (4 spaces each) or > quote levels
MAX_BRACKETS = 500  # [ in one paragraph
MAX_TABLE_ROWS = 2000  # half a second of Markdown; more is a spreadsheet, not a page
_NESTED = re.compile(r"^((?:[ \t]*>){33})|^([ \t]{129,})(?:[-*+]|\d+[.)])(?:\s|$)")


class MarkupTooDeep(Exception):
    """The text is built so that Markdown would take minutes or recurse without end."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class _DropUnsafeLinks(Treeprocessor):
    """Links and pictures may only lead to web, mail and phone addresses; on* attributes go."""

    def run(self, root: Element) -> None:
        for element in root.iter():
            for name in list(element.attrib):
                if name.lower().startswith("on") or (name in ("href", "src") and not is_safe_url(element.attrib[name])):
                    del element.attrib[name]


def is_safe_url(url: str) -> bool:
    """Relative addresses, #anchors and http(s), mailto and tel; never javascript: or data:."""
    match = _SCHEME.match(_IGNORED_IN_URLS.sub("", url).lower())
    return match is None or match.group(1) in SAFE_SCHEMES


@functools.cache
def _converter(raw_html: bool) -> markdown.Markdown:
    extensions = EXTENSIONS if raw_html else UNTRUSTED_EXTENSIONS
    md = markdown.Markdown(extensions=extensions, extension_configs=EXTENSION_CONFIGS, output_format="html")
    if not raw_html:
        # Raw HTML is shown as text instead of being passed through (untrusted authors).
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_DropUnsafeLinks(md), "drop_unsafe_links", -100)
    return md


def to_html(text: str, raw_html: bool = True) -> str:
    """Raises MarkupTooDeep, with a line of `text`, for text that would stall Markdown."""
    check_shape(text)
    md = _converter(raw_html)
    try:
        return md.convert(text)
    except RecursionError:
        raise MarkupTooDeep(1, "the text is nested too deeply for Markdown (hundreds of * or _ or lists in lists); simplify it") from None
    finally:
        md.reset()


def check_shape(text: str) -> None:
    """Refuse deep nesting and bracket storms before Markdown spends minutes on them."""
    brackets, paragraph_line, table_rows = 0, 1, 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            brackets, paragraph_line = 0, number + 1
            continue
        table_rows = table_rows + 1 if "|" in line else 0
        if table_rows > MAX_TABLE_ROWS + 2:  # the heading row and the --- row are not counted
            raise MarkupTooDeep(number - table_rows + 1, f"this table has more than {MAX_TABLE_ROWS:,} rows, too many to read on a page; put the data in a spreadsheet in assets/ and link to it")
        if _NESTED.match(line):
            raise MarkupTooDeep(number, f"lists or quotes are nested more than {MAX_NESTING} levels deep here; Markdown cannot handle that in reasonable time. Simplify it")
        if not line.lstrip().startswith("|"):  # each table cell is read on its own
            brackets += line.count("[")
            if brackets > MAX_BRACKETS:
                raise MarkupTooDeep(paragraph_line, f"this paragraph has more than {MAX_BRACKETS} [ brackets; Markdown cannot handle that in reasonable time. Split it, or write \\[ for a bracket that is not a link")


class _TextOfFirstParagraph(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.done = False
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "p" and not self.done:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag == "p" and self.depth:
            self.depth -= 1
            if not self.depth and "".join(self.parts).strip():
                self.done = True

    def handle_data(self, data):
        if self.depth and not self.done:
            self.parts.append(data)


def first_paragraph(html: str) -> str:
    """The text of the first non-empty paragraph: the default summary of a release."""
    parser = _TextOfFirstParagraph()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())
