"""A build with nothing changed is answered without building (unchanged.py), and any change
at all, to the site, its output, the options or the clock, still gets a real build.

Files are aged (their modification time put an hour and more in the past) as they are on a
real machine between two builds: a file changed a moment before a build might change again
unseen within the same tick of the clock, so such a build never leaves a record to reuse.
"""

import json
import os
import re
import shutil
import time
from pathlib import Path
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pressroom.pipeline import build
from tests.conftest import write_files
from tests.test_incremental import CHANGES, NOW, SITE, clean_build, tree, without_marker

_clock = [time.time_ns() - 3600 * 10**9]


def age(folder):
    """The files written in the last minute as if written a while ago, each time a little
    later (as edits are); older ones keep their time, so a build sees only what changed."""
    _clock[0] += 10**9
    recent = time.time_ns() - 60 * 10**9
    for path in folder.rglob("*"):
        if path.is_file() and ".pressroom-cache" not in path.parts and "output" not in path.parts and path.stat().st_mtime_ns > recent:
            os.utime(path, ns=(_clock[0], _clock[0]))


@pytest.fixture
def site(make_site):
    site = make_site({**SITE, "content/news/2024/no-alt.md": "---\ntitle: Heading skipped\ndate: 2024-02-02\n---\n#### Deep\n\nText.\n"})
    age(site)
    return site


def states(folder):
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def test_nothing_changed_writes_only_the_build_time(site):
    first = build(site, now=NOW)
    assert first.site is not None and first.warnings  # a real build, with a warning to repeat
    before, files = states(site / "output"), tree(site / "output")
    later = NOW + timedelta(hours=1)
    again = build(site, now=later)
    assert again.site is None, "nothing changed: the last build's output is the site"
    assert (again.pages, again.written, again.unchanged, again.removed) == (first.pages, 1, first.written + first.unchanged - 1, 0)
    assert (again.notes, again.warnings) == (first.notes, first.warnings)
    after = states(site / "output")
    assert {rel for rel in after if after[rel] != before[rel]} == {"build-info.json"}
    info = json.loads((site / "output/build-info.json").read_text())
    assert info["build_time"] == later.astimezone(first.site.config.tz).isoformat()
    assert {rel: data for rel, data in tree(site / "output").items() if rel != "build-info.json"} == {
        rel: data for rel, data in files.items() if rel != "build-info.json"}
    assert without_marker(tree(site / "output")) == clean_build(site, site.parent / "clean", now=later)


def test_the_same_moment_again_writes_nothing(site):
    build(site, now=NOW)
    before = states(site / "output")
    again = build(site, now=NOW)
    assert (again.site, again.written) == (None, 0)
    assert states(site / "output") == before


TAMPERING = {
    "an output page edited by hand": lambda out: (out / "news/2024/bronze-label/index.html").write_text("tampered"),
    "an output page deleted": lambda out: (out / "about/index.html").unlink(),
    "a stray file in the output": lambda out: (out / "stray.html").write_text("not ours"),
    "a stray file deep in the output": lambda out: (out / "news/2024/stray.html").write_text("not ours"),
    "an output folder removed": lambda out: shutil.rmtree(out / "tags"),
}


@pytest.mark.parametrize("change", [*CHANGES, *TAMPERING, "delete a release", "a scheduled release falls due", "the clock goes back"])
def test_any_change_gets_a_real_build_like_a_clean_one(site, tmp_path, change):
    now = NOW
    build(site, now=now)
    if change in CHANGES:
        write_files(site, CHANGES[change])
    elif change in TAMPERING:
        TAMPERING[change](site / "output")
    elif change == "delete a release":
        (site / "content/news/2023/members.md").unlink()
    elif change == "a scheduled release falls due":
        now = NOW.replace(month=7, day=2)  # "Launch on 1 July" is out
    elif change == "the clock goes back":
        now = NOW - timedelta(days=200)
    age(site)
    report = build(site, now=now)
    assert report.site is not None, f"{change}: the build was skipped"
    assert without_marker(tree(site / "output")) == clean_build(site, tmp_path, now=now)


@pytest.fixture
def looked_at_elsewhere(monkeypatch, tmp_path):
    """The look at the output runs in another process, as for a large site on the command
    line; returns the file where each look notes the process it ran in."""
    from pressroom import unchanged, workers

    noted = tmp_path / "looked-from"
    real_work = unchanged.output_as_left

    def noting(output_dir, last):
        with open(noted, "a") as note:
            note.write(f"{os.getpid()}\n")
        return real_work(output_dir, last)

    monkeypatch.setattr(unchanged, "LOOK_ELSEWHERE", 0)
    monkeypatch.setattr(unchanged, "output_as_left", noting)
    monkeypatch.setattr(workers.threading, "active_count", lambda: 1)  # as on the command line
    return noted


@pytest.mark.parametrize("change", ["nothing", "edit a title", "add a release", *TAMPERING])
def test_the_look_at_the_output_from_another_process_serves_as_well(site, tmp_path, looked_at_elsewhere, change):
    build(site, now=NOW)
    if change in CHANGES:
        write_files(site, CHANGES[change])
    elif change in TAMPERING:
        TAMPERING[change](site / "output")
    age(site)
    report = build(site, now=NOW)
    assert (report.site is None) == (change == "nothing")
    assert without_marker(tree(site / "output")) == clean_build(site, tmp_path / "clean", now=NOW)
    looked_from = {int(pid) for pid in looked_at_elsewhere.read_text().split()}
    assert looked_from and os.getpid() not in looked_from


def test_other_options_are_other_builds(site, tmp_path):
    build(site, now=NOW)
    drafts = build(site, now=NOW, drafts=True)
    assert drafts.site is not None and any(r.draft for r in drafts.site.releases)
    moved = build(site, now=NOW, base_url="https://elsewhere.example/news/")
    assert moved.site is not None
    assert "https://elsewhere.example/news/" in (site / "output/sitemap.xml").read_text()


def test_a_file_changed_just_before_a_build_counts_by_its_content(site):
    """Its time could miss a second change within the same tick of the file system's clock:
    a change of the same size, at the same recorded time, is still seen."""
    award = site / "content/news/2024/award.md"
    write_files(site, {"content/news/2024/award.md": SITE["content/news/2024/award.md"] + "\nJust now.\n"})
    build(site, now=NOW)
    assert build(site, now=NOW).site is None  # the same bytes: nothing to do
    stat = award.stat()
    award.write_text(award.read_text().replace("Just now.", "Again now"))
    os.utime(award, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert award.stat().st_size == stat.st_size
    again = build(site, now=NOW)
    assert again.site is not None
    assert "Again now" in (site / "output/news/2024/bronze-label/index.html").read_text()


def test_the_command_line_repeats_the_summary_and_the_warnings(site, pressroom):
    env = {"SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    first = pressroom("build", str(site), env=env)
    again = pressroom("build", str(site), env=env)
    assert first.code == again.code == 0, first.stderr + again.stderr
    assert again.stderr == first.stderr and "heading" in again.stderr
    def without_time_and_counts(line: str) -> str:  # "Built 17 pages; held back: ..."
        return re.sub(r" in [0-9.]+ s into \S+ \([^)]*\)", "", line)

    assert without_time_and_counts(again.stdout) == without_time_and_counts(first.stdout)
    assert without_time_and_counts(first.stdout).startswith("Built ") and "; held back" in first.stdout
    assert "next change" in again.stdout and "held back: 1 draft(s), 1 scheduled" in again.stdout
    assert "(0 changed," in again.stdout


def test_what_reuse_saw_is_not_trusted_after_another_build_ran(site, tmp_path):
    """reuse() looks at the output before the build takes the lock; a build that ran in
    between (another terminal, a scheduler) makes that look stale, and it is not used."""
    from pressroom import unchanged
    from pressroom.pipeline import Builder

    build(site, now=NOW)
    write_files(site, CHANGES["edit a title"])
    age(site)
    looked = unchanged.reuse(site, now=NOW)
    assert looked.report is None and looked.output is not None
    write_files(site, CHANGES["add a release"])  # and someone else builds meanwhile
    age(site)
    build(site, now=NOW)
    (site / "output/stray.html").write_text("not ours")  # what the stale look cannot know of
    Builder(site, remember=True, looked=looked).build(NOW)
    assert without_marker(tree(site / "output")) == clean_build(site, tmp_path, now=NOW)


def test_an_edit_builds_from_the_look_at_the_inputs_without_walking_the_content_again(site, tmp_path, monkeypatch):
    from pressroom import source, unchanged

    build(site, now=NOW)
    write_files(site, CHANGES["add a release"])
    age(site)
    walked, real_walk = [], source.walk
    for module in (source, unchanged):
        monkeypatch.setattr(module, "walk", lambda folder, *args, **kwargs: walked.append(Path(folder)) or real_walk(folder, *args, **kwargs))
    report = build(site, now=NOW)
    assert report.site is not None and "Brand new" in [release.title for release in report.site.releases]
    assert [folder for folder in walked if folder.is_relative_to(site / "content")] == [site / "content"]  # once, by the look
    monkeypatch.undo()
    assert without_marker(tree(site / "output")) == clean_build(site, tmp_path, now=NOW)


def test_what_reuse_saw_is_not_trusted_after_a_killed_builds_files_were_put_in_place(site, tmp_path):
    """A build killed while moving its files in leaves a journal; the next build finishes
    the move before it builds, which changes the output after reuse() looked at it."""
    from pressroom import unchanged
    from pressroom.pipeline import Builder
    from pressroom.write import JOURNAL

    build(site, now=NOW)
    write_files(site, CHANGES["edit a title"])
    age(site)
    looked = unchanged.reuse(site, now=NOW)
    assert looked.report is None and looked.output is not None
    page = next(rel for rel in sorted(tree(site / "output")) if rel.startswith("news/") and rel.endswith("/index.html"))
    killed = site / ".output.staging-killed"
    (killed / page).parent.mkdir(parents=True)
    (killed / page).write_text("half of another build")
    (killed / JOURNAL).write_text(json.dumps({"moves": [page], "removals": []}))
    Builder(site, remember=True, looked=looked).build(NOW)
    assert not killed.exists()
    assert without_marker(tree(site / "output")) == clean_build(site, tmp_path, now=NOW)


def test_a_build_looks_at_the_output_itself_when_the_look_in_the_background_finds_it_changed(site, tmp_path, monkeypatch):
    from pressroom import pipeline, unchanged, write

    build(site, now=NOW)
    write_files(site, CHANGES["edit a title"])
    age(site)
    monkeypatch.setattr(unchanged, "output_as_left", lambda output_dir, last: None)
    scanned = []
    monkeypatch.setattr(pipeline, "scan_output", lambda folder: scanned.append(folder) or write.scan_output(folder))
    build(site, now=NOW)
    assert len(scanned) == 1
    monkeypatch.undo()
    assert without_marker(tree(site / "output")) == clean_build(site, tmp_path, now=NOW)


def test_an_edit_builds_from_the_look_at_the_output_without_walking_it(site, tmp_path, monkeypatch):
    from pressroom import pipeline

    build(site, now=NOW)
    write_files(site, CHANGES["add a release"])
    age(site)
    walked = []
    monkeypatch.setattr(pipeline, "scan_output_soon", lambda folder: walked.append(folder) or (lambda: write.OutputStates({}, {})))
    report = build(site, now=NOW)
    assert report.site is not None and walked == []
    monkeypatch.undo()
    assert without_marker(tree(site / "output")) == clean_build(site, tmp_path, now=NOW)


def make_edit(site, edit):
    """One of CHANGES, or "delete a release"; made a while after the last build."""
    if edit == "delete a release":
        (site / "content/news/2023/members.md").unlink()
    else:
        write_files(site, CHANGES[edit])
    age(site)


@pytest.mark.parametrize("edit", ["edit a title", "add a release", "delete a release"])
def test_after_an_edit_moved_in_the_record_looks_again_only_at_folders_it_touched(site, tmp_path, monkeypatch, edit):
    """An edit build that moves its few changed files in (rather than exchanging the whole
    output) records the folders it did not touch as the look before it saw them. The record
    still tells every later change, in those folders too."""
    from pressroom import write

    monkeypatch.setattr(write, "FEW_CHANGES", 1)  # moved in, even on a site this small
    build(site, now=NOW)
    make_edit(site, edit)
    folders = sum(1 for path in (site / "output").rglob("*") if path.is_dir())
    looked_at = []
    real_stat = os.stat
    monkeypatch.setattr(os, "stat", lambda path, *args, **kwargs: (looked_at.append(path) if str(path).endswith("/") else None) or real_stat(path, *args, **kwargs))
    report = build(site, now=NOW)
    monkeypatch.setattr(os, "stat", real_stat)
    assert report.site is not None
    assert folders <= len(looked_at) < 2 * folders, "each folder was looked at by reuse(), and again only where the edit moved files"
    assert build(site, now=NOW).site is None, "nothing changed since the edit: skipped"
    (site / "output/about/stray.html").write_text("not ours")  # in a folder the edit did not touch
    assert build(site, now=NOW).site is not None
    assert without_marker(tree(site / "output")) == clean_build(site, tmp_path, now=NOW)


@pytest.mark.parametrize("moved_in", [True, False])
@pytest.mark.parametrize("edit", ["edit a body", "edit a title", "add a release", "add an asset", "delete a release"])
def test_the_record_an_edit_leaves_is_the_output_as_it_is(site, monkeypatch, edit, moved_in):
    """After an edit, the record is the last one with the states of the files the build
    wrote and of the folders it touched put in: it says what a fresh look at the whole
    output says, whether the edit moved its files in or exchanged the whole output."""
    from pressroom import write
    from pressroom.unchanged import options_of, output_paths, packed_states, recall

    monkeypatch.setattr(write, "FEW_CHANGES", 1 if moved_in else 10**6)
    build(site, now=NOW)
    make_edit(site, edit)
    assert build(site, now=NOW).site is not None
    out = (site / "output").resolve()
    record = recall(site.resolve(), out, options_of(False, None))
    assert record is not None
    assert record.paths == output_paths(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert record.states == packed_states(out, record.paths)
    assert build(site, now=NOW).site is None, "nothing changed since: skipped"


def test_the_record_keeps_any_file_name_the_output_holds(site):
    """Names with a newline, with bytes that are not UTF-8, with accents: the record gives
    each back as it was, so the next build with nothing changed still finds the output as
    it was left."""
    assets = site / "assets"
    assets.mkdir(exist_ok=True)
    names = ["two\nlines.txt", "caf\udce9-latin-1.txt", "café.txt", "a b.txt"]
    for name in names:
        (assets / name).write_bytes(b"an asset")
    age(site)
    build(site, now=NOW)
    assert all((site / "output/assets" / name).read_bytes() == b"an asset" for name in names)
    again = build(site, now=NOW + timedelta(hours=1))
    assert again.site is None, "the output as it was left was not recognised"


def test_a_record_this_version_cannot_read_means_a_full_build(site):
    """As an older version left it (JSON alone), or cut short: the build is a real one, and
    leaves a record the next build reads again."""
    from pressroom.unchanged import options_of, recall, record_path

    build(site, now=NOW)
    output, options = (site / "output").resolve(), options_of(False, None)
    record = recall(site.resolve(), output, options)
    assert record is not None and len(record.paths) > 10 and len(record.states) == 16 * len(record.paths)
    where = record_path(site.resolve(), output, options)
    whole = where.read_bytes()
    for unreadable in (json.dumps({**vars(record), "states": None, "paths": [], "read_as": None}).encode(), whole[: len(whole) // 2], b"", b"\xff\n"):
        where.write_bytes(unreadable)
        assert recall(site.resolve(), output, options) is None
        assert build(site, now=NOW + timedelta(hours=1)).site is not None, "a record it cannot read was trusted"
        assert build(site, now=NOW + timedelta(hours=1)).site is None, "the record left after it was not read"


_paths = st.lists(st.text(st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), min_size=1, max_size=12)
                  | st.sampled_from(["caf\udce9.txt", "two\nlines/"]), unique=True, max_size=8)


@settings(max_examples=100, deadline=None)
@given(paths=_paths, sizes=st.lists(st.integers(0, 2**40), min_size=8, max_size=8), times=st.lists(st.integers(-2**62, 2**62), min_size=8, max_size=8))
def test_a_record_reads_back_as_it_was_left(tmp_path_factory, paths, sizes, times):
    """Any names a file system allows (but NUL), files then folders as output_paths() gives
    them, any sizes and times, in their order; folders among the files is no record."""
    from array import array

    from pressroom.unchanged import LastBuild, options_of, recall, remember

    paths = [p for p in paths if not p.endswith("/")] + [p for p in paths if p.endswith("/")]
    site = tmp_path_factory.mktemp("site")
    output, options = site / "output", options_of(False, None)
    states = array("q", [n for size, time_ns in zip(sizes, times[: len(paths)]) for n in (size, time_ns)]).tobytes()
    record = LastBuild(inputs="i", by_content=["content/a.md"], paths=paths[: len(sizes)], states=states, top=["index.html"], built=NOW.isoformat(),
                       until=None, pages=3, files=4, tz="Europe/Brussels", next_change=None, next_change_reason=None, notes="", warnings=[("a.md", 3, "w")])
    remember(site, output, options, record)
    again = recall(site, output, options)
    assert again is not None and again.paths == record.paths and again.states == states
    assert again == replace(record, warnings=[["a.md", 3, "w"]])  # JSON has lists only
    assert again.is_current(site, output, options) and not record.is_current(site, output, options)
    remember(site, output, options, replace(record, pages=4))
    assert not again.is_current(site, output, options), "another build left another record since"
    if any(p.endswith("/") for p in record.paths) and not all(p.endswith("/") for p in record.paths):
        remember(site, output, options, replace(record, paths=record.paths[::-1], states=states[::-1]))
        assert recall(site, output, options) is None, "a folder before a file: not a record output_paths() gave"


_names = st.lists(st.sampled_from(["index.html", "news/index.html", "news/2024/a/index.html", "news/2024/b/index.html", "news/2024/a.html",
                                   "news/2025/c/index.html", "tags/x/index.html", "assets/logo.svg", "build-info.json", "news/2024/a/index.htm"]), unique=True)


@settings(max_examples=300, deadline=None)
@given(before=_names, after=_names)
def test_the_paths_of_the_last_record_are_kept_only_for_the_same_files(before, after):
    from pressroom.unchanged import output_paths

    last = output_paths(before)
    assert output_paths(after, last) == output_paths(after)
    assert (output_paths(after, last) is last) == ({*after} - {"build-info.json"} == {*before} - {"build-info.json"})
