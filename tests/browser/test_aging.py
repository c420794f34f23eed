"""A built page ages in the browser: ended events move to Past, expired labels read as held
in the past. Real headless Chromium with a fixed clock (Playwright's page.clock), against
the example site built as of 27 November 2026; plus badge contrast, axe and the Nu checker."""

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from pressroom.pipeline import build
from tests.conftest import ROOT
from tests.support.server import serve_directory
from tests.support.validators import format_axe_violations, format_vnu_errors, run_axe, run_vnu

OSLO = ZoneInfo("Europe/Oslo")
BUILT = datetime(2026, 11, 27, 12, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def output(tmp_path_factory):
    out = tmp_path_factory.mktemp("aging") / "output"
    build(ROOT, out, now=BUILT)
    return out


@pytest.fixture(scope="module")
def base(output):
    with serve_directory(output) as url:
        yield url


def titles(page, selector: str) -> list[str]:
    return page.locator(selector).all_inner_texts()


def open_at(page, base: str, path: str, moment: datetime) -> None:
    page.clock.set_fixed_time(moment)
    page.goto(base + path)
    page.wait_for_load_state("load")  # deferred scripts have run by then


UPCOMING = '[data-events="upcoming"] h3 a'
PAST = '[data-events="past"] h3 a'


def test_as_built_nothing_moves(page, base):
    open_at(page, base, "events/", BUILT)
    assert titles(page, UPCOMING)[0] == "Breakfast seminar: reimbursement of digital health services"
    assert len(titles(page, UPCOMING)) == 5 and len(titles(page, PAST)) == 6
    assert page.locator('[data-events-empty="upcoming"]').is_hidden()


def test_an_event_that_has_ended_moves_to_the_top_of_past(page, base):
    open_at(page, base, "events/", datetime(2026, 12, 3, 9, 30, tzinfo=OSLO))
    assert titles(page, UPCOMING)[0] == "Webinar: what the EU AI Act means for medical device companies"
    assert titles(page, PAST)[:2] == ["Breakfast seminar: reimbursement of digital health services", "MEDVIA Annual Conference 2025"]


def test_a_running_event_stays_upcoming_until_it_ends(page, base):
    open_at(page, base, "events/", datetime(2026, 12, 3, 9, 29, tzinfo=OSLO))
    assert titles(page, UPCOMING)[0] == "Breakfast seminar: reimbursement of digital health services"


def test_all_day_event_stays_upcoming_through_its_last_day(page, base):
    open_at(page, base, "events/", datetime(2027, 5, 13, 23, 59, tzinfo=OSLO))
    assert titles(page, UPCOMING) == ["Arctic Precision Medicine Conference 2027"]
    open_at(page, base, "events/", datetime(2027, 5, 14, 0, 0, tzinfo=OSLO))
    assert titles(page, UPCOMING) == []
    assert page.get_by_text("No upcoming events.").is_visible()
    past = titles(page, PAST)
    assert len(past) == 11 and past[:3] == [
        "Arctic Precision Medicine Conference 2027", "Health Hack Oslo 2027", "MEDVIA members' meeting, winter 2027"]
    assert past[-1] == "Health Hack Oslo 2022"


def test_home_page_drops_ended_events_and_says_when_none_are_left(page, base):
    open_at(page, base, "", datetime(2026, 12, 10, tzinfo=OSLO))
    assert titles(page, UPCOMING) == ["MEDVIA members' meeting, winter 2027"]  # of the three it was built with
    open_at(page, base, "", datetime(2027, 2, 1, tzinfo=OSLO))
    assert titles(page, UPCOMING) == []
    assert page.get_by_text("No upcoming events.").is_visible()


def test_a_page_left_open_keeps_up(page, base):
    page.clock.install(time=datetime(2026, 12, 3, 9, 29, tzinfo=OSLO))
    page.goto(base + "events/")
    assert titles(page, UPCOMING)[0].startswith("Breakfast seminar")
    page.clock.run_for("02:00")  # two minutes: the script checks every minute
    assert titles(page, PAST)[0].startswith("Breakfast seminar")


def test_without_the_script_the_page_is_complete_as_built(browser, base):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(base + "events/")
        assert len(titles(page, UPCOMING)) == 5 and len(titles(page, PAST)) == 6
    finally:
        context.close()


def test_a_label_past_its_last_day_reads_as_held_in_the_past(page, base):
    open_at(page, base, "labels/", datetime(2028, 2, 10, 23, 59, tzinfo=OSLO))
    assert titles(page, '[data-labels="current"] h3 a')[0] == "Cluster Management Excellence – Silver"
    open_at(page, base, "labels/", datetime(2028, 2, 11, 0, 0, tzinfo=OSLO))
    assert titles(page, '[data-labels="current"] h3 a') == ["Norwegian Centre of Expertise (NCE)"]
    assert titles(page, '[data-labels="expired"] h3 a') == [
        "Cluster Management Excellence – Silver", "Cluster Management Excellence – Bronze", "Norwegian Innovation Clusters – Arena"]
    silver = page.locator('[data-labels="expired"] li').first
    assert "Silver label 2026–2028" in silver.inner_text()
    badge = silver.get_by_role("img")
    assert badge.get_attribute("class").split() == ["badge", "rank-2", "expired"]
    assert badge.locator("title").text_content() == "Silver label from European Secretariat for Cluster Analysis (ESCA), held 2026–2028"
    assert badge.locator("text").all_text_contents() == ["Silver", "ESCA · 2026–2028"]


def test_home_and_label_page_follow_the_expiry(page, base):
    open_at(page, base, "", datetime(2028, 3, 1, tzinfo=OSLO))
    assert [t for t in page.locator(".badge text.badge-level").all_text_contents()] == ["NCE"]
    open_at(page, base, "labels/cluster-management-excellence-silver/", datetime(2028, 3, 1, tzinfo=OSLO))
    assert page.locator("header .label-status").inner_text() == "Silver label 2026–2028"
    assert page.get_by_text("Held until").is_visible()


def luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_badge_text_has_aa_contrast_in_both_colour_schemes(page, base, scheme):
    page.emulate_media(color_scheme=scheme)
    open_at(page, base, "labels/", BUILT)
    badges = page.locator("svg.badge")
    assert badges.count() == 4
    for i in range(badges.count()):
        badge = badges.nth(i)
        background = badge.locator(".badge-bg").evaluate("e => getComputedStyle(e).fill")
        for text in ("badge-level", "badge-issuer"):
            colour = badge.locator(f".{text}").evaluate("e => getComputedStyle(e).fill")
            assert contrast(colour, background) >= 4.5, (scheme, i, text, colour, background)


@pytest.mark.parametrize("path", ["", "events/", "labels/", "labels/cluster-management-excellence-bronze/",
                                  "events/2024/medic-nest-closing-event-and-launch-of-the-precision-medicine-meta-cluster/",
                                  "news/2024/medvia-awarded-bronze-label-for-cluster-management-excellence/"])
def test_event_and_label_pages_pass_axe(page, base, path):
    open_at(page, base, path, BUILT)
    violations = run_axe(page)
    assert violations == [], format_axe_violations(violations)


def test_event_and_label_pages_are_valid_html(output):
    pages = [output / "index.html", output / "events" / "index.html", output / "labels" / "index.html",
             *sorted((output / "events").glob("*/*/index.html")), *sorted((output / "labels").glob("*/index.html")),
             output / "news" / "2024" / "medvia-awarded-bronze-label-for-cluster-management-excellence" / "index.html"]
    errors = run_vnu(pages)
    assert errors == [], format_vnu_errors(errors)
