"""The command line as a user runs it: exit codes, messages on stderr, output kept safe."""

import json
from pathlib import Path

import icalendar
import pytest

from tests.conftest import release, tree

GOOD = {"content/news/2024/esca-label.md": release(), "content/pages/about.md": "---\ntitle: About\nmenu: 1\n---\nWe are a cluster.\n"}


def test_build_writes_the_site_and_prints_one_summary_line(make_site, pressroom):
    site = make_site(GOOD)
    run = pressroom("build", str(site))
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    [line] = run.stdout.splitlines()
    assert line.startswith("Built 11 pages in ") and " s into " in line
    assert (site / "output" / "news" / "2024" / "medvia-awarded-bronze-label" / "index.html").is_file()
    assert (site / "output" / "about" / "index.html").is_file()


def test_site_dir_defaults_to_the_current_folder_and_output_can_be_chosen(make_site, pressroom, tmp_path):
    site = make_site(GOOD)
    run = pressroom("build", "--output", str(tmp_path / "public"), cwd=site)
    assert run.code == 0, run.stderr
    assert (tmp_path / "public" / "index.html").is_file()
    assert not (site / "output").exists()


def test_build_py_is_pressroom_build_dot(make_site, tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    site = make_site(GOOD)
    done = subprocess.run([sys.executable, str(ROOT / "build.py")], cwd=site, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert (site / "output" / "index.html").is_file()


def test_usage_error_exits_2(pressroom):
    run = pressroom("build", "--no-such-option")
    assert run.code == 2 and "usage:" in run.stderr


def test_drafts_and_future_releases_only_with_drafts(make_site, pressroom):
    site = make_site({
        **GOOD,
        "content/news/draft.md": "---\ntitle: Secret draft\ndate: 2024-02-01\ndraft: true\n---\nHush.\n",
        "content/news/future.md": "---\ntitle: Future news\ndate: 2999-01-01\n---\nLater.\n",
    })
    run = pressroom("build", str(site))
    assert run.code == 0 and "held back: 1 draft(s), 1 scheduled" in run.stdout
    everything = b"".join(tree(site / "output").values())
    assert b"Secret draft" not in everything and b"Future news" not in everything
    assert pressroom("build", str(site), "--drafts").code == 0
    assert b"Secret draft" in (site / "output" / "news" / "2024" / "secret-draft" / "index.html").read_bytes()


def build_fails(make_site, pressroom, files, *args) -> list[str]:
    """Build a good site, break it with `files`, and check the failed build kept the output."""
    site = make_site(GOOD)
    assert pressroom("build", str(site)).code == 0
    before = tree(site / "output")
    from tests.conftest import write_files

    write_files(site, files)
    run = pressroom("build", *args, cwd=site)
    assert run.code == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == ""
    assert tree(site / "output") == before, "a failed build changed the previous output"
    leftovers = {p.name for p in site.iterdir()} - {".pressroom-cache"}  # the cache is meant to stay
    assert leftovers == {"content", "output", "pressroom.toml"} | {Path(f).parts[0] for f in files}
    lines = run.stderr.splitlines()
    assert lines[-1].startswith("pressroom: ") and "nothing was written" in lines[-1]
    return lines[:-1]


def test_missing_title(make_site, pressroom):
    assert build_fails(make_site, pressroom, {"content/news/x.md": "---\ndate: 2024-01-09\n---\nText\n"}) == [
        "content/news/x.md:1: title: is missing; add a line title: ..."
    ]


def test_broken_yaml(make_site, pressroom):
    assert build_fails(make_site, pressroom, {"content/news/x.md": "---\ntitle: Ok\ndate: 2024-01-09\ntags: [a, b\n---\n"}) == [
        "content/news/x.md:5: this is not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]


def test_bad_date(make_site, pressroom):
    assert build_fails(make_site, pressroom, {"content/news/esca-label.md": '---\ntitle: ESCA\n\ndate: "next tuesday"\n---\n'}) == [
        'content/news/esca-label.md:4: date: "next tuesday" is not a date; write 2024-01-09 or 2024-01-09T09:00:00+01:00'
    ]


def test_unknown_key(make_site, pressroom):
    assert build_fails(make_site, pressroom, {"content/news/x.md": "---\ntitle: A\ndate: 2024-01-09\nauthr: Kari\n---\n"}) == [
        'content/news/x.md:4: authr: unknown field; did you mean "author"?'
    ]


def test_all_errors_of_a_build_are_reported_together(make_site, pressroom):
    assert build_fails(make_site, pressroom, {
        "content/news/a.md": "---\ndate: 2024-01-09\n---\n",
        "content/news/b.md": "---\ntitle: B\ndate: soon\n---\n",
        "content/pages/c.md": "---\ntitle: C\nmenu: first\n---\n",
    }) == [
        "content/news/a.md:1: title: is missing; add a line title: ...",
        'content/news/b.md:3: date: "soon" is not a date; write 2024-01-09 or 2024-01-09T09:00:00+01:00',
        'content/pages/c.md:3: menu: "first" is not a whole number; write for example menu: 1',
    ]


def test_template_error(make_site, pressroom):
    assert build_fails(make_site, pressroom, {"templates/release.html": "{% extends 'base.html' %}\n{% block content %}\n{{ release.headline }}\n{% endblock %}\n"}) == [
        "templates/release.html:3: 'pressroom.model.Release object' has no attribute 'headline'; check the spelling, or guard it with {% if ... is defined %}"
    ]


def test_errors_name_paths_from_where_the_command_ran(make_site, pressroom, tmp_path):
    site = make_site({"content/news/x.md": "---\ntitle: A\n---\n"})
    run = pressroom("build", "site", cwd=tmp_path)
    assert run.stderr.splitlines()[0] == "site/content/news/x.md:1: date: is missing; write 2024-01-09 or 2024-01-09T09:00:00+01:00"


@pytest.mark.parametrize("output, message", [
    (".", "the output folder would contain the site itself"),
    ("content", "the output folder is inside content/"),
    ("notes", "holds files that Pressroom did not write"),
])
def test_dangerous_output_is_refused_and_nothing_deleted(make_site, pressroom, output, message):
    site = make_site({**GOOD, "notes/plan.txt": "mine"})
    before = tree(site)
    run = pressroom("build", ".", "--output", output, cwd=site)
    assert run.code == 1 and message in run.stderr
    assert tree(site) == before


def test_missing_config(tmp_path, pressroom):
    run = pressroom("build", str(tmp_path))
    assert run.code == 1
    assert run.stderr.splitlines()[0].endswith("/pressroom.toml: not found; is this a Pressroom site folder? Name the folder that holds pressroom.toml")


def test_builds_are_byte_identical(make_site, pressroom, tmp_path):
    site = make_site(GOOD)
    env = {"SOURCE_DATE_EPOCH": "1735689600"}
    assert pressroom("build", str(site), "--output", str(tmp_path / "one"), env=env).code == 0
    assert pressroom("build", str(site), "--output", str(tmp_path / "two"), env=env).code == 0
    assert tree(tmp_path / "one") == tree(tmp_path / "two")


def test_summary_line_and_build_info_name_the_next_change(make_site, pressroom):
    site = make_site({
        **GOOD,
        "content/news/2030/later.md": release(title="Later", date="2030-03-01T09:00:00+01:00"),
        "content/events/2030/open-day.md": "---\ntitle: Open day\nstart: 2030-02-01T10:00\nend: 2030-02-01T15:00\n---\nCome.\n",
        "content/events/2020/old.md": "---\ntitle: Old\nstart: \"2020-02-01\"\nstatus: cancelled\n---\n",
    })
    run = pressroom("build", str(site), env={"SOURCE_DATE_EPOCH": "1893456000"})  # 2030-01-01T00:00Z
    assert run.code == 0, run.stderr
    [line] = run.stdout.splitlines()
    assert line.endswith("; held back: 0 draft(s), 1 scheduled; next change 1 February 2030, 15:00 CET: “Open day” ends")
    info = json.loads((site / "output" / "build-info.json").read_text())
    assert info == {"build_time": "2030-01-01T01:00:00+01:00", "next_change": "2030-02-01T15:00:00+01:00", "next_change_reason": "“Open day” ends"}
    calendar = (site / "output" / "events" / "calendar.ics").read_bytes()
    assert b"STATUS:CANCELLED\r\n" in calendar
    # DTSTAMP is when the event was issued (here, for lack of a release or an embargo, its
    # start), not the build's clock: a later build leaves every calendar byte for byte as it was
    stamps = {event["SUMMARY"]: event.decoded("DTSTAMP") for event in icalendar.Calendar.from_ical(calendar).walk("VEVENT")}
    assert {summary: stamp.isoformat() for summary, stamp in stamps.items()} == {
        "Open day": "2030-02-01T09:00:00+00:00", "Old": "2020-01-31T23:00:00+00:00"}  # midnight in Oslo
    calendars = {path: data for path, data in tree(site / "output").items() if path.endswith(".ics")}
    assert pressroom("build", str(site), env={"SOURCE_DATE_EPOCH": "1893556000"}).code == 0
    assert {path: data for path, data in tree(site / "output").items() if path.endswith(".ics")} == calendars


def test_event_errors_are_reported_with_file_and_line(make_site, pressroom):
    site = make_site({
        **GOOD,
        "content/events/bad.md": "---\ntitle: Bad\nstart: 2030-02-01T10:00\nend: 2030-02-01T09:00\nstatus: maybe\n---\n",
        "content/labels/gold.md": "---\nissuer: esca\nlevel: platinum\nawarded: 2024-01-09\n---\n",
    })
    run = pressroom("build", cwd=site)
    assert run.code == 1
    assert run.stderr.splitlines() == [
        "content/events/bad.md:4: end: 2030-02-01T09:00 is before start (2030-02-01T10:00); an event cannot end before it starts",
        'content/events/bad.md:5: status: "maybe" is not a status; known ones are cancelled, moved-online, postponed, scheduled',
        'content/labels/gold.md:3: level: "platinum" is not a level of European Secretariat for Cluster Analysis; use one of bronze, silver, gold',
        "pressroom: 3 errors; nothing was written",
    ]


def test_an_image_without_alt_text_fails_the_build_at_its_line(make_site, pressroom):
    assert build_fails(make_site, pressroom, {"content/news/x.md": "---\ntitle: A\ndate: 2024-01-09\n---\nIntro.\n\n![](chart.png)\n"}) == [
        'content/news/x.md:7: the image "chart.png" has no alt text; describe what it shows for people who cannot see it, like ![A short description](chart.png)'
    ]


def test_warnings_are_printed_but_the_site_is_built(make_site, pressroom):
    site = make_site({"content/news/x.md": "---\ntitle: A\ndate: 2024-01-09\n---\nIntro.\n\n### Deep\n\nSee [](https://example.org/).\n"})
    run = pressroom("build", ".", cwd=site)
    assert run.code == 0
    assert run.stderr.splitlines() == [
        'content/news/x.md:7: warning: the heading "Deep" skips a level (### directly under the title); screen reader users move through a page by its headings, so use ##',
        'content/news/x.md:9: warning: the link to "https://example.org/" has no text, so screen readers read out the address; write what it leads to, like [Annual report 2024](https://example.org/)',
    ]
    [line] = run.stdout.splitlines()
    assert line.endswith("; 2 warnings")
    assert (site / "output" / "news" / "2024" / "a" / "index.html").is_file()


def test_warnings_are_shown_with_the_errors_of_a_failed_build(make_site, pressroom):
    run = pressroom("build", ".", cwd=make_site({
        "content/news/x.md": "---\ntitle: A\ndate: 2024-01-09\n---\n### Deep\n",
        "content/news/y.md": "---\ntitle: B\n---\nText\n",
    }))
    assert run.code == 1
    assert run.stderr.splitlines()[:2] == [
        'content/news/x.md:5: warning: the heading "Deep" skips a level (### directly under the title); screen reader users move through a page by its headings, so use ##',
        "content/news/y.md:1: date: is missing; write 2024-01-09 or 2024-01-09T09:00:00+01:00",
    ]


def test_feeds_sitemap_and_robots_are_written(make_site, pressroom):
    site = make_site(GOOD)
    assert pressroom("build", str(site)).code == 0
    out = site / "output"
    for name in ("atom.xml", "rss.xml", "feed.json", "sitemap.xml", "robots.txt", "tags/awards/atom.xml", "tags/awards/rss.xml"):
        assert (out / name).is_file(), name
