"""`pressroom check` and `pressroom build --check`, end to end on small sites."""

import re

from pressroom.render import THEME_DIR
from tests.conftest import release

ABOUT = "---\ntitle: About\nmenu: 1\nsummary: Who we are.\n---\nWe are a cluster.\n\n## Team\n\nEleven people.\n"
LINKS = """\
---
title: Links everywhere
date: 2024-01-09
summary: A release full of links.
image: /assets/images/missing-top.jpg
image_alt: The top picture
---
A [good link](/about/#team) and a [broken one](/news/2023/nothing/).

An [anchor that is not there](/about/#board), and [one that is](../../../about/#team).

![A chart](/assets/images/chart.png)

The [annual report](/assets/files/report.pdf) and [the other release](2024-01-09-esca.md).

[Jump](#nowhere), [to the top](#top), [mail us](mailto:press@example.org), [elsewhere](https://example.com/x/).
"""
GOOD = {
    "content/news/2024/esca.md": release().replace("tags:", "summary: The ESCA label.\ntags:"),
    "content/pages/about.md": ABOUT,
    "assets/images/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
}


def test_a_sound_site_passes(make_site, pressroom):
    site = make_site(GOOD)
    run = pressroom("check", cwd=site)
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    assert re.fullmatch(r"Checked \d+ pages in output: 0 broken, 0 warnings\n", run.stdout)


def test_every_broken_thing_in_a_release_is_named_by_its_line(make_site, pressroom):
    site = make_site({**GOOD, "content/news/2024/links.md": LINKS})
    run = pressroom("check", cwd=site)
    assert run.code == 1
    assert run.stdout == ""
    assert run.stderr.splitlines() == [
        'content/news/2024/links.md:5: missing image: "/assets/images/missing-top.jpg" is not in the site; put the file in assets/ and write its address, like /assets/images/photo.jpg',
        'content/news/2024/links.md:8: broken link: "/news/2023/nothing/" leads to no page of the site',
        'content/news/2024/links.md:10: broken link: "/about/#board" points to an anchor #board that /about/ does not have',
        'content/news/2024/links.md:12: missing image: "/assets/images/chart.png" is not in the site; put the file in assets/ and write its address, like /assets/images/photo.jpg',
        'content/news/2024/links.md:14: broken link: "2024-01-09-esca.md" points to a Markdown file; link to the page\'s address instead, like /news/2024/its-slug/',
        'content/news/2024/links.md:14: missing file: "/assets/files/report.pdf" is not in the site; put it in assets/ and write its address, like /assets/files/report.pdf',
        'content/news/2024/links.md:16: broken link: "#nowhere" points to an anchor #nowhere that this page does not have',
        "pressroom: 7 broken, 0 warnings in the site in output; fix the broken ones before putting it online",
    ]


def test_a_broken_link_in_a_template_is_named_once_on_its_output_page(make_site, pressroom, tmp_path):
    base = (THEME_DIR / "templates" / "base.html").read_text()
    broken_base = base.replace('<footer class="site-footer">', '<footer class="site-footer">\n<a href="{{ url(\'press-kit/\') }}">Press kit</a>')
    site = make_site({**GOOD, "templates/base.html": broken_base})
    run = pressroom("check", "site", cwd=tmp_path)
    assert run.code == 1
    lines = (site / "output" / "404.html").read_text().split("\n")
    line = next(n for n, text in enumerate(lines, start=1) if "press-kit" in text)
    pages = len(list((site / "output").rglob("*.html")))
    assert run.stderr.splitlines()[0] == f'site/output/404.html:{line}: broken link: "/press-kit/" leads to no page of the site (on {pages} pages)'
    assert len(run.stderr.splitlines()) == 2


def test_warnings_do_not_fail_the_check(make_site, pressroom):
    site = make_site({
        **GOOD,
        "content/news/2024/again.md": release(date="2024-01-10").replace("tags:", "slug: bronze-again\ntags:"),
        "content/news/2024/plain.md": "---\ntitle: Plain\ndate: 2024-01-11\n---\nNo summary here.\n",
    })
    run = pressroom("check", cwd=site)
    assert run.code == 0, run.stderr
    assert run.stderr.splitlines() == [
        "content/news/2024/again.md:2: warning: no summary; listings, feeds and search results show the first paragraph instead. Add a line summary: with one or two sentences",
        'content/news/2024/esca.md: warning: the release title "MEDVIA awarded Bronze Label" is also the title of content/news/2024/again.md; give each release its own, so readers and search engines can tell them apart',
        "content/news/2024/plain.md:2: warning: no summary; listings, feeds and search results show the first paragraph instead. Add a line summary: with one or two sentences",
    ]
    assert re.fullmatch(r"Checked \d+ pages in output: 0 broken, 3 warnings\n", run.stdout)


def test_a_link_to_an_embargoed_release_says_until_when(make_site, pressroom):
    site = make_site({
        **GOOD,
        "content/news/2024/secret.md": "---\ntitle: Secret\ndate: 2024-01-08\nembargo: 2024-01-09T09:00:00+01:00\nsummary: S.\n---\nHush.\n",
        "content/news/2024/teaser.md": "---\ntitle: Teaser\ndate: 2024-01-08\nsummary: T.\n---\nSee [the news](/news/2024/secret/).\n",
    })
    run = pressroom("check", cwd=site, env={"SOURCE_DATE_EPOCH": "1704700000"})
    assert run.stderr.splitlines()[0] == (
        'content/news/2024/teaser.md:6: broken link: "/news/2024/secret/" leads to content/news/2024/secret.md, '
        "which is embargoed until 9 January 2024, 09:00 CET: it is not on the site yet"
    )
    assert pressroom("check", cwd=site, env={"SOURCE_DATE_EPOCH": "1704787200"}).code == 0


def test_under_a_sub_path_a_link_that_leaves_the_site_is_broken(make_site, pressroom):
    # Links from the site's root get the sub-path in front, and one that names it is left alone;
    # a relative link can still climb out of the site.
    site = make_site({**GOOD, "content/news/2024/team.md": "---\ntitle: Team\ndate: 2024-01-08\nsummary: T.\n---\n"
                      "Meet [the team](/about/), [the newsroom](/newsroom/about/) or [us](../../../../about/).\n"})
    run = pressroom("check", "--base-url", "https://example.github.io/newsroom", cwd=site)
    assert run.code == 1
    assert run.stderr.splitlines()[0] == 'content/news/2024/team.md:6: broken link: "../../../../about/" leaves the site, which lives under /newsroom/; write /about/ in a text (Pressroom puts /newsroom/ in front), or {{ url(\'about/\') }} in a template'
    assert len(run.stderr.splitlines()) == 2
    assert '<link rel="canonical" href="https://example.github.io/newsroom/news/2024/team/">' in (site / "output/news/2024/team/index.html").read_text()


def test_build_check_builds_then_checks(make_site, pressroom):
    site = make_site({**GOOD, "content/news/2024/team.md": "---\ntitle: Team\ndate: 2024-01-08\nsummary: T.\n---\n[Gone](/gone/)\n"})
    run = pressroom("build", "--check", cwd=site)
    assert run.code == 1
    assert run.stdout.startswith("Built ") and "pages in" in run.stdout
    assert run.stderr.splitlines()[0] == 'content/news/2024/team.md:6: broken link: "/gone/" leads to no page of the site'
    assert (site / "output" / "news" / "2024" / "team" / "index.html").is_file()
    (site / "content/news/2024/team.md").write_text("---\ntitle: Team\ndate: 2024-01-08\nsummary: T.\n---\n[About](/about/)\n")
    run = pressroom("build", "--check", cwd=site)
    assert run.code == 0 and run.stderr == ""
    assert re.fullmatch(r"Checked \d+ pages in output: 0 broken, 0 warnings", run.stdout.splitlines()[1])


def test_check_reports_content_errors_like_build(make_site, pressroom):
    site = make_site({"content/news/x.md": "---\ntitle: X\n---\n"})
    run = pressroom("check", cwd=site)
    assert run.code == 1
    assert run.stderr.splitlines()[0] == "content/news/x.md:1: date: is missing; write 2024-01-09 or 2024-01-09T09:00:00+01:00"
    assert not (site / "output").exists()


def test_events_that_may_not_have_taken_place_are_warned_about(make_site, pressroom):
    site = make_site({
        **GOOD,
        "content/events/hack.md": "---\ntitle: Health Hack\nstart: 2024-01-06T17:00:00\nend: 2024-01-07T16:00:00\n---\nA hackathon.\n",
        "content/events/old.md": "---\ntitle: Old meeting\nstart: 2023-01-06T17:00:00\n---\nLong ago.\n",
        "content/events/day.md": "---\ntitle: Investor day\nstart: 2023-11-20T09:00:00\nstatus: postponed\n---\nPitches.\n",
        "content/events/again.md": "---\ntitle: health hack\nstart: 2025-01-06T17:00:00\nslug: hack-2025\n---\nAgain.\n",
    })
    run = pressroom("check", cwd=site, env={"SOURCE_DATE_EPOCH": "1704697200"})
    assert run.code == 0, run.stderr
    assert run.stderr.splitlines() == [
        "content/events/day.md:4: warning: the event “Investor day” is postponed and its date has passed; give it its new start: and end:, and set status: scheduled",
        'content/events/hack.md: warning: the event title "Health Hack" is also the title of content/events/again.md; give each event its own, so readers and search engines can tell them apart',
        "content/events/hack.md:4: warning: the event “Health Hack” ended on 7 January 2024 and is still marked as scheduled; if it did not take place, set status: cancelled or postponed",
    ]


def test_a_tag_only_events_have_is_shown_without_a_link_to_a_page_that_does_not_exist(make_site, pressroom):
    site = make_site({**GOOD, "content/events/open.md": "---\ntitle: Open day\nstart: 2030-01-06T10:00:00\ntags: [open day, awards]\n---\nWelcome.\n"})
    run = pressroom("check", cwd=site)
    assert run.code == 0, run.stderr
    page = (site / "output/events/2030/open-day/index.html").read_text()
    assert '<li>open day</li>' in page and '<li><a href="/tags/awards/">awards</a></li>' in page
