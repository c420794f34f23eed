"""`pressroom serve`: the preview on the network, rebuilt after every change, with the browser
told to reload once the new build is complete.

The browser side is livereload's: its script and its websocket protocol. Each page is served
with a fingerprint of what it shows, which the tab reports when it connects, with its address.
After each build, and when a tab connects, a tab whose page would now look different is told
to reload, and only that tab: so no reload is missed, and a tab whose page did not change is
left alone. A changed stylesheet or image is swapped in place by livereload.js.
HTTP and websockets run on one thread, the watcher (and so every build) on another; while a
build forks its workers, the HTTP thread waits (see workers.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import shutil
import tempfile
import threading
import time
import urllib.parse
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator

from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
from tornado import web
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets
from tornado.websocket import WebSocketClosedError

from pressroom import workers
from pressroom.pipeline import build_now
from pressroom.preview import Outcome, Preview, Reply
from pressroom.watch import Watcher

LOOPBACK_NAMES = {"localhost", "localhost."}
STOP_WAIT = 1.0  # seconds Ctrl-C waits for a running build to finish before leaving it


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


# --- The browser side: livereload's script and websocket, driven after each complete build ---


def reload_script(fingerprint: str) -> bytes:
    """A tiny livereload plugin that reports which version of the page the tab shows, and
    livereload.js, told the host and port to connect to from the page's own address:
    livereload.js cannot read an IPv6 host such as [::1] from its script's address."""
    return (
        "<script>(function(){function P(){}P.identifier='pressroom';P.version='1';"
        f"P.prototype.analyze=function(){{return {{page:'{fingerprint}'}}}};window.LiveReloadPluginPressroom=P;"
        "var l=window.location,s=document.createElement('script');s.async=true;"
        "s.src='/livereload.js?host='+l.hostname+'&port='+(l.port||(l.protocol==='https:'?443:80));"
        "(document.head||document.documentElement).appendChild(s);})();</script>"
    ).encode()


def with_reload_script(html: bytes, script: bytes) -> bytes:
    head_end = html.find(b"</head>")
    return html + script if head_end < 0 else html[:head_end] + script + html[head_end:]


def asset_messages(outcome: Outcome, base_path: str) -> list[dict]:
    """What every tab is told of changed assets: livereload.js swaps a stylesheet or an image
    in place, and reloads the page for any other file (a script, a font), as a page may use
    it. A failed build changed none."""
    if outcome.errors:
        return []
    return [{"command": "reload", "path": base_path + path, "liveCSS": True, "liveImg": True}
            for path in outcome.changed if path.startswith("assets/")]


def page_reload(path: str) -> dict:
    return {"command": "reload", "path": path, "liveCSS": False, "liveImg": False}


def page_path(url: object) -> str | None:
    """The path part of the address a tab reported, still %-encoded as in a request."""
    if not isinstance(url, str) or not url:
        return None
    return urllib.parse.urlsplit(url).path or "/"


class ReloadSocket(LiveReloadHandler):
    """livereload's websocket, with its browsers kept per server instead of in one class-wide
    set, each with the page it shows; a tab whose page changed since it was served is told to
    reload as soon as it connects."""

    def initialize(self, server: "PreviewServer"):
        self.server = server
        self.page: str | None = None  # the path of the page the tab shows; None: not known
        self.shown: str | None = None  # the fingerprint of what it shows

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
            plugins = data.get("plugins")
            ours = plugins.get("pressroom") if isinstance(plugins, dict) else None
            shown = ours.get("page") if isinstance(ours, dict) else None
            self.page, self.shown = page_path(data.get("url")), shown if isinstance(shown, str) else None
            self.server.sockets.add(self)
            IOLoop.current().spawn_callback(self.server.reload_if_changed, self)

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
        reply = await self.server.complete_reply(self.request.path)
        if reply is None:
            self.set_status(503)
            self.finish(b"The preview is stopping.\n")
            return
        body = reply.body
        if reply.content_type.startswith("text/html"):
            body = with_reload_script(body, reload_script(reply.fingerprint()))
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
                 on_build: Callable[["Outcome"], None] = lambda outcome: None, clock: Callable[[], datetime] = build_now,
                 say: Callable[[str], None] = lambda line: None):
        self.site_dir = site_dir.resolve()
        self.requested_port = port
        self.bind = bind
        self.drafts = drafts
        self.on_build = on_build
        self.clock = clock
        self.say = say  # a note for the terminal
        self.sockets: set[ReloadSocket] = set()
        self.stopping = False  # requests waiting for a build give up
        self.port = 0
        self._workdir: Path | None = None
        self._listening: list = []
        self._loop: IOLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._watcher: Watcher | None = None
        self._quiet = contextlib.ExitStack()  # while serving: the HTTP thread waits while a build forks

    @property
    def url(self) -> str:
        """Where to open the preview; for "all addresses" (0.0.0.0, ::), this computer's."""
        host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(self.bind, self.bind)
        host = f"[{host}]" if ":" in host else host
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
            self._quiet.enter_context(workers.quiet_while_forking(self._http_parked))
            self._watcher = Watcher(self.site_dir, self._rebuild_and_reload, say=self.say)
            self._watcher.start()
            self._watcher.wake_at(first.next_change and first.next_change.timestamp())
        except BaseException:
            self.stop()
            raise
        return first

    def stop(self) -> None:
        """Stop at once, even in the middle of a long build: that build is abandoned (its
        thread ends with the process), and so are requests waiting for it."""
        self.stopping = True
        if self._watcher is not None:
            self._watcher.stop(timeout=STOP_WAIT)
        if self._loop is not None and self._stopping is not None:
            self._loop.add_callback(self._stopping.set)
            self._loop = None
        if self._thread is not None:
            self._thread.join(STOP_WAIT)
        self._quiet.close()
        for sock in self._listening:
            sock.close()
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
            self._loop.add_callback(self._tell_browsers, asset_messages(outcome, self.preview.base_path))

    def _tell_browsers(self, messages: list[dict]) -> None:
        for socket in list(self.sockets):
            for message in messages:
                send(socket, message)
            IOLoop.current().spawn_callback(self.reload_if_changed, socket)

    async def complete_reply(self, raw_path: str) -> Reply | None:
        """The reply from the latest complete build: while one is running, from the one after
        it (waiting without holding up the other requests); None if the preview is stopping."""
        while (reply := self.preview.try_reply(raw_path)) is None:
            if self.stopping:
                return None
            await asyncio.sleep(0.01)
        return reply

    async def reload_if_changed(self, socket: ReloadSocket) -> None:
        """Tell a tab to reload if its page now looks different: rebuilt, gone, or an error page
        (shown or fixed). A tab that did not say which page it shows reloads after every build."""
        if socket.page is None:
            send(socket, page_reload(self.preview.base_path))
            return
        reply = await self.complete_reply(socket.page)
        if reply is None:
            return
        fingerprint = reply.fingerprint()
        if fingerprint != socket.shown:
            socket.shown = fingerprint
            send(socket, page_reload(socket.page))

    @contextlib.contextmanager
    def _http_parked(self) -> Iterator[None]:
        """The HTTP thread waits in a callback of its own, holding no lock, until the block ends."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or thread is threading.current_thread():
            yield
            return
        parked, resume = threading.Event(), threading.Event()

        def park() -> None:
            parked.set()
            resume.wait()

        loop.add_callback(park)
        try:
            while not parked.wait(0.05) and thread.is_alive():
                pass  # the loop is busy with a request; it gets to us next
            yield
        finally:
            resume.set()


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
