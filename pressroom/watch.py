"""Noticing changes to a site's sources, by polling, for the preview server.

Polling needs no extra dependency, works on every file system (network drives, containers,
editors that replace a file by renaming a temporary one over it) and sees files created,
deleted and renamed after the start. A scan stats every watched file; it runs often on a
small site and less often on a large one, so that watching never costs more than about a
tenth of one core. A burst of saves (an editor's temporary file and rename, "save all", a
git checkout) is gathered into one batch: after a change is seen, the folder is scanned
again until it has been quiet for a moment.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Callable

from pressroom.config import CONFIG_NAME

WATCHED_FOLDERS = ("content", "templates", "assets")
Signature = tuple[int, int, int, int]  # mtime_ns, size, inode, ctime_ns
Snapshot = dict[str, Signature]  # "content/news/x.md" -> signature

MIN_INTERVAL = 0.1  # seconds between scans of a small site
QUIET = 0.05  # a batch ends when a scan this long after the last change finds nothing new
SCAN_SHARE = 0.1  # at most this share of one core goes to scanning
MAX_GATHER = 1.0  # a file rewritten without pause still gets built after this long


def is_scratch_file(name: str) -> bool:
    """Editors' swap, backup and lock files, which come and go while someone types."""
    return (
        name.startswith((".", "#"))
        or name.endswith(("~", ".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload"))
        or name == "4913"  # vim's probe for whether it may write in a folder
    )


def scan(site_dir: Path) -> Snapshot:
    """The signature of every watched file, by path relative to the site folder."""
    snapshot: Snapshot = {}
    for folder in WATCHED_FOLDERS:
        _scan_folder(site_dir / folder, folder, snapshot)
    _add_file(site_dir / CONFIG_NAME, CONFIG_NAME, snapshot)
    return snapshot


def _scan_folder(folder: Path, rel: str, snapshot: Snapshot) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # missing, or removed while we looked: its files show up as deleted
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
            _add_file(Path(entry.path), child, snapshot)


def _add_file(path: Path, rel: str, snapshot: Snapshot) -> None:
    try:
        stat = path.stat()  # follows a link, so editing the file it points to is seen
    except OSError:
        return
    snapshot[rel] = (stat.st_mtime_ns, stat.st_size, stat.st_ino, stat.st_ctime_ns)


def changed_paths(before: Snapshot, after: Snapshot) -> set[str]:
    """Files created, deleted or modified (a rename is a deletion and a creation)."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


class Watcher:
    """Calls on_change(paths) with each batch of changed files, from its own thread, and
    on_change([]) when a time given to wake_at() has come.

    The next scan starts only after on_change has returned, and compares with the scan taken
    before it was called: a file saved during a rebuild is part of the next batch.
    """

    def __init__(self, site_dir: Path, on_change: Callable[[list[Path]], None], *, min_interval: float = MIN_INTERVAL, quiet: float = QUIET):
        self.site_dir = site_dir.resolve()
        self.on_change = on_change
        self.min_interval = min_interval
        self.quiet = quiet
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._snapshot: Snapshot = {}
        self._interval = min_interval
        self.due: float | None = None  # when on_change([]) is called next though no file changed

    def wake_at(self, moment: float | None) -> None:
        """Call on_change([]) at this time (seconds since 1970), when the site changes by itself.
        A moment already past is ignored: with a frozen clock (SOURCE_DATE_EPOCH) it never comes."""
        self.due = moment if moment is not None and moment > time.time() else None

    def start(self) -> None:
        self._snapshot = self._timed_scan()
        self._thread = threading.Thread(target=self._run, name="pressroom-watch", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            batch = self._next_batch()
            due = self.due is not None and time.time() >= self.due
            if batch or due:
                self.due = None
                self.on_change(sorted(self.site_dir / path for path in batch))

    def _next_batch(self) -> set[str]:
        current = self._timed_scan()
        if current == self._snapshot:
            return set()
        gathering_until = time.monotonic() + MAX_GATHER
        while time.monotonic() < gathering_until and not self._stop.wait(self.quiet):
            later = self._timed_scan()
            if later == current:
                break
            current = later
        batch = changed_paths(self._snapshot, current)  # a temporary file that came and went is not in it
        self._snapshot = current
        return batch

    def _timed_scan(self) -> Snapshot:
        started = time.perf_counter()
        snapshot = scan(self.site_dir)
        self._interval = max(self.min_interval, (time.perf_counter() - started) / SCAN_SHARE)
        return snapshot

