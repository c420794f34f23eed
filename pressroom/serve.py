"""The live preview: build into a private folder, serve it, rebuild after every change and tell
the browser to reload once the new build is complete.

The preview never writes into the site's output/ (drafts must not reach what gets deployed):
it keeps one Builder that builds into a temporary folder of its own. A build holds the
preview's lock from start to end and requests wait for it, so no one is ever served a
half-built site; a failed build leaves the last good site in place, and every page then shows
the errors until a save fixes them. The browser side is livereload's: its script and its
websocket protocol. Each page is served with the number of the build it shows; a tab that
connects after a newer build was finished is told to reload at once, so no reload is missed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import mimetypes
import shutil
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import jinja2
from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets
from tornado.websocket import WebSocketClosedError

from pressroom.errors import BuildFailed, SiteError
from pressroom.pipeline import Builder, build_now, load_config
from pressroom.watch import Watcher

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
LOOPBACK_NAMES = {"localhost", "localhost."}


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


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_without_port(host_header: str) -> str:
    if host_header.startswith("["):
        return host_header.partition("]")[0] + "]"
    return host_header.rpartition(":")[0] if host_header.count(":") == 1 else host_header


# --- The preview: the latest complete build, and the errors of the latest failed one ---


@dataclass
class Reply:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    location: str = ""
    build: int = 0  # the build this reply shows; pages carry it to the browser


@dataclass
class Outcome:
    """What one build did, for the terminal and for the browsers."""

    changed: list[str]
    build: int
    seconds: float
    pages: int = 0
    errors: list[SiteError] = field(default_factory=list)
    was_failing: bool = False
    next_change: datetime | None = None  # when the site changes by itself (a scheduled release falls due)


class Preview:
    """One site, built again and again into a private folder, and read by the HTTP handlers."""

    def __init__(self, site_dir: Path, root: Path, *, drafts: bool = True, clock: Callable[[], datetime] = build_now):
        self.site_dir = site_dir.resolve()
        self.root = root
        self.builder = Builder(self.site_dir, root, preview=drafts)
        self.clock = clock
        self.lock = threading.Lock()  # held for a whole build, and while a request reads
        self.build = 0  # counts finished builds, good or failed
        self.errors: list[SiteError] = []
        self.base_path = "/"

    def rebuild(self, changed: list[Path] | None = None) -> Outcome:
        rel = [path.relative_to(self.site_dir).as_posix() if path.is_relative_to(self.site_dir) else str(path) for path in changed or []]
        with self.lock:
            was_failing = bool(self.errors)
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
            return Outcome(rel, self.build, time.perf_counter() - started, pages, list(self.errors), was_failing, next_change)

    def _base_path(self) -> str:
        try:
            path = load_config(self.site_dir).base_path
        except BuildFailed:
            return self.base_path
        return path if path.endswith("/") else path + "/"

    def reply(self, raw_path: str) -> Reply:
        """The answer to GET raw_path, from the latest complete build (waits for one running)."""
        with self.lock:
            found = resolve(raw_path, self.base_path)
            if found.kind == "bad":
                return Reply(400, b"Bad request: this address is not allowed.\n", build=self.build)
            if found.kind == "redirect":
                return Reply(301, location=found.target, build=self.build)
            if found.kind == "file":
                file = self._site_file(found.target)
                if file is not None and file.is_dir():
                    return Reply(301, location=urllib.parse.quote(self.base_path + found.target) + "/", build=self.build)
                if file is not None and file.is_file():
                    if self.errors and file.suffix == ".html":
                        return self._error_reply()
                    return Reply(200, file.read_bytes(), content_type(file.name), build=self.build)
            if self.errors:
                return self._error_reply()
            missing = self.root / "404.html"
            body = missing.read_bytes() if missing.is_file() else b"Not found.\n"
            return Reply(404, body, content_type(missing.name if missing.is_file() else "x.txt"), build=self.build)

    def _site_file(self, rel: str) -> Path | None:
        """The file, if it really is inside the built site (a link could point elsewhere)."""
        root = self.root.resolve()
        path = (root / rel).resolve()
        return path if path.is_relative_to(root) and path.exists() else None

    def _error_reply(self) -> Reply:
        return Reply(500, error_page(self.errors, self.site_dir), CONTENT_TYPES[".html"], build=self.build)


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


# --- The browser side: livereload's script and websocket, driven after each complete build ---


def reload_script(build: int, port: int) -> bytes:
    """livereload.js, and a tiny livereload plugin that reports which build the page shows."""
    return (
        "<script>(function(){function P(){}P.identifier='pressroom';P.version='1';"
        f"P.prototype.analyze=function(){{return {{build:{build}}}}};window.LiveReloadPluginPressroom=P;}})();</script>"
        f'<script src="/livereload.js?port={port}" async></script>'
    ).encode()


def with_reload_script(html: bytes, script: bytes) -> bytes:
    head_end = html.find(b"</head>")
    return html + script if head_end < 0 else html[:head_end] + script + html[head_end:]


def reload_messages(outcome: Outcome, base_path: str) -> list[dict]:
    """Stylesheets alone are swapped in place; anything else reloads the page."""
    stylesheets = [path for path in outcome.changed if path.startswith("assets/") and path.endswith(".css")]
    if outcome.errors or outcome.was_failing or not outcome.changed or len(stylesheets) < len(outcome.changed):
        return [{"command": "reload", "path": base_path, "liveCSS": False, "liveImg": False}]
    return [{"command": "reload", "path": base_path + path, "liveCSS": True, "liveImg": True} for path in stylesheets]


class ReloadSocket(LiveReloadHandler):
    """livereload's websocket, with its browsers kept per server instead of in one class-wide
    set, and a reload sent at once to a tab whose page is older than the latest build."""

    def initialize(self, server: "PreviewServer"):
        self.server = server

    def check_origin(self, origin: str) -> bool:
        return urllib.parse.urlparse(origin).netloc == self.request.host

    def on_message(self, message):
        try:
            data = json.loads(message)
        except ValueError:
            return
        if data.get("command") == "hello":
            super().on_message(message)
        elif data.get("command") == "info":
            self.server.sockets.add(self)
            shown = (data.get("plugins") or {}).get("pressroom", {}).get("build")
            if shown != self.server.preview.build:
                send(self, reload_messages(Outcome([], 0, 0.0), self.server.preview.base_path)[0])

    def on_close(self):
        self.server.sockets.discard(self)


def send(socket: ReloadSocket, message: dict) -> None:
    """livereload's own send logs a traceback for a tab that just closed; that is no news."""
    try:
        socket.write_message(json.dumps(message))
    except WebSocketClosedError:
        socket.on_close()


class SiteHandler(web.RequestHandler):
    """Every other request: a file of the latest complete build."""

    def initialize(self, server: "PreviewServer"):
        self.server = server

    async def get(self, send_body: bool = True):
        if not self.server.accepts_host(self.request.host):
            self.set_status(400)
            self.finish(b"This preview answers only to localhost addresses.\n")
            return
        reply = await IOLoop.current().run_in_executor(self.server.executor, self.server.preview.reply, self.request.path)
        body = reply.body
        if reply.content_type.startswith("text/html"):
            body = with_reload_script(body, reload_script(reply.build, self.server.port))
        self.set_status(reply.status)
        self.set_header("Content-Type", reply.content_type)
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        if reply.location:
            self.set_header("Location", reply.location)
        self.set_header("Content-Length", str(len(body)))
        self.finish(body if send_body else None)

    async def head(self):
        await self.get(send_body=False)


# --- The server: HTTP and websocket on their own thread, the watcher on another ---


class PreviewServer:
    """`with PreviewServer(site) as server: ... server.url ...`; port 0 picks a free port."""

    def __init__(self, site_dir: Path, *, port: int = 8000, bind: str = "127.0.0.1", drafts: bool = True,
                 on_build: Callable[["Outcome"], None] = lambda outcome: None, clock: Callable[[], datetime] = build_now):
        self.site_dir = site_dir.resolve()
        self.requested_port = port
        self.bind = bind
        self.drafts = drafts
        self.on_build = on_build
        self.clock = clock
        self.sockets: set[ReloadSocket] = set()
        self.executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="pressroom-read")
        self.port = 0
        self._workdir: Path | None = None
        self._listening: list = []
        self._loop: IOLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._watcher: Watcher | None = None

    @property
    def url(self) -> str:
        host = f"[{self.bind}]" if ":" in self.bind else self.bind
        return f"http://{host}:{self.port}{self.preview.base_path}"

    def start(self) -> Outcome:
        """Listen, build once, then serve and watch. Raises OSError if the port is taken."""
        self._listening = bind_sockets(self.requested_port, self.bind)
        self.port = self._listening[0].getsockname()[1]
        self._workdir = Path(tempfile.mkdtemp(prefix="pressroom-preview-"))
        self.preview = Preview(self.site_dir, self._workdir / "site", drafts=self.drafts, clock=self.clock)
        try:
            first = self.preview.rebuild()
            ready = threading.Event()
            self._thread = threading.Thread(target=asyncio.run, args=(self._serve(ready),), name="pressroom-http", daemon=True)
            self._thread.start()
            ready.wait()
            self._watcher = Watcher(self.site_dir, self._rebuild_and_reload)
            self._watcher.start()
            self._watcher.wake_at(first.next_change and first.next_change.timestamp())
        except BaseException:
            self.stop()
            raise
        return first

    def stop(self) -> None:
        if self._watcher is not None:
            self._watcher.stop()
        if self._loop is not None and self._stopping is not None:
            self._loop.add_callback(self._stopping.set)
            self._loop = None
        if self._thread is not None:
            self._thread.join()
        for sock in self._listening:
            sock.close()
        self.executor.shutdown(wait=True)
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
        self._watcher = self._thread = self._workdir = None

    def __enter__(self) -> "PreviewServer":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def accepts_host(self, host_header: str) -> bool:
        """Bound to a loopback address, answer only to loopback names (against DNS rebinding)."""
        return not is_loopback(self.bind) or is_loopback(host_without_port(host_header))

    async def _serve(self, ready: threading.Event) -> None:
        self._loop = IOLoop.current()
        self._stopping = asyncio.Event()
        app = web.Application(
            [
                (r"/livereload", ReloadSocket, {"server": self}),
                (r"/livereload\.js", LiveReloadJSHandler),
                (r".*", SiteHandler, {"server": self}),
            ],
            log_function=lambda handler: None,
        )
        try:
            http = HTTPServer(app)
            http.add_sockets(self._listening)
        finally:
            ready.set()
        await self._stopping.wait()
        http.stop()
        for socket in list(self.sockets):
            socket.close()
        await http.close_all_connections()

    def _rebuild_and_reload(self, changed: list[Path]) -> None:
        outcome = self.preview.rebuild(changed)
        self.on_build(outcome)
        if self._watcher is not None and not outcome.errors:
            self._watcher.wake_at(outcome.next_change and outcome.next_change.timestamp())
        if self._loop is not None:
            self._loop.add_callback(self._broadcast, reload_messages(outcome, self.preview.base_path))

    def _broadcast(self, messages: list[dict]) -> None:
        for socket in list(self.sockets):
            for message in messages:
                send(socket, message)


def describe(outcome: Outcome) -> str:
    """One line for the terminal, and the errors below it."""
    when = time.strftime("%H:%M:%S")
    what = ", ".join(outcome.changed[:3]) + (f" and {len(outcome.changed) - 3} more" if len(outcome.changed) > 3 else "")
    head = f"{when} {what} changed: " if what else f"{when} "
    if not outcome.errors:
        return head + f"built {outcome.pages} pages in {outcome.seconds:.2f} s"
    count = len(outcome.errors)
    lines = [head + f"{count} error{'s' if count != 1 else ''}; the browser shows {'them' if count != 1 else 'it'}, and the last good site is kept until fixed"]
    return "\n".join(lines + [f"  {error}" for error in outcome.errors])
