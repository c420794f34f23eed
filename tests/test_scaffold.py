"""`pressroom new` and `pressroom init`, as an editor runs them."""

from pathlib import Path

import pytest
import yaml

from pressroom.parse import EVENT_FIELDS, LABEL_FIELDS, PAGE_FIELDS, RELEASE_FIELDS
from pressroom.front_matter import split_document
from pressroom.source import SourceFile
from tests.conftest import ROOT, tree

# 23:30 UTC on 8 January is already 9 January in Oslo, the test site's time zone.
LATE_EVENING_UTC = {"SOURCE_DATE_EPOCH": "1704756600"}
NEW_RELEASE = "content/news/2024-01-09-medvia-awarded-bronze-label.md"


def front_matter(path: Path) -> tuple[dict, list[str]]:
    text = path.read_text("utf-8")
    document = split_document(SourceFile(path.name, text))
    return document.meta, text.split("\n")


def assert_every_field_explained(path: Path, fields) -> None:
    meta, lines = front_matter(path)
    assert set(meta) == set(fields)
    for key in meta:
        [number] = [n for n, line in enumerate(lines) if line.startswith(f"{key}:")]
        assert lines[number - 1].startswith("# "), f"{key} has no comment above it"


def test_new_release_is_named_by_todays_date_in_the_sites_time_zone(make_site, pressroom):
    site = make_site()
    run = pressroom("new", "release", "MEDVIA awarded Bronze Label", cwd=site, env=LATE_EVENING_UTC)
    assert run.code == 0, run.stderr
    assert run.stdout == NEW_RELEASE + "\n" and run.stderr == ""
    meta, lines = front_matter(site / NEW_RELEASE)
    assert meta["title"] == "MEDVIA awarded Bronze Label"
    assert str(meta["date"]) == "2024-01-09"
    assert meta["draft"] is True


def test_new_release_has_every_field_present_and_commented(make_site, pressroom):
    site = make_site()
    assert pressroom("new", "release", "MEDVIA awarded Bronze Label", cwd=site, env=LATE_EVENING_UTC).code == 0
    assert_every_field_explained(site / NEW_RELEASE, [f for f in RELEASE_FIELDS if f not in ("event", "label")])
    _, lines = front_matter(site / NEW_RELEASE)
    # The blocks for an event or a label it announces are there, ready to be uncommented.
    assert "# event:" in lines and "# label:" in lines
    uncommented = yaml.safe_load("\n".join(line[2:] for line in lines if line.startswith(("# event:", "#   ")) and "issuer" not in line and "level" not in line and "awarded" not in line))
    assert set(uncommented["event"]) >= {"title", "start", "location"}


def test_a_new_release_builds_as_a_draft_until_it_is_marked_ready(make_site, pressroom):
    site = make_site()
    assert pressroom("new", "release", "MEDVIA: awarded Bronze Label", cwd=site, env=LATE_EVENING_UTC).code == 0
    run = pressroom("build", str(site), env=LATE_EVENING_UTC)
    assert run.code == 0, run.stderr
    assert "held back: 1 draft(s)" in run.stdout
    page = site / "output" / "news" / "2024" / "medvia-awarded-bronze-label" / "index.html"
    assert not page.exists()
    path = site / NEW_RELEASE
    path.write_text(path.read_text().replace("draft: true", "draft: false"))
    assert pressroom("build", str(site), env=LATE_EVENING_UTC).code == 0
    assert "<h1>MEDVIA: awarded Bronze Label</h1>" in page.read_text()


def test_new_refuses_to_overwrite(make_site, pressroom):
    site = make_site()
    assert pressroom("new", "release", "Bronze", cwd=site, env=LATE_EVENING_UTC).code == 0
    (site / "content/news/2024-01-09-bronze.md").write_text("mine")
    run = pressroom("new", "release", "Bronze", cwd=site, env=LATE_EVENING_UTC)
    assert run.code == 1 and run.stdout == ""
    assert run.stderr.splitlines() == [
        "content/news/2024-01-09-bronze.md: already exists, and Pressroom never writes over a file; edit that one, or choose another title",
        "pressroom: 1 error; nothing was written",
    ]
    assert (site / "content/news/2024-01-09-bronze.md").read_text() == "mine"


def test_new_page_is_published_at_its_slug(make_site, pressroom, tmp_path):
    site = make_site()
    run = pressroom("new", "page", "Contact us", "site", cwd=tmp_path)
    assert run.code == 0 and run.stdout == "site/content/pages/contact-us.md\n"
    assert_every_field_explained(site / "content/pages/contact-us.md", PAGE_FIELDS)
    assert pressroom("build", str(site)).code == 0
    assert "<h1>Contact us</h1>" in (site / "output" / "contact-us" / "index.html").read_text()


def test_new_event_and_label(make_site, pressroom):
    site = make_site()
    run = pressroom("new", "event", "Members' meeting", cwd=site, env=LATE_EVENING_UTC)
    assert run.code == 0 and run.stdout == "content/events/members-meeting.md\n"
    meta, _ = front_matter(site / "content/events/members-meeting.md")
    assert meta["title"] == "Members' meeting" and str(meta["start"]) == "2024-01-09T09:00:00"
    assert_every_field_explained(site / "content/events/members-meeting.md", [f for f in EVENT_FIELDS if f != "name"])
    run = pressroom("new", "label", "Cluster Management Excellence – Silver", cwd=site, env=LATE_EVENING_UTC)
    assert run.code == 0 and run.stdout == "content/labels/cluster-management-excellence-silver.md\n"
    meta, _ = front_matter(site / "content/labels/cluster-management-excellence-silver.md")
    assert (meta["issuer"], meta["level"], str(meta["awarded"])) == ("esca", "bronze", "2024-01-09")
    assert_every_field_explained(site / "content/labels/cluster-management-excellence-silver.md", LABEL_FIELDS)
    run = pressroom("build", "--drafts", cwd=site, env=LATE_EVENING_UTC)
    assert run.code == 0, run.stderr
    assert "<h1>Members&#39; meeting</h1>" in (site / "output/events/2024/members-meeting/index.html").read_text()
    assert "<h1>Cluster Management Excellence – Silver</h1>" in (site / "output/labels/cluster-management-excellence-silver/index.html").read_text()


def test_new_label_needs_an_issuer(make_site, pressroom):
    site = make_site(config='title = "T"\nbase_url = "https://example.org/"\n')
    run = pressroom("new", "label", "Silver", cwd=site)
    assert run.code == 1
    assert run.stderr.startswith("pressroom.toml: has no [issuers.…] table")
    assert not (site / "content").exists()


@pytest.mark.parametrize("args, message", [
    (["new", "press-release", "X"], "invalid choice: 'press-release'"),
    (["new", "release", "!!!"], 'pressroom new: the title "!!!" has no letters or digits to make a file name from'),
    (["new", "release", "   "], "pressroom new: the title is empty"),
    (["new", "release", "X", "no-such-folder"], "pressroom new: no-such-folder: no such folder"),
])
def test_new_usage_errors(make_site, pressroom, args, message):
    site = make_site()
    run = pressroom(*args, cwd=site)
    assert run.code == 2 and message in run.stderr
    assert "Traceback" not in run.stderr
    assert not (site / "content").exists()


def test_new_outside_a_site(tmp_path, pressroom):
    run = pressroom("new", "release", "X", cwd=tmp_path)
    assert run.code == 1 and "pressroom.toml: not found" in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_init_makes_a_site_that_builds_and_passes_the_check(tmp_path, pressroom):
    run = pressroom("init", "newsroom", "--title", "MEDVIA: Newsroom", "--timezone", "Europe/Oslo", cwd=tmp_path, env=LATE_EVENING_UTC)
    assert run.code == 0, run.stderr
    assert run.stdout.startswith("Made a new site in newsroom")
    site = tmp_path / "newsroom"
    assert sorted(tree(site)) == [
        ".github/workflows/pressroom.yml",
        ".gitignore",
        "README.md",
        "content/events/open-day.md",
        "content/labels/cluster-management-excellence-bronze.md",
        "content/news/2024-01-09-welcome-to-our-newsroom.md",
        "content/pages/about.md",
        "pressroom.toml",
        "requirements.txt",
    ]
    assert (site / ".github/workflows/pressroom.yml").read_bytes() == (ROOT / ".github/workflows/pressroom.yml").read_bytes()
    check = pressroom("check", cwd=site, env=LATE_EVENING_UTC)
    assert check.code == 0, check.stderr
    assert check.stderr == "" and check.stdout.startswith("Checked ") and check.stdout.endswith(": 0 broken, 0 warnings\n")
    home = (site / "output" / "index.html").read_text()
    assert "<title>MEDVIA: Newsroom</title>" in home and "Welcome to our newsroom" in home


def test_init_readme_explains_every_field(tmp_path, pressroom):
    assert pressroom("init", "site", "--timezone", "UTC", cwd=tmp_path).code == 0
    readme = (tmp_path / "site" / "README.md").read_text()
    for field in [*RELEASE_FIELDS, *PAGE_FIELDS, *EVENT_FIELDS, *LABEL_FIELDS]:
        if field not in ("event", "label", "name"):
            assert f"`{field}`" in readme, field


def test_init_refuses_a_folder_with_files(tmp_path, pressroom):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "notes.txt").write_text("mine")
    run = pressroom("init", "site", cwd=tmp_path)
    assert run.code == 1 and "site: already exists and is not empty" in run.stderr
    assert tree(tmp_path) == {"site/notes.txt": b"mine"}


def test_init_into_an_empty_folder(tmp_path, pressroom):
    (tmp_path / "site").mkdir()
    assert pressroom("init", "site", "--timezone", "UTC", cwd=tmp_path).code == 0
    assert (tmp_path / "site" / "pressroom.toml").is_file()
    assert [p.name for p in tmp_path.iterdir()] == ["site"], "no staging folder is left behind"


@pytest.mark.parametrize("args, message", [
    (["--timezone", "Mars/Olympus"], '--timezone: "Mars/Olympus" is not a known time zone'),
    (["--base-url", "newsroom.example.org"], '--base-url: "newsroom.example.org" is not a web address'),
])
def test_init_usage_errors(tmp_path, pressroom, args, message):
    run = pressroom("init", "site", *args, cwd=tmp_path)
    assert run.code == 2 and message in run.stderr
    assert list(tmp_path.iterdir()) == []
