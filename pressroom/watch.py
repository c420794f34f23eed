"""Noticing changes to a site's sources, by polling, for the preview server.

Polling needs no extra dependency, works on every file system (network drives, containers,
editors that replace a file by renaming a temporary one over it) and sees files created,
deleted and renamed after the start. Two kinds of look:

- a quick one, ten times a second: the folders (a file created, deleted or renamed in a
  folder changes the folder's time) and the files changed lately (the one being edited);
- a full one, which stats every watched file: as often as costs at most a tenth of one core,
  so ten times a second on a small site and about once a second on one of 10,000 releases.

Whatever the quick look notices is confirmed by a full scan. A burst of saves (an editor's
temporary file and rename, "save all", a git checkout) is gathered into one batch: after a
change is seen, the watcher looks again (a full scan on a small site, a quick look on a large
one) until nothing has changed for a moment.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Callable, Iterable

from pressroom.config import CONFIG_NAME

WATCHED_FOLDERS = ("content", "templates", "assets")
Signature = tuple[int, int, int, int]  # mtime_ns, size, inode, ctime_ns
Snapshot = dict[str, Signature]  # "content/news/x.md" -> signature; folders end in "/": "content/news/"

MIN_INTERVAL = 0.1  # seconds between quick looks, and between full scans of a small site
QUIET = 0.05  # a batch ends when a scan this long after the last change finds nothing new
SCAN_SHARE = 0.1  # full scans take at most this share of one core
MAX_GATHER = 1.0  # a file rewritten without pause still gets built after this long
HOT_FILES = 32  # how many lately changed files the quick look checks
CHEAP_SCAN = 0.02  # seconds of CPU; a larger site confirms the end of a burst by a quick look


def is_scratch_file(name: str) -> bool:
    """Editors' swap, backup and lock files, which come and go while someone types."""
    return (
        name.startswith((".", "#"))
        or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload"))
        or name == "4913"  # vim's probe for whether it may write in a folder
    )


def scan(site_dir: Path) -> Snapshot:
    """The signature of every watched file and folder, by path relative to the site folder."""
    snapshot: Snapshot = {}
    _add(site_dir, "/", snapshot)  # its time changes when content/ or pressroom.toml appears
    for folder in WATCHED_FOLDERS:
        _scan_folder(site_dir / folder, folder, snapshot)
    _add(site_dir / CONFIG_NAME, CONFIG_NAME, snapshot)
    return snapshot


def _scan_folder(folder: Path, rel: str, snapshot: Snapshot) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # missing, or removed while we looked: its files show up as deleted
    _add(folder, rel + "/", snapshot)
    for entry in entries:
        if is_scratch_file(entry.name):
            continue
        child = f"{rel}/{entry.name}"
        try:
            is_folder = entry.is_dir(follow_symlinks=False)
        except OSError:
            continue
        if is_folder:
            _scan_folder(Path(entry.path), child, snapshot)
        else:
            _add(Path(entry.path), child, snapshot)


def _add(path: Path, rel: str, snapshot: Snapshot) -> None:
    try:
        stat = path.stat()  # follows a link, so editing the file it points to is seen
    except OSError:
        return
    snapshot[rel] = (stat.st_mtime_ns, stat.st_size, stat.st_ino, stat.st_ctime_ns)


def restat(site_dir: Path, paths: Iterable[str]) -> Snapshot:
    """The signatures of just these files and folders (the missing ones left out)."""
    snapshot: Snapshot = {}
    for rel in paths:
        _add(site_dir if rel == "/" else site_dir / rel, rel, snapshot)
    return snapshot


def changed_paths(before: Snapshot, after: Snapshot) -> set[str]:
    """Files created, deleted or modified (a rename is a deletion and a creation)."""
    return {path for path in before.keys() | after.keys() if not path.endswith("/") and before.get(path) != after.get(path)}


class Watcher:
    """Calls on_change(paths) with each batch of changed files, from its own thread, and
    on_change([]) when a time given to wake_at() has come.

    The next look starts only after on_change has returned, and compares with the scan taken
    before it was called: a file saved during a rebuild is part of the next batch.
    """

    def __init__(self, site_dir: Path, on_change: Callable[[list[Path]], None], *, min_interval: float = MIN_INTERVAL, quiet: float = QUIET):
        self.site_dir = site_dir.resolve()
        self.on_change = on_change
        self.min_interval = min_interval
        self.quiet = quiet
        self.due: float | None = None  # when on_change([]) is called next though no file changed
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._snapshot: Snapshot = {}
        self._hot: dict[str, None] = {}  # lately changed files, oldest first
        self._next_full_scan = 0.0
        self._cheap_full_scan = True  # cheap enough to confirm that a burst is over

    def start(self) -> None:
        self._snapshot = self._full_scan()
        self._thread = threading.Thread(target=self._run, name="pressroom-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop watching; wait up to `timeout` seconds for a call of on_change to return."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def wake_at(self, moment: float | None) -> None:
        """Call on_change([]) at this time (seconds since 1970), when the site changes by itself.
        A moment already past is ignored: with a frozen clock (SOURCE_DATE_EPOCH) it never comes."""
        self.due = moment if moment is not None and moment > time.time() else None

    def _run(self) -> None:
        while not self._stop.wait(min(self.min_interval, max(0.0, self._next_full_scan - time.monotonic()))):
            batch = self._next_batch()
            due = self.due is not None and time.time() >= self.due
            if batch or due:
                self.due = None
                self.on_change(sorted(self.site_dir / path for path in batch))

    def _next_batch(self) -> set[str]:
        if time.monotonic() < self._next_full_scan and not self._quick_look_sees_a_change(self._snapshot):
            return set()
        current = self._full_scan()
        if current == self._snapshot:
            return set()
        self._remember_hot(changed_paths(self._snapshot, current))
        gathering_until = time.monotonic() + MAX_GATHER
        while time.monotonic() < gathering_until and not self._stop.wait(self.quiet):
            if not self._cheap_full_scan and not self._quick_look_sees_a_change(current):
                break
            later = self._full_scan()
            if later == current:
                break
            current = later
            self._remember_hot(changed_paths(self._snapshot, current))
        batch = changed_paths(self._snapshot, current)  # a temporary file that came and went is not in it
        self._snapshot = current
        return batch

    def _quick_look_sees_a_change(self, snapshot: Snapshot) -> bool:
        watched = [path for path in snapshot if path.endswith("/")] + list(self._hot)
        return restat(self.site_dir, watched) != {path: snapshot[path] for path in watched if path in snapshot}

    def _remember_hot(self, paths: set[str]) -> None:
        for path in sorted(paths):
            self._hot.pop(path, None)
            self._hot[path] = None
        for path in list(self._hot)[:-HOT_FILES]:
            del self._hot[path]

    def _full_scan(self) -> Snapshot:
        """Scan everything, and plan the next full scan by what this one cost (in CPU time,
        which a busy machine does not inflate the way it does the time on the clock)."""
        started = time.thread_time()
        snapshot = scan(self.site_dir)
        cost = time.thread_time() - started
        self._next_full_scan = time.monotonic() + max(self.min_interval, cost / SCAN_SHARE)
        self._cheap_full_scan = cost <= CHEAP_SCAN
        return snapshot
