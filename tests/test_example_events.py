"""The example site's events and labels as a user's tools see them: every .ics through two
independent iCalendar parsers, the JSON-LD as JSON, build-info.json, badges and links."""

import json
import re
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from lxml import html as lxml_html

from pressroom.pipeline import build
from tests.conftest import ROOT, tree

AS_OF = datetime(2026, 11, 27, 12, tzinfo=timezone.utc)
# the moments (UTC) the example's releases with an event: block were issued
ANNOUNCED = [datetime(2024, 1, 9, 8, tzinfo=timezone.utc), datetime(2024, 6, 4, 7, tzinfo=timezone.utc), datetime(2022, 9, 20, 7, 30, tzinfo=timezone.utc)]
MEDIC_NEST = "events/2024/medic-nest-closing-event-and-launch-of-the-precision-medicine-meta-cluster"
CONFERENCE = "events/2027/arctic-precision-medicine-conference-2027"
SEMINAR = "events/2026/breakfast-seminar-reimbursement-of-digital-health-services"
BRONZE_RELEASE = "news/2024/medvia-awarded-bronze-label-for-cluster-management-excellence/index.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("example") / "output"
    build(ROOT, out, now=AS_OF)
    return tree(out)


def calendars(site) -> dict[str, bytes]:
    return {path: data for path, data in site.items() if path.endswith(".ics")}


def events_of(data: bytes):
    return [c for c in icalendar.Calendar.from_ical(data).walk("VEVENT")]


def test_every_calendar_parses_with_icalendar_and_vobject(site):
    files = calendars(site)
    assert len(files) == 12  # eleven events, one each, and events/calendar.ics with all
    for path, data in files.items():
        assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b""), f"{path}: lines must end in CRLF"
        parsed = icalendar.Calendar.from_ical(data)
        assert parsed["VERSION"] == "2.0" and parsed["PRODID"]
        second = vobject.readOne(data.decode("utf-8"))
        ours = sorted((str(e["UID"]), e.decoded("DTSTART")) for e in parsed.walk("VEVENT"))
        theirs = sorted((v.uid.value, v.dtstart.value) for v in second.vevent_list)
        assert ours == theirs, path
        for vevent in second.vevent_list:
            # when the event was announced (or, for lack of that, its start), never the build's
            # clock: a rebuild changes no calendar
            start = vevent.dtstart.value
            if not isinstance(start, datetime):  # an all-day event starts at midnight in Oslo
                start = datetime.combine(start, time(), ZoneInfo("Europe/Oslo"))
            assert vevent.dtstamp.value in (start, *ANNOUNCED), path
    [closing] = [e for e in events_of(site["events/calendar.ics"]) if str(e["UID"]).startswith(MEDIC_NEST.replace("/", "-"))]
    assert closing.decoded("DTSTAMP").isoformat() == "2024-01-09T08:00:00+00:00"  # the Bronze Label release, 09:00 CET


def test_the_calendar_of_all_events_has_every_event_once_with_stable_uids(site):
    everything = events_of(site["events/calendar.ics"])
    uids = [str(e["UID"]) for e in everything]
    assert len(uids) == 11 == len(set(uids))
    singles = {str(events_of(data)[0]["UID"]) for path, data in calendars(site).items() if path != "events/calendar.ics"}
    assert singles == set(uids)
    assert f"{MEDIC_NEST.replace('/', '-')}@newsroom.medvia.example" in uids


def test_times_are_right_in_both_parsers_in_winter_and_summer(site):
    data = site[MEDIC_NEST + ".ics"]
    assert b"DTSTART:20240124T120000Z\r\n" in data  # 13:00 in Brussels, in winter
    [vevent] = vobject.readOne(data.decode()).vevent_list
    assert vevent.dtstart.value.astimezone(timezone.utc) == datetime(2024, 1, 24, 12, tzinfo=timezone.utc)
    assert vevent.dtend.value.astimezone(timezone.utc) == datetime(2024, 1, 24, 17, tzinfo=timezone.utc)
    [event] = events_of(data)
    assert event.decoded("DTSTART") == datetime(2024, 1, 24, 13, tzinfo=ZoneInfo("Europe/Brussels"))
    assert "Brussels" in str(event["LOCATION"])
    summer = site["events/2024/precision-medicine-webinar-access-to-health-data-for-companies.ics"]
    [vevent] = vobject.readOne(summer.decode()).vevent_list
    assert vevent.dtstart.value == datetime(2024, 6, 19, 10, tzinfo=ZoneInfo("Europe/Oslo"))  # 08:00 UTC in summer


def test_all_day_event_ends_the_day_after_its_last_day(site):
    [event] = events_of(site[CONFERENCE + ".ics"])
    assert event.decoded("DTSTART") == date(2027, 5, 11)
    assert event.decoded("DTEND") == date(2027, 5, 14)  # iCalendar's end is exclusive: 11, 12 and 13 May
    [vevent] = vobject.readOne(site[CONFERENCE + ".ics"].decode()).vevent_list
    assert vevent.dtend.value == date(2027, 5, 14)


def test_cancelled_event_is_marked_cancelled(site):
    [event] = events_of(site[SEMINAR + ".ics"])
    assert event["STATUS"] == "CANCELLED"
    statuses = {str(e["SUMMARY"]): str(e["STATUS"]) for e in events_of(site["events/calendar.ics"])}
    assert sorted(statuses.values()).count("CANCELLED") == 1


def test_event_pages_link_their_calendar_and_carry_schema_org_event(site):
    pages = [path for path in site if re.match(r"events/\d{4}/[^/]+/index\.html$", path)]
    assert len(pages) == 11
    for path in pages:
        document = lxml_html.fromstring(site[path])
        [link] = document.xpath('//a[normalize-space()="Add to calendar"]')
        assert link.get("href") == "/" + path.removesuffix("/index.html") + ".ics"
        [script] = document.xpath('//script[@type="application/ld+json"]')
        data = json.loads(script.text)
        assert data["@type"] == "Event"
        for key in ("name", "startDate", "endDate", "location", "eventStatus", "organizer"):
            assert data.get(key), f"{path}: {key} missing"
        assert data["organizer"]["name"] == "MEDVIA"


def test_json_ld_locations_dates_and_status(site):
    def data(path):
        return json.loads(lxml_html.fromstring(site[path + "/index.html"]).xpath('//script[@type="application/ld+json"]')[0].text)

    medic = data(MEDIC_NEST)
    assert medic["startDate"] == "2024-01-24T13:00:00+01:00" and medic["endDate"] == "2024-01-24T18:00:00+01:00"
    assert medic["location"] == [{"@type": "Place", "name": "Maison Européenne de l'Innovation", "address": {
        "@type": "PostalAddress", "streetAddress": "Rue Belliard 40", "addressLocality": "Brussels", "addressCountry": "Belgium"}}]
    webinar = data("events/2026/webinar-what-the-eu-ai-act-means-for-medical-device-companies")
    assert webinar["location"] == [{"@type": "VirtualLocation", "url": "https://medvia.example/webinars/ai-act-medical-devices"}]
    assert webinar["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data(SEMINAR)["eventStatus"] == "https://schema.org/EventCancelled"
    conference = data(CONFERENCE)
    assert (conference["startDate"], conference["endDate"]) == ("2027-05-11", "2027-05-13")


def test_build_info_names_the_next_change(site):
    info = json.loads(site["build-info.json"])
    assert info["build_time"] == "2026-11-27T13:00:00+01:00"
    assert info["next_change"] == "2026-12-03T09:30:00+01:00"  # the cancelled breakfast seminar ends
    assert "Breakfast seminar" in info["next_change_reason"]


def test_release_and_event_link_both_ways_and_the_badge_is_accessible(site):
    release = lxml_html.fromstring(site[BRONZE_RELEASE])
    [event_link] = release.xpath('//aside//a[contains(@href, "/events/2024/medic-nest")]')
    event_page = lxml_html.fromstring(site[event_link.get("href").strip("/") + "/index.html"])
    [back] = event_page.xpath('//dt[.="Announced in"]/following-sibling::dd[1]/a')
    assert back.get("href") == "/" + BRONZE_RELEASE.removesuffix("index.html")
    [badge] = release.xpath("//svg")
    assert badge.get("role") == "img"
    title = badge.find("title")
    assert badge.get("aria-labelledby") == title.get("id")
    assert title.text == "Bronze label from European Secretariat for Cluster Analysis (ESCA), held 2024–2026"
    assert [t.text for t in badge.findall("text")] == ["Bronze", "ESCA · 2024–2026"]  # the level in words, not colour alone


def test_labels_page_lists_current_and_expired(site):
    page = lxml_html.fromstring(site["labels/index.html"])
    current = [a.text for a in page.xpath('//ul[@data-labels="current"]//h3/a')]
    expired = [a.text for a in page.xpath('//ul[@data-labels="expired"]//h3/a')]
    assert current == ["Cluster Management Excellence – Silver", "Norwegian Centre of Expertise (NCE)"]
    assert expired == ["Cluster Management Excellence – Bronze", "Norwegian Innovation Clusters – Arena"]
    assert "Bronze label 2024–2026" in page.text_content()


def test_home_shows_next_events_and_current_badges(site):
    home = lxml_html.fromstring(site["index.html"])
    assert [a.text for a in home.xpath('//ol[@data-events="upcoming"]//h3/a')] == [
        "Breakfast seminar: reimbursement of digital health services",
        "Webinar: what the EU AI Act means for medical device companies",
        "MEDVIA members' meeting, winter 2027",
    ]
    assert [t.text for t in home.xpath("//svg/text[1]")] == ["Silver", "NCE"]
    assert [a.text for a in home.xpath('//nav[@aria-label="Main"]//a')][:4] == ["News", "Events", "Labels", "Tags"]


def test_same_content_same_bytes(site, tmp_path):
    again = tmp_path / "again"
    build(ROOT, again, now=AS_OF)
    rebuilt = tree(again)
    assert {p: rebuilt[p] for p in calendars(site)} == calendars(site)
    assert rebuilt["build-info.json"] == site["build-info.json"]
