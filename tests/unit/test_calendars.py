from datetime import datetime, timezone

import icalendar
import vobject

from pressroom.calendars import ALL_EVENTS, calendar_files, event_uid
from pressroom.config import parse_config
from pressroom.parse import parse_event, parse_release
from pressroom.site import build_index
from pressroom.front_matter import split_document
from pressroom.source import SourceFile
from tests.conftest import MINIMAL_CONFIG

CONFIG = parse_config(MINIMAL_CONFIG)
NOW = datetime(2027, 1, 1, 8, 30, tzinfo=timezone.utc)


def event(fields: str):
    return parse_event(split_document(SourceFile("content/events/x.md", f"---\n{fields}---\nBody.\n")), CONFIG)


def test_an_event_across_the_dst_change_is_written_in_utc_and_read_back_alike():
    night = event("title: Night shift\nstart: 2027-03-27T20:00\nend: 2027-03-28T08:00\nstatus: postponed\nonline_url: https://example.org/live\n")
    files = calendar_files(build_index([], [], CONFIG, NOW, events=[night]))
    assert sorted(files) == ["events/2027/night-shift.ics", ALL_EVENTS]
    data = files["events/2027/night-shift.ics"]
    assert b"DTSTART:20270327T190000Z\r\n" in data and b"DTEND:20270328T060000Z\r\n" in data  # CET, then CEST
    assert b"DTSTAMP:20270327T190000Z\r\n" in data  # no release, no embargo: issued as of its start
    [vevent] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert vevent["STATUS"] == "TENTATIVE" and vevent["LOCATION"] == "https://example.org/live"
    [other] = vobject.readOne(data.decode()).vevent_list
    assert other.dtend.value - other.dtstart.value == (datetime(2027, 3, 28, 6) - datetime(2027, 3, 27, 19))
    assert other.uid.value == event_uid(night, CONFIG.base_url) == "events-2027-night-shift@news.example.org"


def test_no_events_still_gives_a_valid_empty_calendar():
    files = calendar_files(build_index([], [], CONFIG, NOW))
    parsed = icalendar.Calendar.from_ical(files[ALL_EVENTS])
    assert parsed.walk("VEVENT") == [] and parsed["VERSION"] == "2.0"
    assert vobject.readOne(files[ALL_EVENTS].decode()).name == "VCALENDAR"


def test_dtstamp_is_when_the_event_was_announced_never_the_build_clock():
    text = (
        "---\ntitle: Closing event announced\ndate: 2024-01-09T10:00\nupdated: 2024-01-12T08:00\n"
        "event:\n  title: Closing event\n  start: 2024-01-24T13:00\n---\nBody.\n"
    )
    announced = parse_release(split_document(SourceFile("content/news/2024/x.md", text)), CONFIG)
    embargoed = event("title: Launch\nstart: 2027-06-01T10:00\nembargo: 2027-05-02T09:00\n")
    stamps = {}
    after_embargo, years_later = datetime(2027, 5, 3, tzinfo=timezone.utc), datetime(2031, 5, 5, tzinfo=timezone.utc)
    for now in (after_embargo, years_later):
        files = calendar_files(build_index([announced], [], CONFIG, now, events=[embargoed]))
        stamps[now] = {str(e["SUMMARY"]): e.decoded("DTSTAMP").isoformat() for e in icalendar.Calendar.from_ical(files[ALL_EVENTS]).walk("VEVENT")}
    # the release's last correction (08:00 in Oslo), and the embargo of a standalone event
    assert stamps[after_embargo] == {"Closing event": "2024-01-12T07:00:00+00:00", "Launch": "2027-05-02T07:00:00+00:00"}
    assert len({str(found) for found in stamps.values()}) == 1
