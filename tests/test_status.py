"""`pressroom status`: what is waiting to go out and when, in plain words."""

import json

from tests.conftest import release

# 08:00 CET on 8 January 2024, the morning before the embargo lifts.
MORNING = {"SOURCE_DATE_EPOCH": "1704697200"}
SITE = {
    "content/news/2024/esca.md": release().replace("tags:", "embargo: 2024-01-09T09:00:00+01:00\ntags:").replace("2024-01-09", "2024-01-08", 1),
    "content/news/2024/later.md": release("Launchpad results", "2024-02-01T10:00:00+01:00"),
    "content/news/2024/draft.md": "---\ntitle: Half-written\ndate: 2024-01-05\ndraft: true\n---\nTo do.\n",
    "content/news/2023/old.md": release("An older release", "2023-05-02"),
    "content/events/hack.md": "---\ntitle: Health Hack\nstart: 2024-01-06T17:00:00\nend: 2024-01-10T16:00:00\n---\nA hackathon.\n",
    "content/events/day.md": "---\ntitle: Investor day\nstart: 2024-01-20T09:00:00\nstatus: postponed\n---\nPitches.\n",
    "content/events/far.md": "---\ntitle: Annual conference\nstart: 2024-06-01T09:00:00\n---\nFar off.\n",
    "content/events/secret.md": "---\ntitle: Secret summit\nstart: 2024-03-01T09:00:00\nembargo: 2024-01-15T12:00:00\n---\nHush.\n",
    "content/labels/bronze.md": "---\ntitle: Bronze\nissuer: esca\nlevel: bronze\nawarded: 2022-02-01\n---\nHeld.\n",
}


def test_status_says_what_waits_what_starts_ends_and_expires_and_when_to_rebuild(make_site, pressroom):
    site = make_site(SITE)
    run = pressroom("status", cwd=site, env=MORNING)
    assert run.code == 0, run.stderr
    assert run.stderr == ""
    assert run.stdout.splitlines() == [
        "Test Newsroom, as of 8 January 2024, 08:00 CET:",
        "",
        "Waiting to go out:",
        "  9 January 2024, 09:00 CET (in 25 hours): embargoed release “MEDVIA awarded Bronze Label” (content/news/2024/esca.md)",
        "  15 January 2024, 12:00 CET (in 7 days): embargoed event “Secret summit” (content/events/secret.md)",
        "  1 February 2024, 10:00 CET (in 24 days): scheduled release “Launchpad results” (content/news/2024/later.md)",
        "",
        "Drafts, which go out only once they say draft: false (1):",
        "  “Half-written” (content/news/2024/draft.md)",
        "",
        "Events starting or ending in the next 30 days:",
        "  10 January 2024, 16:00 CET (in 2 days): “Health Hack” ends",
        "  20 January 2024, 09:00 CET (in 12 days): “Investor day” starts (postponed)",
        "",
        "Labels expiring in the next 30 days:",
        "  2 February 2024, 00:00 CET (in 24 days): “Bronze” is held until 2024-02-01",
        "",
        "Build the site again on 9 January 2024, 09:00 CET (in 25 hours): the embargo on a release lifts.",
    ]


def test_the_rebuild_moment_is_the_next_change_in_build_info(make_site, pressroom):
    site = make_site(SITE)
    assert pressroom("build", cwd=site, env=MORNING).code == 0
    info = json.loads((site / "output" / "build-info.json").read_text())
    status = pressroom("status", cwd=site, env=MORNING).stdout.splitlines()[-1]
    assert info["next_change"] == "2024-01-09T09:00:00+01:00"
    assert status.startswith("Build the site again on 9 January 2024, 09:00 CET") and info["next_change_reason"] in status


def test_status_builds_nothing_and_looks_as_far_as_asked(make_site, pressroom):
    site = make_site(SITE)
    run = pressroom("status", str(site), "--days", "200", env=MORNING)
    assert run.code == 0
    assert "  1 June 2024, 09:00 CEST (in 145 days): “Annual conference” starts" in run.stdout.splitlines()
    assert not (site / "output").exists()


def test_a_quiet_site(make_site, pressroom):
    site = make_site({"content/news/2023/old.md": release("An older release", "2023-05-02")})
    lines = pressroom("status", cwd=site, env=MORNING).stdout.splitlines()
    assert lines[2:] == [
        "Nothing is embargoed or scheduled.",
        "",
        "No event starts or ends in the next 30 days.",
        "",
        "No label expires in the next 30 days.",
        "",
        "Nothing on the site changes by itself: build it again after your next change.",
    ]


def test_status_errors_like_build(make_site, pressroom):
    site = make_site({"content/news/x.md": "---\ntitle: X\n---\n"})
    run = pressroom("status", cwd=site)
    assert run.code == 1 and run.stderr.splitlines()[0].startswith("content/news/x.md:1: date: is missing")
    assert pressroom("status", "--days", "-1", cwd=site).code == 2
