"""The live preview in real headless Chromium: what a person sees while they edit and save."""

from __future__ import annotations

import json
import socket
import struct
import zlib

import pytest
from playwright.sync_api import expect

from tests.conftest import MINIMAL_CONFIG, wait_for, write_files
from tests.support.validators import format_axe_violations, run_axe

RELEASE_PATH = "content/news/2024/esca-label.md"
RELEASE_URL = "news/2024/esca-label/"
MEMBERS_URL = "news/2024/medvia-welcomes-new-members/"


def release_text(title: str, date: str = "2024-01-09", extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {date}\nslug: esca-label\n{extra}---\nMEDVIA is proud to announce it.\n"


SITE = {
    RELEASE_PATH: release_text("MEDVIA awarded Bronze Label"),
    "content/news/2024/members.md": "---\ntitle: MEDVIA welcomes new members\ndate: 2024-03-01\n---\nWelcome.\n",
    "assets/pressroom.css": "h1 { color: rgb(0, 0, 255); }\n",
}


def connected(server, count: int = 1):
    """Wait until the open page's livereload websocket has said hello."""
    return wait_for(lambda: len(server.sockets) >= count, message="the page's livereload connection")


def test_a_changed_title_shows_without_reloading_by_hand(preview, page):
    server = preview(SITE)
    page.goto(server.url + RELEASE_URL)
    expect(page.locator("h1")).to_have_text("MEDVIA awarded Bronze Label")
    write_files(server.site_dir, {RELEASE_PATH: release_text("MEDVIA awarded Silver Label")})
    expect(page.locator("h1")).to_have_text("MEDVIA awarded Silver Label")
    expect(page).to_have_title("MEDVIA awarded Silver Label · Test Newsroom")


def test_a_new_release_appears_on_news_and_a_deleted_one_goes(preview, page):
    server = preview(SITE)
    page.goto(server.url + "news/")
    new_release = page.locator(".release-title", has_text="MEDVIA opens a test bed")
    expect(page.locator(".release-title").first).to_be_visible()
    expect(new_release).to_have_count(0)
    write_files(server.site_dir, {"content/news/2024/test-bed/index.md": "---\ntitle: MEDVIA opens a test bed\ndate: 2024-06-01\n---\nNew.\n"})
    expect(new_release).to_be_visible()
    (server.site_dir / "content/news/2024/test-bed/index.md").unlink()
    expect(new_release).to_have_count(0)
    expect(page.locator(".release-title", has_text="MEDVIA welcomes new members")).to_be_visible()


def test_broken_yaml_shows_the_file_and_line_and_a_fix_brings_the_page_back(preview, page):
    server = preview(SITE)
    other = page.context.new_page()  # a tab on a page the edit does not touch shows the error too
    page.goto(server.url + RELEASE_URL)
    other.goto(server.url + MEMBERS_URL)
    expect(page.locator("h1")).to_have_text("MEDVIA awarded Bronze Label")
    connected(server, 2)
    write_files(server.site_dir, {RELEASE_PATH: release_text("MEDVIA: a new chapter")})
    for tab in (page, other):
        error = tab.locator(".error").first
        expect(error.locator(".where")).to_have_text(f"{RELEASE_PATH}:2")
        expect(error.locator(".message")).to_contain_text("not valid YAML")
        expect(error.locator(".here")).to_contain_text("title: MEDVIA: a new chapter")
        expect(tab.locator("h1")).to_contain_text("1 error")
    write_files(server.site_dir, {RELEASE_PATH: release_text('"MEDVIA: a new chapter"')})
    expect(page.locator("h1")).to_have_text("MEDVIA: a new chapter")
    expect(other.locator("h1")).to_have_text("MEDVIA welcomes new members")


def reload_commands(tab) -> list[dict]:
    """Every livereload command the tab's websocket receives, from now on."""
    received: list[dict] = []
    tab.on("websocket", lambda ws: ws.on("framereceived", lambda frame: received.append(json.loads(frame))))
    return received


def test_only_the_tabs_whose_page_changed_reload(preview, page):
    server = preview(SITE)
    tabs = {"edited": page, "listing": page.context.new_page(), "untouched": page.context.new_page()}
    untouched_commands = reload_commands(tabs["untouched"])
    tabs["edited"].goto(server.url + RELEASE_URL)
    tabs["listing"].goto(server.url + "news/")
    tabs["untouched"].goto(server.url + MEMBERS_URL)
    connected(server, 3)
    for tab in tabs.values():
        tab.evaluate("window.notReloaded = true")
    write_files(server.site_dir, {RELEASE_PATH: release_text("MEDVIA awarded Silver Label")})
    expect(tabs["edited"].locator("h1")).to_have_text("MEDVIA awarded Silver Label")
    expect(tabs["listing"].locator(".release-title", has_text="MEDVIA awarded Silver Label")).to_be_visible()
    # Every tab hears of a changed stylesheet after anything the build before told it.
    write_files(server.site_dir, {"assets/pressroom.css": "h1 { color: rgb(200, 0, 0); }\n"})
    expect(tabs["untouched"].locator("h1")).to_have_css("color", "rgb(200, 0, 0)")
    assert [command["path"] for command in untouched_commands if command.get("command") == "reload"] == ["/assets/pressroom.css"]
    assert tabs["untouched"].evaluate("window.notReloaded") is True
    assert tabs["edited"].evaluate("window.notReloaded") is None
    assert tabs["listing"].evaluate("window.notReloaded") is None


def test_the_tab_of_a_deleted_release_shows_page_not_found(preview, page):
    server = preview(SITE)
    page.goto(server.url + MEMBERS_URL)
    expect(page.locator("h1")).to_have_text("MEDVIA welcomes new members")
    connected(server)
    (server.site_dir / "content/news/2024/members.md").unlink()
    expect(page.locator("h1")).to_have_text("Page not found")


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not has_ipv6_loopback(), reason="this machine has no IPv6 loopback address (::1) to serve on")
def test_a_preview_bound_to_ipv6_loopback_reloads_too(preview, page):
    server = preview(SITE, bind="::1")
    assert server.url.startswith("http://[::1]:")
    page.goto(server.url + RELEASE_URL)
    expect(page.locator("h1")).to_have_text("MEDVIA awarded Bronze Label")
    connected(server)
    write_files(server.site_dir, {RELEASE_PATH: release_text("MEDVIA awarded Silver Label")})
    expect(page.locator("h1")).to_have_text("MEDVIA awarded Silver Label")


def test_an_edited_stylesheet_applies_without_reloading_the_page(preview, page):
    server = preview(SITE)
    navigations = []
    page.goto(server.url + RELEASE_URL)
    expect(page.locator("h1")).to_have_css("color", "rgb(0, 0, 255)")
    connected(server)
    page.evaluate("window.stillTheSamePage = true")
    page.on("framenavigated", lambda frame: navigations.append(frame.url))
    write_files(server.site_dir, {"assets/pressroom.css": "h1 { color: rgb(200, 0, 0); }\n"})
    expect(page.locator("h1")).to_have_css("color", "rgb(200, 0, 0)")
    assert page.evaluate("window.stillTheSamePage") is True
    assert navigations == []


def png(width: int) -> bytes:
    """A red picture one pixel high."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, 1, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" + b"\xff\x00\x00" * width)) + chunk(b"IEND", b"")


def test_an_edited_picture_is_swapped_without_reloading_the_page(preview, page):
    picture = "image: /assets/images/award.png\nimage_alt: The award\n"
    server = preview({**SITE, RELEASE_PATH: release_text("MEDVIA awarded Bronze Label", extra=picture), "assets/images/award.png": png(1)})
    page.goto(server.url + RELEASE_URL)
    image = page.locator(".release-image img")
    expect(image).to_have_js_property("naturalWidth", 1)
    connected(server)
    page.evaluate("window.notReloaded = true")
    write_files(server.site_dir, {"assets/images/award.png": png(3)})
    expect(image).to_have_js_property("naturalWidth", 3)
    assert page.evaluate("window.notReloaded") is True


def test_a_page_that_connects_after_a_rebuild_reloads_itself(preview, page):
    """The save lands while the page is still loading livereload: its reload must not be lost."""
    server = preview(SITE)
    held = []
    page.route("**/livereload.js*", lambda route: route.continue_() if held else held.append(route))
    page.goto(server.url + RELEASE_URL, wait_until="domcontentloaded")
    while not held:
        page.wait_for_timeout(10)  # lets Playwright deliver the held request
    build = server.preview.build
    write_files(server.site_dir, {RELEASE_PATH: release_text("MEDVIA awarded Gold Label")})
    wait_for(lambda: server.preview.build > build, message="the rebuild")
    expect(page.locator("h1")).to_have_text("MEDVIA awarded Bronze Label")  # nothing told it yet
    held[0].continue_()
    expect(page.locator("h1")).to_have_text("MEDVIA awarded Gold Label")


def test_drafts_and_scheduled_releases_are_marked_in_listings_and_on_their_pages(preview, page):
    server = preview({
        **SITE,
        "content/news/2024/draft.md": "---\ntitle: Secret draft\ndate: 2024-02-01\ndraft: true\n---\nHush.\n",
        "content/news/2999/future.md": "---\ntitle: Future news\ndate: 2999-01-01T09:30:00\n---\nLater.\n",
    }, MINIMAL_CONFIG.replace("page_size = 2", "page_size = 10"))
    page.goto(server.url + "news/")

    def flag(title):
        return page.locator(".release-summary", has_text=title).locator(".flag")
    expect(flag("Secret draft")).to_have_text("Draft")
    expect(flag("Future news")).to_have_text("Scheduled for 1 January 2999, 09:30")
    expect(flag("Future news")).to_be_visible()
    expect(flag("MEDVIA welcomes new members")).to_have_count(0)
    violations = run_axe(page)
    assert violations == [], format_axe_violations(violations)
    page.goto(server.url + "news/2999/future-news/")
    expect(page.get_by_role("note")).to_have_text("Scheduled for 1 January 2999, 09:30: not published until then. You see it because this is a preview.")
    page.goto(server.url + "news/2024/secret-draft/")
    expect(page.get_by_role("note")).to_contain_text("Draft: this release is not published.")
    page.goto(server.url + RELEASE_URL)
    expect(page.get_by_role("note")).to_have_count(0)
