"""Events and labels: parsing (time zones, DST, all-day and embedded events), the
upcoming/past split, label expiry and the next change, each as of a given `now`."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from pressroom.config import parse_config
from pressroom.model import Event, Label
from pressroom.parse import parse_event, parse_label, parse_release
from pressroom.render import event_when
from pressroom.site import build_index
from pressroom.front_matter import split_document
from pressroom.source import SourceFile
from tests.conftest import MINIMAL_CONFIG

CONFIG = parse_config(MINIMAL_CONFIG)
OSLO = ZoneInfo("Europe/Oslo")
BRUSSELS = ZoneInfo("Europe/Brussels")


def doc(text: str, path: str):
    return split_document(SourceFile(path, text))


def event(fields: str, body: str = "", config=CONFIG) -> Event:
    result = parse_event(doc(f"---\n{fields}---\n{body}", "content/events/2024/x.md"), config)
    assert isinstance(result, Event), result
    return result


def event_errors(fields: str, config=CONFIG) -> list[str]:
    result = parse_event(doc(f"---\n{fields}---\n", "content/events/2024/x.md"), config)
    assert isinstance(result, list), result
    return [str(e) for e in result]


def label(fields: str) -> Label:
    result = parse_label(doc(f"---\n{fields}---\nText.\n", "content/labels/x.md"), CONFIG)
    assert isinstance(result, Label), result
    return result


def label_errors(fields: str) -> list[str]:
    result = parse_label(doc(f"---\n{fields}---\n", "content/labels/x.md"), CONFIG)
    assert isinstance(result, list), result
    return [str(e) for e in result]


ESCA_RELEASE = """\
---
title: MEDVIA awarded Bronze Label
date: 2024-01-09T09:00:00+01:00
event:
  title: Medic Nest closing event
  start: 2024-01-24T13:00:00+01:00
  end: 2024-01-24T18:00:00+01:00
  timezone: Europe/Brussels
  location:
    venue: Maison Européenne de l'Innovation
    city: Brussels
    country: Belgium
label:
  title: Cluster Management Excellence – Bronze
  issuer: esca
  level: bronze
---
MEDVIA is proud.
"""


# --- parsing events -----------------------------------------------------------------------

def test_event_in_its_own_time_zone_is_shown_with_the_zone_named():
    found = event("title: Closing event\nstart: 2024-01-24T13:00:00+01:00\nend: 2024-01-24T18:00:00+01:00\ntimezone: Europe/Brussels\n")
    assert found.start == datetime(2024, 1, 24, 13, tzinfo=BRUSSELS)
    assert found.start.tzinfo == BRUSSELS and found.timezone == "Europe/Brussels"
    assert found.url == "events/2024/closing-event/"
    assert event_when(found) == "24 January 2024, 13:00–18:00 CET (Brussels time)"


def test_times_without_offset_are_read_in_the_event_zone_on_both_sides_of_dst():
    winter = event("title: A\nstart: 2027-01-21T16:00:00\ntimezone: America/New_York\n")
    summer = event("title: A\nstart: 2027-07-21T16:00:00\ntimezone: America/New_York\n")
    assert winter.start.utcoffset() == timedelta(hours=-5)
    assert summer.start.utcoffset() == timedelta(hours=-4)
    assert event_when(winter) == "21 January 2027, 16:00 EST (New York time)"
    assert event_when(summer) == "21 July 2027, 16:00 EDT (New York time)"


def test_an_event_across_the_dst_change_names_both_zones_and_lasts_real_hours():
    found = event("title: Night shift\nstart: 2027-03-27T20:00:00\nend: 2027-03-28T08:00:00\ntimezone: Europe/Oslo\n")
    assert found.ends.astimezone(timezone.utc) - found.start.astimezone(timezone.utc) == timedelta(hours=11)  # the clocks went forward at 02:00
    assert event_when(found) == "27 March 2027, 20:00 CET – 28 March 2027, 08:00 CEST (Oslo time)"


def test_without_timezone_the_site_zone_is_used():
    found = event("title: A\nstart: 2026-12-09T10:00:00+01:00\n")
    assert found.timezone == "Europe/Oslo" and found.start.tzinfo == OSLO


def test_all_day_multi_day_event_has_an_inclusive_last_day():
    found = event("title: Conference\nstart: 2027-05-11\nend: 2027-05-13\nall_day: true\ntimezone: Europe/Oslo\n")
    assert found.all_day
    assert found.start == datetime(2027, 5, 11, tzinfo=OSLO)
    assert found.ends == datetime(2027, 5, 14, tzinfo=OSLO)  # over at midnight after the last day
    assert found.last_day == date(2027, 5, 13)
    assert event_when(found) == "11–13 May 2027"


def test_dates_only_make_an_all_day_event_and_one_day_ends_at_midnight():
    found = event("title: Open day\nstart: 2026-10-25\n")
    assert found.all_day and found.ends == datetime(2026, 10, 26, tzinfo=OSLO)
    assert found.ends.astimezone(timezone.utc) - found.start.astimezone(timezone.utc) == timedelta(hours=25)  # the day the clocks go back is 25 hours long
    assert event_when(found) == "25 October 2026"
    across = event("title: Winter school\nstart: 2026-12-30\nend: 2027-01-02\n")
    assert event_when(across) == "30 December 2026 – 2 January 2027"


def test_location_as_text_or_block_and_online_events():
    assert event("title: A\nstart: 2025-06-11T09:00:00+02:00\nlocation: Gaustad, Oslo\n").location.parts == ("Gaustad, Oslo",)
    block = event("title: A\nstart: 2025-06-11T09:00:00+02:00\nlocation:\n  venue: Gaustad\n  city: Oslo\n")
    assert block.location.parts == ("Gaustad", "Oslo")
    online = event("title: A\nstart: 2025-06-11T09:00:00+02:00\nonline_url: https://example.org/live\nstatus: moved-online\n")
    assert online.online_only and online.status == "moved-online"


def test_event_errors_name_the_line_and_the_fix():
    assert event_errors("title: A\nstart: 2024-01-24T13:00:00+01:00\nend: 2024-01-24T12:00:00+01:00\n") == [
        "content/events/2024/x.md:4: end: 2024-01-24T12:00:00+01:00 is before start (2024-01-24T13:00:00+01:00); an event cannot end before it starts"
    ]
    assert event_errors("title: A\nstart: 2024-01-24T13:00:00+01:00\nstatus: canceled\n") == [
        'content/events/2024/x.md:4: status: "canceled" is not a status; did you mean "cancelled"?'
    ]
    assert event_errors("title: A\nstart: 2024-01-24T13:00:00\ntimezone: Europe/Olso\n") == [
        'content/events/2024/x.md:4: timezone: "Europe/Olso" is not a known time zone; did you mean "Europe/Oslo"?'
    ]


def test_a_time_without_offset_when_no_zone_is_known_is_an_error():
    no_zone = parse_config('title = "T"\nbase_url = "https://example.org/"\n')
    [message] = event_errors("title: A\nstart: 2024-01-24T13:00:00\n", config=no_zone)
    assert message.startswith("content/events/2024/x.md:3: start: 2024-01-24T13:00:00 has no offset and the time zone is unknown; add timezone:")
    assert event("title: A\nstart: 2024-01-24T13:00:00+01:00\n", config=no_zone).start.utcoffset() == timedelta(hours=1)


def test_dst_mistakes_are_caught():
    [skipped] = event_errors("title: A\nstart: 2027-03-28T02:30:00\n")
    assert "does not exist in Europe/Oslo: the clocks go forward that night" in skipped
    [offset] = event_errors("title: A\nstart: 2024-01-24T13:00:00+02:00\ntimezone: Europe/Brussels\n")
    assert "the offset +02:00 is not Europe/Brussels's on that day (+01:00)" in offset


def test_all_day_event_with_a_time_and_timed_event_with_a_date_are_errors():
    [message] = event_errors("title: A\nstart: 2027-05-11T09:00:00+02:00\nall_day: true\n")
    assert message.startswith("content/events/2024/x.md:3: start: 2027-05-11T09:00:00+02:00 has a time, but the event is all day")
    [message] = event_errors("title: A\nstart: 2027-05-11T09:00:00+02:00\nend: 2027-05-12\n")
    assert "end: 2027-05-12 has no time" in message


# --- events and labels in a release --------------------------------------------------------

def test_release_with_event_and_label_links_both_ways():
    release = parse_release(doc(ESCA_RELEASE, "content/news/2024/esca.md"), CONFIG)
    assert release.event.title == "Medic Nest closing event"
    assert release.event.release_url == release.url == "news/2024/medvia-awarded-bronze-label/"
    assert event_when(release.event) == "24 January 2024, 13:00–18:00 CET (Brussels time)"
    assert release.label.awarded == date(2024, 1, 9)  # the release's date
    assert release.label.valid_until == date(2026, 1, 9)  # plus ESCA's two years
    assert release.label.release_title == "MEDVIA awarded Bronze Label"


def test_errors_in_an_event_block_point_at_their_own_lines():
    text = ESCA_RELEASE.replace("  end: 2024-01-24T18:00:00+01:00\n", "  end: 2024-01-23T18:00:00+01:00\n").replace("level: bronze", "level: platinum")
    result = parse_release(doc(text, "content/news/2024/esca.md"), CONFIG)
    assert [str(e) for e in result] == [
        "content/news/2024/esca.md:7: event.end: 2024-01-23T18:00:00+01:00 is before start (2024-01-24T13:00:00+01:00); an event cannot end before it starts",
        'content/news/2024/esca.md:16: label.level: "platinum" is not a level of European Secretariat for Cluster Analysis; use one of bronze, silver, gold',
    ]


def test_event_block_may_use_name_and_must_be_a_block():
    text = ESCA_RELEASE.replace("  title: Medic Nest closing event", "  name: Medic Nest closing event")
    assert parse_release(doc(text, "content/news/2024/esca.md"), CONFIG).event.title == "Medic Nest closing event"
    [message] = parse_release(doc("---\ntitle: A\ndate: 2024-01-09\nevent: tomorrow\n---\n", "content/news/a.md"), CONFIG)
    assert str(message) == "content/news/a.md:4: event: write the event's fields indented below event:, one per line"


# --- labels ----------------------------------------------------------------------------------

def test_label_valid_until_defaults_and_explicit():
    default = label("title: Bronze\nissuer: esca\nlevel: Bronze\nawarded: 2024-02-29\n")
    assert default.level == "bronze" and default.valid_until == date(2026, 2, 28)
    assert default.expires == datetime(2026, 3, 1, tzinfo=OSLO)
    assert default.next_levels == ("silver", "gold") and default.period == "2024–2026"
    explicit = label("title: Silver\nissuer: esca\nlevel: silver\nawarded: 2026-02-10\nvalid_until: 2026-12-31\n")
    assert explicit.valid_until == date(2026, 12, 31)


def test_label_errors_list_what_is_allowed():
    assert label_errors("title: A\nissuer: esca\nlevel: platinum\nawarded: 2024-01-09\n") == [
        'content/labels/x.md:4: level: "platinum" is not a level of European Secretariat for Cluster Analysis; use one of bronze, silver, gold'
    ]
    assert label_errors("title: A\nissuer: escaa\nlevel: bronze\nawarded: 2024-01-09\n") == [
        'content/labels/x.md:3: issuer: "escaa" is not an issuer in pressroom.toml; did you mean "esca"?'
    ]
    assert label_errors("title: A\nissuer: esca\nlevel: bronze\nawarded: 2024-01-09\nvalid_until: 2023-01-01\n") == [
        "content/labels/x.md:6: valid_until: 2023-01-01 is before awarded (2024-01-09); a label cannot expire before it is awarded"
    ]
    assert label_errors("title: A\nissuer: esca\nlevel: bronze\n") == [
        "content/labels/x.md:1: awarded: is missing; write 2024-01-09 or 2024-01-09T09:00:00+01:00"
    ]


def test_label_expires_at_the_end_of_its_last_day_in_the_site_zone():
    bronze = label("title: Bronze\nissuer: esca\nlevel: bronze\nawarded: 2024-01-09\n")
    last_evening = datetime(2026, 1, 9, 23, 59, tzinfo=OSLO)
    assert bronze.is_current(last_evening)
    assert not bronze.is_current(last_evening + timedelta(minutes=1))
    assert bronze.is_current(datetime(2026, 1, 9, 22, 59, tzinfo=timezone.utc))  # 23:59 in Oslo


# --- the index as of `now` ------------------------------------------------------------------

def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=OSLO)


def test_upcoming_soonest_first_past_latest_first_and_running_events_are_upcoming():
    a = event("title: A\nstart: 2026-12-03T08:00:00\nend: 2026-12-03T09:30:00\n")
    b = event("title: B\nstart: 2027-05-11\nend: 2027-05-13\n")
    c = event("title: C\nstart: 2025-06-11T09:00:00\n")
    d = event("title: D\nstart: 2024-01-24T13:00:00\nend: 2024-01-24T18:00:00\n")
    site = build_index([], [], CONFIG, at("2026-12-03T09:00"), events=[c, b, d, a])
    assert [e.title for e in site.upcoming] == ["A", "B"]
    assert [e.title for e in site.past] == ["C", "D"]
    later = build_index([], [], CONFIG, at("2026-12-03T09:30"), events=[c, b, d, a])
    assert [e.title for e in later.upcoming] == ["B"] and [e.title for e in later.past] == ["A", "C", "D"]
    last_day = build_index([], [], CONFIG, at("2027-05-13T23:00"), events=[b])
    assert [e.title for e in last_day.upcoming] == ["B"]  # the end date is inclusive
    assert build_index([], [], CONFIG, at("2027-05-14T00:00"), events=[b]).upcoming == ()


def test_labels_current_and_expired_as_of_now():
    bronze = label("title: Bronze\nissuer: esca\nlevel: bronze\nawarded: 2024-01-09\n")
    silver = label("title: Silver\nissuer: esca\nlevel: silver\nawarded: 2026-02-10\n")
    site = build_index([], [], CONFIG, at("2026-11-27T12:00"), labels=[bronze, silver])
    assert [l.title for l in site.current_labels] == ["Silver"]
    assert [l.title for l in site.expired_labels] == ["Bronze"]
    before = build_index([], [], CONFIG, at("2025-01-01T00:00"), labels=[bronze, silver])
    assert [l.title for l in before.current_labels] == ["Bronze"]  # silver not awarded yet
    assert before.next_change.moment == at("2026-01-10T00:00") and "Bronze" in before.next_change.reason


def test_a_held_back_release_holds_back_its_event_and_label_and_is_the_next_change():
    release = parse_release(doc(ESCA_RELEASE, "content/news/2024/esca.md"), CONFIG)
    early = build_index([release], [], CONFIG, at("2024-01-01T00:00"))
    assert early.events == () and early.labels == () and early.held_back == (release,)
    assert early.next_change.moment == release.date and "is due" in early.next_change.reason
    preview = build_index([release], [], CONFIG, at("2024-01-01T00:00"), preview=True)
    assert preview.upcoming == (release.event,) and preview.current_labels == (release.label,)
    published = build_index([release], [], CONFIG, at("2024-01-10T00:00"))
    assert published.upcoming == (release.event,)
    assert published.next_change.moment == release.event.ends


def test_nothing_left_to_change():
    site = build_index([], [], CONFIG, at("2030-01-01T00:00"), events=[event("title: A\nstart: 2024-01-24T13:00:00\n")])
    assert site.next_change is None


# --- property: any start, end and zone give an event or located errors, never a crash -------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ZONES = st.sampled_from(["Europe/Oslo", "Europe/Brussels", "America/New_York", "Australia/Lord_Howe", "UTC", "Mars/Olympus"])
WHEN = st.one_of(
    st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2060, 1, 1)).map(lambda d: d.replace(microsecond=0).isoformat()),
    st.dates(min_value=date(1990, 1, 1), max_value=date(2060, 1, 1)).map(str),
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=12).map(lambda t: '"' + t.replace('"', "").replace("\\", "") + '"'),
)


@settings(max_examples=200, deadline=None)
@given(start=WHEN, end=st.one_of(st.none(), WHEN), zone=ZONES, all_day=st.one_of(st.none(), st.booleans()))
def test_any_event_times_give_an_event_or_located_errors(start, end, zone, all_day):
    text = f"title: A\nstart: {start}\ntimezone: {zone}\n" + (f"end: {end}\n" if end else "") + (f"all_day: {str(all_day).lower()}\n" if all_day is not None else "")
    result = parse_event(doc(f"---\n{text}---\n", "content/events/x.md"), CONFIG)
    if isinstance(result, list):
        assert result and all(e.line and e.message for e in result)
    else:
        assert result.start.tzinfo is not None and result.ends.astimezone(timezone.utc) >= result.start.astimezone(timezone.utc)
        assert event_when(result)
