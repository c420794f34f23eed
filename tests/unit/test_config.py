import pytest

from pressroom.config import parse_config
from pressroom.errors import BuildFailed
from tests.conftest import MINIMAL_CONFIG


def messages(text: str) -> list[str]:
    with pytest.raises(BuildFailed) as failure:
        parse_config(text)
    return [str(e) for e in failure.value.errors]


def test_minimal_config_is_read_with_its_issuers():
    config = parse_config(MINIMAL_CONFIG)
    assert config.title == "Test Newsroom"
    assert config.base_url == "https://news.example.org/"
    assert config.timezone == "Europe/Oslo"
    assert config.page_size == 2
    assert config.organisation.name == "Test Cluster"
    assert config.issuers["esca"].levels == ("bronze", "silver", "gold")
    assert config.issuers["esca"].valid_years == 2


def test_base_url_gets_a_trailing_slash_and_a_sub_path_is_kept():
    config = parse_config('title = "T"\nbase_url = "https://example.github.io/newsroom"\n')
    assert config.base_url == "https://example.github.io/newsroom/"
    assert config.base_path == "/newsroom/"


def test_unknown_key_is_an_error_on_its_line_with_a_suggestion():
    assert messages('title = "T"\nbase_url = "https://e.org/"\ntimezon = "Europe/Oslo"\n') == [
        'pressroom.toml:3: timezon: unknown setting; did you mean "timezone"?'
    ]


def test_every_problem_is_reported_at_once():
    found = messages('title = 3\nbase_url = "ftp:/x"\ntimezone = "Mars/Olympus"\npage_size = 0\n')
    assert found == [
        "pressroom.toml:1: title: expected text, got a whole number",
        'pressroom.toml:2: base_url: "ftp:/x" is not a web address; write one like "https://news.example.org/"',
        'pressroom.toml:3: timezone: "Mars/Olympus" is not a known time zone; write one like "Europe/Oslo"',
        "pressroom.toml:4: page_size: 0 is out of range; use a number from 1 to 1000",
    ]


def test_missing_required_settings_say_what_to_add():
    assert messages('language = "en"\n') == [
        'pressroom.toml:1: "base_url" is missing; add a line like base_url = "https://news.example.org/"',
        'pressroom.toml:1: "title" is missing; add a line like title = "Our Newsroom"',
    ]


def test_broken_toml_names_its_line():
    [message] = messages('title = "T"\nbase_url = "https://e.org/\n')
    assert message.startswith("pressroom.toml:2: this is not valid TOML")


def test_unknown_key_inside_a_table():
    [message] = messages(MINIMAL_CONFIG + '\n[markdown]\nraw_htm = false\n')
    assert message.endswith('markdown.raw_htm: unknown setting; did you mean "raw_html"?')
