"""A rebuild with nothing changed, answered from the states of files alone.

Most builds change nothing: a scheduled rebuild, a deploy of the same commit, a second
`pressroom build` to be sure. Such a build need not parse, index or render anything, nor
even load Jinja2 or Python-Markdown. If every file a build reads (the site's and
Pressroom's own), every output file and the build's options are as the last successful
build left them, and the clock is still inside the span in which nothing the site shows
changes by itself (a scheduled release, an embargo, an event ending), then the output
already is the site: only build-info.json, which says when the site was built, is written
again. On any difference or doubt the full build runs, and it is always right.

This module is imported before the rest of the pipeline, so it stays light: the standard
library, errors, write and report.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import itertools
import json
import operator
import os
import struct
import sys
import time
from array import array
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, NamedTuple, Sequence
from zoneinfo import ZoneInfo

from pressroom.errors import BuildFailed, SiteError
from pressroom.report import BuildReport
from pressroom.source import walk
from pressroom.workers import soon_in_another_process
from pressroom.write import FileState, OutputStates, build_lock, check_output_dir, clean_leftovers, folders_above

SITE_INPUTS = ("pressroom.toml", "content", "templates", "assets")
PACKAGE_DIR = Path(__file__).parent
BUILD_INFO = "build-info.json"
RECORDS = ".pressroom-cache/last-build"
LOOK_ELSEWHERE = 2000  # output files and folders from which another process looks at them


def build_now() -> datetime:
    """The moment the build is "as of": SOURCE_DATE_EPOCH when set, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), timezone.utc)
        except (ValueError, OverflowError, OSError):
            raise BuildFailed([SiteError("SOURCE_DATE_EPOCH", None, f'"{epoch}" is not a number of seconds since 1970; unset it or fix it')]) from None
    return datetime.now(timezone.utc)


def too_recent(mtime_ns: int, seen_ns: int) -> bool:
    """A file changed just before it was looked at may change again within the same tick of
    the file system's clock, unseen by size and time. A clock of whole seconds (FAT, ext3)
    needs a wider margin than one of nanoseconds."""
    margin = 2_000_000_000 if mtime_ns % 1_000_000_000 == 0 else 100_000_000
    return mtime_ns > seen_ns - margin


@dataclass(frozen=True)
class LastBuild:
    """What a successful build leaves for the next (see remember()): what it read and wrote,
    until when its output holds, and what its summary said."""

    inputs: str  # read_inputs() at the start of the build
    by_content: list[str]  # the files it summed up by their content
    paths: list[str]  # output_paths(): the files and folders it left
    states: bytes  # their sizes and times, packed (see packed_states)
    top: list[str]  # top_names(): what the top of the output holds
    built: str  # the moment it was as of (UTC, ISO 8601)
    until: str | None  # the first moment something the site shows changes by itself
    pages: int  # HTML pages, as the summary counts them
    files: int  # output files besides assets, as "changed" and "unchanged" count them
    tz: str  # the site's time zone, for build-info.json
    next_change: str | None
    next_change_reason: str | None
    notes: str  # the end of the summary line
    warnings: list[tuple[str, int | None, str]]
    read_as: bytes = field(default=b"", compare=False, repr=False)  # the record's bytes, as recall() read them

    def is_current(self, site_dir: Path, output_dir: Path, options: tuple[str, ...]) -> bool:
        """The record is still the last build's: no build left another since this was read.
        (Its bytes compared: reading it again took 15-20 ms at ten thousand releases.)"""
        try:
            return bool(self.read_as) and record_path(site_dir, output_dir, options).read_bytes() == self.read_as
        except OSError:
            return False

    def holds_at(self, now: datetime) -> bool:
        """`now` lies in the span in which the output is the site."""
        return datetime.fromisoformat(self.built) <= now and (self.until is None or now < datetime.fromisoformat(self.until))

    def build_info(self, now: datetime) -> bytes:
        change = datetime.fromisoformat(self.next_change) if self.next_change else None
        return build_info_bytes(now, self.tz, change, self.next_change_reason)


@dataclass(frozen=True)
class Inputs:
    """What a build reads, summed up. A file changed so recently that its time could miss a
    second change (see too_recent) counts by its content instead: `by_content` names them,
    so that the next look sums up those files the same way."""

    digest: str
    by_content: tuple[str, ...] = ()
    # What the look found in content/ (walk() entries, which keep their stats), and when it
    # began: the build takes the content files' states from it instead of looking again.
    content: tuple[tuple[str, os.DirEntry], ...] | None = field(default=None, compare=False, repr=False)
    seen_ns: int = 0


def read_inputs(site_dir: Path, options: tuple[str, ...], by_content: Sequence[str] = ()) -> Inputs:
    """The state (size, modification time) of every file a build of this site reads, with the
    build's options: the site's files, Pressroom's code and theme, and the installed
    libraries (a package installed or upgraded changes its folder)."""
    seen_ns = time.time_ns()
    wanted, read = set(by_content), []
    h = hashlib.blake2b(digest_size=16)
    for part in (sys.version, sys.executable, *options):
        h.update(part.encode("utf-8", "surrogatepass") + b"\0")
    roots = [(site_dir / name, name + "/") for name in SITE_INPUTS] + [(PACKAGE_DIR, "pressroom:")]
    content: list[tuple[str, os.DirEntry]] = []
    for root, prefix in roots:
        for rel, path, (size, mtime) in sorted(file_states(root, prefix, content if prefix == "content/" else None)):
            if rel in wanted or too_recent(mtime, seen_ns):
                read.append(rel)
                h.update(b"%s\0c%s\0" % (rel.encode("utf-8", "surrogateescape"), content_digest(path)))
            else:
                h.update(state_line(rel, size, mtime))
    for folder in sorted({path for path in sys.path if path.endswith(("site-packages", "dist-packages"))}):
        try:
            h.update(b"%s\0%d\0" % (folder.encode("utf-8", "surrogateescape"), os.stat(folder).st_mtime_ns))
        except OSError:
            continue
    return Inputs(h.hexdigest(), tuple(read), tuple(content), seen_ns)


def content_digest(path: str) -> bytes:
    try:
        with open(path, "rb") as file:
            return hashlib.file_digest(file, "blake2b").digest()
    except OSError:
        return b"?"


def file_states(root: Path, prefix: str, walked: list[tuple[str, os.DirEntry]] | None = None) -> list[tuple[str, str, tuple[int, int]]]:
    """(name, path, (size, modification time)) of the file `root` or of every file below it;
    what the walk met is added to `walked`."""
    if root.is_file():
        stat = root.stat()
        return [(prefix, str(root), (stat.st_size, stat.st_mtime_ns))]
    found = []
    for rel, entry in walk(root, prefix):
        if walked is not None:
            walked.append((rel, entry))
        if "__pycache__/" in rel:
            continue
        try:
            stat = entry.stat()
        except OSError:
            continue
        found.append((rel, entry.path, (stat.st_size, stat.st_mtime_ns)))
    return found


def output_paths(files: Iterable[str], last: list[str] | None = None) -> list[str]:
    """What to look at to know the output is as a build left it: its files (build-info.json
    aside) and its folders below the top ("news/2024/"), whose time changes when a file is
    added to or removed from them. The top folder itself is listed instead (see top_names).
    `last`: what this gave for the last build, given back if it names the same files (after
    an edit, no file came or went: 30 ms at ten thousand releases not spent sorting)."""
    files = [rel for rel in files if rel != BUILD_INFO]
    count = len(files)
    if last is not None and count <= len(last) and (count == len(last) or last[count].endswith("/")) and set(last[:count]) == set(files):
        return last
    files.sort()
    return files + sorted(folders_above(files))


def packed_states(output_dir: Path, paths: Sequence[str], known: dict[str, FileState] | None = None) -> bytes | None:
    """The sizes and times of the output's files and folders ("news/2024/", which count by
    their time alone) as the record keeps them: two 64-bit integers each, in the order of
    `paths`. None if one is missing. One stat per path whose state is not `known`, without
    reading any folder: a fraction of the cost of walking fifteen thousand of them. (The
    record held a digest of the states at first: at ten thousand releases, 30,000 lines to
    format and hash cost a rebuild 60 ms, and the look at the output 40.)"""
    base = os.fspath(output_dir) + os.sep
    if not known:
        return _stat_all(base, paths)
    known = dict(known)
    for rel in set(paths).difference(known):
        try:
            stat = os.stat(base + rel)
        except OSError:
            return None
        known[rel] = (0 if rel.endswith("/") else stat.st_size, stat.st_mtime_ns)
    return array("q", itertools.chain.from_iterable(map(known.__getitem__, paths))).tobytes()


def patched_states(output_dir: Path, last: LastBuild, files: int, changed: dict[str, FileState], folders: Iterable[str]) -> bytes | None:
    """packed_states() of the output after a build that changed only the files `changed`
    (with their states) and, so, the folders `folders` of the output `last` left, where no
    file came or went (the output has `files` files, build-info.json aside): `last`'s,
    patched. None where a file came or went. (Packing 30,000 states anew took 20-50 ms
    after an edit that changes a dozen.)"""
    paths = last.paths
    split = folders_start(paths)
    if files != split:
        return None
    patched = bytearray(last.states)
    for rel, (size, mtime) in changed.items():
        at = bisect.bisect_left(paths, rel, 0, split)
        if at == split or paths[at] != rel:
            return None  # a new file
        struct.pack_into("=qq", patched, 16 * at, size, mtime)
    base = os.fspath(output_dir) + os.sep
    for rel in folders:
        at = bisect.bisect_left(paths, rel, split)
        if at == len(paths) or paths[at] != rel:
            return None
        try:
            struct.pack_into("=qq", patched, 16 * at, 0, os.stat(base + rel).st_mtime_ns)
        except OSError:
            return None
    return bytes(patched)


def _stat_all(base: str, paths: Sequence[str]) -> bytes | None:
    """packed_states() with no state known: the stats and the packing in calls of map()
    (30,000 one by one spent 50-90 ms in Python besides the system calls)."""
    try:
        stats = list(map(os.stat, map(base.__add__, paths)))
    except OSError:
        return None
    files = map(operator.not_, map(str.endswith, paths, itertools.repeat("/")))  # a folder's size counts as 0
    sizes = map(operator.mul, map(operator.attrgetter("st_size"), stats), files)
    return array("q", itertools.chain.from_iterable(zip(sizes, map(operator.attrgetter("st_mtime_ns"), stats)))).tobytes()


STATE_LINE = b"%s\0%d\0%d\0"  # name, size, modification time


def state_line(rel: str, size: int, mtime_ns: int) -> bytes:
    """One file's (or folder's) name and state, as the digests above sum them up."""
    return STATE_LINE % (rel.encode("utf-8", "surrogateescape"), size, mtime_ns)


class AsLeft(NamedTuple):
    """The output is as the last build left it, but for build-info.json, which changes by
    itself: its state (None: there is none)."""

    build_info: FileState | None


def output_as_left(output_dir: Path, last: LastBuild) -> AsLeft | None:
    """Whether the output is exactly as the last build left it (build-info.json aside)."""
    out = output_dir.resolve()
    if top_names(out) != last.top or packed_states(out, last.paths) != last.states:
        return None
    try:
        stat = os.stat(out / BUILD_INFO)
    except OSError:
        return AsLeft(None)
    return AsLeft((stat.st_size, stat.st_mtime_ns))


def states_left(last: LastBuild, seen: AsLeft) -> OutputStates:
    """Every file and folder of an output as `last` left it, with its state."""
    numbers = iter(array("q", last.states))
    states = zip(numbers, numbers)
    split = folders_start(last.paths)  # recall() made sure they are files, then folders
    files = dict(zip(last.paths[:split], states))  # zip stops at the end of the names: the rest are the folders'
    if seen.build_info is not None:
        files[BUILD_INFO] = seen.build_info
    return OutputStates(files, dict(zip(last.paths[split:], states)))


def files_then_folders(paths: list[str]) -> int | None:
    """Where the folders begin in `paths`, which output_paths() gave: files, then folders
    (their names end with "/"). None if they are not so."""
    split = folders_start(paths)
    if any(map(str.endswith, paths[:split], itertools.repeat("/"))) or not all(map(str.endswith, paths[split:], itertools.repeat("/"))):
        return None
    return split


def folders_start(paths: list[str]) -> int:
    """Where the folders begin in a list of files, then folders."""
    return bisect.bisect_left(paths, True, key=_is_folder)


def _is_folder(path: str) -> bool:
    return path.endswith("/")


def top_names(output_dir: Path) -> list[str]:
    """The names at the top of the output, where only build-info.json changes by itself."""
    try:
        return sorted(name for name in os.listdir(output_dir) if name != BUILD_INFO)
    except OSError:
        return []


def record_path(site_dir: Path, output_dir: Path, options: tuple[str, ...]) -> Path:
    """One record per output folder and options (a drafts build and a normal one differ)."""
    key = hashlib.blake2b("\0".join([str(output_dir.resolve()), *options]).encode("utf-8", "surrogateescape"), digest_size=8)
    return site_dir / RECORDS / f"{key.hexdigest()}.json"


def options_of(preview: bool, base_url: str | None) -> tuple[str, ...]:
    return (f"preview={preview}", f"base_url={base_url or ''}")


def remember(site_dir: Path, output_dir: Path, options: tuple[str, ...], record: LastBuild) -> None:
    """Leave the record of a successful build for the next one (quietly not, if the site
    folder cannot be written: the next build is then a full one). It is one line of JSON,
    then the packed states, then the paths, NUL-separated (no path holds a NUL): at ten
    thousand releases, thirty thousand paths took 40 ms to write as JSON and as long to
    read. The states are packed in this machine's byte order; a record
    moved to another machine is a record of another output anyway."""
    path = record_path(site_dir, output_dir, options)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        head = {name: value for name, value in vars(record).items() if name not in ("paths", "states", "read_as")}
        head[_STATES_SIZE] = len(record.states)
        paths = "\0".join(record.paths).encode("utf-8", "surrogateescape")
        temporary.write_bytes(json.dumps(head).encode("ascii") + b"\n" + record.states + paths)
        os.replace(temporary, path)
    except OSError:
        forget(site_dir, output_dir, options)


def forget(site_dir: Path, output_dir: Path, options: tuple[str, ...]) -> None:
    try:
        record_path(site_dir, output_dir, options).unlink(missing_ok=True)
    except OSError:
        pass


def recall(site_dir: Path, output_dir: Path, options: tuple[str, ...]) -> LastBuild | None:
    """The record remember() left, if any. One this version cannot read (an older version's:
    the next build is then a full one anyway, as Pressroom's own files changed) is none."""
    try:
        whole = record_path(site_dir, output_dir, options).read_bytes()
        head, _, rest = whole.partition(b"\n")
        data = json.loads(head)
        size = data.pop(_STATES_SIZE)
        paths = rest[size:].decode("utf-8", "surrogateescape")
        data["states"], data["paths"], data["read_as"] = rest[:size], paths.split("\0") if paths else [], whole
        if size != 16 * len(data["paths"]) or len(rest) < size or files_then_folders(data["paths"]) is None:
            return None  # cut short, or not a record this version left
        return LastBuild(**data)
    except (OSError, ValueError, TypeError, KeyError):
        return None


_STATES_SIZE = "states_size"  # in the record's line of JSON: the bytes of states after it


@dataclass(frozen=True)
class Look:
    """What reuse() found: the report of a build that had nothing to do, or else what it
    read on the way, for the build that is needed (so that it need not read it again)."""

    report: BuildReport | None = None
    inputs: Inputs | None = None
    # The output's files and folders, when they are as the record says (else None), once
    # the look that runs in another process is over: call it to wait.
    output: Callable[[], OutputStates | None] | None = None
    record: LastBuild | None = None  # the last build's record, as it was when they were read


def reuse(site_dir: Path, output_dir: Path | None = None, *, drafts: bool = False, base_url: str | None = None,
          now: datetime | None = None) -> Look:
    """Whether the last build's output is still the site; see Look."""
    started = time.perf_counter()
    site_dir = site_dir.resolve()
    output_dir = output_dir or site_dir / "output"
    options = options_of(drafts, base_url)
    last = recall(site_dir, output_dir, options)
    if last is None or check_output_dir(site_dir, output_dir) or not output_dir.is_dir():
        return Look()
    now = now or build_now()
    with build_lock(output_dir):
        clean_leftovers(output_dir)
        output = look_at_output(output_dir, last)
        inputs = read_inputs(site_dir, options, last.by_content)
        if inputs.digest != last.inputs or not last.holds_at(now):
            return Look(None, inputs, output, last)  # the build needs the look later, if at all
        if output() is None:
            return Look(None, inputs, None, last)
        written = write_build_info(output_dir, last.build_info(now))
    return Look(BuildReport(
        pages=last.pages,
        written=int(written),
        unchanged=last.files - int(written),
        removed=0,
        seconds=time.perf_counter() - started,
        held_back=(),
        output_dir=output_dir,
        notes=last.notes,
        warnings=tuple(SiteError(path, line, message) for path, line, message in last.warnings),
    ))


def look_at_output(output_dir: Path, last: LastBuild) -> Callable[[], OutputStates | None]:
    """The output's files and folders with their states if output_as_left(), else None;
    the look runs in another process while this one reads the inputs (and builds, if they
    changed), where the output is large enough for that to pay: a third of a second at ten
    thousand releases, against a few milliseconds to start the process. It answers only
    whether: the states are the record's (sent back, 30,000 of them took 20-30 ms more)."""
    work = functools.partial(output_as_left, output_dir, last)
    seen = soon_in_another_process(work) if len(last.paths) >= LOOK_ELSEWHERE else work

    def output() -> OutputStates | None:
        found = seen()
        return None if found is None else states_left(last, found)

    return output


def write_build_info(output_dir: Path, data: bytes) -> bool:
    """build-info.json with this build's time, replaced whole; False if it had these bytes."""
    path = output_dir / BUILD_INFO
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    temporary = output_dir / f".{BUILD_INFO}.tmp"
    temporary.write_bytes(data)
    os.replace(temporary, path)
    return True


def build_info_bytes(now: datetime, tz: str, next_change: datetime | None, reason: str | None) -> bytes:
    """When the site was built as of, and when it next changes by itself: a scheduler that
    reads `next_change` knows when to build again (null: nothing is scheduled to change)."""
    zone = ZoneInfo(tz)
    info = {
        "build_time": now.astimezone(zone).isoformat(),
        "next_change": next_change.astimezone(zone).isoformat() if next_change else None,
        "next_change_reason": reason if next_change else None,
    }
    return (json.dumps(info, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
