"""Self-tests of tests/support: the browser, the static server and the validators
must really work (and really fail) before the site's tests can rely on them."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests.support.server import serve_directory
from tests.support.validators import (
    format_axe_violations,
    format_vnu_errors,
    run_axe,
    run_vnu,
    validate_atom,
    validate_sitemap,
)

GOOD_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Good page</title>
</head>
<body>
<header><a href="#main">Skip to content</a></header>
<main id="main">
<h1>Pressroom</h1>
<p>A small, valid and accessible page.</p>
<img src="logo.svg" alt="MEDVIA logo" width="10" height="10">
</main>
</body>
</html>
"""

# Line 6: a stray </span>; line 7: <img> without alt.
BAD_HTML = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Bad page</title></head>
<body>
<main>
<p>Unclosed things</span></p>
<img src="logo.svg">
</main>
</body>
</html>
"""

LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture
def site(tmp_path):
    (tmp_path / "index.html").write_text(GOOD_HTML, encoding="utf-8")
    (tmp_path / "logo.svg").write_text(LOGO_SVG, encoding="utf-8")
    (tmp_path / "404.html").write_text(
        GOOD_HTML.replace("Good page", "Not found"), encoding="utf-8"
    )
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "index.html").write_text(
        GOOD_HTML.replace("Good page", "News"), encoding="utf-8"
    )
    return tmp_path


# ---- serve_directory -------------------------------------------------------

def test_serve_directory_serves_files_and_404_page(site):
    with serve_directory(site) as base:
        assert base.startswith("http://127.0.0.1:") and base.endswith("/")
        status, body = _get(base)
        assert status == 200 and b"<title>Good page</title>" in body
        status, body = _get(base + "news/")
        assert status == 200 and b"<title>News</title>" in body
        status, body = _get(base + "missing.html")
        assert status == 404 and b"<title>Not found</title>" in body


def test_serve_directory_under_prefix(site):
    with serve_directory(site, prefix="/newsroom/") as base:
        assert base.endswith("/newsroom/")
        status, body = _get(base + "news/")
        assert status == 200 and b"<title>News</title>" in body
        root = base[: -len("newsroom/")]
        status, body = _get(root + "index.html")  # outside the prefix
        assert status == 404 and b"<title>Not found</title>" in body
        status, body = _get(base.rstrip("/"))  # /newsroom -> /newsroom/
        assert status == 200 and b"<title>Good page</title>" in body


def test_serve_directory_without_404_page(tmp_path):
    (tmp_path / "index.html").write_text(GOOD_HTML, encoding="utf-8")
    with serve_directory(tmp_path) as base:
        assert _get(base + "nope")[0] == 404


def test_serve_directory_stops(site):
    with serve_directory(site) as base:
        pass
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(base, timeout=2)


# ---- chromium --------------------------------------------------------------

def test_chromium_renders_served_page(page, site):
    with serve_directory(site) as base:
        response = page.goto(base)
        assert response.status == 200
        assert page.title() == "Good page"
        assert page.inner_text("h1") == "Pressroom"
        # The image was fetched from the server and decoded.
        assert page.evaluate("() => document.querySelector('img').naturalWidth") == 10
        assert page.screenshot()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chromium_under_prefix_and_404(page, site):
    with serve_directory(site, prefix="newsroom") as base:
        response = page.goto(base + "news/")
        assert response.status == 200 and page.title() == "News"
        # The relative image URL resolves under the prefix.
        assert page.evaluate("() => document.querySelector('img').naturalWidth") == 0  # news/logo.svg is missing
        response = page.goto(base + "no/such/page/")
        assert response.status == 404 and page.title() == "Not found"


def test_browser_is_shared_but_pages_are_fresh(browser, page):
    assert browser.is_connected()
    assert page.context.pages == [page]
    assert page.context.cookies() == []


# ---- vnu -------------------------------------------------------------------

@pytest.fixture(scope="module")
def vnu_run(tmp_path_factory):
    """One vnu run (one JVM) over a good file, a broken file in a directory
    whose name needs URL-escaping, and a directory of good pages."""
    root = tmp_path_factory.mktemp("vnu")
    good = root / "good.html"
    bad = root / "dir with space" / "bad.html"
    bad.parent.mkdir()
    good.write_text(GOOD_HTML, encoding="utf-8")
    bad.write_text(BAD_HTML, encoding="utf-8")
    site = root / "site"
    (site / "news").mkdir(parents=True)
    (site / "index.html").write_text(GOOD_HTML, encoding="utf-8")
    (site / "news" / "index.html").write_text(GOOD_HTML, encoding="utf-8")
    (site / "style.css").write_text("not css {", encoding="utf-8")  # not an HTML file: skipped
    return {"good": good, "bad": bad, "site": site, "errors": run_vnu([good, bad, site])}


def test_vnu_reports_known_errors_in_bad_file(vnu_run):
    bad = [e for e in vnu_run["errors"] if e["file"] == str(vnu_run["bad"])]
    assert bad, "vnu found nothing in a broken file"
    messages = {(e["line"], e["message"]) for e in bad}
    assert any(line == 6 and "Stray end tag" in m for line, m in messages), messages
    assert any(line == 7 and "alt" in m for line, m in messages), messages


def test_vnu_reports_nothing_for_valid_files(vnu_run):
    others = [e for e in vnu_run["errors"] if e["file"] != str(vnu_run["bad"])]
    assert others == [], format_vnu_errors(others)


def test_vnu_with_nothing_to_check():
    assert run_vnu([]) == []


# ---- axe -------------------------------------------------------------------

def test_axe_passes_good_page(page, site):
    with serve_directory(site) as base:
        page.goto(base)
        violations = run_axe(page)
    assert violations == [], format_axe_violations(violations)


def test_axe_reports_img_without_alt(page):
    page.set_content(BAD_HTML)
    violations = run_axe(page)
    ids = {v["id"] for v in violations}
    assert "image-alt" in ids, format_axe_violations(violations)
    image_alt = next(v for v in violations if v["id"] == "image-alt")
    assert image_alt["nodes"][0]["target"] == ["img"]
    # Running again on the same page reuses the injected axe.
    assert {v["id"] for v in run_axe(page)} == ids


# ---- Atom ------------------------------------------------------------------

ATOM_OK = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">
  <title>MEDVIA Newsroom</title>
  <subtitle type="html">Press releases &amp;amp; events</subtitle>
  <link rel="alternate" type="text/html" href="https://newsroom.medvia.example/"/>
  <link rel="self" type="application/atom+xml" href="https://newsroom.medvia.example/feed.xml"/>
  <id>https://newsroom.medvia.example/</id>
  <updated>2024-01-09T10:00:00+01:00</updated>
  <author><name>MEDVIA</name><uri>https://medvia.example/</uri></author>
  <generator uri="https://example.org/pressroom" version="0.1.0">Pressroom</generator>
  <entry>
    <title>MEDVIA awarded the bronze label</title>
    <link href="https://newsroom.medvia.example/news/2024/medvia-awarded-bronze-label/"/>
    <id>tag:newsroom.medvia.example,2024-01-09:bronze</id>
    <published>2024-01-09T10:00:00+01:00</published>
    <updated>2024-01-09T10:00:00Z</updated>
    <category term="awards" label="Awards"/>
    <summary>ESCA awards MEDVIA its bronze label.</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>T&#248;nsberg, <b>9 January</b>.</p></div></content>
  </entry>
</feed>
"""


def test_valid_atom_passes():
    assert validate_atom(ATOM_OK) == []


@pytest.mark.parametrize(
    "old, new, expect",
    [
        (b"<id>https://newsroom.medvia.example/</id>", b"", "id"),  # feed without atom:id
        (b"<title>MEDVIA Newsroom</title>", b"<title>A</title><title>B</title>", "title"),
        (b"<updated>2024-01-09T10:00:00Z</updated>", b"<updated>9 January 2024</updated>", "dateTime"),
        (b"<updated>2024-01-09T10:00:00Z</updated>", b"<updated>2024-01-09T10:00:00</updated>", "RFC 3339"),
        (b'<content type="xhtml">', b'<content type="xhtml" src="x">', ""),
        (b"<category term", b"<category nonsense=\"1\" term", "nonsense"),
        (b'xml:lang="en"', b'xml:lang="en_GB"', "lang"),
        (b"<entry>", b"<entry><foo/>", ""),  # unknown element in the Atom namespace
        (b"</feed>", b"<subtitle>late</subtitle></feed>", ""),  # metadata after entries
        (b"<author><name>MEDVIA</name><uri>https://medvia.example/</uri></author>", b"", "atom:author"),
        (
            b'<link rel="self"',
            b'<link rel="alternate" type="text/html" href="https://x.example/"/><link rel="self"',
            "more than one",
        ),
        (b"</feed>", b"", "well-formed"),
    ],
)
def test_broken_atom_fails(old, new, expect):
    assert old in ATOM_OK
    errors = validate_atom(ATOM_OK.replace(old, new, 1))
    assert errors, f"accepted a feed with {old!r} -> {new!r}"
    assert expect in "\n".join(errors)


def test_atom_entry_needs_alternate_link_or_content():
    link = b'<link href="https://newsroom.medvia.example/news/2024/medvia-awarded-bronze-label/"/>'
    start, end = ATOM_OK.index(b"<content"), ATOM_OK.index(b"</content>") + len(b"</content>")
    without_content = ATOM_OK[:start] + ATOM_OK[end:]
    assert validate_atom(without_content) == []  # the link is enough
    errors = validate_atom(without_content.replace(link, b""))
    assert errors and "alternate" in "\n".join(errors)


def test_atom_accepts_extensions_and_entry_documents():
    with_ext = ATOM_OK.replace(
        b"<entry>",
        b'<ext:note xmlns:ext="urn:example:ext" ext:kind="x">hi</ext:note>'
        b'<entry xmlns:ext="urn:example:ext" ext:flag="1"><ext:rank>1</ext:rank>',
        1,
    )
    assert validate_atom(with_ext) == []
    entry = b"""<entry xmlns="http://www.w3.org/2005/Atom">
      <title>Alone</title><id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
      <updated>2003-12-13T18:30:02Z</updated><author><name>A</name></author>
      <content>Text</content></entry>"""
    assert validate_atom(entry) == []


# ---- sitemap ---------------------------------------------------------------

SITEMAP_OK = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url>
    <loc>https://newsroom.medvia.example/</loc>
    <lastmod>2024-01-09T10:00:00+01:00</lastmod>
    <changefreq>weekly</changefreq>
    <priority>1.0</priority>
  </url>
  <url>
    <loc>https://newsroom.medvia.example/news/2024/medvia-awarded-bronze-label/</loc>
    <lastmod>2024-01-09</lastmod>
  </url>
</urlset>
"""


def test_valid_sitemap_passes():
    assert validate_sitemap(SITEMAP_OK) == []


@pytest.mark.parametrize(
    "old, new, expect",
    [
        (b"<changefreq>weekly</changefreq>", b"<changefreq>sometimes</changefreq>", "changefreq"),
        (b"<priority>1.0</priority>", b"<priority>1.5</priority>", "priority"),
        (b"<lastmod>2024-01-09</lastmod>", b"<lastmod>09.01.2024</lastmod>", "lastmod"),
        (b"<loc>https://newsroom.medvia.example/</loc>", b"", "loc"),
        (b"<loc>https://newsroom.medvia.example/</loc>", b"<loc>/news/2024/index.html</loc>", "absolute"),
        (b"0.9", b"0.84", "urlset"),  # wrong namespace
        (b"<changefreq>", b"<title>x</title><changefreq>", "title"),
        (b"</urlset>", b"", "well-formed"),
    ],
)
def test_broken_sitemap_fails(old, new, expect):
    assert old in SITEMAP_OK
    errors = validate_sitemap(SITEMAP_OK.replace(old, new, 1))
    assert errors, f"accepted a sitemap with {old!r} -> {new!r}"
    assert expect in "\n".join(errors)
