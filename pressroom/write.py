"""Writing the built site: staged beside the output, then put in place.

A failed or interrupted build never touches the previous output. A build that changes many
files exchanges the whole folder with its staged twin in one step (even kill -9 finds either
the old site or the new one); one that changes a few files, such as a rebuild after an edit,
moves them in one by one under a journal, each file replaced whole, and a build killed during
those few renames is finished by the next one. Files whose bytes did not change are not
touched and keep their modification time, so rsync and S3 deploys stay small. Nothing outside
the output folder and its staging twin is written or deleted, and a folder Pressroom did not
write is never replaced.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import functools
import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping, NamedTuple

from pressroom.errors import BuildFailed, SiteError
from pressroom.source import walk
from pressroom.workers import signals_held

MARKER = ".pressroom-output"
MARKER_TEXT = b"This folder is written by Pressroom; each build replaces it whole.\n"
PROTECTED_FOLDERS = ("content", "templates", "assets")


@dataclass(frozen=True)
class WriteResult:
    written: int  # files whose bytes changed or are new
    unchanged: int
    removed: int
    touched: frozenset[str] | None = None  # the folders ("news/2024/") whose files changed; None: any may have


def check_output_dir(site_dir: Path, output_dir: Path) -> list[SiteError]:
    """Refuse an output folder whose replacement could lose someone's files."""
    site, out = site_dir.resolve(), output_dir.resolve()
    shown = str(output_dir)
    if out == site or site.is_relative_to(out):
        return [SiteError(shown, None, "the output folder would contain the site itself; choose another, such as output/")]
    for name in PROTECTED_FOLDERS:
        if out.is_relative_to(site / name):
            return [SiteError(shown, None, f"the output folder is inside {name}/, which holds your sources; choose another, such as output/")]
    if out.exists() and not out.is_dir():
        return [SiteError(shown, None, "exists and is not a folder; choose another output folder")]
    if out.is_dir() and not (out / MARKER).is_file() and any(out.iterdir()):
        return [SiteError(shown, None, "holds files that Pressroom did not write, so it will not replace it; choose an empty or new folder")]
    return []


@contextlib.contextmanager
def build_lock(output_dir: Path) -> Iterator[None]:
    """One build at a time per output folder; a second one is told, not queued. The lock is
    on the folder that holds the output (the staging copy is made there too), and the system
    lets it go when the build ends, however it ends."""
    parent = output_dir.resolve().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(parent, os.O_RDONLY)
    except OSError as exc:
        raise BuildFailed([SiteError(str(output_dir), None, f"cannot write here: {exc.strerror}; choose another output folder")]) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildFailed([SiteError(str(output_dir), None, "another build of this site is running right now; wait for it to finish and try again")]) from None
        yield
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)  # now, even where a forked process holds a copy of fd
        os.close(fd)


def write_site(files: Mapping[str, bytes], asset_dirs: list[Path], output_dir: Path) -> WriteResult:
    """Stage everything, then put it in place. Later asset folders override earlier ones."""
    staging = Staging.open(output_dir)
    try:
        for rel in sorted(files):
            staging.put(rel, files[rel])
        staging.put_assets(asset_dirs)
        return staging.commit()
    except BaseException:
        staging.abort()
        raise


FileState = tuple[int, int]  # (size, mtime in ns): how a later build recognises a file


class Staging:
    """One build's changes to the output folder, staged beside it and put in place at once.

    A first build writes the whole site into the staging folder, which then becomes the
    output folder. Later builds stage only the files whose bytes changed. When they are
    many, commit() completes the staging folder with links to the unchanged files and
    exchanges it with the output; when they are few (one in FEW_CHANGES), linking ten
    thousand unchanged files would cost far more than the change, so commit() moves the
    changed files in and deletes the files the site no longer has, after writing down what
    it is about to do, so that a build killed half-way is finished by the next one.
    Unchanged files are not touched at all: they keep their modification time."""

    def __init__(self, output_dir: Path, path: Path, fresh: bool):
        self.output_dir = output_dir
        self.path = path
        self.fresh = fresh  # no output folder yet: the staging folder will become it
        self.expected: dict[str, FileState] = {}
        self.staged: set[str] = set()
        self.uncounted: set[str] = {MARKER}  # assets and the marker are not pages

    @classmethod
    def open(cls, output_dir: Path) -> Staging:
        output_dir = output_dir.resolve()
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.staging-", dir=output_dir.parent))
        return cls(output_dir, path, fresh=not output_dir.is_dir())

    def put(self, rel: str, data: bytes) -> bool:
        """Stage one file unless the output already has these bytes; True if it changed."""
        changed, state = stage_file(self.path, self.output_dir, self.fresh, rel, data)
        self.record(rel, changed, state)
        return changed

    def record(self, rel: str, changed: bool, state: FileState) -> None:
        """Take note of a file another process staged with stage_file."""
        self.expected[rel] = state
        if changed:
            self.staged.add(rel)
        else:
            self.staged.discard(rel)

    def keep(self, rel: str, state: FileState) -> None:
        """A file the output already has and that this build did not need to make again."""
        self.expected[rel] = state

    def put_assets(self, asset_dirs: list[Path]) -> None:
        for rel, source in sorted(collect_assets(asset_dirs, "assets").items()):
            changed, state = stage_copy(self.path, self.output_dir, self.fresh, rel, source)
            self.record(rel, changed, state)
            self.uncounted.add(rel)

    def commit(self, existing: dict[str, FileState] | None = None) -> WriteResult:
        """Put the staged files in place; `existing` is a scan of the output, if made already."""
        try:
            self.put(MARKER, MARKER_TEXT)
            if self.fresh:
                with signals_held(too_late=True):
                    os.rename(self.path, self.output_dir)
                return self.result(removed=0)
            if existing is None:
                existing = scan_output(self.output_dir)
            removals = sorted(set(existing) - set(self.expected))
            touched = None
            with signals_held(too_late=True):
                few = (len(self.staged) + len(removals)) * FEW_CHANGES <= len(self.expected)
                if few or not self.swap_whole():
                    moves = sorted(self.staged)
                    journal = self.path / JOURNAL
                    journal.write_text(json.dumps({"moves": moves, "removals": removals}), encoding="utf-8")
                    apply_journal(self.path, self.output_dir, moves, removals)
                    touched = folders_above([*moves, *removals])
                shutil.rmtree(self.path, ignore_errors=True)
        except OSError as exc:
            raise write_failed(exc, self.output_dir) from None
        return replace(self.result(removed=len(removals)), touched=touched)

    def swap_whole(self) -> bool:
        """Complete the staging folder (unchanged files as hard links: nothing is copied, and
        they keep their modification time) and exchange it with the output in one step. False
        where the system cannot; the changed files are then moved in under a journal."""
        try:
            for rel in self.expected:
                if rel not in self.staged:
                    target = self.path / rel
                    make_folder_within(self.path, target.parent)
                    os.link(self.output_dir / rel, target)
        except OSError:
            return False
        return _exchange(self.path, self.output_dir)  # self.path now holds the previous site

    def result(self, removed: int) -> WriteResult:
        pages = set(self.expected) - self.uncounted
        written = len(pages & self.staged)
        return WriteResult(written=written, unchanged=len(pages) - written, removed=removed)

    def abort(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


JOURNAL = ".pressroom-commit.json"
FEW_CHANGES = 20  # one file in 20 or fewer changed: moved one by one; more, the folder is exchanged


def make_folder_within(root: Path, folder: Path) -> None:
    """mkdir -p for a folder inside `root`, never making `root` itself: a staging folder
    removed meanwhile (its build being stopped) is not made again and left behind."""
    if folder == root:
        return  # a file written into a removed root fails by itself
    try:
        folder.mkdir(exist_ok=True)
    except FileNotFoundError:
        make_folder_within(root, folder.parent)
        folder.mkdir(exist_ok=True)


def stage_file(staging: Path, output_dir: Path, fresh: bool, rel: str, data: bytes) -> tuple[bool, FileState]:
    """Write `data` into the staging folder unless output/rel holds exactly these bytes."""
    if not fresh:
        old = output_dir / rel
        try:
            stat = old.stat()
            if stat.st_size == len(data) and old.read_bytes() == data:
                return False, (stat.st_size, stat.st_mtime_ns)
        except OSError:
            pass
    target = staging / rel
    try:
        make_folder_within(staging, target.parent)
        stat = write_file(target, data)
    except OSError as exc:
        raise write_failed(exc, output_dir) from None
    return True, (stat.st_size, stat.st_mtime_ns)


def write_file(path: Path, data: bytes) -> os.stat_result:
    """Path.write_bytes() then stat(), in four system calls and without Python's file
    objects: a build writes fifteen thousand files (50 us each instead of 84)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        return os.fstat(fd)
    finally:
        os.close(fd)


def stage_copy(staging: Path, output_dir: Path, fresh: bool, rel: str, source: Path) -> tuple[bool, FileState]:
    """Copy an asset unless the output has it already (same size and modification time)."""
    try:
        wanted = source.stat()
        if not fresh:
            try:
                old = (output_dir / rel).stat()
                if (old.st_size, old.st_mtime_ns) == (wanted.st_size, wanted.st_mtime_ns):
                    return False, (old.st_size, old.st_mtime_ns)
            except OSError:
                pass
        target = staging / rel
        make_folder_within(staging, target.parent)
        shutil.copy2(source, target)
        stat = target.stat()
    except OSError as exc:
        raise write_failed(exc, output_dir) from None
    return True, (stat.st_size, stat.st_mtime_ns)


def write_failed(exc: OSError, output_dir: Path) -> BuildFailed:
    reason = os.strerror(exc.errno) if exc.errno else str(exc)
    hint = {errno.ENOSPC: "; free some disk space and build again", errno.EDQUOT: "; free some disk space and build again",
            errno.EACCES: "; check who may write there", errno.EROFS: "; choose a folder you can write to"}.get(exc.errno, "")
    return BuildFailed([SiteError(str(output_dir), None, f"could not write the site: {reason}{hint}. The previous output is untouched")])


def collect_assets(asset_dirs: list[Path], prefix: str) -> dict[str, Path]:
    """Output path -> source file; a later folder replaces an earlier one's file."""
    found: dict[str, Path] = {}
    for source in asset_dirs:
        if not source.is_dir():
            continue
        site = source.resolve().parent  # the site folder (or the theme's), which links may point into
        inside = functools.cache(lambda folder: Path(folder).resolve().is_relative_to(site))
        for path in sorted(source.rglob("*")):
            rel = path.relative_to(source)
            if any(part.startswith(".") for part in rel.parts) or not path.is_file():
                continue
            if not inside(os.path.dirname(path)) or (path.is_symlink() and not path.resolve().is_relative_to(site)):
                continue  # a link out of the site is never published (the pipeline reports it); a file
                # that is no link is where its folder is: one resolve() per folder, not one per file
            found[f"{prefix}/{rel.as_posix()}"] = path
    return found


def scan_output(folder: Path) -> dict[str, FileState]:
    """Every file below `folder` with its size and modification time (one stat each)."""
    found: dict[str, FileState] = {}
    for rel, entry in walk(folder):
        try:
            stat = entry.stat()
        except OSError:
            continue
        found[rel] = (stat.st_size, stat.st_mtime_ns)
    return found


class OutputStates(NamedTuple):
    """The output's files with their states, and its folders ("news/2024/") where known: a
    folder whose time is as before had no file come into it or leave it."""

    files: dict[str, FileState]
    folders: dict[str, FileState]


def scan_output_soon(folder: Path) -> Callable[[], OutputStates]:
    """scan_output() in a thread, while the build does other work (a stat waits on the
    disk, not on Python); call the result to wait for it. Wait before forking a pool."""
    found: list[dict[str, FileState]] = []
    thread = threading.Thread(target=lambda: found.append(scan_output(folder)), daemon=True)
    thread.start()

    def result() -> OutputStates:
        thread.join()
        return OutputStates(found[0] if found else scan_output(folder), {})

    return result


def folders_above(paths: Iterable[str]) -> frozenset[str]:
    """Every folder ("news/", "news/2024/") that holds one of `paths`, however deep."""
    folders = set()
    for rel in paths:
        end = rel.rfind("/")
        while end > 0 and rel[: end + 1] not in folders:  # one there has its own above it too
            folders.add(rel[: end + 1])
            end = rel.rfind("/", 0, end)
    return frozenset(folders)


def apply_journal(staging: Path, output_dir: Path, moves: list[str], removals: list[str]) -> None:
    """Move staged files into the output and delete removed ones; safe to run twice."""
    for rel in moves:
        source = staging / rel
        if source.exists():
            (output_dir / rel).parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, output_dir / rel)
    folders = set()
    for rel in removals:
        target = output_dir / rel
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
        folders.update(Path(rel).parents)
    for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
        if folder.parts:
            with contextlib.suppress(OSError):
                (output_dir / folder).rmdir()  # only when it is empty


def clean_leftovers(output_dir: Path) -> bool:
    """What a killed build (kill -9) left beside the output is tidied by the next one; True
    if there was any (the output may have changed)."""
    parent = output_dir.resolve().parent
    if not parent.is_dir():
        return False
    found = False
    for path in parent.glob(f".{output_dir.name}.staging-*"):
        found = True
        journal = path / JOURNAL
        if journal.is_file() and output_dir.is_dir():
            # killed while moving files in: finish the job, the staged files are complete
            with contextlib.suppress(OSError, ValueError):
                plan = json.loads(journal.read_text(encoding="utf-8"))
                apply_journal(path, output_dir.resolve(), plan["moves"], plan["removals"])
        shutil.rmtree(path, ignore_errors=True)
    for path in sorted(parent.glob(f".{output_dir.name}.old-*")):
        found = True
        kept = path / output_dir.name
        if not output_dir.exists() and kept.is_dir():
            os.rename(kept, output_dir)  # killed between the two renames of a swap
        shutil.rmtree(path, ignore_errors=True)
    return found


_RENAME_EXCHANGE, _AT_FDCWD = 2, -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux renameat2); False where the system cannot."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    return renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
