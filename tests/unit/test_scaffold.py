"""What `pressroom new` and `pressroom init` write, without touching the disk."""

import tomllib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pressroom import urls
from pressroom.config import parse_config
from pressroom.errors import UsageError
from pressroom.model import Page, Release
from pressroom.parse import parse_page, parse_release
from pressroom.scaffold import WORKFLOW, new_file, site_files
from pressroom.front_matter import split_document
from pressroom.source import SourceFile, visible_text
from tests.conftest import MINIMAL_CONFIG

CONFIG = parse_config(MINIMAL_CONFIG)
TODAY = date(2024, 1, 9)


def parsed(new, parse):
    return parse(split_document(SourceFile(new.path, new.text)), CONFIG)


def test_a_new_release_parses_as_a_draft_of_today():
    new = new_file("release", "MEDVIA awarded Bronze Label", TODAY, CONFIG)
    assert new.path == "content/news/2024-01-09-medvia-awarded-bronze-label.md"
    release = parsed(new, parse_release)
    assert isinstance(release, Release), release
    assert (release.title, release.date.isoformat(), release.draft, release.embargo, release.tags) == (
        "MEDVIA awarded Bronze Label", "2024-01-09T00:00:00+01:00", True, None, ())
    assert release.url == "news/2024/medvia-awarded-bronze-label/"


printable = st.characters(blacklist_categories=("Cs",))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=printable, min_size=1, max_size=60))
def test_any_title_survives_the_round_trip_or_is_refused(title):
    try:
        new = new_file("release", title, TODAY, CONFIG)
    except UsageError:
        assert not urls.slug_from(" ".join(title.split()))
        return
    release = parsed(new, parse_release)
    assert isinstance(release, Release), release
    assert release.title == " ".join(visible_text(title).split())  # invisible characters are dropped
    assert new.path == f"content/news/2024-01-09-{urls.slug_from(release.title)}.md"


def test_a_new_page_is_named_by_its_slug():
    new = new_file("page", "Contact us: press office", TODAY, CONFIG)
    assert new.path == "content/pages/contact-us-press-office.md"
    page = parsed(new, parse_page)
    assert isinstance(page, Page) and page.url == "contact-us-press-office/" and page.menu is None


def test_a_new_label_names_the_first_issuer_and_its_lowest_level():
    text = new_file("label", "Silver", TODAY, CONFIG).text
    assert "\nissuer: esca\n" in text and "\nlevel: bronze\n" in text
    assert "bronze, silver, gold" in text


@pytest.mark.parametrize("title", ["", "   ", "!!!", "🎉"])
def test_titles_with_nothing_to_name_a_file_by_are_refused(title):
    with pytest.raises(UsageError):
        new_file("release", title, TODAY, CONFIG)


def test_a_new_site_has_settings_that_parse_and_dated_sample_content():
    files = site_files(TODAY, 'MEDVIA "Newsroom"', "https://medvia.github.io/newsroom/", "Europe/Oslo")
    config = parse_config(files["pressroom.toml"])
    assert (config.title, config.base_url, config.timezone) == ('MEDVIA "Newsroom"', "https://medvia.github.io/newsroom/", "Europe/Oslo")
    assert tomllib.loads(files["pressroom.toml"])["organisation"]["name"] == 'MEDVIA "Newsroom"'
    assert "content/news/2024-01-09-welcome-to-our-newsroom.md" in files
    assert "start: 2024-02-08T10:00:00" in files["content/events/open-day.md"], "the sample event is a month ahead"
    assert "${{ steps.pages.outputs.base_url }}" in files[WORKFLOW], "the workflow is copied as it is"
    assert not any("$today" in text or "${" in text.replace("${{", "") for text in files.values())
