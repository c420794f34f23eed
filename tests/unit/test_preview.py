"""The preview's decisions, without a server: which file a path names, what a reply is, and
what the error page says."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pressroom.errors import SiteError
from pressroom.preview import Preview, content_type, error_page, resolve


@pytest.mark.parametrize("raw", [
    "/../secret.txt", "/news/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2E/secret.txt",
    "/.%2e/secret.txt", "/news/..%2f..%2fsecret.txt", "/news%2F..%2F..%2Fsecret.txt", "/..%5csecret.txt",
    "/..\\secret.txt", "/news\\..\\..\\secret.txt", "//etc/passwd", "/news//x/", "/%00", "/index.html%00.css",
    "/a/./b", "http://evil.example/../secret.txt", "etc/passwd", "/%ff%fe",
])
def test_paths_that_could_leave_the_site_are_refused(raw):
    assert resolve(raw, "/").kind == "bad"


@pytest.mark.parametrize("raw, kind, target", [
    ("/", "file", "index.html"),
    ("/news/", "file", "news/index.html"),
    ("/news", "file", "news"),  # a folder: the reply redirects to /news/
    ("/assets/pressroom.css", "file", "assets/pressroom.css"),
    ("/tags/caf%C3%A9/", "file", "tags/café/index.html"),
    ("/%252e%252e/secret.txt", "file", "%2e%2e/secret.txt"),  # encoded twice: a harmless folder name
    ("/.pressroom-output", "missing", ""),
    ("/assets/.hidden", "missing", ""),
    ("/etc/passwd", "file", "etc/passwd"),  # relative to the site: simply not there
])
def test_paths_inside_the_site(raw, kind, target):
    assert resolve(raw, "/") == type(resolve(raw, "/"))(kind, target)


def test_a_site_under_a_sub_path():
    assert resolve("/", "/newsroom/").kind == "redirect"
    assert resolve("/newsroom", "/newsroom/").target == "/newsroom/"
    assert resolve("/newsroom/news/", "/newsroom/").target == "news/index.html"
    assert resolve("/news/", "/newsroom/").kind == "missing"


@given(st.text(alphabet="/.%2eEfF5cC0\\x", max_size=30))
def test_no_path_resolves_to_a_file_outside_the_site(raw):
    found = resolve("/" + raw, "/")
    if found.kind == "file":
        assert not Path(found.target).is_absolute()
        assert ".." not in Path(found.target).parts


@pytest.mark.parametrize("name, expected", [
    ("index.html", "text/html; charset=utf-8"), ("pressroom.css", "text/css; charset=utf-8"),
    ("app.js", "text/javascript; charset=utf-8"), ("events.ics", "text/calendar; charset=utf-8"),
    ("feed.xml", "application/xml; charset=utf-8"), ("search.json", "application/json"),
    ("logo.svg", "image/svg+xml"), ("photo.JPG", "image/jpeg"), ("unknown.zzz", "application/octet-stream"),
])
def test_content_types(name, expected):
    assert content_type(name) == expected


@pytest.fixture
def preview(tmp_path: Path) -> Preview:
    """A preview whose "last build" is written by hand, to test what it serves."""
    root = tmp_path / "built"
    for rel, text in {"index.html": "<h1>Home</h1>", "news/index.html": "<h1>News</h1>", "404.html": "<h1>Not here</h1>",
                      ".pressroom-output": "marker", "assets/pressroom.css": "h1{}"}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (tmp_path / "secret.txt").write_text("SECRET")
    (root / "escape.txt").symlink_to(tmp_path / "secret.txt")
    (root / "escape-dir").symlink_to(tmp_path)
    site = tmp_path / "site"
    site.mkdir()
    return Preview(site, root)


def test_replies_from_the_last_build(preview):
    assert (preview.reply("/").status, preview.reply("/").body) == (200, b"<h1>Home</h1>")
    assert preview.reply("/news").status == 301 and preview.reply("/news").location == "/news/"
    css = preview.reply("/assets/pressroom.css")
    assert (css.status, css.content_type) == (200, "text/css; charset=utf-8")
    missing = preview.reply("/no/such/page/")
    assert (missing.status, missing.body, missing.content_type) == (404, b"<h1>Not here</h1>", "text/html; charset=utf-8")
    assert preview.reply("/.pressroom-output").status == 404
    assert preview.reply("/../secret.txt").status == 400


def test_links_out_of_the_built_site_are_not_followed(preview):
    for raw in ("/escape.txt", "/escape-dir/secret.txt"):
        reply = preview.reply(raw)
        assert reply.status == 404 and b"SECRET" not in reply.body


def test_while_the_site_has_errors_pages_show_them_and_assets_stay(preview):
    preview.errors = [SiteError("content/news/x.md", 3, "this is not valid YAML")]
    for raw in ("/", "/news/", "/no/such/page/"):
        reply = preview.reply(raw)
        assert reply.status == 500 and b"content/news/x.md:3" in reply.body
    assert preview.reply("/assets/pressroom.css").body == b"h1{}"


def test_error_page_shows_file_line_message_and_the_lines_around_it(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "x.md").write_text("---\ntitle: <b>A: B</b>\ndate: 2024-01-09\n---\nText\n")
    (tmp_path.parent / "outside.md").write_text("line 1\nSECRET\n")
    html = error_page([
        SiteError("content/x.md", 2, 'mapping values are not allowed here; a value with ": " needs quotes <script>'),
        SiteError("../outside.md", 2, "outside"),
        SiteError("pressroom.toml", None, "not found"),
    ], tmp_path).decode()
    assert "content/x.md:2" in html and "pressroom.toml" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert '<span class="here"><span class="number">2</span>title: &lt;b&gt;A: B&lt;/b&gt;</span>' in html
    assert "SECRET" not in html
    assert "3 errors" in html
