"""The watcher: real files in tmp_path, real scans and a real watching thread."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from pressroom import watch
from pressroom.watch import Watcher, changed_paths, is_scratch_file, scan
from tests.conftest import wait_for


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "content" / "news").mkdir(parents=True)
    (tmp_path / "content" / "news" / "a.md").write_text("a")
    (tmp_path / "pressroom.toml").write_text('title = "x"\n')
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "index.html").write_text("built")
    return tmp_path


def test_scan_covers_content_templates_assets_and_the_config_and_nothing_else(site):
    (site / "templates").mkdir()
    (site / "templates" / "base.html").write_text("t")
    (site / "assets" / "css").mkdir(parents=True)
    (site / "assets" / "css" / "site.css").write_text("c")
    (site / "notes.txt").write_text("not part of the site")
    assert sorted(scan(site)) == [
        "/", "assets/", "assets/css/", "assets/css/site.css", "content/", "content/news/", "content/news/a.md",
        "pressroom.toml", "templates/", "templates/base.html",
    ]


@pytest.mark.parametrize("name", [".a.md.swp", "a.md~", "#a.md#", ".#a.md", "4913", ".goutputstream-X1", "a.md.tmp", ".DS_Store"])
def test_editor_scratch_files_are_not_watched(name):
    assert is_scratch_file(name)


@pytest.mark.parametrize("name", ["a.md", "pressroom.css", "logo.svg", "2024-01-09-label.md"])
def test_real_files_are_watched(name):
    assert not is_scratch_file(name)


def test_changes_seen_between_scans(site):
    before = scan(site)
    (site / "content" / "news" / "a.md").write_text("a, edited")
    (site / "content" / "news" / "2025").mkdir()
    (site / "content" / "news" / "2025" / "new.md").write_text("new")
    (site / "content" / "pages").mkdir()
    os.rename(site / "content" / "news" / "2025" / "new.md", site / "content" / "pages" / "moved.md")
    (site / "pressroom.toml").unlink()
    assert changed_paths(before, scan(site)) == {"content/news/a.md", "content/pages/moved.md", "pressroom.toml"}


def test_a_write_of_the_same_size_in_the_same_second_is_seen(site):
    path = site / "content" / "news" / "a.md"
    before = scan(site)
    stat = path.stat()
    path.write_text("b")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and mtime: ctime still moves
    assert changed_paths(before, scan(site)) == {"content/news/a.md"}


class Recorder:
    def __init__(self):
        self.batches: list[list[Path]] = []
        self.lock = threading.Lock()

    def __call__(self, paths):
        with self.lock:
            self.batches.append(list(paths))

    def names(self) -> list[list[str]]:
        with self.lock:
            return [[p.name for p in batch] for batch in self.batches]


@pytest.fixture(params=["small site", "large site"])
def watching(site, request, monkeypatch):
    """A running watcher; on a "large site" the end of a burst is confirmed by a quick look."""
    if request.param == "large site":
        monkeypatch.setattr(watch, "CHEAP_SCAN", 0.0)
    recorder = Recorder()
    watcher = Watcher(site, recorder, quiet=0.3)  # the test's own steps may be paused by a busy machine
    watcher.start()
    yield recorder
    watcher.stop()


def test_a_burst_of_saves_is_one_batch_and_later_saves_the_next(site, watching):
    news = site / "content" / "news"
    for n in range(5):
        (news / f"r{n}.md").write_text(f"release {n}")
    (news / "a.md").unlink()
    wait_for(lambda: watching.batches)
    (news / "r0.md").write_text("edited later")
    wait_for(lambda: len(watching.batches) >= 2)
    assert watching.names() == [["a.md", "r0.md", "r1.md", "r2.md", "r3.md", "r4.md"], ["r0.md"]]
    assert all(path.is_absolute() for path in watching.batches[0])


def test_folders_created_after_the_start_are_watched(site, watching):
    (site / "templates" / "partials").mkdir(parents=True)
    (site / "templates" / "partials" / "x.html").write_text("x")
    wait_for(lambda: watching.batches)
    (site / "templates" / "partials" / "x.html").write_text("x, edited")
    wait_for(lambda: len(watching.batches) >= 2)
    assert watching.names() == [["x.html"], ["x.html"]]


@pytest.mark.parametrize("temporary", [".goutputstream-ABC123", "a.md___jb_tmp___", "a.md.new"])
def test_a_save_by_temporary_file_and_rename_is_a_change_of_that_file_only(site, watching, temporary):
    news = site / "content" / "news"
    (news / temporary).write_text("a, saved")
    os.replace(news / temporary, news / "a.md")
    wait_for(lambda: watching.batches)
    (news / "b.md").write_text("b")  # a later change, to know that nothing else came before it
    wait_for(lambda: len(watching.batches) >= 2)
    assert watching.names() == [["a.md"], ["b.md"]]


def test_the_output_folder_and_other_files_are_ignored(site, watching):
    (site / "output" / "index.html").write_text("rebuilt")
    (site / "README.txt").write_text("notes")
    (site / "content" / "news" / ".a.md.swp").write_text("swap")
    (site / "content" / "news" / "b.md").write_text("b")
    wait_for(lambda: watching.batches)
    assert watching.names() == [["b.md"]]



def test_wake_at_calls_back_when_the_time_comes_with_no_file_changed(site):
    recorder = Recorder()
    watcher = Watcher(site, recorder)
    watcher.start()
    try:
        watcher.wake_at(time.time() + 0.2)
        wait_for(lambda: recorder.batches)
        assert recorder.batches == [[]] and watcher.due is None
        watcher.wake_at(time.time() - 5)  # already past, as with a frozen clock: it would come at once, and again
        assert watcher.due is None
    finally:
        watcher.stop()


def test_between_full_scans_new_files_and_the_file_being_edited_are_seen_at_once(site, monkeypatch):
    monkeypatch.setattr(watch, "SCAN_SHARE", 1e-9)  # full scans so costly that the next one is days away
    recorder = Recorder()
    watcher = Watcher(site, recorder)
    watcher.start()
    news = site / "content" / "news"
    try:
        (news / "2025").mkdir()
        (news / "2025" / "new.md").write_text("new")  # a new folder and file: the folder's time changed
        wait_for(lambda: recorder.batches)
        (news / "2025" / "new.md").write_text("new, edited in place")  # now a lately changed file
        wait_for(lambda: len(recorder.batches) >= 2)
        os.replace(news / "a.md", news / "2025" / "a.md")  # a rename: both folders' times change
        wait_for(lambda: len(recorder.batches) >= 3)
    finally:
        watcher.stop()
    assert recorder.names() == [["new.md"], ["new.md"], ["a.md", "a.md"]]
