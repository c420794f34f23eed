"""The preview's state: the latest complete build in a private folder, the errors of the latest
failed one, and the answer to each request from them.

The preview never writes into the site's output/ (drafts must not reach what gets deployed):
it keeps one Builder that builds into a temporary folder of its own. A build holds the lock
from start to end and requests wait for it, so no one is ever served a half-built site; a
failed build leaves the last good site in place, and every page then shows the errors until
a save fixes them. No HTTP here: serve.py puts this on the network.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import jinja2

from pressroom.errors import BuildFailed, SiteError
from pressroom.pipeline import Builder, build_now, load_config

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
    ".webmanifest": "application/manifest+json",
}
ERROR_PAGE = Path(__file__).parent / "theme" / "preview" / "error.html"


# --- Requests: which file a URL path names, refusing anything that could leave the site ---


@dataclass(frozen=True)
class Resolved:
    """What a request path names: a file under the site root, a redirect, or nothing."""

    kind: str  # "file", "redirect", "missing" or "bad"
    target: str = ""  # the file's path relative to the root, or where to redirect


def resolve(raw_path: str, base_path: str) -> Resolved:
    """Map the raw (still %-encoded) request path to a file of the built site.

    Dot segments, encoded slashes and backslashes, NUL and empty segments are refused before
    anything touches the file system, so a path can only ever name a file below the root.
    """
    lowered = raw_path.lower()
    if not raw_path.startswith("/") or "\\" in raw_path or any(code in lowered for code in ("%2f", "%5c", "%00")):
        return Resolved("bad")
    try:
        path = urllib.parse.unquote(raw_path, errors="strict")
    except UnicodeDecodeError:
        return Resolved("bad")
    segments = path.split("/")[1:]
    if "\x00" in path or any(segment in (".", "..") for segment in segments) or "" in segments[:-1]:
        return Resolved("bad")
    if not path.startswith(base_path):
        return Resolved("redirect", base_path) if path in ("/", base_path.rstrip("/")) else Resolved("missing")
    rel = path[len(base_path):]
    if any(segment.startswith(".") for segment in rel.split("/")):
        return Resolved("missing")  # the output's marker file and anything hidden
    return Resolved("file", rel + "index.html" if rel == "" or rel.endswith("/") else rel)


def content_type(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


# --- The preview: the latest complete build, and the errors of the latest failed one ---


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    location: str = ""

    def fingerprint(self) -> str:
        """Which version of a page this is: a tab is reloaded when it changes."""
        digest = hashlib.blake2b(digest_size=12)
        digest.update(f"{self.status}\0{self.content_type}\0{self.location}\0".encode())
        digest.update(self.body)
        return digest.hexdigest()


@dataclass
class Outcome:
    """What one build did, for the terminal and for the browsers."""

    changed: list[str]
    build: int
    seconds: float
    pages: int = 0
    errors: list[SiteError] = field(default_factory=list)
    next_change: datetime | None = None  # when the site changes by itself (a scheduled release falls due)


class Preview:
    """One site, built again and again into a private folder, and read by the HTTP handlers."""

    def __init__(self, site_dir: Path, root: Path, *, drafts: bool = True, clock: Callable[[], datetime] = build_now):
        self.site_dir = site_dir.resolve()
        self.root = root
        self.builder = Builder(self.site_dir, root, preview=drafts, private_output=True)
        self.clock = clock
        self.lock = threading.Lock()  # held for a whole build, and while a request reads
        self.build = 0  # counts finished builds, good or failed
        self.errors: list[SiteError] = []
        self.base_path = "/"

    def rebuild(self, changed: list[Path] | None = None) -> Outcome:
        rel = [path.relative_to(self.site_dir).as_posix() if path.is_relative_to(self.site_dir) else str(path) for path in changed or []]
        with self.lock:
            started = time.perf_counter()
            pages, next_change = 0, None
            try:
                report = self.builder.build(self.clock(), changed=changed or None)  # [] is the clock: unknown
                pages = report.pages
                next_change = report.next_change and report.next_change.moment
                self.errors = []
                self.base_path = self._base_path()
            except BuildFailed as failure:
                self.errors = failure.errors
            except Exception as exc:  # noqa: BLE001 - the preview stays up and says what happened
                self.errors = [SiteError("pressroom", None, f"internal error: {type(exc).__name__}: {exc}; please report it")]
            self.build += 1
            return Outcome(rel, self.build, time.perf_counter() - started, pages, list(self.errors), next_change)

    def _base_path(self) -> str:
        try:
            path = load_config(self.site_dir).base_path
        except BuildFailed:
            return self.base_path
        return path if path.endswith("/") else path + "/"

    def reply(self, raw_path: str) -> Reply:
        """The answer to GET raw_path, from the latest complete build (waits for one running)."""
        with self.lock:
            return self._reply(raw_path)

    def try_reply(self, raw_path: str) -> Reply | None:
        """The same without waiting: None while a build is running."""
        if not self.lock.acquire(blocking=False):
            return None
        try:
            return self._reply(raw_path)
        finally:
            self.lock.release()

    def _reply(self, raw_path: str) -> Reply:
        found = resolve(raw_path, self.base_path)
        if found.kind == "bad":
            return Reply(400, b"Bad request: this address is not allowed.\n")
        if found.kind == "redirect":
            return Reply(301, location=found.target)
        if found.kind == "file":
            file = self._site_file(found.target)
            if file is not None and file.is_dir():
                return Reply(301, location=urllib.parse.quote(self.base_path + found.target) + "/")
            if file is not None and file.is_file():
                if self.errors and file.suffix == ".html":
                    return self._error_reply()
                return Reply(200, file.read_bytes(), content_type(file.name))
        if self.errors:
            return self._error_reply()
        missing = self.root / "404.html"
        body = missing.read_bytes() if missing.is_file() else b"Not found.\n"
        return Reply(404, body, content_type(missing.name if missing.is_file() else "x.txt"))

    def _site_file(self, rel: str) -> Path | None:
        """The file, if it really is inside the built site (a link could point elsewhere)."""
        root = self.root.resolve()
        path = (root / rel).resolve()
        return path if path.is_relative_to(root) and path.exists() else None

    def _error_reply(self) -> Reply:
        return Reply(500, error_page(self.errors, self.site_dir), CONTENT_TYPES[".html"])


def error_page(errors: list[SiteError], site_dir: Path) -> bytes:
    """Every error with its file, line and the lines around it, for the browser."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ERROR_PAGE.parent)), autoescape=True, undefined=jinja2.StrictUndefined)
    shown = [{"where": f"{e.path}:{e.line}" if e.line else e.path, "message": e.message, "excerpt": excerpt(site_dir, e)} for e in errors]
    return env.get_template(ERROR_PAGE.name).render(errors=shown).encode("utf-8")


def excerpt(site_dir: Path, error: SiteError, context: int = 2) -> list[tuple[int, str, bool]]:
    """(number, text, is_the_line) around the error's line, for files inside the site only."""
    if not error.line:
        return []
    root = site_dir.resolve()
    path = (root / error.path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return []
    try:
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError:
        return []
    first = max(1, error.line - context)
    return [(n, lines[n - 1], n == error.line) for n in range(first, min(len(lines), error.line + context) + 1)]
