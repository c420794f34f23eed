"""Reading the site's files and splitting front matter from the body.

Reading (I/O) is kept apart from parsing (pure), so tests parse strings. YAML is composed
into nodes first: node marks give every key its real line in the file, duplicate keys and
alias bombs are caught before anything is built, and only YAML's safe types are constructed.
"""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import frontmatter
import yaml

from pressroom.errors import SiteError

_HANDLER = frontmatter.YAMLHandler()
MAX_YAML_NODES = 20_000
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


class _DataOnly:
    """YAML's safe types, with two changes: dates stay text, so that parse.py reads every date
    (and reports a 30 February at its line), and a value that cannot be built (`!!int x`) is
    an error at its own line instead of an exception from deep inside PyYAML."""

    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_object(self, node, deep=False):
        try:
            value = super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError) as exc:
            tag = node.tag.replace("tag:yaml.org,2002:", "!!")
            raise yaml.constructor.ConstructorError(None, None, f"{_short(node.value)} cannot be read as {tag}; remove the {tag}", node.start_mark) from None
        return visible_text(value) if isinstance(value, str) else value


class _FastLoader(_DataOnly, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


class _ClearLoader(_DataOnly, yaml.SafeLoader):
    pass


def _short(value: object) -> str:
    text = f'"{value}"' if isinstance(value, str) else "this value"
    return text if len(text) <= 40 else text[:37] + '..."'


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


def split_document(source: SourceFile) -> Document | SiteError:
    """Front matter between `---` lines at the top, then Markdown."""
    text = source.text
    boundaries = list(_HANDLER.FM_BOUNDARY.finditer(text)) if text.startswith("---") else []
    if not boundaries or boundaries[0].start() != 0:
        if not text.strip():
            return SiteError(source.path, 1, "the file is empty; it needs front matter (---, title: ..., date: ..., ---) and text")
        return SiteError(
            source.path, 1,
            "there is no front matter; the file must start with a line ---, then fields like title: and date:, then ---",
        )
    if len(boundaries) < 2:
        return SiteError(
            source.path, 1,
            "the front matter that starts here never ends; add a line --- after the last field",
        )
    opening, closing = boundaries[0], boundaries[1]
    first_line = text.count("\n", 0, opening.end()) + 1
    loaded = load_yaml(text[opening.end() : closing.start()], source.path, first_line)
    if isinstance(loaded, SiteError):
        return loaded
    meta, lines = loaded
    body_start = closing.end() + 1
    return Document(
        path=source.path,
        meta=meta,
        lines=lines,
        body=text[body_start:],
        body_line=text.count("\n", 0, body_start) + 1,
    )


def load_yaml(text: str, path: str, first_line: int) -> tuple[dict, dict[str, int]] | SiteError:
    """Safe YAML -> (mapping, line of every key); errors point at lines of the file."""
    if "\t" in text:
        for number, line in enumerate(text.split("\n")):
            stripped = line.lstrip(" ")
            if stripped.startswith("\t"):
                return SiteError(path, first_line + number, "a tab is used for indentation; YAML needs spaces")
    try:
        return _load_yaml(_FastLoader, text, path, first_line)
    except _Retry:
        # libyaml is fast but terse; its pure-Python twin explains the same error better.
        return _load_yaml(_ClearLoader, text, path, first_line)


class _Retry(Exception):
    pass


def _load_yaml(loader_class, text: str, path: str, first_line: int) -> tuple[dict, dict[str, int]] | SiteError:
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        if not isinstance(node, yaml.MappingNode):
            return SiteError(path, first_line + node.start_mark.line, "the front matter must be fields like title: ..., one per line")
        problem = _check_nodes(node, path, first_line)
        if problem:
            return problem
        meta = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        if loader_class is not _ClearLoader:
            raise _Retry from None
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "is not valid YAML"
        if exc.context_mark and "quoted scalar" in (exc.context or ""):
            mark, what = exc.context_mark, "a quote opened here is never closed; add the closing quote"
        line = first_line + mark.line if mark else first_line
        if "could not determine a constructor" in str(exc):
            what = f"{exc.problem.split(' for the tag ')[-1]} is not allowed here; front matter holds plain values only"
        return SiteError(path, line, f"this is not valid YAML: {what}{_yaml_hint(what)}")
    except yaml.YAMLError as exc:
        return SiteError(path, first_line, f"this is not valid YAML: {str(exc).splitlines()[0]}")
    except RecursionError:
        return SiteError(path, first_line, "the front matter is nested hundreds of levels deep ([[[[...); a page needs two or three at most")
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    _record_lines(node, "", first_line, lines)
    return meta, lines


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return '; a value that contains ": " must be put in quotes'
    if "found unexpected end of stream" in problem or "unexpected end" in problem:
        return "; a quote was probably opened and not closed"
    if "found character '\\t'" in problem:
        return "; use spaces, not tabs"
    if "unhashable key" in problem:
        return "; a field name must be a plain word, like title"
    return ""


def _check_nodes(root: yaml.Node, path: str, first_line: int) -> SiteError | None:
    """Refuse duplicate keys and alias expansion that would blow up ("billion laughs")."""
    sizes: dict[int, int] = {}
    aliases = 0

    def size(node: yaml.Node) -> int:
        nonlocal aliases
        if id(node) in sizes:
            aliases += 1
            return sizes[id(node)]
        sizes[id(node)] = 1  # guards against recursive aliases
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(v) for v in node.value)
        else:
            total = 1
        sizes[id(node)] = min(total, MAX_YAML_NODES + 1)
        return sizes[id(node)]

    if size(root) > MAX_YAML_NODES:
        through_aliases = aliases > 0
        key, _ = max(root.value, key=lambda pair: size(pair[1]))  # the first field that overflows
        line = first_line + key.start_mark.line
        if through_aliases:
            return SiteError(path, line, f"the front matter expands to more than {MAX_YAML_NODES:,} values through & and * aliases; write the values out instead")
        return SiteError(path, line, f"the front matter holds more than {MAX_YAML_NODES:,} values, far more than a page needs; shorten it")

    def duplicates(node: yaml.Node, seen_nodes: set[int]) -> SiteError | None:
        if id(node) in seen_nodes:
            return None
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    line = first_line + key.start_mark.line
                    if key.value in seen:
                        return SiteError(path, line, f'"{key.value}" is given twice (first on line {seen[key.value]}); keep one')
                    seen[key.value] = line
                found = duplicates(value, seen_nodes)
                if found:
                    return found
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                found = duplicates(item, seen_nodes)
                if found:
                    return found
        return None

    return duplicates(root, set())


def _record_lines(node: yaml.Node, prefix: str, first_line: int, lines: dict[str, int]) -> None:
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode):
            name = f"{prefix}{key.value}"
            lines.setdefault(name, first_line + key.start_mark.line)
            if prefix.count(".") < 2:
                _record_lines(value, name + ".", first_line, lines)
