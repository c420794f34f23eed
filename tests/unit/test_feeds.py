"""Feeds as feed readers see them: parsed by feedparser, Atom checked against RFC 4287."""

import json
from datetime import datetime, timedelta, timezone

import feedparser
import pytest

from pressroom.config import parse_config
from pressroom.feeds import feed_links, render_feeds
from pressroom.model import Release
from pressroom.site import build_index
from tests.conftest import MINIMAL_CONFIG
from tests.support.validators import validate_atom

CONFIG = parse_config(MINIMAL_CONFIG)
SUB_PATH = parse_config(MINIMAL_CONFIG.replace("https://news.example.org/", "https://example.github.io/newsroom/"))
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
OSLO = timezone(timedelta(hours=1))


def release(n: int, **fields) -> Release:
    moment = datetime(2024, 1, 1, 9, tzinfo=OSLO) + timedelta(days=n)
    values = dict(
        source=f"content/news/r{n}.md", title=f"Release {n} <&>", date=moment, slug=f"r{n}", url=f"news/2024/r{n}/",
        body_html=f'<p>Text {n} with <a href="/about/">a link</a>, <a href="report.pdf">a file</a> and <img src="/assets/c.png" alt="A chart"></p>',
        summary=f"Summary {n}", tags=("awards",) if n % 2 else ("eu projects",), author="Ingrid Solberg",
    )
    return Release(**{**values, **fields})


def feeds_of(releases, config=CONFIG, now=NOW) -> dict[str, bytes]:
    return render_feeds(build_index(releases, [], config, now))


def parsed(data: bytes):
    feed = feedparser.parse(data)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed


def test_the_site_and_every_tag_have_atom_and_rss_and_the_site_a_json_feed():
    files = feeds_of([release(1), release(2)])
    assert sorted(files) == ["atom.xml", "feed.json", "rss.xml", "tags/awards/atom.xml", "tags/awards/rss.xml",
                             "tags/eu-projects/atom.xml", "tags/eu-projects/rss.xml"]
    for path, data in files.items():
        if path.endswith(".xml"):
            parsed(data)


def test_atom_feeds_are_valid_rfc_4287():
    files = feeds_of([release(n) for n in range(3)] + [release(9, author="", image="/assets/p.png", image_alt="A photo")])
    for path in ("atom.xml", "tags/awards/atom.xml"):
        assert validate_atom(files[path]) == [], path


def test_newest_twenty_releases_newest_first_with_full_content_and_summary():
    files = feeds_of([release(n) for n in range(25)])
    for path in ("atom.xml", "rss.xml"):
        feed = parsed(files[path])
        assert [e.title for e in feed.entries] == [f"Release {n} <&>" for n in range(24, 4, -1)], path
        entry = feed.entries[0]
        assert entry.summary == "Summary 24"
        assert "Text 24 with" in entry.content[0].value
    items = json.loads(files["feed.json"])["items"]
    assert [item["title"] for item in items] == [f"Release {n} <&>" for n in range(24, 4, -1)]


def test_entries_have_absolute_urls_stable_ids_and_dates_with_offsets():
    files = feeds_of([release(1)], config=SUB_PATH)
    url = "https://example.github.io/newsroom/news/2024/r1/"
    for path in ("atom.xml", "rss.xml"):
        entry = parsed(files[path]).entries[0]
        assert entry.link == url and entry.id == url, path
    assert "<published>2024-01-02T09:00:00+01:00</published>" in files["atom.xml"].decode()
    assert "<pubDate>Tue, 02 Jan 2024 09:00:00 +0100</pubDate>" in files["rss.xml"].decode()
    item = json.loads(files["feed.json"])["items"][0]
    assert (item["id"], item["url"], item["date_published"]) == (url, url, "2024-01-02T09:00:00+01:00")


def test_links_in_the_text_become_absolute_so_they_work_in_a_feed_reader():
    files = feeds_of([release(1)], config=SUB_PATH)
    content = parsed(files["atom.xml"]).entries[0].content[0].value
    assert 'href="https://example.github.io/newsroom/about/"' in content
    assert 'href="https://example.github.io/newsroom/news/2024/r1/report.pdf"' in content
    assert 'src="https://example.github.io/newsroom/assets/c.png"' in content


def test_the_release_picture_leads_the_content_and_is_the_json_feed_image():
    files = feeds_of([release(1, image="/assets/p.png", image_alt="A photo")])
    content = parsed(files["atom.xml"]).entries[0].content[0].value
    assert content.startswith('<p><img alt="A photo" src="https://news.example.org/assets/p.png" /></p>')  # as feedparser cleans it
    assert json.loads(files["feed.json"])["items"][0]["image"] == "https://news.example.org/assets/p.png"


def test_a_correction_date_is_the_entry_update():
    files = feeds_of([release(1, updated=datetime(2024, 3, 1, 12, tzinfo=OSLO))])
    atom = parsed(files["atom.xml"])
    assert atom.entries[0].updated == "2024-03-01T12:00:00+01:00"
    assert atom.feed.updated == "2024-03-01T12:00:00+01:00"
    assert json.loads(files["feed.json"])["items"][0]["date_modified"] == "2024-03-01T12:00:00+01:00"


def test_feed_dates_come_from_the_releases_not_the_clock():
    releases = [release(1), release(2)]
    first, later = feeds_of(releases, now=NOW), feeds_of(releases, now=NOW + timedelta(days=30))
    assert first == later
    atom = parsed(first["atom.xml"])
    assert atom.feed.updated == "2024-01-03T09:00:00+01:00"
    assert "<lastBuildDate>Wed, 03 Jan 2024 09:00:00 +0100</lastBuildDate>" in first["rss.xml"].decode()


def test_an_empty_site_has_valid_feeds_dated_by_the_build():
    files = feeds_of([])
    assert validate_atom(files["atom.xml"]) == []
    assert parsed(files["atom.xml"]).feed.updated == "2025-01-01T00:00:00+00:00"
    assert json.loads(files["feed.json"])["items"] == []


def test_json_feed_1_1():
    feed = json.loads(feeds_of([release(1)], config=SUB_PATH)["feed.json"])
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == "https://example.github.io/newsroom/feed.json"
    assert feed["home_page_url"] == "https://example.github.io/newsroom/"
    item = feed["items"][0]
    assert item["authors"] == [{"name": "Ingrid Solberg"}] and item["tags"] == ["awards"]
    assert item["summary"] == "Summary 1" and item["content_html"].startswith("<p>Text 1")


def test_tag_feeds_hold_only_that_tag_and_link_to_the_tag_page():
    files = feeds_of([release(n) for n in range(4)])
    feed = parsed(files["tags/awards/atom.xml"])
    assert [e.title for e in feed.entries] == ["Release 3 <&>", "Release 1 <&>"]
    assert feed.feed.title == "Test Newsroom: awards"
    assert feed.feed.link == "https://news.example.org/tags/awards/"
    rss = parsed(files["tags/awards/rss.xml"])
    assert rss.feed.link == "https://news.example.org/tags/awards/"


def test_each_feed_names_itself():
    files = feeds_of([release(1)])
    assert '<link href="https://news.example.org/atom.xml" rel="self"' in files["atom.xml"].decode()
    assert '<atom:link href="https://news.example.org/rss.xml" rel="self"' in files["rss.xml"].decode()


@pytest.mark.parametrize("tagged", [False, True])
def test_feed_links_for_pages(tagged):
    site = build_index([release(1)], [], CONFIG, NOW)
    links = feed_links(site, site.tags[0] if tagged else None)
    if tagged:
        assert [(l.url, l.media_type) for l in links] == [("tags/awards/atom.xml", "application/atom+xml"), ("tags/awards/rss.xml", "application/rss+xml")]
    else:
        assert [l.url for l in links] == ["atom.xml", "rss.xml", "feed.json"]
        assert links[2].media_type == "application/feed+json"
