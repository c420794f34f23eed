"""The build cache in the site folder (.pressroom-cache/): what one build leaves for the next.

It holds the parsed content files, the converted Markdown and what every output was made
from. Everything in it is keyed by content hashes and by the version of Pressroom and its
libraries, so a stale entry is never used, only left unused; deleting the folder is always
safe (the next build is a cold one). A cache that cannot be opened or read is rebuilt, and a
site folder that cannot be written builds without one.
"""

from __future__ import annotations

import functools
import os
import pickle
import sqlite3
import sys
import types
import zlib
from pathlib import Path
from typing import Any

from pressroom.depend import digest

CACHE_DIR = ".pressroom-cache"
SCHEMA = 2
PACKAGE_DIR = Path(__file__).parent


class Cache:
    """A small key-value store (SQLite, one file) for pickled values and Markdown."""

    def __init__(self, site_dir: Path):
        self.path = site_dir / CACHE_DIR / "cache.sqlite3"
        self._db: sqlite3.Connection | None = None
        self._broken = False

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None or self._broken:
            return self._db
        try:
            self.path.parent.mkdir(exist_ok=True)
            self._db = _open(self.path)
        except (OSError, sqlite3.Error):
            try:  # unreadable or from another version: it is only a cache
                _remove(self.path)
                self._db = _open(self.path)
            except (OSError, sqlite3.Error):
                self._broken = True
        return self._db

    def get(self, name: str) -> Any:
        db = self._connect()
        if db is None:
            return None
        try:
            row = db.execute("SELECT value FROM blobs WHERE name = ?", (name,)).fetchone()
            return pickle.loads(row[0]) if row else None
        except Exception:  # noqa: BLE001 - a damaged entry is a missing entry
            return None

    def put_many(self, items: dict[str, Any], markdown: dict[bytes, bytes] | None = None) -> None:
        """Store values (None deletes) and new Markdown, in one transaction."""
        db = self._connect()
        if db is None:
            return
        try:
            with db:
                for name, value in items.items():
                    if value is None:
                        db.execute("DELETE FROM blobs WHERE name = ?", (name,))
                    else:
                        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
                        db.execute("INSERT OR REPLACE INTO blobs (name, value) VALUES (?, ?)", (name, data))
                if markdown:
                    db.executemany("INSERT OR REPLACE INTO markdown (key, html) VALUES (?, ?)", markdown.items())
        except (sqlite3.Error, OSError):
            self._broken = True  # a full disk or a locked file: build on without the cache

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _open(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version != SCHEMA:
        db.executescript(
            "DROP TABLE IF EXISTS blobs; DROP TABLE IF EXISTS markdown;"
            "CREATE TABLE blobs (name TEXT PRIMARY KEY, value BLOB NOT NULL);"
            "CREATE TABLE markdown (key BLOB PRIMARY KEY, html BLOB NOT NULL) WITHOUT ROWID;"
            f"PRAGMA user_version = {SCHEMA};"
        )
    db.execute("SELECT count(*) FROM blobs").fetchone()  # fails here on a damaged file
    return db


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(f"{path}{suffix}")
        except FileNotFoundError:
            pass


class MarkdownMemo:
    """Converted Markdown by content: read from the cache, new conversions kept for it.

    Used by markup.to_html in whichever process converts; the new entries travel back to
    the building process, which alone writes the cache."""

    def __init__(self, cache_path: Path | None):
        self.salt = markdown_salt()
        self.new: dict[bytes, bytes] = {}
        self._db: sqlite3.Connection | None = None
        if cache_path is not None and cache_path.exists():
            try:
                self._db = sqlite3.connect(f"file:{cache_path}?mode=ro", uri=True, timeout=30, check_same_thread=False)
            except sqlite3.Error:
                self._db = None

    def key(self, text: str, raw_html: bool) -> bytes:
        return digest(self.salt, "raw" if raw_html else "escaped", text)

    def get(self, key: bytes) -> str | None:
        if key in self.new:
            return zlib.decompress(self.new[key]).decode("utf-8", "surrogatepass")
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT html FROM markdown WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error:
            return None
        return zlib.decompress(row[0]).decode("utf-8", "surrogatepass") if row else None

    def put(self, key: bytes, html: str) -> None:
        self.new[key] = zlib.compress(html.encode("utf-8", "surrogatepass"), 1)

    def take_new(self) -> dict[bytes, bytes]:
        new, self.new = self.new, {}
        return new

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


@functools.cache
def markdown_salt() -> bytes:
    """What Markdown conversion depends on besides the text: our markup module and Markdown."""
    import markdown

    return digest((PACKAGE_DIR / "markup.py").read_bytes(), markdown.__version__)


def code_salt() -> bytes:
    """Pressroom's own code and the versions of the libraries it uses: a change to either
    makes every cached result stale."""
    parts: list[bytes | str] = [sys.version]
    for path in sorted(PACKAGE_DIR.glob("*.py")):
        parts += [path.name, path.read_bytes()]
    parts += [f"{name}={version}" for name, version in library_versions()]
    return digest(*parts)


def library_versions() -> list[tuple[str, str]]:
    """The installed packages (not the standard library) Pressroom's modules use, with versions."""
    names: set[str] = set()
    for module_name, module in list(sys.modules.items()):
        if module_name.split(".")[0] != "pressroom" or module is None:
            continue
        for value in vars(module).values():
            origin = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
            if isinstance(origin, str):
                names.add(origin.split(".")[0])
    found = []
    for name in sorted(names):
        module = sys.modules.get(name)
        where = getattr(getattr(module, "__spec__", None), "origin", None) or ""
        if "-packages" + os.sep not in where:
            continue  # the standard library, Pressroom itself, a script
        version = getattr(module, "__version__", None)
        found.append((name, version if isinstance(version, str) else _file_stamp(where)))
    return found


def _file_stamp(filename: str | None) -> str:
    if not filename:
        return "?"
    try:
        stat = os.stat(filename)
    except OSError:
        return "?"
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def shard_of(path: str, shards: int) -> int:
    return zlib.crc32(path.encode("utf-8", "surrogatepass")) % shards


