"""The build cache in the site folder (.pressroom-cache/): what one build leaves for the next.

It holds the parsed content files, the converted Markdown and what every output was made
from. Everything in it is keyed by content hashes and by the version of Pressroom and its
libraries, so a stale entry is never used, only left unused; deleting the folder is always
safe (the next build is a cold one). A cache that cannot be opened or read is rebuilt, and a
site folder that cannot be written builds without one.
"""

from __future__ import annotations

import copyreg
import functools
import importlib.util
import os
import pickle
import sqlite3
import sys
import types
import zlib
from pathlib import Path
from typing import Any

from pressroom.depend import Html, digest

CACHE_DIR = ".pressroom-cache"
LIVE_CONVERTED = "converted/live"  # the texts the content held at the last clean-up
SCHEMA = 3
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

    def put_many(self, items: dict[str, Any], markdown: dict[bytes, bytes] | None = None, bodies: dict[bytes, bytes] | None = None) -> bool:
        """Store values (None deletes), converted Markdown (key -> digest of the HTML) and
        HTML (digest -> compressed bytes), in one transaction; False if that failed."""
        db = self._connect()
        if db is None:
            return False
        try:
            with db:
                for name, value in items.items():
                    if value is None:
                        db.execute("DELETE FROM blobs WHERE name = ?", (name,))
                    else:
                        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
                        db.execute("INSERT OR REPLACE INTO blobs (name, value) VALUES (?, ?)", (name, data))
                if bodies:
                    db.executemany("INSERT OR IGNORE INTO bodies (digest, html) VALUES (?, ?)", bodies.items())
                if markdown:
                    db.executemany("INSERT OR REPLACE INTO markdown (key, digest) VALUES (?, ?)", markdown.items())
        except (sqlite3.Error, OSError):
            self._broken = True  # a full disk or a locked file: build on without the cache
            return False
        return True

    def converted_count(self) -> int:
        """How many converted texts (HTML bodies) the cache holds."""
        db = self._connect()
        try:
            return db.execute("SELECT count(*) FROM bodies").fetchone()[0] if db is not None else 0
        except sqlite3.Error:
            return 0

    def forget_converted(self, live: set[bytes]) -> int:
        """Delete the converted texts (and what the Markdown memo says of them) that neither
        the content now (`live`) nor the content at the last clean-up holds: the cache grows
        with the site, not with every version of every text. Those of the last clean-up are
        kept one round more for a preview server sharing this cache, whose items may be that
        old and load their text only when shown. Returns how many texts went."""
        db = self._connect()
        if db is None:
            return 0
        previous = self.get(LIVE_CONVERTED)
        keep = set(live) | (previous if isinstance(previous, frozenset) else frozenset())
        try:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (digest BLOB PRIMARY KEY) WITHOUT ROWID")
            db.execute("DELETE FROM keep")
            db.executemany("INSERT INTO keep (digest) VALUES (?)", ((digest_,) for digest_ in keep))
            gone = db.execute("DELETE FROM bodies WHERE digest NOT IN (SELECT digest FROM keep)").rowcount
            db.execute("DELETE FROM markdown WHERE digest NOT IN (SELECT digest FROM keep)")
            db.execute("DELETE FROM keep")
        except sqlite3.Error:
            self._broken = True
            return 0
        self.put_many({LIVE_CONVERTED: frozenset(live)})
        return gone

    def store(self) -> BodyStore | None:
        """Where HTML bodies can be left instead of in memory, if the cache works."""
        return BodyStore(self.path) if self._connect() is not None else None

    def identity(self) -> tuple[int, int] | None:
        """Which database file this is: a cache deleted and made anew is another one."""
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_dev, stat.st_ino)

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
            "DROP TABLE IF EXISTS blobs; DROP TABLE IF EXISTS markdown; DROP TABLE IF EXISTS bodies;"
            "CREATE TABLE blobs (name TEXT PRIMARY KEY, value BLOB NOT NULL);"
            "CREATE TABLE markdown (key BLOB PRIMARY KEY, digest BLOB NOT NULL) WITHOUT ROWID;"
            "CREATE TABLE bodies (digest BLOB PRIMARY KEY, html BLOB NOT NULL) WITHOUT ROWID;"
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


class BodyStore:
    """HTML bodies kept in the cache database (see depend.Html); each process reads them
    through its own connection."""

    def __init__(self, path: Path):
        self.path = path

    def load(self, digest_: bytes) -> bytes:
        row = _reader(self.path).execute("SELECT html FROM bodies WHERE digest = ?", (digest_,)).fetchone()
        if row is None:
            raise LookupError(f"{self.path}: the converted text {digest_.hex()} is missing; delete {CACHE_DIR}/ and build again")
        return row[0]

    def find(self, digest_: bytes) -> bytes | None:
        row = _reader(self.path).execute("SELECT html FROM bodies WHERE digest = ?", (digest_,)).fetchone()
        return row[0] if row else None

    def __reduce__(self):
        # By its path as text, to one store per path: each cached item is pickled on its own
        # (see lazy.py), and making a Path for every one of ten thousand took 0.1-0.2 s.
        return (_store_at, (str(self.path),))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BodyStore) and other.path == self.path

    def __hash__(self) -> int:
        return hash(self.path)


# What every cached item's pickle names, by extension code (copyreg; codes 240-255, sixteen, are for
# private use): each item is pickled on its own (see lazy.py), and finding a class by its
# module and name, for every item anew, took half the time of unpickling one (15-20 µs of
# 30). Only a shortcut: a class missing here is named in full, as before.
PICKLED_CLASSES = [
    ("pressroom.model", "Release"), ("pressroom.model", "Page"), ("pressroom.model", "Event"), ("pressroom.model", "Label"),
    ("pressroom.model", "Location"), ("pressroom.config", "Issuer"), ("pressroom.depend", "Html"), ("pressroom.cache", "_store_at"),
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "timezone"), ("datetime", "timedelta"), ("zoneinfo", "ZoneInfo"),
    ("builtins", "getattr"),
]
for _code, (_module, _name) in enumerate(PICKLED_CLASSES, start=240):
    try:
        copyreg.add_extension(_module, _name, _code)
    except ValueError:  # taken by another library in this process: named in full
        pass


_stores: dict[str, BodyStore] = {}


def _store_at(path: str) -> BodyStore:
    store = _stores.get(path)
    if store is None:
        store = _stores[path] = BodyStore(Path(path))
    return store


_readers: dict[tuple, sqlite3.Connection] = {}


def _reader(path: Path) -> sqlite3.Connection:
    """A read-only connection to a cache, one per process (connections do not survive a
    fork) and per file (a deleted cache made anew is another file), a few at a time."""
    try:
        stat = os.stat(path)
    except OSError:
        raise LookupError(f"{path} is missing; build again") from None
    key = (os.getpid(), path, stat.st_dev, stat.st_ino)
    db = _readers.get(key)
    if db is None:
        for old in [k for k in _readers if k[0] != key[0] or len(_readers) >= 4]:
            connection = _readers.pop(old)
            if old[0] == key[0]:
                connection.close()
        db = _readers[key] = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, check_same_thread=False)
    return db


def _holds_markdown(path: Path) -> bool:
    """Whether the cache has any converted Markdown: a first build's has none, and need not
    be asked about each of its ten thousand texts."""
    try:
        return path.exists() and _reader(path).execute("SELECT 1 FROM markdown LIMIT 1").fetchone() is not None
    except (sqlite3.Error, LookupError):
        return False


class MarkdownMemo:
    """Converted Markdown by content: read from the cache, new conversions kept for it.

    Used by markup.to_html in whichever process converts; the new entries travel back to
    the building process, which alone writes the cache."""

    def __init__(self, cache_path: Path | None):
        self.salt = markdown_salt()
        self.new: dict[bytes, Html] = {}
        self._made: dict[int, tuple[str, Html]] = {}  # by the converted text, while it is in use
        self._store = BodyStore(cache_path) if cache_path is not None and _holds_markdown(cache_path) else None

    def key(self, text: str, raw_html: bool) -> bytes:
        return digest(self.salt, "raw" if raw_html else "escaped", text)

    def get(self, key: bytes) -> str | None:
        if key in self.new:
            return str(self.new[key])
        if self._store is None:
            return None
        try:
            row = _reader(self._store.path).execute("SELECT digest FROM markdown WHERE key = ?", (key,)).fetchone()
            data = self._store.find(row[0]) if row else None
        except sqlite3.Error:
            return None
        return zlib.decompress(data).decode("utf-8", "surrogatepass") if data is not None else None

    def put(self, key: bytes, html: str) -> None:
        made = self.new[key] = Html.of(html)
        self._made[id(html)] = (html, made)

    def html_of(self, text: str) -> Html:
        """Html.of(text), from put() when it was this very text: compressed and summed up
        once, not again for the parsed item."""
        found = self._made.get(id(text))
        return found[1] if found is not None and found[0] is text else Html.of(text)

    def take_new(self) -> dict[bytes, Html]:
        new, self.new, self._made = self.new, {}, {}
        return new


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


# Libraries Pressroom imports only when it needs them (a rebuild that parses no file, converts
# no Markdown and makes no calendar loads none of them; a build loads no preview server), so
# they are not among the modules it has loaded. One missing here changes the salt of a
# process once it is loaded: a preview server parsed every file again after the first edit
# that loaded one.
LOADED_WHEN_NEEDED = ("feedgen", "frontmatter", "icalendar", "livereload", "markdown", "tornado", "yaml")


def library_versions() -> list[tuple[str, str]]:
    """The installed packages (not the standard library) Pressroom's modules use, with versions."""
    found = [(name, _file_stamp(_origin(name))) for name in LOADED_WHEN_NEEDED]  # loaded or not: the same stamp
    names: set[str] = set()
    for module_name, module in list(sys.modules.items()):
        if module_name.split(".")[0] != "pressroom" or module is None:
            continue
        for value in vars(module).values():
            origin = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", None)
            if isinstance(origin, str):
                names.add(origin.split(".")[0])
    for name in sorted(names - set(LOADED_WHEN_NEEDED)):
        module = sys.modules.get(name)
        where = getattr(getattr(module, "__spec__", None), "origin", None) or ""
        if "-packages" + os.sep not in where:
            continue  # the standard library, Pressroom itself, a script
        version = getattr(module, "__version__", None)
        found.append((name, version if isinstance(version, str) else _file_stamp(where)))
    return found


def _origin(name: str) -> str | None:
    """The file a package is loaded from, found without loading it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None else None


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


