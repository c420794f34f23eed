"""Embargo in the model and the index: parsed like a date, and holding a release back."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from pressroom.config import parse_config
from pressroom.model import Release
from pressroom.parse import parse_release
from pressroom.site import build_index, goes_out, hold_reason
from pressroom.front_matter import split_document
from pressroom.source import SourceFile
from pressroom.status import held_back_summary
from tests.conftest import MINIMAL_CONFIG

CONFIG = parse_config(MINIMAL_CONFIG)
OSLO = ZoneInfo("Europe/Oslo")
LIFT = datetime(2024, 1, 9, 9, tzinfo=OSLO)


def release(slug, date, embargo=None, draft=False) -> Release:
    return Release(source=f"content/news/{slug}.md", title=slug.title(), date=date, slug=slug, url=f"news/{date.year}/{slug}/", body_html="", embargo=embargo, draft=draft)


def test_embargo_without_an_offset_is_read_in_the_sites_time_zone():
    text = "---\ntitle: X\ndate: 2024-01-08\nembargo: 2024-01-09 09:00\n---\nText.\n"
    parsed = parse_release(split_document(SourceFile("content/news/x.md", text)), CONFIG)
    assert parsed.embargo == LIFT and parsed.embargo.utcoffset() == timedelta(hours=1)
    utc = parse_release(split_document(SourceFile("content/news/x.md", text.replace("09:00", "08:00:00Z"))), CONFIG)
    assert utc.embargo == LIFT and utc.embargo.tzinfo == OSLO


def test_a_release_goes_out_at_the_later_of_its_date_and_its_embargo():
    dated = datetime(2024, 1, 8, tzinfo=OSLO)
    assert goes_out(release("a", dated, LIFT)) == LIFT
    assert goes_out(release("b", dated + timedelta(days=5), LIFT)) == dated + timedelta(days=5)
    assert goes_out(release("c", dated)) == dated
    draft = release("d", dated, LIFT, draft=True)
    assert goes_out(draft) == LIFT and hold_reason(draft, LIFT + timedelta(days=1)) == "draft"


def test_held_back_until_the_embargo_then_listed_by_its_date():
    items = [release("embargoed", datetime(2024, 1, 8, tzinfo=OSLO), LIFT), release("plain", datetime(2024, 1, 8, 12, tzinfo=OSLO))]
    before = build_index(items, [], CONFIG, LIFT - timedelta(seconds=1))
    assert [r.slug for r in before.releases] == ["plain"] and [r.slug for r in before.held_back] == ["embargoed"]
    assert hold_reason(before.held_back[0], before.now) == "embargoed"
    assert before.tags == () and [y.year for y in before.years] == [2024]
    after = build_index(items, [], CONFIG, LIFT)
    assert [r.slug for r in after.releases] == ["plain", "embargoed"] and after.held_back == ()
    preview = build_index(items, [], CONFIG, LIFT - timedelta(days=1), preview=True)
    assert len(preview.releases) == 2


def test_the_summary_says_what_is_held_back_and_until_when():
    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    held = [
        release("late", datetime(2024, 1, 8, tzinfo=OSLO), datetime(2024, 7, 1, 12, tzinfo=OSLO)),
        release("soon", datetime(2024, 1, 8, tzinfo=OSLO), LIFT),
        release("draft", datetime(2024, 1, 8, tzinfo=OSLO), LIFT, draft=True),
        release("future", datetime(2024, 3, 1, tzinfo=OSLO)),
    ]
    assert held_back_summary(held, now) == (
        "held back: 1 draft(s), 1 scheduled, 2 embargoed: “Soon” until 9 January 2024, 09:00 CET, “Late” until 1 July 2024, 12:00 CEST"
    )


def test_the_next_change_is_when_the_embargo_lifts():
    items = [release("embargoed", datetime(2024, 1, 8, tzinfo=OSLO), LIFT)]
    site = build_index(items, [], CONFIG, datetime(2024, 1, 8, 12, tzinfo=OSLO))
    assert site.next_change.moment == LIFT


def event(text: str):
    from pressroom.parse import parse_event

    return parse_event(split_document(SourceFile("content/events/x.md", f"---\n{text}---\nText.\n")), CONFIG)


def label(text: str):
    from pressroom.parse import parse_label

    return parse_label(split_document(SourceFile("content/labels/x.md", f"---\n{text}---\nText.\n")), CONFIG)


def test_events_and_labels_are_withheld_until_their_embargo():
    summit = event("title: Summit\nstart: 2024-03-01T09:00:00\nembargo: 2024-01-09 09:00\n")
    silver = label("title: Silver\nissuer: esca\nlevel: silver\nawarded: 2024-01-01\nembargo: 2024-01-09T09:00:00+01:00\n")
    gold = label("title: Gold\nissuer: esca\nlevel: gold\nawarded: 2024-02-01\n")
    assert summit.embargo == LIFT and silver.embargo == LIFT
    before = build_index([], [], CONFIG, LIFT - timedelta(minutes=1), events=[summit], labels=[silver, gold])
    assert before.events == () and before.labels == ()
    assert before.withheld == (summit, silver, gold)
    assert [hold_reason(item, before.now) for item in before.withheld] == ["embargoed", "embargoed", "scheduled"]
    assert before.next_change.moment == LIFT and before.next_change.reason == "the embargo on a label lifts"
    after = build_index([], [], CONFIG, LIFT, events=[summit], labels=[silver, gold])
    assert after.upcoming == (summit,) and after.current_labels == (silver,) and after.withheld == (gold,)
    assert after.next_change.reason == "a scheduled label is awarded"
    preview = build_index([], [], CONFIG, LIFT - timedelta(days=30), events=[summit], labels=[silver, gold], preview=True)
    assert preview.upcoming == (summit,) and len(preview.labels) == 2 and preview.withheld == ()


def test_an_embargo_inside_a_releases_event_block_holds_the_event_only():
    text = "---\ntitle: R\ndate: 2024-01-01\nevent:\n  title: Party\n  start: 2024-03-01T18:00:00\n  embargo: 2024-01-09T09:00:00+01:00\n---\nText.\n"
    parsed = parse_release(split_document(SourceFile("content/news/r.md", text)), CONFIG)
    site = build_index([parsed], [], CONFIG, LIFT - timedelta(hours=1))
    assert site.releases == (parsed,) and site.events == () and site.withheld == (parsed.event,)
    assert build_index([parsed], [], CONFIG, LIFT).events == (parsed.event,)


def test_an_embargo_that_is_not_a_moment_is_an_error_in_events_and_labels():
    assert [str(e) for e in event("title: S\nstart: 2024-03-01T09:00:00\nembargo: soon\n")] == [
        'content/events/x.md:4: embargo: "soon" is not a date; write 2024-01-09 or 2024-01-09T09:00:00+01:00']
    assert [str(e) for e in label("issuer: esca\nlevel: gold\nawarded: 2024-02-01\nembargo: [1]\n")] == [
        "content/labels/x.md:5: embargo: expected a date, got a list; write 2024-01-09 or 2024-01-09T09:00:00+01:00"]
