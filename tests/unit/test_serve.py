"""The preview server's decisions, without a server: what the browser is told after a build,
and which host names it answers to."""

from __future__ import annotations

import pytest

from pressroom.errors import SiteError
from pressroom.preview import Outcome, Reply
from pressroom.serve import asset_messages, host_without_port, is_loopback, page_path, with_reload_script


def test_reload_script_goes_before_the_end_of_head():
    assert with_reload_script(b"<html><head><title>x</title></head><body></body></html>", b"<script></script>") == (
        b"<html><head><title>x</title><script></script></head><body></body></html>")
    assert with_reload_script(b"<p>no head</p>", b"<script></script>") == b"<p>no head</p><script></script>"


def outcome(changed, errors=()) -> Outcome:
    return Outcome(list(changed), build=2, seconds=0.1, errors=list(errors))


def test_changed_assets_are_left_to_livereload_js_which_swaps_stylesheets_and_images():
    assert asset_messages(outcome(["assets/pressroom.css", "content/news/x.md", "assets/logo.png", "templates/base.html"]), "/newsroom/") == [
        {"command": "reload", "path": "/newsroom/assets/pressroom.css", "liveCSS": True, "liveImg": True},
        {"command": "reload", "path": "/newsroom/assets/logo.png", "liveCSS": True, "liveImg": True},
    ]


def test_a_failed_build_changed_no_asset():
    assert asset_messages(outcome(["assets/pressroom.css"], errors=[SiteError("x", 1, "y")]), "/") == []


@pytest.mark.parametrize("url, path", [
    ("http://127.0.0.1:8000/news/2024/x/?a=1#top", "/news/2024/x/"),
    ("http://[::1]:8000/caf%C3%A9/", "/caf%C3%A9/"),
    ("http://localhost:8000", "/"),
    ("", None), (None, None), (42, None),
])
def test_the_page_a_tab_shows_is_the_path_of_its_address(url, path):
    assert page_path(url) == path


def test_the_fingerprint_of_a_page_changes_with_what_the_tab_would_see():
    page = Reply(200, b"<h1>Bronze</h1>", "text/html; charset=utf-8")
    assert page.fingerprint() == Reply(200, b"<h1>Bronze</h1>", "text/html; charset=utf-8").fingerprint()
    assert page.fingerprint() != Reply(200, b"<h1>Silver</h1>", "text/html; charset=utf-8").fingerprint()
    assert page.fingerprint() != Reply(404, b"<h1>Bronze</h1>", "text/html; charset=utf-8").fingerprint()


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True), ("[::1]", True), ("::1", True),
    ("0.0.0.0", False), ("192.168.1.10", False), ("evil.example", False),
])
def test_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_host_header_without_port():
    assert host_without_port("127.0.0.1:8000") == "127.0.0.1"
    assert host_without_port("[::1]:8000") == "[::1]"
    assert host_without_port("localhost") == "localhost"
