"""Reading and parsing every content file, reusing what an earlier build already parsed.

A file is parsed again only when its bytes, the configuration or Pressroom changed; the
modification time and size tell, without reading, which of ten thousand files may have
changed. What is parsed is kept in memory by a live Builder and in the cache between
builds, in shards, so a rebuild after one edit rewrites one small shard. Parsing many files
runs in the worker pool; Markdown already converted once (the same text, the same settings)
is taken from the cache even when the front matter or the configuration changed.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import Any, Callable, Sequence

from pressroom import accessibility, markup, workers
from pressroom.cache import Cache, MarkdownMemo, shard_of
from pressroom.config import Config
from pressroom.depend import Html, compact, digest, htmls
from pressroom.errors import SiteError
from pressroom.source import Document, read_source, scan_files, split_document
from pressroom.unchanged import too_recent

Parser = Callable[[Document, Config], Any]
FileState = tuple[int, int]
SHARDS = 16
POOL_MINIMUM = 48  # fewer files than this are parsed in the building process


@dataclass(frozen=True)
class Entry:
    """One content file as last parsed: an item of the model, or its errors."""

    path: str
    state: FileState
    salt: bytes  # the configuration and code it was parsed with
    key: bytes  # the text and the salt
    item: Any
    errors: tuple[SiteError, ...]
    racy: bool = False
    warnings: tuple[SiteError, ...] = ()  # problems that do not stop the build


@dataclass
class Content:
    """Every content file of the site, parsed."""

    entries: dict[str, Entry]
    reparsed: int  # how many were parsed this time

    def items(self, folder: str) -> list[Any]:
        """The parsed items of one folder, in the order of their paths."""
        prefix = folder.rstrip("/") + "/"
        found = [(path_order(path), entry.item) for path, entry in self.entries.items() if path.startswith(prefix) and entry.item is not None]
        found.sort(key=lambda pair: pair[0])
        return [item for _, item in found]

    def errors(self) -> list[SiteError]:
        return [error for entry in self.entries.values() for error in entry.errors]

    def warnings(self) -> list[SiteError]:
        return [warning for entry in self.entries.values() for warning in entry.warnings]


def is_racy(state: FileState, seen_ns: int) -> bool:
    """A file changed just before it was looked at is read again next time (see too_recent)."""
    return too_recent(state[1], seen_ns)


def path_order(path: str) -> str:
    """Sorts paths as their parts sort ("a/b" before "a-c"), as pathlib does: the separator
    becomes the lowest character."""
    return path.replace("/", "\0")


def scan_content(site_dir: Path, folders: Sequence[str], walked: Sequence[tuple[str, os.DirEntry]] | None = None) -> tuple[dict[str, FileState], list[SiteError]]:
    """The content files with their states; `walked`: a walk of content/ made already."""
    states: dict[str, FileState] = {}
    errors: list[SiteError] = []
    for folder in folders:
        found, problems = scan_files(site_dir, folder, walked=walked)
        states.update(found)
        errors.extend(problems)
    return states, errors


def rescan_content(site_dir: Path, folders: Sequence[str], states: dict[str, FileState], changed: Sequence[Path]) -> dict[str, FileState] | None:
    """scan_content()'s states after the paths in `changed` (files and folders, as the
    preview's watcher names them) changed, from the states before, looking only at those and
    at the files right inside a named folder: the same answer without ten thousand stats.
    None where only a full scan can tell (a link among them)."""
    found = dict(states)
    added = False
    for path in changed:
        try:
            rel = path.relative_to(site_dir).as_posix()
        except ValueError:
            return None
        if not any(rel == folder or rel.startswith(folder + "/") for folder in folders):
            continue  # a template, an asset, the configuration; or above the content folders
        if any(part.startswith(".") for part in rel.split("/")):
            continue  # hidden, never content (an editor's swap file)
        try:
            stat = os.lstat(path)
        except FileNotFoundError:
            found.pop(rel, None)  # a file gone; a folder gone is named with each of its files
            continue
        except OSError:
            return None
        if S_ISDIR(stat.st_mode):  # a file came, went or was renamed in it
            inside = _files_right_inside(site_dir, path, rel)
            if inside is None:
                return None
            prefix = rel + "/"
            for gone in [known for known in found if known.startswith(prefix) and "/" not in known[len(prefix):] and known not in inside]:
                del found[gone]
            added = added or any(known not in found for known in inside)
            found.update(inside)
        elif not S_ISREG(stat.st_mode):
            return None
        elif fnmatch.fnmatchcase(rel.rsplit("/", 1)[-1], "*.md"):
            added = added or rel not in found
            found[rel] = (stat.st_size, stat.st_mtime_ns)
    if not added:
        return found  # the files scan_content() found, in its order
    def scan_order(item: tuple[str, FileState]) -> tuple[int, str]:  # folder by folder, then by path
        return next(n for n, folder in enumerate(folders) if item[0].startswith(folder + "/")), path_order(item[0])

    return dict(sorted(found.items(), key=scan_order))


def _files_right_inside(site_dir: Path, folder: Path, rel: str) -> dict[str, FileState] | None:
    """The Markdown files right inside one folder (not below), as scan_content() finds them;
    None if a link is there, or a file outside the site (a full scan tells and reports)."""
    try:
        with os.scandir(folder) as entries:
            files = [(f"{rel}/{entry.name}", entry) for entry in entries if not entry.is_dir(follow_symlinks=False)]
        if any(entry.is_symlink() and not entry.name.startswith(".") for _, entry in files):
            return None  # (an editor's lock file, .#x.md, is a link, and never content)
    except FileNotFoundError:
        return {}
    except OSError:
        return None
    found, errors = scan_files(site_dir, rel, walked=files)
    return None if errors else dict(found)


def load_content(
    site_dir: Path,
    parsers: dict[str, Parser],
    config: Config,
    salt: bytes,
    states: dict[str, FileState],
    previous: dict[str, Entry],
    cache: Cache,
    seen_ns: int,
) -> tuple[Content, dict[str, Entry]]:
    """Parse what changed; returns the content and the entries that are new or changed.
    `seen_ns` is when the files' states were taken."""
    todo = []
    for path, state in states.items():
        old = previous.get(path)
        if old is None or old.salt != salt:
            todo.append((path, None))
        elif old.state != state or old.racy:
            todo.append((path, old.key))
    entries = {path: previous[path] for path in states if path in previous}
    changed: dict[str, Entry] = {}
    share = {"site_dir": site_dir, "parsers": parsers, "config": config, "salt": salt, "memo": cache.path}
    store = cache.store()
    for results, markdown in workers.run_chunks(parse_chunk, todo, share=share, minimum=POOL_MINIMUM):
        fresh = []
        for path, key, item, errors, warnings in results:
            state = states[path]
            racy = is_racy(state, seen_ns)
            if errors is None:  # read again, and the text had not changed
                old = previous[path]
                entry = Entry(path, state, salt, key, old.item, old.errors, racy, old.warnings)
            else:
                entry = Entry(path, state, salt, key, item, errors, racy, warnings)
                fresh.append(item)
            entries[path] = changed[path] = entry
        if store is not None:
            keep_bodies(cache, store, fresh, markdown)
    return Content(entries, reparsed=len(todo)), changed


def keep_bodies(cache: Cache, store: Any, items: list[Any], markdown: dict[bytes, Html]) -> None:
    """Leave the converted text of new items in the cache, not in memory."""
    bodies = [html for item in items for html in htmls(item) if html.data is not None]
    saved = cache.put_many(
        {},
        markdown={key: html.digest for key, html in markdown.items()},
        bodies={html.digest: html.data for html in [*bodies, *markdown.values()]},
    )
    if saved:
        for html in bodies:
            html.stored_in(store)


def parse_chunk(chunk: Sequence[tuple[str, bytes | None]]) -> tuple[list[tuple], dict[bytes, Html]]:
    """Runs in a worker (or in the building process for a few files)."""
    memo = MarkdownMemo(workers.shared("memo"))
    with markup.remembering(memo):
        results = [parse_file(path, old_key, memo.html_of) for path, old_key in chunk]
    return results, memo.take_new()


def parse_file(path: str, old_key: bytes | None, html_of: Callable[[str], Html] = Html.of) -> tuple[str, bytes, Any, tuple[SiteError, ...] | None, tuple[SiteError, ...]]:
    """(path, key, item, errors, warnings); errors None: the text is as it was. `html_of`
    holds converted text as Html (the memo's, which has just done so for new text)."""
    site_dir: Path = workers.shared("site_dir")
    source = read_source(site_dir, site_dir / path)
    salt = workers.shared("salt")
    if isinstance(source, SiteError):
        return path, digest(salt, path, "unreadable", source.message), None, (source,), ()
    key = digest(salt, path, source.text)
    if key == old_key:
        return path, key, None, None, ()
    document = split_document(source)
    if isinstance(document, SiteError):
        return path, key, None, (document,), ()
    parser = parser_for(path, workers.shared("parsers"))
    result = parser(document, workers.shared("config"))
    if isinstance(result, list):
        return path, key, None, tuple(result), ()
    found = accessibility.check_text(document, str(getattr(result, "body_html", "")))
    if found.errors:
        return path, key, None, tuple(found.errors), tuple(found.warnings)
    return path, key, compact(result, html_of), (), tuple(found.warnings)


def parser_for(path: str, parsers: dict[str, Parser]) -> Parser:
    folder = max((f for f in parsers if path.startswith(f.rstrip("/") + "/")), key=len)
    return parsers[folder]


# ------------------------------------------------------------------ kept between builds


def load_entries(cache: Cache) -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for shard in range(SHARDS):
        part = cache.get(f"content/{shard}")
        if isinstance(part, dict):
            entries.update(part)
    return entries


def save_entries(cache: Cache, entries: dict[str, Entry], changed_paths: set[str]) -> None:
    """Rewrite only the shards that hold a changed, new or deleted file."""
    shards = {shard_of(path, SHARDS) for path in changed_paths}
    if not shards:
        return
    parts: dict[int, dict[str, Entry]] = {shard: {} for shard in shards}
    for path, entry in entries.items():
        shard = shard_of(path, SHARDS)
        if shard in parts:
            parts[shard][path] = entry
    cache.put_many({f"content/{shard}": part for shard, part in parts.items()})
