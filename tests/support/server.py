"""Serve a directory over HTTP on 127.0.0.1 in a background thread."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
import urllib.parse
from pathlib import Path
from typing import Iterator

# Types a static site may emit that Python's mimetypes may not know.
_EXTRA_TYPES = {
    ".atom": "application/atom+xml",
    ".ics": "text/calendar",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".xml": "application/xml",
}


def _normalise_prefix(prefix: str) -> str:
    prefix = "/" + prefix.strip("/")
    return prefix if prefix == "/" else prefix + "/"


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files under ``prefix``; ``404.html`` (at the served root) for misses."""

    prefix = "/"
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **_EXTRA_TYPES}

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def end_headers(self):
        # Each test sees the files as they are now.
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_head(self):
        path = urllib.parse.urlsplit(self.path).path
        if self.prefix != "/" and path == self.prefix.rstrip("/"):
            # "/newsroom" -> "/newsroom/"
            self.send_response(301)
            self.send_header("Location", self.prefix)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if not path.startswith(self.prefix):
            self.send_error(404)
            return None
        return super().send_head()

    def translate_path(self, path):
        # Strip the prefix, then let SimpleHTTPRequestHandler map the rest
        # (query/fragment removal, unquoting, no escaping the directory).
        rest = path[len(self.prefix) - 1 :] if path.startswith(self.prefix) else "/"
        return super().translate_path(rest)

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory, "404.html")
        if code != 404 or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


@contextlib.contextmanager
def serve_directory(path: str | os.PathLike, prefix: str = "/") -> Iterator[str]:
    """Serve ``path`` at ``http://127.0.0.1:PORT{prefix}`` on a free port.

    Yields the base URL, ending in "/" (e.g. ``http://127.0.0.1:40123/newsroom/``).
    Requests outside ``prefix`` and missing files get status 404 with the
    directory's ``404.html`` when it has one. The server stops on exit.
    """
    root = Path(path).resolve()
    if not root.is_dir():
        raise NotADirectoryError(root)
    prefix = _normalise_prefix(prefix)
    handler = functools.partial(
        type("Handler", (_Handler,), {"prefix": prefix}), directory=str(root)
    )
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True,
        name=f"serve_directory({root})",
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
