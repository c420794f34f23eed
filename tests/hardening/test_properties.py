"""Issue 7, "Property-based tests": random front matter (keys, values, nesting, Unicode,
control characters) and random Markdown go through the real pipeline functions in-process.
The build never raises anything but located errors, every error names the file and a line,
and a successful build's pages contain nothing unescaped from the text fields."""

from __future__ import annotations

from datetime import datetime, timezone
from html.parser import HTMLParser

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pressroom.config import parse_config
from pressroom.errors import BuildFailed, SiteError
from pressroom.parse import parse_page, parse_release
from pressroom import calendars, render
from pressroom.pipeline import build_info
from pressroom.site import build_index
from pressroom.front_matter import split_document
from pressroom.source import SourceFile, visible_text
from tests.conftest import MINIMAL_CONFIG

CONFIG = parse_config(MINIMAL_CONFIG)
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
PATH = "content/news/x.md"
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Any character YAML can carry, control characters included (surrogates cannot be written).
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
markdown_piece = st.one_of(
    st.sampled_from(list("*_[]()<>#-|`!{}:=\"'&\\ \n\t.1") + ["\n\n", "    ", "- ", "> ", "](", "<script>", "&amp;", "http://", "javascript:"]),
    st.characters(blacklist_categories=("Cs",)),
)
markdown_text = st.lists(markdown_piece, max_size=120).map("".join)
scalar = st.one_of(any_text, st.integers(), st.floats(allow_nan=False), st.booleans(), st.none(), st.dates().map(str))
value = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(any_text, inner, max_size=4)), max_leaves=12)
field_name = st.one_of(st.sampled_from(["title", "date", "summary", "tags", "author", "image", "image_alt", "draft", "slug", "lang", "event", "label", "menu"]), any_text)


def pipeline(text: str, parse=parse_release, path: str = PATH) -> list[SiteError] | dict[str, bytes]:
    """The stages of a build, in memory: split -> parse -> index -> render."""
    document = split_document(SourceFile(path, visible_text(text)))
    if isinstance(document, SiteError):
        return [document]
    parsed = parse(document, CONFIG)
    if isinstance(parsed, list):
        return parsed
    releases, pages = ([parsed], []) if parse is parse_release else ([], [parsed])
    try:
        return render_all(build_index(releases, pages, CONFIG, NOW))
    except BuildFailed as failure:
        return failure.errors


def render_all(site) -> dict[str, bytes]:
    """Every output the build makes of an index: pages, calendars and build-info.json."""
    files = render.render_pages(render.plan_pages(site), render.make_environment(None, site), None)
    files.update({job.path: calendars.make_calendar(job.events, site, job.name) for job in calendars.plan_calendars(site)})
    files["build-info.json"] = build_info(site)
    return files


def assert_located(errors: list[SiteError], path: str = PATH) -> None:
    assert errors
    for error in errors:
        assert error.path == path and isinstance(error.line, int) and error.line >= 1, error
        assert "\n" not in error.message and "Traceback" not in error.message, error


@SETTINGS
@given(st.dictionaries(field_name, value, max_size=8), markdown_text)
def test_any_front_matter_and_markdown_give_pages_or_located_errors(meta, body):
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body
    result = pipeline(text)
    if isinstance(result, list):
        assert_located(result)
    else:
        assert all(isinstance(data, bytes) for data in result.values())


@SETTINGS
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300))
def test_any_text_at_all_gives_pages_or_located_errors(text):
    for candidate in (text, "---\n" + text, "---\ntitle: T\ndate: 2024-01-09\n---\n" + text):
        result = pipeline(candidate, parse_page, "content/pages/x.md")
        if isinstance(result, list):
            assert_located(result, "content/pages/x.md")


class Injected(HTMLParser):
    """Collects tags named like our marker, which only unescaped input could create."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.h1: list[str] = []
        self._in_h1 = False

    def handle_starttag(self, tag, attrs):
        if tag.startswith("x-injected") or any(name.startswith("x-injected") for name, _ in attrs):
            self.found.append(tag)
        self._in_h1 = tag == "h1"
        if self._in_h1:
            self.h1.append("")

    def handle_endtag(self, tag):
        self._in_h1 = False

    def handle_data(self, data):
        if self._in_h1:
            self.h1[-1] += data


hostile = st.tuples(any_text, any_text).map(lambda pair: f'{pair[0]}<x-injected x-injected="1">"\'&{pair[1]}</x-injected>')


def as_yaml_reads_it(text: str) -> str:
    """The text as written to the file and read back by YAML, which reads NEL, LS and PS
    (U+0085, U+2028, U+2029) as line breaks, folded into a space, unless written escaped."""
    return yaml.safe_load(yaml.safe_dump({"text": text}, allow_unicode=True))["text"]


@settings(SETTINGS, max_examples=25)  # each renders every page with a fresh Jinja environment
@given(hostile, hostile, hostile, hostile, markdown_text)
def test_text_fields_are_never_published_unescaped(title, author, summary, tag, body):
    meta = {"title": title, "date": "2024-01-09", "author": author, "summary": summary, "tags": [tag, "plain"], "slug": "x"}
    result = pipeline("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body)
    assert not isinstance(result, list), result
    for path, data in result.items():
        if path.endswith(".html"):
            page = Injected()
            page.feed(data.decode("utf-8"))
            assert page.found == [], path
            if path == "news/2024/x/index.html":
                assert page.h1[0] == " ".join(visible_text(as_yaml_reads_it(title)).split())  # the body may add headings
        else:
            assert b"<x-injected" not in data, path
