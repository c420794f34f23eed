"""An embargoed release is nowhere in the output until the moment, then everywhere it belongs."""

import json
from datetime import datetime
from html.parser import HTMLParser

import pytest

from tests.conftest import release, tree

EMBARGO = "2024-01-09T09:00:00+01:00"
EMBARGO_EPOCH = int(datetime.fromisoformat(EMBARGO).timestamp())
EMBARGOED = """\
---
title: Zebracorn merger approved
date: 2024-01-08T12:00:00+01:00
embargo: 2024-01-09T09:00:00+01:00
summary: The Quokkaflux summary, for journalists only until nine.
tags: [zebratag, awards]
author: Ingrid Solberg
event:
  title: Quokkaflux launch party
  start: 2024-02-01T18:00:00
  location: Brussels
---
The zebracorn cluster and its partners have agreed to merge. Quokkaflux details follow.
"""
EMBARGOED_EVENT = """\
---
title: Zebracorn summit
start: 2024-03-01T09:00:00
end: 2024-03-01T16:00:00
location: Oslo
embargo: 2024-01-09T09:00:00+01:00
tags: [zebratag]
---
Where the zebracorn partners meet.
"""
EMBARGOED_LABEL = """\
---
title: Zebracorn label
issuer: esca
level: silver
awarded: 2024-01-08
embargo: 2024-01-09T09:00:00+01:00
---
The quokkaflux silver label.
"""
SITE = {
    "content/news/2024/esca-label.md": release(),
    "content/events/zebracorn-summit.md": EMBARGOED_EVENT,
    "content/labels/zebracorn-label.md": EMBARGOED_LABEL,
    "content/news/2024/older.md": release("An older release", "2023-05-02"),
    "content/news/2024/zebracorn.md": EMBARGOED,
    "content/pages/about.md": "---\ntitle: About\nmenu: 1\n---\nWe are a cluster.\n",
}
MARKERS = (b"zebracorn", b"quokkaflux", b"zebratag")
RELEASE_PAGE = "news/2024/zebracorn-merger-approved/index.html"


def leaks(output) -> dict[str, list[bytes]]:
    """Every output file (its path or its bytes, in any case) that mentions the release."""
    found = {}
    for rel, data in tree(output).items():
        hits = [m for m in MARKERS if m in data.lower() or m.decode() in rel.lower()]
        if hits:
            found[rel] = hits
    return found


def build_at(pressroom, site, epoch: int, *args: str):
    run = pressroom("build", str(site), *args, env={"SOURCE_DATE_EPOCH": str(epoch)})
    assert run.code == 0, run.stderr
    return run


def test_absent_from_every_output_file_before_the_embargo(make_site, pressroom):
    site = make_site(SITE)
    run = build_at(pressroom, site, EMBARGO_EPOCH - 1)
    assert leaks(site / "output") == {}
    assert len(tree(site / "output")) > 10, "the rest of the site was built"
    assert (
        "; held back: 0 draft(s), 0 scheduled, 3 embargoed: the event “Zebracorn summit” until 9 January 2024, 09:00 CET, "
        "the label “Zebracorn label” until 9 January 2024, 09:00 CET, “Zebracorn merger approved” until 9 January 2024, 09:00 CET;"
    ) in run.stdout
    info = json.loads((site / "output" / "build-info.json").read_text())
    assert info["next_change"] == "2024-01-09T09:00:00+01:00", "build-info.json has its time, and only that"


def test_present_from_the_moment_the_embargo_lifts(make_site, pressroom):
    site = make_site(SITE)
    run = build_at(pressroom, site, EMBARGO_EPOCH)
    assert "held back" not in run.stdout
    found = leaks(site / "output")
    for page in (RELEASE_PAGE, "index.html", "news/index.html", "news/2024/index.html", "tags/zebratag/index.html", "tags/awards/index.html", "tags/index.html",
                 "events/index.html", "events/2024/zebracorn-summit/index.html", "events/2024/quokkaflux-launch-party/index.html",
                 "events/2024/zebracorn-summit.ics", "events/calendar.ics", "labels/index.html", "labels/zebracorn-label/index.html"):
        assert page in found, page
    assert "Embargoed" not in (site / "output" / RELEASE_PAGE).read_text()


def test_the_release_keeps_its_date_and_is_listed_by_it(make_site, pressroom):
    site = make_site(SITE)
    build_at(pressroom, site, EMBARGO_EPOCH + 3600)
    listing = (site / "output" / "news" / "index.html").read_text()
    assert listing.index("MEDVIA awarded Bronze Label") < listing.index("Zebracorn merger approved"), "listed by its date, 8 January"
    assert '<time datetime="2024-01-08T12:00:00+01:00">8 January 2024</time>' in (site / "output" / RELEASE_PAGE).read_text()


def test_a_later_build_removes_nothing_else_and_an_earlier_one_takes_it_out_again(make_site, pressroom):
    site = make_site(SITE)
    build_at(pressroom, site, EMBARGO_EPOCH)
    assert leaks(site / "output")
    build_at(pressroom, site, EMBARGO_EPOCH - 60)
    assert leaks(site / "output") == {}


class _Text(HTMLParser):
    """The text inside elements with a given class."""

    def __init__(self, css_class: str):
        super().__init__()
        self.css_class, self.depth, self.texts = css_class, 0, []

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif self.css_class in (dict(attrs).get("class") or "").split():
            self.depth = 1
            self.texts.append("")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.texts[-1] += data


def texts(html: str, css_class: str) -> list[str]:
    parser = _Text(css_class)
    parser.feed(html)
    return [" ".join(t.split()) for t in parser.texts]


def test_preview_shows_it_with_an_embargo_banner(make_site, pressroom):
    site = make_site(SITE)
    build_at(pressroom, site, EMBARGO_EPOCH - 1, "--drafts")
    page = (site / "output" / RELEASE_PAGE).read_text()
    assert texts(page, "banner") == ["Embargoed until 9 January 2024, 09:00 CET: not published until then. You see it because this is a preview."]
    assert "Embargoed until 9 January 2024, 09:00 CET" in texts((site / "output" / "news" / "index.html").read_text(), "flag")
    for page in ("events/2024/zebracorn-summit/index.html", "labels/zebracorn-label/index.html"):
        assert texts((site / "output" / page).read_text(), "banner") == [
            "Embargoed until 9 January 2024, 09:00 CET: not published until then. You see it because this is a preview."], page
    build_at(pressroom, site, EMBARGO_EPOCH, "--drafts")
    assert texts((site / "output" / RELEASE_PAGE).read_text(), "banner") == []
    assert texts((site / "output" / "events/2024/zebracorn-summit/index.html").read_text(), "banner") == []


@pytest.mark.parametrize("value, message", [
    ("soon", 'content/news/z.md:4: embargo: "soon" is not a date; write 2024-01-09 or 2024-01-09T09:00:00+01:00'),
    ("[2024-01-09]", "content/news/z.md:4: embargo: expected a date, got a list; write 2024-01-09 or 2024-01-09T09:00:00+01:00"),
])
def test_an_embargo_that_is_not_a_moment_is_an_error(make_site, pressroom, value, message):
    site = make_site({"content/news/z.md": f"---\ntitle: Z\ndate: 2024-01-08\nembargo: {value}\n---\nText.\n"})
    run = pressroom("build", ".", cwd=site)
    assert run.code == 1
    assert run.stderr.splitlines()[0] == message
