"""The live preview in real headless Chromium: what a person sees while they edit and save."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import MINIMAL_CONFIG, wait_for, write_files
from tests.support.validators import format_axe_violations, run_axe

RELEASE_PATH = "content/news/2024/esca-label.md"
RELEASE_URL = "news/2024/esca-label/"


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
    page.goto(server.url + RELEASE_URL)
    expect(page.locator("h1")).to_have_text("MEDVIA awarded Bronze Label")
    write_files(server.site_dir, {RELEASE_PATH: release_text("MEDVIA: a new chapter")})
    error = page.locator(".error").first
    expect(error.locator(".where")).to_have_text(f"{RELEASE_PATH}:2")
    expect(error.locator(".message")).to_contain_text("not valid YAML")
    expect(error.locator(".here")).to_contain_text("title: MEDVIA: a new chapter")
    expect(page.locator("h1")).to_contain_text("1 error")
    write_files(server.site_dir, {RELEASE_PATH: release_text('"MEDVIA: a new chapter"')})
    expect(page.locator("h1")).to_have_text("MEDVIA: a new chapter")


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
