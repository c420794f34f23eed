"""Hearing from the kernel (Linux's inotify) which files changed, the moment they change.

Polling (watch.py) finds every change, but a save that rewrites a file not changed lately is
found only by a full scan, which on a large site runs about once a second. inotify names the
changed paths at once. It is reached through ctypes on the C library, so it needs no
dependency, and it is optional: on another system, where the C library lacks it, or once the
system's limit on watched folders is reached, there is no Notifier and polling alone finds
every change, a little later.

The kernel watches folders, not trees: every folder of the site is watched, and a folder that
appears later is watched before it is listed, so that nothing created in it meanwhile is
missed. There is no thread here: the watcher's own thread waits on the notifications between
builds, so no extra thread can be holding a lock when a build forks its workers (workers.py).
"""

from __future__ import annotations

import ctypes
import errno
import math
import os
import select
import struct
import sys
import threading
from pathlib import Path
from typing import Callable

IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_Q_OVERFLOW, IN_IGNORED, IN_ONLYDIR, IN_ISDIR = 0x4000, 0x8000, 0x01000000, 0x40000000
WATCHED_EVENTS = IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ONLYDIR
EVENT = struct.Struct("iIII")  # struct inotify_event: wd, mask, cookie, len; then len bytes of name
C_LIBRARY = None  # the C library this Python runs on (a file name to load another)
GONE = (errno.ENOENT, errno.ENOTDIR, errno.EACCES)  # a folder removed (or closed to us) before it was watched


class Unavailable(Exception):
    """No notifications: the reason for the terminal, or "" where there is nothing to say
    (a system without inotify simply polls)."""


class Notifier:
    """The paths (relative to the site folder) changed since the last call of changes()."""

    def __init__(self, site_dir: Path, watched: Callable[[str], bool]):
        """Watch site_dir and every folder in it for which watched(path) is true."""
        self.site_dir = site_dir
        self.watched = watched
        self._libc = c_library()
        self._fd = self._libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self._fd < 0:
            raise Unavailable(_reason(ctypes.get_errno(), "fs.inotify.max_user_instances"))
        self._wake_read, self._wake_write = os.pipe()
        self._closing = threading.Lock()  # interrupt() never writes to a closed descriptor
        self._closed = False
        self._poller = select.poll()
        self._poller.register(self._fd, select.POLLIN)
        self._poller.register(self._wake_read, select.POLLIN)
        self._folders: dict[int, str] = {}  # watch descriptor -> folder ("" is the site folder)
        try:
            self._watch_tree("")
        except Unavailable:
            self.close()
            raise

    def wait(self, timeout: float) -> None:
        """Until a change is reported, interrupt() is called, or `timeout` seconds have passed."""
        self._poller.poll(max(0, math.ceil(timeout * 1000)))

    def interrupt(self) -> None:
        """End wait() now and from now on (from another thread: the watcher is stopping)."""
        with self._closing:
            if not self._closed:
                os.write(self._wake_write, b"x")

    def changes(self) -> set[str] | None:
        """What changed since the last call, without waiting; None if the kernel lost count
        (too many changes at once): then everything must be looked at. Raises Unavailable when
        a new folder cannot be watched."""
        changed: set[str] = set()
        lost = False
        while data := self._read():
            for wd, mask, name in _events(data):
                lost = lost or bool(mask & IN_Q_OVERFLOW)
                self._note(wd, mask, name, changed)
        return None if lost else changed

    def close(self) -> None:
        with self._closing:
            if not self._closed:
                self._closed = True
                for fd in (self._fd, self._wake_read, self._wake_write):
                    os.close(fd)

    def _read(self) -> bytes:
        try:
            return os.read(self._fd, 64 * 1024)
        except (BlockingIOError, InterruptedError):
            return b""

    def _note(self, wd: int, mask: int, name: str, changed: set[str]) -> None:
        folder = self._folders.get(wd)
        if folder is None:
            return  # a watch already dropped
        if mask & IN_IGNORED:
            del self._folders[wd]  # the folder is gone; its parent reported it
            return
        path = f"{folder}/{name}" if folder else name
        if not name or not self.watched(path):
            return  # the folder itself (its parent reports it too), or not part of the site
        changed.add(path)
        if mask & IN_ISDIR and mask & (IN_CREATE | IN_MOVED_TO):
            self._watch_tree(path)
        elif mask & IN_ISDIR and mask & IN_MOVED_FROM:
            self._forget_tree(path)  # moved elsewhere, maybe out of the site; if within, watched again there

    def _watch_tree(self, top: str) -> None:
        """Watch this folder and every folder in it, each before listing it."""
        pending = [top]
        while pending:
            folder = pending.pop()
            if not self._watch(folder):
                continue
            try:
                entries = list(os.scandir(self.site_dir / folder))
            except OSError:
                continue  # removed meanwhile: its parent reports that
            for entry in entries:
                path = f"{folder}/{entry.name}" if folder else entry.name
                try:
                    is_folder = entry.is_dir(follow_symlinks=not folder)  # as scan(): content/ may be a link
                except OSError:
                    continue
                if is_folder and self.watched(path):
                    pending.append(path)

    def _watch(self, folder: str) -> bool:
        wd = self._libc.inotify_add_watch(self._fd, os.fsencode(self.site_dir / folder), WATCHED_EVENTS)
        if wd < 0:
            number = ctypes.get_errno()
            if number in GONE:
                return False
            raise Unavailable(_reason(number, "fs.inotify.max_user_watches"))
        self._folders[wd] = folder  # the same folder under a new name keeps its descriptor
        return True

    def _forget_tree(self, top: str) -> None:
        for wd, folder in list(self._folders.items()):
            if folder == top or folder.startswith(top + "/"):
                self._libc.inotify_rm_watch(self._fd, wd)
                del self._folders[wd]


def c_library() -> ctypes.CDLL:
    """The C library's inotify functions; Unavailable where there are none."""
    if not sys.platform.startswith("linux"):
        raise Unavailable("")
    try:
        libc = ctypes.CDLL(C_LIBRARY, use_errno=True)
        functions = (libc.inotify_init1, libc.inotify_add_watch, libc.inotify_rm_watch)
    except (OSError, AttributeError):
        raise Unavailable("") from None
    for function, arguments in zip(functions, ([ctypes.c_int], [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32], [ctypes.c_int, ctypes.c_int])):
        function.argtypes, function.restype = arguments, ctypes.c_int
    return libc


def _events(data: bytes) -> list[tuple[int, int, str]]:
    """(watch descriptor, mask, name) of each event in what one read() returned."""
    events, offset = [], 0
    while offset + EVENT.size <= len(data):
        wd, mask, _cookie, length = EVENT.unpack_from(data, offset)
        offset += EVENT.size
        name = os.fsdecode(data[offset : offset + length].rstrip(b"\0"))
        offset += length
        events.append((wd, mask, name))
    return events


def _reason(number: int, limit: str) -> str:
    if number in (errno.ENOSPC, errno.EMFILE):
        return f"its limit is reached; raise {limit}"
    return os.strerror(number) if number else "inotify is not available"
