"""Markdown -> HTML with one configured Python-Markdown, and plain text taken from HTML."""

from __future__ import annotations

import functools
from html.parser import HTMLParser

import markdown

EXTENSIONS = ["extra", "sane_lists", "smarty", "toc"]
EXTENSION_CONFIGS = {"toc": {"permalink": False}}


@functools.cache
def _converter(raw_html: bool) -> markdown.Markdown:
    md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html")
    if not raw_html:
        # Raw HTML is shown as text instead of being passed through (untrusted authors).
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
    return md


def to_html(text: str, raw_html: bool = True) -> str:
    md = _converter(raw_html)
    try:
        return md.convert(text)
    finally:
        md.reset()


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
