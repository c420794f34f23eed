"""Noticing changes to a site's sources, for the preview server: told by the kernel where it
can, and by polling always.

On Linux the kernel names each changed file the moment it changes (notify.py), and the
watcher looks at just those files at once. Polling goes on beside it as the safety net, and
does all the work where there are no notifications (another system, a file system without
them, the system's limit on watched folders reached). It needs no extra dependency, works
on every file system (network drives, containers, editors that replace a file by renaming a
temporary one over it) and sees files created, deleted and renamed after the start. Two
kinds of look:

- a quick one, ten times a second: the folders (a file created, deleted or renamed in a
  folder changes the folder's time) and the files changed lately (the one being edited);
- a full one, which stats every watched file: as often as costs at most a tenth of one core,
  so ten times a second on a small site and about once a second on one of 10,000 releases.

What the kernel names is looked at alone; whatever the quick look notices beyond it is
confirmed by a full scan. A burst of saves (an editor's temporary file and rename, "save
all", a git checkout) is gathered into one batch: after a change is seen, the watcher looks
again (a full scan on a small site, the named files and a quick look on a large one) until
nothing has changed for a moment.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from stat import S_ISDIR
from typing import Callable, Iterable

from pressroom.config import CONFIG_NAME
from pressroom.notify import Notifier, Unavailable

WATCHED_FOLDERS = ("content", "templates", "assets")
Signature = tuple[int, int, int, int]  # mtime_ns, size, inode, ctime_ns
Snapshot = dict[str, Signature]  # "content/news/x.md" -> signature; folders end in "/": "content/news/"

MIN_INTERVAL = 0.1  # seconds between quick looks, and between full scans of a small site
QUIET = 0.05  # a batch ends when a scan this long after the last change finds nothing new
QUIET_NOTIFIED = 0.015  # the same where the kernel reports changes: the moment they happen, so less waiting
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


def is_watched(path: str) -> bool:
    """Whether scan() looks at this path (relative to the site folder)."""
    parts = path.split("/")
    return (parts[0] in WATCHED_FOLDERS or path == CONFIG_NAME) and not any(map(is_scratch_file, parts))


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


def rescan(site_dir: Path, snapshot: Snapshot, paths: Iterable[str]) -> Snapshot:
    """`snapshot` brought up to date at these paths as scan() would find them now (a file
    stat'ed again, a folder scanned again with all it holds, what is gone left out), and at
    their folders, whose times they change."""
    current = dict(snapshot)
    for rel in sorted(filter(is_watched, paths)):
        if rel + "/" in current:  # it was a folder: what it held goes too, unless found again below
            for key in [key for key in current if key.startswith(rel + "/")]:
                del current[key]
        current.pop(rel, None)
        path = site_dir / rel
        if rel in WATCHED_FOLDERS or _is_folder(path):
            _scan_folder(path, rel, current)
        else:
            _add(path, rel, current)
        parent = rel.rpartition("/")[0]
        current.pop(f"{parent}/" if parent else "/", None)
        _add(site_dir / parent, f"{parent}/" if parent else "/", current)
    return current


def _is_folder(path: Path) -> bool:
    """A folder, not a link to one (as for scan(): it does not follow them into folders)."""
    try:
        return S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def changed_paths(before: Snapshot, after: Snapshot) -> set[str]:
    """Files created, deleted or modified (a rename is a deletion and a creation)."""
    return {path for path in before.keys() | after.keys() if not path.endswith("/") and before.get(path) != after.get(path)}


class Watcher:
    """Calls on_change(paths) with each batch of changed files, from its own thread, and
    on_change([]) when a time given to wake_at() has come; say(line) when the kernel's
    notifications cannot be used (polling alone then finds every change, a little later).

    The next look starts only after on_change has returned, and compares with the scan taken
    before it was called: a file saved during a rebuild is part of the next batch.
    """

    def __init__(self, site_dir: Path, on_change: Callable[[list[Path]], None], *, min_interval: float = MIN_INTERVAL, quiet: float | None = None,
                 say: Callable[[str], None] = lambda line: None):
        self.site_dir = site_dir.resolve()
        self.on_change = on_change
        self.min_interval = min_interval
        self._quiet = quiet  # None: QUIET_NOTIFIED or QUIET, by whether the kernel reports changes
        self.say = say
        self.due: float | None = None  # when on_change([]) is called next though no file changed
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._notifier: Notifier | None = None
        self._snapshot: Snapshot = {}
        self._hot: dict[str, None] = {}  # lately changed files, oldest first
        self._next_full_scan = 0.0
        self._cheap_full_scan = True  # cheap enough to confirm that a burst is over

    @property
    def quiet(self) -> float:
        """How long a burst of saves must have been over before it is built."""
        if self._quiet is not None:
            return self._quiet
        return QUIET_NOTIFIED if self.notified else QUIET

    @property
    def notified(self) -> bool:
        """Whether the kernel tells this watcher of changes (else it finds them by polling only)."""
        return self._notifier is not None

    def start(self) -> None:
        self._notifier = self._open_notifier()  # first: a change made during the first scan is reported
        self._snapshot = self._full_scan()
        self._thread = threading.Thread(target=self._run, name="pressroom-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop watching; wait up to `timeout` seconds for a call of on_change to return."""
        self._stop.set()
        notifier = self._notifier
        if notifier is not None:
            notifier.interrupt()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def wake_at(self, moment: float | None) -> None:
        """Call on_change([]) at this time (seconds since 1970), when the site changes by itself.
        A moment already past is ignored: with a frozen clock (SOURCE_DATE_EPOCH) it never comes."""
        self.due = moment if moment is not None and moment > time.time() else None

    def _run(self) -> None:
        try:
            while not self._wait(min(self.min_interval, max(0.0, self._next_full_scan - time.monotonic()))):
                batch = self._next_batch()
                due = self.due is not None and time.time() >= self.due
                if batch or due:
                    self.due = None
                    self.on_change(sorted(self.site_dir / path for path in batch))
        finally:
            if self._notifier is not None:
                self._notifier.close()
                self._notifier = None

    def _wait(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds, less if the kernel reports a change; True once stopped."""
        if self._notifier is None:
            return self._stop.wait(timeout)
        self._notifier.wait(timeout)
        return self._stop.is_set()

    def _next_batch(self) -> set[str]:
        current = self._look(self._snapshot, thorough=False)
        if current is self._snapshot or current == self._snapshot:
            return set()
        self._remember_hot(changed_paths(self._snapshot, current))
        gathering_until = time.monotonic() + MAX_GATHER
        while time.monotonic() < gathering_until and not self._stop.wait(self.quiet):
            later = self._look(current, thorough=self._cheap_full_scan, gathering=True)
            if later is current or later == current:
                break
            current = later
            self._remember_hot(changed_paths(self._snapshot, current))
        batch = changed_paths(self._snapshot, current)  # a temporary file that came and went is not in it
        self._snapshot = current
        return batch

    def _look(self, snapshot: Snapshot, thorough: bool, gathering: bool = False) -> Snapshot:
        """The site now: `snapshot` updated at the paths the kernel named; or a full scan when
        `thorough`, when one is due, when the kernel lost count, or when the quick look sees a
        change beyond what it named. Where the kernel reports changes, a full scan that is
        merely due waits while it names some and while a burst is gathered: it would hold up
        the rebuild (a tenth of a second on a large site) and find nothing the kernel missed
        more often than the next one, right after the rebuild."""
        named = self._named()
        if named is None or thorough:
            return self._full_scan()
        if time.monotonic() >= self._next_full_scan and not (self.notified and (named or gathering)):
            return self._full_scan()
        current = rescan(self.site_dir, snapshot, named) if named else snapshot
        return self._full_scan() if self._quick_look_sees_a_change(current) else current

    def _quick_look_sees_a_change(self, snapshot: Snapshot) -> bool:
        watched = [path for path in snapshot if path.endswith("/")] + list(self._hot)
        return restat(self.site_dir, watched) != {path: snapshot[path] for path in watched if path in snapshot}

    def _open_notifier(self) -> Notifier | None:
        try:
            return Notifier(self.site_dir, is_watched)
        except Unavailable as reason:
            self._polling_only(reason)
            return None

    def _named(self) -> set[str] | None:
        """The paths the kernel named since last asked; None if everything must be looked at
        (it lost count, or can no longer be used)."""
        if self._notifier is None:
            return set()
        try:
            return self._notifier.changes()
        except Unavailable as reason:
            self._notifier.close()
            self._notifier = None
            self._polling_only(reason)
            return None

    def _polling_only(self, reason: Unavailable) -> None:
        if str(reason):
            self.say(f"Note: saves are found by regular checks only, up to a second late on a large site; the system cannot report them at once ({reason}).")

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
