"""Writing the built site: into a staging folder beside the output, then swapped into place.

A failed or interrupted build never touches the previous output. Files whose bytes did not
change keep their modification time, so rsync and S3 deploys stay small. Nothing outside the
output folder and its staging twin is written or deleted, and a folder Pressroom did not
write is never replaced.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import fcntl
import os
import shutil
import signal
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

from pressroom.errors import BuildFailed, SiteError

MARKER = ".pressroom-output"
MARKER_TEXT = b"This folder is written by Pressroom; each build replaces it whole.\n"
PROTECTED_FOLDERS = ("content", "templates", "assets")


@dataclass(frozen=True)
class WriteResult:
    written: int  # files whose bytes changed or are new
    unchanged: int
    removed: int


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
        os.close(fd)


def write_site(files: Mapping[str, bytes], asset_dirs: list[Path], output_dir: Path) -> WriteResult:
    """Stage everything, then swap. Later asset folders override earlier ones."""
    output_dir = output_dir.resolve()
    staging = None
    try:
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.staging-", dir=output_dir.parent))
        for asset_dir in asset_dirs:
            copy_assets(asset_dir, staging / "assets")
        written = unchanged = 0
        for rel in sorted(files):
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(files[rel])
            if keep_old_mtime(output_dir / rel, target, files[rel]):
                unchanged += 1
            else:
                written += 1
        (staging / MARKER).write_bytes(MARKER_TEXT)
        removed = count_removed(output_dir, staging)
        with _signals_held(too_late=True):
            swap_into_place(staging, output_dir)
    except OSError as exc:
        if staging:
            shutil.rmtree(staging, ignore_errors=True)
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        hint = {errno.ENOSPC: "; free some disk space and build again", errno.EDQUOT: "; free some disk space and build again",
                errno.EACCES: "; check who may write there", errno.EROFS: "; choose a folder you can write to"}.get(exc.errno, "")
        raise BuildFailed([SiteError(str(output_dir), None, f"could not write the site: {reason}{hint}. The previous output is untouched")]) from None
    except BaseException:  # Ctrl-C: the previous output stays, the half-written copy goes
        if staging:
            shutil.rmtree(staging, ignore_errors=True)
        raise
    return WriteResult(written=written, unchanged=unchanged, removed=removed)


def copy_assets(source: Path, target: Path) -> None:
    if not source.is_dir():
        return
    site = source.resolve().parent
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        if not path.resolve().is_relative_to(site):
            continue  # a link out of the site is never published (the pipeline reports it)
        destination = target / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)


def keep_old_mtime(old: Path, new: Path, data: bytes) -> bool:
    try:
        stat = old.stat()
        if stat.st_size != len(data) or old.read_bytes() != data:
            return False
    except OSError:
        return False
    os.utime(new, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    return True


def count_removed(old: Path, new: Path) -> int:
    if not old.is_dir():
        return 0
    return sum(1 for path in old.rglob("*") if path.is_file() and not (new / path.relative_to(old)).exists())


def swap_into_place(staging: Path, output_dir: Path) -> None:
    """Exchange the two folders in one step where Linux can (renameat2), so there is no moment,
    even under kill -9, without a whole output folder. Elsewhere two renames, with Ctrl-C held
    off between them; a kill between them is repaired by clean_leftovers."""
    if not output_dir.exists():
        os.rename(staging, output_dir)
        return
    if _exchange(staging, output_dir):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous output
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.old-", dir=output_dir.parent))
    with _signals_held():
        os.rename(output_dir, retired / output_dir.name)
        os.rename(staging, output_dir)
    shutil.rmtree(retired, ignore_errors=True)


_RENAME_EXCHANGE, _AT_FDCWD = 2, -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False where the system or file system cannot."""
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


@contextlib.contextmanager
def _signals_held(too_late: bool = False) -> Iterator[None]:
    """Ctrl-C and kill (TERM) wait until the block is done. With too_late, one that arrived
    while the block succeeded is dropped: it came after the new site was in place, when there
    was nothing left to stop, and the build reports success, which is the truth."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, OSError, ValueError):
        previous = None
    succeeded = False
    try:
        yield
        succeeded = True
    finally:
        if previous is not None:
            if too_late and succeeded:
                for number in signal.sigpending() & held:
                    signal.sigtimedwait([number], 0)
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def clean_leftovers(output_dir: Path) -> None:
    """What a killed build (kill -9) left beside the output is tidied by the next one."""
    parent = output_dir.resolve().parent
    if not parent.is_dir():
        return
    for path in parent.glob(f".{output_dir.name}.staging-*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in sorted(parent.glob(f".{output_dir.name}.old-*")):
        kept = path / output_dir.name
        if not output_dir.exists() and kept.is_dir():
            os.rename(kept, output_dir)  # killed between the two renames of a swap
        shutil.rmtree(path, ignore_errors=True)
