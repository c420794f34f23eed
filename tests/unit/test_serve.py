"""The preview server's decisions, without a server: what the browser is told after a build,
and which host names it answers to."""

from __future__ import annotations

import pytest

from pressroom.errors import SiteError
from pressroom.preview import Outcome
from pressroom.serve import host_without_port, is_loopback, reload_messages, with_reload_script


def test_reload_script_goes_before_the_end_of_head():
    assert with_reload_script(b"<html><head><title>x</title></head><body></body></html>", b"<script></script>") == (
        b"<html><head><title>x</title><script></script></head><body></body></html>")
    assert with_reload_script(b"<p>no head</p>", b"<script></script>") == b"<p>no head</p><script></script>"


def outcome(changed, errors=(), was_failing=False) -> Outcome:
    return Outcome(list(changed), build=2, seconds=0.1, errors=list(errors), was_failing=was_failing)


def test_a_changed_stylesheet_is_swapped_in_place():
    assert reload_messages(outcome(["assets/pressroom.css", "assets/css/print.css"]), "/newsroom/") == [
        {"command": "reload", "path": "/newsroom/assets/pressroom.css", "liveCSS": True, "liveImg": True},
        {"command": "reload", "path": "/newsroom/assets/css/print.css", "liveCSS": True, "liveImg": True},
    ]


@pytest.mark.parametrize("result", [
    outcome(["content/news/x.md"]),
    outcome(["assets/pressroom.css", "templates/base.html"]),
    outcome(["assets/pressroom.css"], errors=[SiteError("x", 1, "y")]),
    outcome(["assets/pressroom.css"], was_failing=True),
    outcome([]),
])
def test_anything_else_reloads_the_page(result):
    [message] = reload_messages(result, "/")
    assert message["path"] == "/" and message["liveCSS"] is False


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
