"""Issue 7, "Front matter": whatever a non-developer types between the --- lines, the build
either reads it or names the file and line to fix, all problems at once."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from pressroom.config import parse_config
from pressroom.parse import parse_release
from pressroom.front_matter import split_document
from pressroom.source import SourceFile
from tests.conftest import MINIMAL_CONFIG

EXAMPLE = "write 2024-01-09 or 2024-01-09T09:00:00+01:00"

BROKEN = {
    "content/news/unclosed-quote.md": '---\ntitle: "MEDVIA opens\ndate: 2024-01-09\n---\nText\n',
    "content/news/unclosed-single.md": "---\ntitle: 'MEDVIA opens\ndate: 2024-01-09\n---\nText\n",
    "content/news/tabs.md": "---\ntitle: T\ntags:\n\t- awards\ndate: 2024-01-09\n---\n",
    "content/news/twice.md": "---\ntitle: A\ndate: 2024-01-09\nsummary: x\ntitle: B\n---\n",
    "content/news/list-title.md": "---\ntitle: [MEDVIA, opens]\ndate: 2024-01-09\n---\n",
    "content/news/block-author.md": "---\ntitle: T\ndate: 2024-01-09\nauthor:\n  name: Kari\n---\n",
    "content/news/tags-block.md": "---\ntitle: T\ndate: 2024-01-09\ntags:\n  awards: yes\n---\n",
    "content/news/feb-30.md": "---\ntitle: T\ndate: 2024-02-30\n---\n",
    "content/news/hour-25.md": "---\ntitle: T\ndate: 2024-01-09T25:00:00+01:00\n---\n",
    "content/news/bare-year.md": "---\ntitle: T\ndate: 2024\n---\n",
    "content/news/words.md": "---\ntitle: T\ndate: next tuesday\n---\n",
    "content/news/us-date.md": "---\ntitle: T\ndate: 01/09/2024\n---\n",
    "content/news/date-list.md": "---\ntitle: T\ndate: [2024-01-09]\n---\n",
    "content/news/nulls.md": "---\ntitle: null\ndate: ~\ntags: null\nauthor:\n---\n",
    "content/news/empty-fm.md": "---\n---\nText\n",
    "content/news/no-fm.md": "Just text, no front matter.\n",
    "content/news/zero.md": "",
    "content/news/never-closes.md": "---\ntitle: T\ndate: 2024-01-09\n\nText\n",
    "content/news/draft-maybe.md": "---\ntitle: T\ndate: 2024-01-09\ndraft: maybe\n---\n",
    "content/news/scalar.md": "---\njust a sentence\n---\n",
    "content/news/list-key.md": "---\ntitle: T\ndate: 2024-01-09\n[a, b]: c\n---\n",
}


def test_every_broken_front_matter_is_named_at_its_line_in_one_run(fails):
    assert fails(BROKEN) == [
        f"content/news/bare-year.md:3: date: 2024 is not a full date; {EXAMPLE}",
        "content/news/block-author.md:4: author: expected text, got a block of fields; write it on one line, in quotes if need be",
        f"content/news/date-list.md:3: date: expected a date, got a list; {EXAMPLE}",
        'content/news/draft-maybe.md:4: draft: "maybe" is not true or false; write draft: true or draft: false',
        f"content/news/empty-fm.md:1: date: is missing; {EXAMPLE}",
        "content/news/empty-fm.md:1: title: is missing; add a line title: ...",
        f'content/news/feb-30.md:3: date: "2024-02-30" is not a date (day is out of range for month); {EXAMPLE}',
        f'content/news/hour-25.md:3: date: "2024-01-09T25:00:00+01:00" is not a date (hour must be in 0..23); {EXAMPLE}',
        "content/news/list-key.md:4: this is not valid YAML: found unhashable key; a field name must be a plain word, like title",
        "content/news/list-title.md:2: title: expected text, got a list; write it on one line, in quotes if need be",
        "content/news/never-closes.md:1: the front matter that starts here never ends; add a line --- after the last field",
        "content/news/no-fm.md:1: there is no front matter; the file must start with a line ---, then fields like title: and date:, then ---",
        "content/news/nulls.md:2: title: is missing; add a line title: ...",
        f"content/news/nulls.md:3: date: is missing; {EXAMPLE}",
        "content/news/scalar.md:2: the front matter must be fields like title: ..., one per line",
        "content/news/tabs.md:4: a tab is used for indentation; YAML needs spaces",
        "content/news/tags-block.md:4: tags: expected a list like tags: [awards, events]",
        'content/news/twice.md:5: "title" is given twice (first on line 2); keep one',
        "content/news/unclosed-quote.md:2: this is not valid YAML: a quote opened here is never closed; add the closing quote",
        "content/news/unclosed-single.md:2: this is not valid YAML: a quote opened here is never closed; add the closing quote",
        f'content/news/us-date.md:3: date: "01/09/2024" can be read two ways (day first or month first); {EXAMPLE}',
        f'content/news/words.md:3: date: "next tuesday" is not a date; {EXAMPLE}',
        "content/news/zero.md:1: the file is empty; it needs front matter (---, title: ..., date: ..., ---) and text",
    ]


CONFIG = parse_config(MINIMAL_CONFIG)  # timezone Europe/Oslo
OSLO = ZoneInfo("Europe/Oslo")


def parsed(front_matter: str):
    doc = split_document(SourceFile("content/news/x.md", f"---\ntitle: T\n{front_matter}\n---\nText\n"))
    result = parse_release(doc, CONFIG)
    assert not isinstance(result, list), result
    return result


@pytest.mark.parametrize("written, expected", [
    ("2024-01-09", datetime(2024, 1, 9, tzinfo=OSLO)),
    ('"2024-01-09"', datetime(2024, 1, 9, tzinfo=OSLO)),
    ("'2024-01-09'", datetime(2024, 1, 9, tzinfo=OSLO)),
    ("2024-1-9", datetime(2024, 1, 9, tzinfo=OSLO)),
    ("2024-01-09 09:00", datetime(2024, 1, 9, 9, tzinfo=OSLO)),
    ("2024-01-09T09:00:00", datetime(2024, 1, 9, 9, tzinfo=OSLO)),
    ("2024-01-09T09:00:00+01:00", datetime(2024, 1, 9, 9, tzinfo=OSLO)),
    ("2024-01-09T08:00:00Z", datetime(2024, 1, 9, 9, tzinfo=OSLO)),
    ("2024-01-09 09:00:00 +0100", datetime(2024, 1, 9, 9, tzinfo=OSLO)),
    ("2024-01-09T03:00:00-05:00", datetime(2024, 1, 9, 9, tzinfo=OSLO)),
    ("2024-01-09T09:00:00.250+01:00", datetime(2024, 1, 9, 9, tzinfo=OSLO)),
    ("9 January 2024", datetime(2024, 1, 9, tzinfo=OSLO)),
    ("9 Jan 2024", datetime(2024, 1, 9, tzinfo=OSLO)),
    ("January 9, 2024", datetime(2024, 1, 9, tzinfo=OSLO)),
])
def test_dates_in_many_spellings_are_read(written, expected):
    moment = parsed(f"date: {written}").date
    assert moment == expected and moment.utcoffset() == timedelta(hours=1)


def test_an_offset_is_kept_as_the_moment_and_shown_in_the_site_time_zone():
    moment = parsed("date: 2024-07-01T12:00:00+00:00").date
    assert moment == datetime(2024, 7, 1, 12, tzinfo=timezone.utc)
    assert moment.tzinfo == OSLO and moment.hour == 14  # summer time


def test_a_text_where_a_list_is_expected_and_a_number_where_text_is_expected():
    release = parsed("date: 2024-01-09\ntags: awards, eu projects\nauthor: 2024\nsummary: 3.5")
    assert release.tags == ("awards", "eu projects")
    assert (release.author, release.summary) == ("2024", "3.5")
    assert parsed("date: 2024-01-09\ntags: 2024").tags == ("2024",)


def test_null_values_mean_not_given():
    release = parsed("date: 2024-01-09\ntags: [awards, null, ~]\nauthor: null\nsummary:\ndraft: ~")
    assert (release.tags, release.author, release.draft) == (("awards",), "", False)
    assert release.summary == "Text"  # the first paragraph, as when summary is left out


def test_a_date_given_as_a_date_stays_a_date_in_yaml_tags():
    # Dates are text to YAML here, so a date-like tag or title is not turned into something else.
    release = parsed("date: 2024-01-09\ntags: [2024-01-09]\nauthor: 2024-01-09")
    assert release.tags == ("2024-01-09",) and release.author == "2024-01-09"
    assert isinstance(release.date, datetime) and release.date.date() == date(2024, 1, 9)
