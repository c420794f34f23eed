from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from pressroom.config import parse_config
from pressroom.model import Page, Release
from pressroom.parse import parse_moment, parse_page, parse_release
from pressroom.front_matter import split_document
from pressroom.source import SourceFile
from tests.conftest import MINIMAL_CONFIG

CONFIG = parse_config(MINIMAL_CONFIG)
OSLO = ZoneInfo("Europe/Oslo")


def parse(text: str, path: str = "content/news/esca-label.md"):
    return parse_release(split_document(SourceFile(path, text)), CONFIG)


def errors(text: str) -> list[str]:
    result = parse(text)
    assert isinstance(result, list), result
    return [str(e) for e in result]


def test_a_full_release():
    release = parse(
        "---\ntitle: MEDVIA awarded Bronze Label\ndate: 2024-01-09T09:00:00+01:00\ntags: [awards, ESCA]\n"
        "author: Kari Nordmann\nslug: bronze-label\nlang: nb\n---\nMEDVIA is **proud**.\n\nMore.\n"
    )
    assert isinstance(release, Release)
    assert release.title == "MEDVIA awarded Bronze Label"
    assert release.date == datetime(2024, 1, 9, 9, tzinfo=OSLO)
    assert release.date.utcoffset() == timedelta(hours=1)
    assert release.url == "news/2024/bronze-label/"
    assert release.tags == ("awards", "ESCA")
    assert release.summary == "MEDVIA is proud."
    assert "<strong>proud</strong>" in release.body_html
    assert release.lang == "nb"


def test_slug_from_a_non_ascii_title_is_readable():
    release = parse("---\ntitle: New partnership with Tromsø’s Arctic cluster\ndate: 2022-11-08\n---\nText\n")
    assert release.slug == "new-partnership-with-tromsos-arctic-cluster"


def test_date_without_offset_is_read_in_the_site_time_zone_across_dst():
    winter = parse("---\ntitle: A\ndate: 2024-01-09 09:00\n---\n")
    summer = parse("---\ntitle: A\ndate: 2024-07-09T09:00:00\n---\n")
    assert winter.date.isoformat() == "2024-01-09T09:00:00+01:00"
    assert summer.date.isoformat() == "2024-07-09T09:00:00+02:00"


def test_bad_date_says_how_to_write_one():
    assert errors('---\ntitle: A\n\ndate: "next tuesday"\n---\n') == [
        'content/news/esca-label.md:4: date: "next tuesday" is not a date; write 2024-01-09 or 2024-01-09T09:00:00+01:00'
    ]


def test_missing_title_and_date_are_both_reported():
    assert errors("---\ntags: [a]\n---\nText\n") == [
        "content/news/esca-label.md:1: title: is missing; add a line title: ...",
        "content/news/esca-label.md:1: date: is missing; write 2024-01-09 or 2024-01-09T09:00:00+01:00",
    ]


def test_unknown_key_suggests_the_nearest():
    assert errors("---\ntitle: A\ndate: 2024-01-09\nsumary: x\n---\n") == [
        'content/news/esca-label.md:4: sumary: unknown field; did you mean "summary"?'
    ]


def test_wrong_types_are_named():
    found = errors("---\ntitle: [a, b]\ndate: 2024-01-09\ndraft: maybe\ntags: {a: b}\n---\n")
    assert found == [
        "content/news/esca-label.md:2: title: expected text, got a list; write it on one line, in quotes if need be",
        'content/news/esca-label.md:4: draft: "maybe" is not true or false; write draft: true or draft: false',
        "content/news/esca-label.md:5: tags: expected a list like tags: [awards, events]",
    ]


def test_unsafe_slug_is_refused():
    [message] = errors("---\ntitle: A\ndate: 2024-01-09\nslug: ../../etc\n---\n")
    assert message.startswith('content/news/esca-label.md:4: slug: "../../etc" is not a usable slug')


def test_image_needs_alt_text():
    [message] = errors("---\ntitle: A\ndate: 2024-01-09\nimage: /assets/a.png\n---\n")
    assert message.startswith("content/news/esca-label.md:4: image: has no image_alt")


def test_a_string_for_tags_and_a_number_for_title_are_accepted():
    release = parse("---\ntitle: 2024\ndate: 2024-1-9\ntags: awards, events\n---\n")
    assert release.title == "2024" and release.tags == ("awards", "events")
    assert release.date.date() == date(2024, 1, 9)


def test_page():
    page = parse_page(split_document(SourceFile("content/pages/about.md", "---\ntitle: About\nmenu: 1\n---\nWe are a cluster.\n")), CONFIG)
    assert isinstance(page, Page)
    assert (page.url, page.menu, page.summary) == ("about/", 1, "We are a cluster.")


def test_parse_moment_spellings():
    assert parse_moment("2024-01-09T09:00:00Z", OSLO) == datetime(2024, 1, 9, 9, tzinfo=timezone.utc)
    assert parse_moment("2024-1-9", OSLO) == datetime(2024, 1, 9, tzinfo=OSLO)
    assert parse_moment(date(2024, 1, 9), OSLO) == datetime(2024, 1, 9, tzinfo=OSLO)
    assert parse_moment(2024, OSLO) == "2024 is not a full date; write 2024-01-09 or 2024-01-09T09:00:00+01:00"
    assert parse_moment("2024-02-30", OSLO).startswith('"2024-02-30" is not a date')


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.booleans(), st.dates(), st.datetimes()))
def test_parse_moment_gives_an_aware_datetime_or_a_message(value):
    result = parse_moment(value, OSLO)
    assert isinstance(result, str) or result.tzinfo is not None


def test_updated_marks_a_correction_and_cannot_come_before_the_date():
    release = parse("---\ntitle: A\ndate: 2024-01-09T09:00:00+01:00\nupdated: 2024-01-10T12:00:00+01:00\n---\nText\n")
    assert release.updated == datetime(2024, 1, 10, 12, tzinfo=OSLO) and release.modified == release.updated
    assert parse("---\ntitle: A\ndate: 2024-01-09\n---\nText\n").modified == datetime(2024, 1, 9, tzinfo=OSLO)
    assert errors("---\ntitle: A\ndate: 2024-01-09\nupdated: 2024-01-08\n---\n") == [
        "content/news/esca-label.md:4: updated: 2024-01-08T00:00:00+01:00 is before the date of the release; updated: is when it was corrected, after it was issued"
    ]
