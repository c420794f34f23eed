"""`pressroom serve` over real HTTP: what it serves and refuses, and the command as a user runs it."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import pressroom
from tests.conftest import ROOT, release, tree, wait_for, write_files

RELEASE_PATH = "content/news/2024/esca-label.md"
RELEASE_URL = "news/2024/esca-label/"
SITE = {
    RELEASE_PATH: "---\ntitle: MEDVIA awarded Bronze Label\ndate: 2024-01-09\nslug: esca-label\n---\nMEDVIA is proud.\n",
    "content/news/2024/draft.md": "---\ntitle: Secret draft\ndate: 2024-02-01\ndraft: true\n---\nHush.\n",
}


def http(port: int, raw_path: str, method: str = "GET", host: str | None = None, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """One request with the path sent exactly as given (no client tidies it up first)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        request = f"{method} {raw_path} HTTP/1.1\r\nHost: {host or f'127.0.0.1:{port}'}\r\nConnection: close\r\n\r\n"
        conn.sendall(request.encode("latin-1"))
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


TRAVERSALS = [
    "/../secret.txt", "/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/%2e%2e/secret.txt", "/.%2e/secret.txt",
    "/news/..%2f..%2fsecret.txt", "/news%2f..%2f..%2fsecret.txt", "/..%5csecret.txt", "/..\\secret.txt",
    "/assets/../../secret.txt", "/assets/..%2F..%2Fsecret.txt", "//secret.txt", "/%00", "/secret.txt%00.html",
    "/%252e%252e/secret.txt", "/secret.txt", "/content/news/2024/esca-label.md", "/pressroom.toml",
    "/.pressroom-output", f"{'/..' * 20}/etc/passwd", "http://127.0.0.1/../secret.txt", "/%ff/",
]


@pytest.mark.parametrize("raw", TRAVERSALS)
def test_nothing_outside_the_built_site_is_served(preview, raw, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))  # the private build folder goes in here
    server = preview({**SITE, "secret.txt": "TOP-SECRET"})
    root = server.preview.root
    assert root.is_relative_to(tmp_path)
    for folder in (root.parent, root.parent.parent, server.site_dir.parent):
        (folder / "secret.txt").write_text("TOP-SECRET")
    status, _, body = http(server.port, raw)
    assert status in (400, 404), (raw, status)
    assert b"TOP-SECRET" not in body and b"title = " not in body and b"root:" not in body


def test_a_raw_nul_or_backslash_in_the_request_line_is_refused(preview):
    server = preview(SITE)
    for raw in ("/\x00/secret.txt", "/news\\..\\..\\secret.txt"):
        status, _, _ = http(server.port, raw)
        assert status == 400


CONTENT_TYPES = {
    "": "text/html; charset=utf-8",
    "assets/pressroom.css": "text/css; charset=utf-8",
    "assets/app.js": "text/javascript; charset=utf-8",
    "assets/events.ics": "text/calendar; charset=utf-8",
    "assets/feed.xml": "application/xml; charset=utf-8",
    "assets/data.json": "application/json",
    "assets/logo.svg": "image/svg+xml",
}


def test_content_types(preview):
    assets = {f"{path}": "x" for path in CONTENT_TYPES if path.startswith("assets/") and path != "assets/pressroom.css"}
    server = preview({**SITE, **assets})
    for path, expected in CONTENT_TYPES.items():
        status, headers, _ = http(server.port, "/" + path)
        assert (status, headers["content-type"]) == (200, expected), path
        assert headers["x-content-type-options"] == "nosniff"


def test_a_missing_page_is_the_sites_404_page(preview):
    server = preview(SITE)
    status, headers, body = http(server.port, "/news/2024/no-such-release/")
    assert status == 404 and headers["content-type"].startswith("text/html")
    assert b"<h1>Page not found</h1>" in body and b"/livereload.js" in body


def test_pages_redirects_and_head(preview):
    server = preview(SITE)
    status, headers, body = http(server.port, "/" + RELEASE_URL)
    assert status == 200 and b"<h1>MEDVIA awarded Bronze Label</h1>" in body
    status, headers, _ = http(server.port, "/news")
    assert (status, headers["location"]) == (301, "/news/")
    status, headers, body = http(server.port, "/news/", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 1000
    assert http(server.port, "/news/", method="POST")[0] == 405


def test_other_host_names_are_refused_against_dns_rebinding(preview):
    server = preview(SITE)
    assert http(server.port, "/", host="localhost")[0] == 200
    status, _, body = http(server.port, "/", host="attacker.example")
    assert status == 400 and b"Secret draft" not in body


def test_bound_to_all_addresses_it_answers_any_host_name_and_names_a_url_that_opens(preview):
    server = preview(SITE, bind="0.0.0.0")
    assert server.url == f"http://127.0.0.1:{server.port}/"
    assert http(server.port, "/", host="newsroom-laptop.local")[0] == 200


def test_a_site_under_a_sub_path_is_served_there(preview):
    from tests.conftest import MINIMAL_CONFIG

    server = preview(SITE, MINIMAL_CONFIG.replace("https://news.example.org/", "https://example.org/newsroom/"))
    assert server.url.endswith("/newsroom/")
    assert http(server.port, "/")[1]["location"] == "/newsroom/"
    status, _, body = http(server.port, "/newsroom/" + RELEASE_URL)
    assert status == 200 and b'href="/newsroom/assets/pressroom.css"' in body
    assert http(server.port, "/" + RELEASE_URL)[0] == 404


def test_drafts_are_previewed_but_never_written_to_output(preview, pressroom):
    server = preview(SITE)
    status, _, body = http(server.port, "/news/2024/secret-draft/")
    assert status == 200 and b"Draft" in body
    (server.site_dir / "content/news/2024/draft.md").write_text(SITE["content/news/2024/draft.md"].replace("Hush.", "Hush, edited."))
    wait_for(lambda: b"Hush, edited." in http(server.port, "/news/2024/secret-draft/")[2], message="the rebuild")
    assert not (server.site_dir / "output").exists()
    assert pressroom("build", str(server.site_dir)).code == 0
    assert b"Secret draft" not in b"".join(tree(server.site_dir / "output").values())


@pytest.mark.parametrize("watching", ["notified", "polling only"])
def test_saves_new_deleted_and_renamed_files_all_reach_the_browser(preview, monkeypatch, watching):
    """With the kernel's notifications, even a release not changed lately and rewritten in
    place is seen at once: full scans are days apart here, so nothing else could see it.
    Where there are none (here the C library cannot be found), polling sees every change."""
    from pressroom import notify, watch

    if watching == "notified":
        if not sys.platform.startswith("linux"):
            pytest.skip("the kernel's notifications (inotify) are Linux's")
        monkeypatch.setattr(watch, "SCAN_SHARE", 1e-9)
    else:
        monkeypatch.setattr(notify, "C_LIBRARY", "libc-without-inotify.so.0")
    server = preview({**SITE, "content/pages/about.md": "---\ntitle: About us\n---\nWho we are.\n"})
    assert server._watcher.notified == (watching == "notified")
    site, port = server.site_dir, server.port
    (site / RELEASE_PATH).write_text(SITE[RELEASE_PATH].replace("MEDVIA is proud.", "MEDVIA is very proud."))
    wait_for(lambda: b"MEDVIA is very proud." in http(port, "/" + RELEASE_URL)[2], message="the release rewritten in place")
    write_files(site, {"content/news/2025/spring/ribbon.md": release("Ribbon cut at the new lab", "2025-03-01")})
    wait_for(lambda: b"Ribbon cut at the new lab" in http(port, "/news/")[2], message="the new release in a new folder")
    os.replace(site / "content/pages/about.md", site / "content/pages/who-we-are.md")
    wait_for(lambda: http(port, "/who-we-are/")[0] == 200 and http(port, "/about/")[0] == 404, message="the renamed page")
    (site / "content/news/2025/spring/ribbon.md").unlink()
    wait_for(lambda: b"Ribbon cut at the new lab" not in http(port, "/news/")[2], message="the deleted release to go")


def test_no_drafts_shows_the_site_as_it_will_be_published(preview):
    server = preview(SITE, drafts=False)
    assert http(server.port, "/news/2024/secret-draft/")[0] == 404
    assert b"Secret draft" not in http(server.port, "/news/")[2]


BREAKAGES = {
    "an unknown field": ({RELEASE_PATH: SITE[RELEASE_PATH].replace("slug:", "authr: Ingrid\nslug:")}, f"{RELEASE_PATH}:4", "authr: unknown field"),
    "a template error": ({"templates/release.html": '{% extends "base.html" %}\n{% block content %}\n<h1>{{ release.headline }}</h1>\n{% endblock %}\n'},
                         "templates/release.html:3", "headline"),
    "a broken pressroom.toml": ({"pressroom.toml": 'title = "Test Newsroom\n'}, "pressroom.toml:1", ""),
}


@pytest.mark.parametrize("breakage", BREAKAGES, ids=list(BREAKAGES))
def test_any_error_shows_on_every_page_and_undoing_it_brings_the_site_back(preview, breakage):
    files, where, words = BREAKAGES[breakage]
    server = preview(SITE)
    originals = {path: (server.site_dir / path).read_bytes() for path in files if (server.site_dir / path).exists()}
    write_files(server.site_dir, files)
    status, _, body = wait_for(lambda: (reply := http(server.port, "/" + RELEASE_URL))[0] == 500 and reply, message="the error page")
    assert f'<p class="where">{where}</p>'.encode() in body and words.encode() in body
    assert http(server.port, "/assets/pressroom.css")[0] == 200, "the last good site stays for everything but pages"
    for path in files:
        if path in originals:
            (server.site_dir / path).write_bytes(originals[path])
        else:
            (server.site_dir / path).unlink()
    wait_for(lambda: http(server.port, "/" + RELEASE_URL)[0] == 200, message="the site to come back")


def test_a_scheduled_release_loses_its_banner_when_it_falls_due_with_no_file_saved(preview):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    due = datetime.now(ZoneInfo("Europe/Oslo")).replace(microsecond=0) + timedelta(seconds=3)
    server = preview({"content/news/soon.md": f"---\ntitle: Coming soon\ndate: {due.isoformat()}\n---\nSoon.\n"})
    url = f"/news/{due.year}/coming-soon/"
    assert b"Scheduled for" in http(server.port, url)[2]
    wait_for(lambda: b"Scheduled for" not in http(server.port, url)[2], timeout=15, message="the due time")
    assert datetime.now(ZoneInfo("Europe/Oslo")) >= due


_forks: list[dict] | None = None  # while recording: per fork, the forking thread and what the others of Pressroom do
PACKAGE = str(Path(pressroom.__file__).parent)


def _note_fork() -> None:
    if _forks is None:
        return
    frames, me = sys._current_frames(), threading.current_thread()
    seen = {"by": me.name}
    for thread in threading.enumerate():
        if thread is not me:
            state = thread_state(frames.get(thread.ident))
            if state != "outside Pressroom" or thread.name.startswith("pressroom-"):
                seen[thread.name] = state
    _forks.append(seen)


def thread_state(frame) -> str:
    """"waits" in the HTTP thread's park, "runs Pressroom code", or "outside Pressroom"."""
    files = []
    while frame is not None:
        files.append((frame.f_code.co_filename, frame.f_code.co_name))
        frame = frame.f_back
    if any(name == "park" and file.endswith("serve.py") for file, name in files):
        return "waits"
    return "runs Pressroom code" if any(file.startswith(PACKAGE) for file, _ in files) else "outside Pressroom"


os.register_at_fork(before=_note_fork)


def test_a_rebuild_forks_its_workers_only_while_the_web_server_waits(preview, monkeypatch):
    """A worker forked while another thread holds a lock (a stream's, an import's) inherits
    it held for ever: the web server's thread, busy with requests, waits while a build forks,
    and no other thread runs Pressroom's code then."""
    global _forks
    monkeypatch.setenv("PRESSROOM_WORKERS", "2")
    releases = {f"content/news/2024/r{n}.md": release(f"Release number {n}", f"2024-02-{1 + n % 28:02d}") for n in range(80)}
    server = preview({**SITE, **releases})
    stop = threading.Event()

    def ask() -> None:
        while not stop.is_set():
            http(server.port, "/news/")

    client = threading.Thread(target=ask, daemon=True)
    client.start()
    _forks = []
    try:
        config = server.site_dir / "pressroom.toml"
        config.write_text(config.read_text().replace("Test Newsroom", "Renamed Newsroom"))  # every page is made again
        wait_for(lambda: b"Renamed Newsroom" in http(server.port, "/news/")[2], timeout=60, message="the rebuild")
        forks = list(_forks)
    finally:
        _forks = None
        stop.set()
        client.join(10)
    assert forks, "the rebuild did not use a pool of workers"
    assert all(fork == {"by": "pressroom-watch", "pressroom-http": "waits"} for fork in forks), forks


# --- The command line, in a real subprocess ---


class Serving:
    """`pressroom serve` running in a subprocess; its output is read line by line as it comes."""

    def __init__(self, args: list[str], cwd: Path | None = None, env: dict | None = None):
        full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        self.process = subprocess.Popen(args, cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self.readers = [threading.Thread(target=self._read, args=(stream, kept), daemon=True)
                        for stream, kept in ((self.process.stdout, self.stdout), (self.process.stderr, self.stderr))]
        for reader in self.readers:
            reader.start()

    def _read(self, stream, kept: list[str]) -> None:
        for line in stream:
            kept.append(line)
            self.lines.put(line)

    def wait_for_url(self, timeout: float = 60) -> str:
        match = wait_for(lambda: next(filter(None, (re.search(r"Serving (http://\S+)", line) for line in self.stdout)), None),
                         timeout, "the Serving line: " + "".join(self.stdout + self.stderr))
        return match.group(1)

    def stop(self, sig: int = signal.SIGINT, timeout: float = 15) -> int:
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            for reader in self.readers:
                reader.join(10)  # everything it printed has been read

    def port(self, url: str) -> int:
        return int(re.search(r":(\d+)/", url).group(1))


@pytest.fixture
def serving():
    started = []

    def start(*args, **kwargs) -> Serving:
        started.append(Serving(*args, **kwargs))
        return started[-1]

    yield start
    for run in started:
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()


def test_serve_prints_the_url_serves_and_stops_cleanly_on_ctrl_c(make_site, serving, tmp_path):
    site = make_site(SITE)
    private = tmp_path / "tmp"
    private.mkdir()
    run = serving([sys.executable, "-m", "pressroom", "serve", str(site), "--port", "0"], env={"TMPDIR": str(private)})
    url = run.wait_for_url()
    assert url.startswith("http://127.0.0.1:")
    status, _, body = http(run.port(url), "/" + RELEASE_URL)
    assert status == 200 and b"MEDVIA awarded Bronze Label" in body
    assert list(private.iterdir()), "the preview builds into a private temporary folder"
    assert run.stop(signal.SIGINT) == 0
    assert run.stdout[-1] == "Stopped.\n"
    assert "Traceback" not in "".join(run.stderr), run.stderr
    assert list(private.iterdir()) == [], "the private folder is removed"
    assert not (site / "output").exists()
    with pytest.raises(OSError):
        http(run.port(url), "/")


def test_ctrl_c_in_the_middle_of_a_long_build_stops_at_once(make_site, serving, tmp_path):
    site = make_site(SITE)
    private = tmp_path / "tmp"
    private.mkdir()
    run = serving([sys.executable, "-m", "pressroom", "serve", str(site), "--port", "0"], env={"TMPDIR": str(private)})
    port = run.port(run.wait_for_url())
    endless = '{% extends "base.html" %}{% block content %}{% for i in range(10 ** 12) %}{% endfor %}{% endblock %}'
    write_files(site, {"templates/home.html": endless})

    def building() -> bool:  # requests wait while a build runs
        try:
            http(port, "/", timeout=0.5)
        except TimeoutError:
            return True
        return False

    wait_for(building, message="the long build to start")
    started = time.monotonic()
    assert run.stop(signal.SIGINT) == 0
    assert time.monotonic() - started < 10
    assert run.stdout[-1] == "Stopped.\n" and "Traceback" not in "".join(run.stderr)
    assert list(private.iterdir()) == []


def test_build_py_serve_runs_in_the_site_folder_and_stops_on_sigterm(make_site, serving):
    site = make_site(SITE)
    run = serving([sys.executable, str(ROOT / "build.py"), "serve", "--port", "0", "--no-drafts"], cwd=site)
    url = run.wait_for_url()
    assert "hidden" in "".join(run.stdout)
    assert http(run.port(url), "/news/2024/secret-draft/")[0] == 404
    assert run.stop(signal.SIGTERM) == 0
    assert "Traceback" not in "".join(run.stderr)


def test_errors_go_to_the_terminal_and_the_browser_and_a_fix_brings_the_site_back(make_site, serving):
    site = make_site({**SITE, RELEASE_PATH: "---\ntitle: MEDVIA: a new chapter\ndate: 2024-01-09\nslug: esca-label\n---\nText.\n"})
    run = serving([sys.executable, "-m", "pressroom", "serve", str(site), "--port", "0"])
    url = run.wait_for_url()
    wait_for(lambda: any(line.startswith(f"  {RELEASE_PATH}:2: ") for line in run.stderr), message="the error on stderr")
    status, _, body = http(run.port(url), "/" + RELEASE_URL)
    assert status == 500 and f"{RELEASE_PATH}:2".encode() in body
    write_files(site, {RELEASE_PATH: '---\ntitle: "MEDVIA: a new chapter"\ndate: 2024-01-09\nslug: esca-label\n---\nText.\n'})
    wait_for(lambda: http(run.port(url), "/" + RELEASE_URL)[0] == 200, message="the fixed site")
    wait_for(lambda: any("esca-label.md changed: built" in line for line in run.stdout), message="the rebuild line")
    assert b"<h1>MEDVIA: a new chapter</h1>" in http(run.port(url), "/" + RELEASE_URL)[2]
    assert run.stop() == 0


def test_open_opens_the_browser_only_when_asked(make_site, serving, tmp_path):
    site = make_site(SITE)
    opened = tmp_path / "opened.txt"
    fake_browser = tmp_path / "browser.sh"
    fake_browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    fake_browser.chmod(0o755)
    env = {"BROWSER": f"{fake_browser} %s"}
    run = serving([sys.executable, "-m", "pressroom", "serve", str(site), "--port", "0"], env=env)
    run.wait_for_url()
    assert run.stop() == 0 and not opened.exists()
    run = serving([sys.executable, "-m", "pressroom", "serve", str(site), "--port", "0", "--open"], env=env)
    url = run.wait_for_url()
    assert wait_for(lambda: opened.exists() and opened.read_text().strip(), message="the browser") == url
    assert run.stop() == 0


def test_a_port_in_use_is_a_usage_error(make_site, pressroom):
    site = make_site(SITE)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        run = pressroom("serve", str(site), "--port", str(taken.getsockname()[1]))
    assert run.code == 2 and "choose another with --port" in run.stderr and "Traceback" not in run.stderr


def test_serve_needs_a_site_folder(tmp_path, pressroom):
    run = pressroom("serve", str(tmp_path), "--port", "0")
    assert run.code == 1 and "pressroom.toml: not found" in run.stderr
    assert pressroom("serve", str(tmp_path / "nope")).code == 2
    assert pressroom("serve", "--port", "eighty").code == 2
