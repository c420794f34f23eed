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
import itertools
import os
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import Any, Callable, NamedTuple, Sequence

from pressroom import accessibility, lazy, markup, workers
from pressroom.cache import Cache, MarkdownMemo, shard_of
from pressroom.config import Config
from pressroom.depend import Html, compact, digest, htmls
from pressroom.errors import SiteError
from pressroom.source import Document, read_source, scan_files
from pressroom.unchanged import too_recent

Parser = Callable[[Document, Config], Any]
ParsedChunk = tuple[list[tuple], dict[bytes, Html]]  # parse_chunk(): (path, key, item, errors, warnings), new conversions
FileState = tuple[int, int]
SHARDS = 16
LOOKED = "content/looked"  # when the files of the saved entries were looked at: see probably_changed()
POOL_MINIMUM = 48  # fewer files than this are parsed in the building process


class Entry(NamedTuple):
    """One content file as last parsed: an item of the model, or its errors. (A named
    tuple, not a dataclass: the cache gives back ten thousand of them, in a third of the
    time.)"""

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
    early: Callable[[], ParsedChunk] | None = None,
) -> tuple[Content, dict[str, Entry]]:
    """Parse what changed; returns the content and the entries that are new or changed.
    `seen_ns` is when the files' states were taken; `early`, files parse_soon() began on."""
    todo = []
    for path, state in states.items():
        old = previous.get(path)
        if old is None or old.salt != salt:
            todo.append((path, None))
        elif old.state != state or old.racy:
            todo.append((path, old.key))
    entries = {path: previous[path] for path in states if path in previous}
    changed: dict[str, Entry] = {}
    store = cache.store()
    ready, rest = taken_early(early, todo)
    parsing = workers.run_chunks(parse_chunk, rest, share=_share(site_dir, parsers, config, salt, cache), minimum=POOL_MINIMUM)
    for results, markdown in itertools.chain(ready, parsing):
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


def _share(site_dir: Path, parsers: dict[str, Parser], config: Config, salt: bytes, cache: Cache) -> dict[str, Any]:
    """What parse_chunk() finds with workers.shared()."""
    return {"site_dir": site_dir, "parsers": parsers, "config": config, "salt": salt, "memo": cache.path}


def probably_changed(cache: Cache, states: dict[str, FileState]) -> list[str] | None:
    """The content files changed since the saved entries' files were looked at (LOOKED), or
    so shortly before that their state could not tell: known without loading the entries;
    None if no time was saved. Only a guess, for parse_soon(), good for edits, not for files
    given old times (copied with them); load_content() decides from the entries themselves."""
    looked = cache.get(LOOKED)
    if not isinstance(looked, int):
        return None
    return [path for path, (_, mtime_ns) in states.items() if too_recent(mtime_ns, looked)]


def parse_soon(site_dir: Path, parsers: dict[str, Parser], config: Config, salt: bytes, cache: Cache, paths: Sequence[str]) -> Callable[[], ParsedChunk]:
    """Parse a few files in another process while this one loads the entries (a tenth of a
    second at ten thousand files, and so is the import of Markdown and the making of its
    converter for an edit): call the result for what parse_chunk() gives. That process
    does not look for converted texts in the cache: SQLite's hold on an open database does
    not survive a fork (a new connection there waits for locks nobody can release). Where
    no process could be forked, they are parsed here, as always, when they are wanted."""
    chunk = [(path, None) for path in paths]
    share = _share(site_dir, parsers, config, salt, cache)
    here = os.getpid()

    def parse() -> ParsedChunk:
        return workers.sharing({**share, "memo": share["memo"] if os.getpid() == here else None}, parse_chunk, chunk)

    return workers.soon_in_another_process(parse)


def taken_early(early: Callable[[], ParsedChunk] | None, todo: list[tuple[str, bytes | None]]) -> tuple[list[ParsedChunk], list[tuple[str, bytes | None]]]:
    """What parse_soon() parsed of `todo`, as parse_chunk() would have given it, and the rest
    of `todo`, still to parse. A file parsed early whose text is as its entry's (`old key`)
    is given as such, as parse_file() does."""
    if early is None:
        return [], todo
    results, markdown = early()
    parsed = {result[0]: result for result in results}
    ready, rest = [], []
    for path, old_key in todo:
        found = parsed.get(path)
        if found is None:
            rest.append((path, old_key))
        else:
            ready.append((path, old_key, None, None, ()) if found[1] == old_key else found)
    return [(ready, markdown)], rest


def parse_chunk(chunk: Sequence[tuple[str, bytes | None]]) -> ParsedChunk:
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
    from pressroom.front_matter import split_document  # here: a process that parses nothing never loads PyYAML

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
    """The entries the last build saved, their items as stand-ins read when first used
    (see lazy.py): a rebuild after an edit reads the few it shows, not ten thousand."""
    entries: dict[str, Entry] = {}
    for shard in range(SHARDS):
        columns = cache.get(f"content/{shard}")
        try:
            entries.update(_entries_of(columns))
        except (TypeError, ValueError):  # damaged or of another version: its files are parsed again
            continue
    return entries


def _columns_of(entries: dict[str, Entry]) -> tuple:
    """A shard as the cache keeps it: column by column (lists of plain values unpickle
    fastest), each item pickled on its own (see lazy.py)."""
    values = list(entries.values())
    packed = [lazy.pickled(entry.item) if entry.item is not None else (None, None, None) for entry in values]
    kinds, data, kept = zip(*packed) if packed else ((), (), ())
    return (list(entries), [e.state for e in values], [e.salt for e in values], [e.key for e in values], list(kinds), list(data), list(kept),
            [e.errors for e in values], [e.racy for e in values], [e.warnings for e in values])


def _entries_of(columns: tuple) -> dict[str, Entry]:
    paths, states, salts, keys, kinds, data, kept, errors, racy, warnings = columns
    items = map(_stand_in_or_none, kinds, data, kept)
    return dict(zip(paths, map(Entry._make, zip(paths, states, salts, keys, items, errors, racy, warnings, strict=True))))


def _stand_in_or_none(kind: type | None, data: bytes | None, kept: dict[str, Any] | None) -> Any:
    return None if kind is None else lazy.stand_in(kind, data, kept)


def save_entries(cache: Cache, entries: dict[str, Entry], changed_paths: set[str], seen_ns: int) -> None:
    """Rewrite only the shards that hold a changed, new or deleted file; `seen_ns` is when
    the files' states were taken."""
    shards = {shard_of(path, SHARDS) for path in changed_paths}
    if not shards:
        return
    parts: dict[int, dict[str, Entry]] = {shard: {} for shard in shards}
    for path, entry in entries.items():
        shard = shard_of(path, SHARDS)
        if shard in parts:
            parts[shard][path] = entry
    cache.put_many({**{f"content/{shard}": _columns_of(part) for shard, part in parts.items()}, LOOKED: seen_ns})
