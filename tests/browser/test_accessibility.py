"""The default theme in real headless Chromium: WCAG 2.1 AA by axe-core in light and dark
colour schemes, and what axe cannot see: the skip link, visible focus, reflow at 320 px,
text at 200 %, reduced motion and printing."""

from __future__ import annotations

import pytest

from tests.conftest import html_pages
from tests.support.server import serve_directory
from tests.support.validators import format_axe_violations, run_axe

RELEASE = "news/2025/health-hack-oslo-2025-early-warning-for-sepsis-takes-first-prize/"
PAGES = {
    "home": "",
    "listing": "news/",
    "release": RELEASE,
    "tag page": "tags/awards/",
    "tags index": "tags/",
    "page": "about/",
    "events": "events/",
    "labels": "labels/",
    "404": "404.html",
}


@pytest.fixture(scope="module")
def served(example_site):
    with serve_directory(example_site) as base:
        yield base


@pytest.fixture(scope="module", params=["light", "dark"])
def scheme_page(request, browser):
    context = browser.new_context(color_scheme=request.param)
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_no_wcag_a_or_aa_violations(scheme_page, served, name):
    scheme_page.goto(served + PAGES[name])
    violations = run_axe(scheme_page)
    assert violations == [], format_axe_violations(violations)


def test_dark_scheme_is_dark_and_light_is_light(browser, served):
    for scheme, dark in (("light", False), ("dark", True)):
        context = browser.new_context(color_scheme=scheme)
        page = context.new_page()
        page.goto(served)
        red, green, blue = map(int, page.evaluate("getComputedStyle(document.body).backgroundColor").strip("rgb()").split(",")[:3])
        assert (red + green + blue < 150) is dark, scheme
        context.close()


def test_the_skip_link_is_the_first_stop_is_visible_and_moves_focus_to_the_content(page, served):
    page.goto(served + RELEASE)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    # On screen once focused (it slides in, so wait for the end of the slide).
    page.wait_for_function("(() => { const r = document.querySelector('.skip-link').getBoundingClientRect(); return r.top >= 0 && r.height > 10; })()")
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement.id === 'main'")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_focus_is_clearly_visible(page, served):
    page.goto(served)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the skip link: the brand link in the header
    outline = page.evaluate("(() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()")
    assert outline[0] == "solid" and outline[1] >= 2


def test_landmarks(page, served):
    page.goto(served + RELEASE)
    for selector in ("header.site-header", "nav[aria-label=Main]", "main#main", "footer.site-footer"):
        assert page.locator(selector).count() == 1, selector


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_every_page_reflows_at_320_px_without_horizontal_scrolling(browser, served, example_site):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    for path in html_pages(example_site):
        page.goto(served + path.removesuffix("index.html"))
        assert overflow(page) <= 0, path
    context.close()


@pytest.mark.parametrize("name", ["home", "listing", "release", "events"])
def test_text_resized_to_200_percent_still_fits_and_really_grows(page, served, name):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(served + PAGES[name])
    before = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    after = page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)")
    assert after == pytest.approx(2 * before)
    assert overflow(page) <= 0


def test_reduced_motion_turns_off_smooth_scrolling_and_transitions(browser, served):
    seen = {}
    for motion in ("no-preference", "reduce"):
        context = browser.new_context(reduced_motion=motion)
        page = context.new_page()
        page.goto(served)
        seen[motion] = page.evaluate("""[getComputedStyle(document.documentElement).scrollBehavior,
                                         getComputedStyle(document.querySelector('.skip-link')).transitionDuration]""")
        context.close()
    assert seen["no-preference"] == ["smooth", "0.15s"]
    assert seen["reduce"] == ["auto", "0s"]


def test_a_release_prints_cleanly(page, served):
    page.goto(served + RELEASE)
    page.emulate_media(media="print", color_scheme="dark")
    hidden = ".site-nav, .skip-link, .breadcrumbs, .site-footer, .tags"
    assert page.evaluate(f"[...document.querySelectorAll('{hidden}')].every(e => getComputedStyle(e).display === 'none')")
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    for visible in ("h1", ".meta", ".release-image img", ".body"):
        assert page.locator(visible).first.is_visible(), visible
    assert page.pdf()[:5] == b"%PDF-"
