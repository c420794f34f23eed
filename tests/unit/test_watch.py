"""The watcher: real files in tmp_path, real scans and a real watching thread."""

from __future__ import annotations

import ctypes
import errno
import os
import sys
import threading
import time
from pathlib import Path

import pytest

from pressroom import notify, watch
from pressroom.watch import Watcher, changed_paths, is_scratch_file, rescan, scan
from tests.conftest import wait_for

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's notifications (inotify) are Linux's")


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


def test_rescan_at_the_paths_named_finds_what_a_full_scan_finds(site):
    news = site / "content" / "news"
    (news / "b.md").write_text("b")
    (site / "content" / "pages" / "old").mkdir(parents=True)
    (site / "content" / "pages" / "old" / "p.md").write_text("p")
    (site / "assets").mkdir()
    before = scan(site)
    (news / "a.md").write_text("a, edited in place")
    (news / "b.md").unlink()
    (news / "2025" / "q1").mkdir(parents=True)  # a new tree, named by its top folder only
    (news / "2025" / "q1" / "new.md").write_text("new")
    os.rename(site / "content" / "pages" / "old", site / "content" / "pages" / "renamed")
    (site / "assets" / "site.css").write_text("css")
    (news / ".a.md.swp").write_text("swap")
    (site / "output" / "index.html").write_text("rebuilt")
    named = ["content/news/a.md", "content/news/b.md", "content/news/2025", "content/pages/old", "content/pages/renamed",
             "assets/site.css", "content/news/.a.md.swp", "output/index.html"]
    after = rescan(site, before, named)
    assert after == scan(site)
    assert changed_paths(before, after) == {"content/news/a.md", "content/news/b.md", "content/news/2025/q1/new.md",
                                            "content/pages/old/p.md", "content/pages/renamed/p.md", "assets/site.css"}


def test_rescan_of_a_watched_folder_removed_and_made_again(site):
    (site / "templates").mkdir()
    (site / "templates" / "base.html").write_text("t")
    before = scan(site)
    (site / "templates" / "base.html").unlink()
    (site / "templates").rmdir()
    gone = rescan(site, before, ["templates"])
    assert gone == scan(site) and "templates/" not in gone
    (site / "templates").mkdir()
    (site / "templates" / "page.html").write_text("p")
    assert rescan(site, gone, ["templates"]) == scan(site)


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


@pytest.fixture
def no_notifications(monkeypatch):
    """The C library cannot be found, as on a system without inotify: polling alone."""
    monkeypatch.setattr(notify, "C_LIBRARY", "libc-without-inotify.so.0")


@pytest.fixture(params=["small site", "large site", "polling only"])
def watching(site, request, monkeypatch):
    """A running watcher; on a "large site" the end of a burst is confirmed by a quick look,
    and with "polling only" the kernel's notifications are not to be had."""
    if request.param == "large site":
        monkeypatch.setattr(watch, "CHEAP_SCAN", 0.0)
    if request.param == "polling only":
        request.getfixturevalue("no_notifications")
    recorder = Recorder()
    said = []
    watcher = Watcher(site, recorder, quiet=0.3, say=said.append)  # the test's own steps may be paused by a busy machine
    watcher.start()
    assert watcher.notified == (request.param != "polling only" and sys.platform.startswith("linux"))
    yield recorder
    watcher.stop()
    assert said == []  # no notifications on this system is no news


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


def test_between_full_scans_new_files_and_the_file_being_edited_are_seen_at_once(site, monkeypatch, no_notifications):
    monkeypatch.setattr(watch, "SCAN_SHARE", 1e-9)  # full scans so costly that the next one is days away
    recorder = Recorder()
    watcher = Watcher(site, recorder)
    watcher.start()
    assert not watcher.notified  # the quick look alone
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


# --- The kernel's notifications: a watcher that nothing else wakes, since it polls once an hour ---


@pytest.fixture(params=["small site", "large site"])
def notified(site, request, monkeypatch):
    """A running watcher whose looks are an hour apart: only a notification can wake it. On a
    "large site" what the kernel named is looked at alone (no full scan confirms a burst)."""
    if request.param == "large site":
        monkeypatch.setattr(watch, "CHEAP_SCAN", 0.0)
    recorder = Recorder()
    watcher = Watcher(site, recorder, min_interval=3600, quiet=0.3)
    watcher.start()
    assert watcher.notified
    yield recorder
    watcher.stop()


@linux_only
def test_a_file_not_changed_lately_rewritten_in_place_is_reported_at_once(site, notified):
    (site / "content" / "news" / "a.md").write_text("a, rewritten in place")
    wait_for(lambda: notified.batches)
    (site / "pressroom.toml").write_text('title = "y"\n')
    wait_for(lambda: len(notified.batches) >= 2)
    assert notified.names() == [["a.md"], ["pressroom.toml"]]


@linux_only
def test_a_new_file_in_new_sub_folders_is_reported_and_the_new_folders_are_watched(site, notified):
    deep = site / "content" / "news" / "2025" / "spring" / "march"
    deep.mkdir(parents=True)  # made faster than the watcher can watch each folder as it comes
    (deep / "new.md").write_text("new")
    wait_for(lambda: notified.batches)
    (deep / "new.md").write_text("new, edited in place")  # only the new folder's own watch can tell
    wait_for(lambda: len(notified.batches) >= 2)
    (site / "assets").mkdir()
    (site / "assets" / "site.css").write_text("css")  # a watched folder that did not exist at the start
    wait_for(lambda: len(notified.batches) >= 3)
    (site / "assets" / "site.css").write_text("css, edited in place")
    wait_for(lambda: len(notified.batches) >= 4)
    assert notified.names() == [["new.md"], ["new.md"], ["site.css"], ["site.css"]]


@linux_only
def test_a_deleted_file_is_reported(site, notified):
    (site / "content" / "news" / "a.md").unlink()
    wait_for(lambda: notified.batches)
    assert notified.batches == [[site.resolve() / "content" / "news" / "a.md"]]


@linux_only
def test_renamed_files_and_folders_are_reported_and_watched_under_their_new_names(site, notified):
    news = site / "content" / "news"
    (site / "content" / "pages").mkdir()
    os.replace(news / "a.md", site / "content" / "pages" / "about.md")
    wait_for(lambda: notified.batches)
    os.rename(site / "content" / "pages", site / "content" / "info")
    wait_for(lambda: len(notified.batches) >= 2)
    (site / "content" / "info" / "about.md").write_text("about, edited in place")  # watched under its new name
    wait_for(lambda: len(notified.batches) >= 3)
    assert [[p.relative_to(site.resolve()).as_posix() for p in batch] for batch in notified.batches] == [
        ["content/news/a.md", "content/pages/about.md"],
        ["content/info/about.md", "content/pages/about.md"],
        ["content/info/about.md"],
    ]


def inotify_instances() -> set[int]:
    """This process's open inotify descriptors."""
    found = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == "anon_inode:inotify":
                found.add(int(fd))
        except OSError:
            pass  # the descriptor of the listing itself, closed by now
    return found


@linux_only
def test_stopping_ends_the_watchers_thread_at_once_and_closes_its_notifications(site):
    before = inotify_instances()
    watcher = Watcher(site, Recorder(), min_interval=3600)  # its next look is an hour away
    watcher.start()
    opened = inotify_instances() - before
    assert watcher.notified and len(opened) == 1
    watcher.stop(timeout=10)
    assert not watcher._thread.is_alive()
    assert not opened & inotify_instances()


class LimitedLibrary:
    """The C library with room for only so many watched folders, as when the system's limit
    (fs.inotify.max_user_watches) is reached."""

    def __init__(self, real, room: int):
        self.real = real
        self.room = room

    def __getattr__(self, name):
        return getattr(self.real, name)

    def inotify_add_watch(self, fd, path, mask):
        if self.room == 0:
            ctypes.set_errno(errno.ENOSPC)
            return -1
        self.room -= 1
        return self.real.inotify_add_watch(fd, path, mask)


@linux_only
@pytest.mark.parametrize("room", [0, 3], ids=["at the start", "when a new folder comes"])
def test_when_the_limit_on_watched_folders_is_reached_polling_finds_every_change(site, monkeypatch, room):
    real = notify.c_library()
    monkeypatch.setattr(notify, "c_library", lambda: LimitedLibrary(real, room))  # 3: the site, content/ and content/news/
    recorder, said = Recorder(), []
    watcher = Watcher(site, recorder, quiet=0.3, say=said.append)
    watcher.start()
    try:
        assert watcher.notified == (room > 0)
        (site / "content" / "news" / "2025").mkdir()
        (site / "content" / "news" / "2025" / "new.md").write_text("new")
        wait_for(lambda: recorder.batches)
        assert not watcher.notified
        (site / "content" / "news" / "a.md").write_text("a, rewritten in place")  # found by a full scan
        wait_for(lambda: len(recorder.batches) >= 2)
    finally:
        watcher.stop()
    assert recorder.names() == [["new.md"], ["a.md"]]
    assert len(said) == 1 and "fs.inotify.max_user_watches" in said[0]


@linux_only
def test_where_the_kernel_reports_saves_a_burst_is_built_after_a_shorter_pause(site, tmp_path_factory):
    """Notifications arrive the moment a file changes, so the watcher waits only
    QUIET_NOTIFIED after the last one (polling waits QUIET): an editor's save (a temporary
    file renamed over the release) and two more files saved with it are still one batch."""
    recorder = Recorder()
    watcher = Watcher(site, recorder)
    watcher.start()
    try:
        assert watcher.notified and watcher.quiet == watch.QUIET_NOTIFIED < watch.QUIET
        news, ready = site / "content" / "news", tmp_path_factory.mktemp("ready")
        for name in ("b.md", "c.md"):
            (ready / name).write_text(name)
        started = time.monotonic()
        (news / ".goutputstream-X1").write_text("a, saved")
        os.replace(news / ".goutputstream-X1", news / "a.md")
        os.replace(ready / "b.md", news / "b.md")
        os.replace(ready / "c.md", news / "c.md")
        burst = time.monotonic() - started
        wait_for(lambda: recorder.batches)
        time.sleep(0.2)  # any later batch of the same burst would come in this time
    finally:
        watcher.stop()
    seen = sorted(name for batch in recorder.names() for name in batch)
    assert seen == ["a.md", "b.md", "c.md"]
    if burst < watch.QUIET_NOTIFIED / 2:  # else this test itself was paused mid-burst by a busy machine
        assert recorder.names() == [["a.md", "b.md", "c.md"]]


@linux_only
@pytest.mark.parametrize("size", ["small site", "large site"])
def test_a_save_the_kernel_reports_is_gathered_without_a_full_scan_that_is_merely_due(site, monkeypatch, size):
    """A full scan of a large site takes a tenth of a second; one that falls due as a save
    comes in waits until the save is handed over to be built, and runs at the next look.
    (A small site's scans are cheap enough to confirm the end of every burst.)"""
    if size == "large site":
        monkeypatch.setattr(watch, "CHEAP_SCAN", 0.0)
    watcher = Watcher(site, Recorder())  # driven step by step here, without its thread
    watcher._notifier = watcher._open_notifier()
    try:
        assert watcher._notifier is not None
        watcher._snapshot = watcher._full_scan()
        scans, real_full_scan = [], watcher._full_scan
        monkeypatch.setattr(watcher, "_full_scan", lambda: scans.append(1) or real_full_scan())
        (site / "content" / "news" / "a.md").write_text("a, edited")
        watcher._notifier.wait(5)
        watcher._next_full_scan = 0.0  # due
        assert watcher._next_batch() == {"content/news/a.md"}
        assert len(scans) == (0 if size == "large site" else 1)
        watcher._next_full_scan = 0.0
        assert watcher._next_batch() == set() and len(scans) == (1 if size == "large site" else 2)  # the safety net
    finally:
        watcher._notifier.close()
