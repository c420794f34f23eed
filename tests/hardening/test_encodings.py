"""Issue 7, "Text encodings": what Windows, Word and e-mail save builds; what is not UTF-8 is
named with its line and byte."""

import re
from html.parser import HTMLParser

from tests.conftest import release


class Text(HTMLParser):
    """The h1 and the paragraphs of the release body, as a reader sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.where, self.h1, self.paragraphs = None, "", []

    def handle_starttag(self, tag, attrs):
        if tag in ("h1", "p"):
            self.where = tag
            if tag == "p":
                self.paragraphs.append("")

    def handle_endtag(self, tag):
        self.where = None

    def handle_data(self, data):
        if self.where == "h1":
            self.h1 += data
        elif self.where == "p":
            self.paragraphs[-1] += data


def page_text(site, slug):
    parser = Text()
    parser.feed((site / "output" / "news" / "2024" / slug / "index.html").read_text("utf-8"))
    return parser


def test_bom_and_windows_and_old_mac_line_endings_build_normally(make_site, pressroom):
    text = "---\ntitle: Tromsø welcomes MEDVIA\ndate: 2024-01-09\n---\nFirst paragraph.\n\nSecond paragraph.\n"
    site = make_site({
        "content/news/bom-crlf.md": ("\ufeff" + text.replace("\n", "\r\n")).encode("utf-8"),
        "content/news/cr.md": text.replace("Tromsø", "Bodø").replace("\n", "\r").encode("utf-8"),
    })
    run = pressroom("build", str(site))
    assert run.code == 0, run.stderr
    for slug, title in (("tromso-welcomes-medvia", "Tromsø welcomes MEDVIA"), ("bodo-welcomes-medvia", "Bodø welcomes MEDVIA")):
        page = page_text(site, slug)
        assert page.h1 == title
        assert {"First paragraph.", "Second paragraph."} <= set(page.paragraphs)
        assert "\ufeff" not in (site / "output" / "news" / "2024" / slug / "index.html").read_text("utf-8")


def test_files_that_are_not_utf8_are_named_with_line_and_byte(fails):
    assert fails({
        "content/news/latin1.md": "---\ntitle: Tromsø\ndate: 2024-01-09\n---\n".encode("latin-1"),
        "content/news/word.md": "---\ntitle: T\ndate: 2024-01-09\n---\nFirst line\nIt\x92s here\n".encode("latin-1"),
        "content/news/utf16.md": "---\ntitle: T\ndate: 2024-01-09\n---\n".encode("utf-16"),
        "content/pages/binary.md": bytes(range(256)),
    }) == [
        'content/news/latin1.md:2: is not UTF-8 text (byte 16 is 0xf8, probably "ø" saved by a Windows program); save the file as UTF-8',
        "content/news/utf16.md:1: is saved as UTF-16; save it as UTF-8 (in most editors: Save as, Encoding: UTF-8)",
        'content/news/word.md:6: is not UTF-8 text (byte 47 is 0x92, probably "’" saved by a Windows program); save the file as UTF-8',
        "content/pages/binary.md:2: is not UTF-8 text (byte 128 is 0x80, probably \"€\" saved by a Windows program); save the file as UTF-8",
    ]


def test_invisible_characters_from_word_and_email_are_dropped_not_published(make_site, pressroom):
    """Vertical tab (Word's line break), form feed, NUL, escape codes and lone surrogates
    cannot be carried by HTML or XML; they are removed, page and line breaks become spaces."""
    site = make_site({
        "content/news/pasted.md": (
            "---\ntitle: \"MEDVIA\\vopens\\0 a\\x1b hub\\ud800\"\ndate: 2024-01-09\nauthor: Kari\x07 Nordmann\n---\n"
            "Paragraph\x0b with a break,\x00 a NUL\x7f and a\x0c page break.\n"
        ),
    })
    run = pressroom("build", str(site))
    assert run.code == 0, run.stderr
    html = (site / "output" / "news" / "2024" / "medvia-opens-a-hub" / "index.html").read_text("utf-8")
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]", html)
    page = page_text(site, "medvia-opens-a-hub")
    assert page.h1 == "MEDVIA opens a hub"
    assert "Paragraph  with a break, a NUL and a  page break." in page.paragraphs
    assert "Kari Nordmann" in html


def test_a_non_utf8_template_is_named_too(fails):
    lines = fails({"templates/page.html": "{% extends 'base.html' %}\n{# café #}\n".encode("latin-1")})
    assert lines == ['templates/page.html:2: is not UTF-8 text (byte 32 is 0xe9, probably "é" saved by a Windows program); save the file as UTF-8']
