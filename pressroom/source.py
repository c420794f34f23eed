"""Reading the site's files: finding them, and their text, checked to be text.

Reading (I/O) is kept apart from parsing (pure, in front_matter.py), so tests parse strings.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from pressroom.errors import SiteError

# A long press release is 50 kB; a megabyte is a book, or a picture pasted into the text.
# Python-Markdown needs seconds per megabyte, so more is refused instead of stalling the build.
MAX_FILE_BYTES = 1_000_000
# Invisible characters that copy-paste from Word and e-mail brings along, that HTML and XML
# cannot carry (control characters, lone surrogates, non-characters). Page and line breaks
# become spaces; the rest is dropped.
_INVISIBLE_CHARS = "\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_BREAK_CHARS = "\x0b\x0c"
_INVISIBLE = re.compile(f"[{_INVISIBLE_CHARS}]")
_BREAKS = re.compile(f"[{_BREAK_CHARS}]")
_EITHER = re.compile(f"[{_INVISIBLE_CHARS}{_BREAK_CHARS}]")


def visible_text(text: str) -> str:
    """Most texts hold none of these characters: they are returned as they are, after one search."""
    return text if _EITHER.search(text) is None else _INVISIBLE.sub("", _BREAKS.sub(" ", text))


@dataclass(frozen=True)
class SourceFile:
    path: str  # relative to the site folder, with forward slashes: "content/news/x.md"
    text: str


@dataclass(frozen=True)
class Document:
    """A content file split into front matter (data) and Markdown body."""

    path: str
    meta: dict[str, Any]
    lines: dict[str, int] = field(compare=False)  # "date" or "event.start" -> line in the file
    body: str = ""
    body_line: int = 1

    def line(self, key: str) -> int:
        """The line of `key`, falling back to its parent block, then the first line."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key.rpartition(".")[0]
        return 1


def read_source(site_dir: Path, path: Path) -> SourceFile | SiteError:
    """Read one file as UTF-8 (a byte-order mark and Windows line endings are fine)."""
    rel = path.relative_to(site_dir).as_posix()
    try:
        data = path.read_bytes()
    except OSError as exc:
        return SiteError(rel, 1, f"cannot be read: {exc.strerror}")
    if len(data) > MAX_FILE_BYTES:
        return SiteError(
            rel, 1, f"is {len(data) / 1_000_000:.1f} MB; a file can be at most {MAX_FILE_BYTES // 1_000_000} MB. "
            "Put large material such as reports or pictures in assets/ and link to it",
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return SiteError(rel, 1, "is saved as UTF-16; save it as UTF-8 (in most editors: Save as, Encoding: UTF-8)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return SiteError(rel, line, f"is not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02x}{_guess(data[exc.start])}); save the file as UTF-8")
    return SourceFile(rel, visible_text(text.replace("\r\n", "\n").replace("\r", "\n")))


def _guess(byte: int) -> str:
    """What a stray byte most likely was: Windows programs save "ø" as 0xf8 and "’" as 0x92."""
    try:
        char = bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return ""
    return f', probably "{char}" saved by a Windows program' if char.isprintable() else ""


def list_files(site_dir: Path, folder: str, pattern: str = "*.md") -> tuple[list[Path], list[SiteError]]:
    """Visible files under site_dir/folder, sorted. A link that leads outside the site is an
    error and is not read, so a build never publishes /etc/passwd; linked folders are not entered."""
    found, errors = scan_files(site_dir, folder, pattern)
    return [site_dir / rel for rel, _ in found], errors


def scan_files(site_dir: Path, folder: str, pattern: str = "*.md",
               walked: Sequence[tuple[str, os.DirEntry]] | None = None) -> tuple[list[tuple[str, tuple[int, int]]], list[SiteError]]:
    """Like list_files, with each file's size and modification time: one stat per file, so
    a rebuild can tell which of ten thousand files changed in a few milliseconds. `walked`:
    what a look at this folder or one above it found already, as walk() gives it (the
    entries keep their stats)."""
    root = site_dir / folder
    if not root.is_dir():
        return [], []
    site_real = site_dir.resolve()
    root_inside = root.resolve().is_relative_to(site_real)
    files, errors = [], []
    if walked is None or root.is_symlink():  # a walk from above does not enter a linked folder
        entries: Iterable[tuple[str, os.DirEntry]] = walk(root, folder + "/", hidden=False)  # no editors' swap files, hidden folders
    else:
        entries = below(walked, folder + "/")
    for rel, entry in entries:
        try:
            link = entry.is_symlink()
            inside = Path(entry.path).resolve().is_relative_to(site_real) if link else root_inside
            wanted = fnmatch.fnmatchcase(entry.name, pattern)
            if not inside and (link or wanted):
                errors.append(_outside(rel, entry.path))  # a linked folder too, whatever it holds
                continue
            if not wanted or not entry.is_file():
                continue
            stat = entry.stat()
        except OSError:
            continue
        files.append((rel, (stat.st_size, stat.st_mtime_ns)))
    files.sort(key=lambda item: item[0].replace("/", "\0"))  # as the parts of the paths sort
    errors.sort(key=lambda error: error.path.split("/"))
    return files, errors


def _outside(rel: str, link: str) -> SiteError:
    return SiteError(rel, None, f"is a link to {os.path.realpath(link)}, outside the site; it was not used. Copy what you need into the site instead")


def below(walked: Iterable[tuple[str, os.DirEntry]], prefix: str) -> Iterator[tuple[str, os.DirEntry]]:
    """What walk(folder, prefix, hidden=False) finds, from a walk of a folder above it."""
    start = len(prefix) - 1  # the prefix ends with "/": a part below it that starts with "." follows a "/"
    for rel, entry in walked:
        if rel.startswith(prefix) and "/." not in rel[start:]:
            yield rel, entry


def walk(folder: Path, prefix: str = "", hidden: bool = True) -> Iterator[tuple[str, os.DirEntry]]:
    """Every entry below `folder` that is not a folder, as (prefix + relative path, entry);
    links to folders are not followed."""
    todo = [(prefix, str(folder))]
    while todo:
        prefix, path = todo.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:
            continue
        for entry in entries:
            if not hidden and entry.name.startswith("."):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    todo.append((prefix + entry.name + "/", entry.path))
                    continue
            except OSError:
                continue
            yield prefix + entry.name, entry
