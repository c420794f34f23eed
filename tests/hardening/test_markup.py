"""Issue 7, "Markup": text fields with <script> or quotes are escaped in every output, each
checked with a real parser; raw HTML in bodies is kept by default and removed, with every
other way to run script, when `markdown.raw_html = false`."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import icalendar

from tests.conftest import MINIMAL_CONFIG, tree

TITLE = """<script>alert("title")</script> "Quoted" & 'single' </title>"""
TAG = """<script>alert("tag")</script>"""
AUTHOR = """<b onmouseover="alert('author')">Kari</b>"""
SUMMARY = """</p><script>alert("summary")</script> "quote" & more"""
EVENT_TITLE = """<script>alert("event")</script> Demo "day" & night"""
HOSTILE = (TITLE, TAG, AUTHOR, SUMMARY, EVENT_TITLE)


def yaml_quoted(text: str) -> str:
    return json.dumps(text)  # JSON strings are YAML double-quoted strings


class Elements(HTMLParser):
    """Every element and attribute as a browser's tokenizer sees them, and the text of some."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.open: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.body_tags: list[tuple[str, dict]] = []  # inside <div class="body">, the release text
        self.body_text = ""

    def handle_starttag(self, tag, attrs):
        if "body-div" in self.open:
            self.body_tags.append((tag, dict(attrs)))
        self.tags.append((tag, dict(attrs)))
        self.open.append("body-div" if tag == "div" and dict(attrs).get("class") == "body" else tag)
        self.text.setdefault(tag, []).append("")

    def handle_endtag(self, tag):
        names = [("div" if name == "body-div" else name) for name in self.open]
        if tag in names:
            del self.open[len(names) - 1 - names[::-1].index(tag):]

    def handle_data(self, data):
        for tag in set(self.open) - {"body-div"}:
            self.text[tag][-1] += data
        if "body-div" in self.open:
            self.body_text += data


def parse_html(data: bytes) -> Elements:
    parser = Elements()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return parser


def hostile_site(make_site, pressroom, config=MINIMAL_CONFIG):
    site = make_site({
        "content/news/2024/hostile.md": (
            f"---\ntitle: {yaml_quoted(TITLE)}\ndate: 2024-01-09\ntags: [{yaml_quoted(TAG)}, '\"quoted\" tag']\n"
            f"author: {yaml_quoted(AUTHOR)}\nsummary: {yaml_quoted(SUMMARY)}\nslug: hostile\n"
            f"image: /assets/x.svg\nimage_alt: {yaml_quoted(TITLE)}\n---\nBody text.\n"
        ),
        "content/events/2024/demo.md": (
            f"---\ntitle: {yaml_quoted(EVENT_TITLE)}\nstart: 2024-03-01T10:00:00+01:00\nend: 2024-03-01T12:00:00+01:00\n"
            f"location: {yaml_quoted(TITLE)}\nsummary: {yaml_quoted(SUMMARY)}\nslug: demo\n---\nAgenda.\n"
        ),
    }, config=config)
    run = pressroom("build", str(site), env={"SOURCE_DATE_EPOCH": "1735689600"})
    assert run.code == 0, run.stderr
    return tree(site / "output")


def test_hostile_text_fields_are_escaped_in_every_html_page(make_site, pressroom):
    written = hostile_site(make_site, pressroom)
    pages = {path: parse_html(data) for path, data in written.items() if path.endswith(".html")}
    for path, page in pages.items():
        for tag, attrs in page.tags:
            assert not any(name.startswith("on") for name in attrs), (path, tag, attrs)
            if tag == "script":
                assert attrs.get("type") == "application/ld+json" or "src" in attrs, (path, attrs)
        for script in page.text.get("script", []):
            assert "alert" not in script or json.loads(script), path  # only inside JSON data
    release = pages["news/2024/hostile/index.html"]
    assert release.text["h1"] == [TITLE]
    assert {"tag": "meta", **{}} and ("meta", {"name": "description", "content": SUMMARY}) in release.tags
    assert any(tag == "img" and attrs.get("alt") == TITLE for tag, attrs in release.tags)
    assert TAG in "".join(release.text["li"]) and AUTHOR in "".join(release.text["p"])
    assert any(TITLE in "".join(page.text.get("a", [])) for page in pages.values() if page is not release)
    assert any(TAG in "".join(page.text.get("a", [])) for page in pages.values() if page is not release)
    event = pages["events/2024/demo/index.html"]
    assert event.text["h1"] == [EVENT_TITLE]


def test_hostile_text_round_trips_through_json_ld(make_site, pressroom):
    written = hostile_site(make_site, pressroom)
    found = []
    for path, data in written.items():
        if path.endswith(".html"):
            page = parse_html(data)
            for (tag, attrs), text in zip([t for t in page.tags if t[0] == "script"], page.text.get("script", [])):
                if attrs.get("type") == "application/ld+json":
                    assert "</script" not in text.lower() and "<" not in text
                    found.append(json.loads(text))
    strings = set(_strings(found))
    assert EVENT_TITLE in strings and SUMMARY in strings


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_hostile_text_round_trips_through_calendars(make_site, pressroom):
    written = hostile_site(make_site, pressroom)
    calendars = {path: icalendar.Calendar.from_ical(data) for path, data in written.items() if path.endswith(".ics")}
    assert calendars
    for path, calendar in calendars.items():
        [event] = calendar.walk("VEVENT")
        assert str(event["SUMMARY"]) == EVENT_TITLE, path
        assert TITLE in str(event.get("LOCATION", "")), path


BODY = """\
Before.

<div class="note" onclick="alert('block')">Raw block</div>

Inline <b>bold</b> and <script>alert("inline")</script>.

[js link](javascript:alert('link')) [data link](data:text/html,x) [ok](https://example.org/) [mail](mailto:a@example.org) [anchor](#top)

![js image](javascript:alert('img'))

Attributes: trying
{: onclick="alert('attr')" }
"""


def body_of(make_site, pressroom, raw_html: bool) -> Elements:
    config = MINIMAL_CONFIG.replace("[organisation]", f"[markdown]\nraw_html = {'true' if raw_html else 'false'}\n\n[organisation]")
    site = make_site({"content/news/x.md": f"---\ntitle: Body\ndate: 2024-01-09\nslug: body\n---\n{BODY}"}, config=config)
    run = pressroom("build", str(site))
    assert run.code == 0, run.stderr
    return parse_html((site / "output" / "news" / "2024" / "body" / "index.html").read_bytes())


def test_raw_html_in_a_body_is_kept_by_default(make_site, pressroom):
    page = body_of(make_site, pressroom, raw_html=True)
    assert ("div", {"class": "note", "onclick": "alert('block')"}) in page.body_tags
    assert ("b", {}) in page.body_tags and ("script", {}) in page.body_tags
    assert any("alert(" in text for text in page.text["script"])


def test_raw_html_false_shows_html_as_text_and_removes_every_way_to_run_script(make_site, pressroom):
    page = body_of(make_site, pressroom, raw_html=False)
    assert {tag for tag, _ in page.body_tags} == {"p", "a", "img"}
    for tag, attrs in page.body_tags:
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src"):
            assert not attrs.get(name, "").lower().startswith(("javascript:", "data:")), (tag, attrs)
    assert "<div class=" in page.body_text and "<script>alert(" in page.body_text  # shown, not run
    links = [attrs.get("href") for tag, attrs in page.body_tags if tag == "a"]
    assert links == [None, None, "https://example.org/", "mailto:a@example.org", "#top"]  # js and data: lose their target
    assert [attrs.get("src") for tag, attrs in page.body_tags if tag == "img"] == [None]
    assert "{: onclick=" in page.body_text


def test_hostile_text_round_trips_through_feeds(make_site, pressroom):
    """Atom and RSS read with a real XML parser and by feedparser as feed readers do, the
    JSON Feed with json: each hostile text comes back as the same text, never as markup."""
    from xml.etree import ElementTree

    import feedparser

    written = hostile_site(make_site, pressroom)
    atom_ns = {"a": "http://www.w3.org/2005/Atom"}
    atoms = {path: ElementTree.fromstring(data) for path, data in written.items() if path.endswith("atom.xml")}
    assert "atom.xml" in atoms and len(atoms) >= 2, sorted(atoms)  # the site's feed and a tag feed
    for path, feed in atoms.items():
        [entry] = [e for e in feed.findall("a:entry", atom_ns) if e.findtext("a:title", namespaces=atom_ns) == TITLE]
        assert list(entry.find("a:title", atom_ns)) == [], path
        assert entry.findtext("a:author/a:name", namespaces=atom_ns) == AUTHOR, path
        assert TAG in [c.get("term") for c in entry.findall("a:category", atom_ns)], path
        for element in entry.iter():
            assert not element.tag.endswith("}script"), path
            if element.get("type") == "html" and element.text:
                assert "<script" not in element.text and "&lt;script&gt;" in element.text or "script" not in element.text, path
    for path in [*atoms, "rss.xml"]:
        parsed = feedparser.parse(written[path])
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert TITLE in [entry.title for entry in parsed.entries], path
    rss = ElementTree.fromstring(written["rss.xml"])
    [item] = [i for i in rss.iter("item") if i.findtext("title") == TITLE]
    assert TAG in [c.text for c in item.findall("category")]
    feed = json.loads(written["feed.json"])
    [item] = [i for i in feed["items"] if i["title"] == TITLE]
    assert TAG in item["tags"] and AUTHOR in [a["name"] for a in item.get("authors", [])]
    assert item["summary"] == SUMMARY
