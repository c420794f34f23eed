"""How long from saving a release to the rebuilt page being served by `pressroom serve`.

    .venv/bin/python bench/serve_latency.py [--sizes 100,1000,10000] [--repeat 7]

For each size it writes a fresh corpus (bench/corpus.py) to bench/work/serve/<N>/, starts
`python -m pressroom serve` on it as a subprocess, and connects to it as a browser does (the
livereload websocket). Then, `--repeat` times, it appends a sentence with a unique word to
one release (a different one each time, spread over the corpus), waits for the reload
message sent to a "tab" showing that release's page (the preview tells only the tabs whose
page changed), and fetches the page; the time counted is from just before the file is
written to the moment the page with the new word has arrived. The server's own "built N pages
in X s" line is kept beside it, so the table separates the build from the rest (noticing the
save, gathering a burst, telling the browser, serving the page).

Prints a Markdown table of medians (and min/max) and writes every run to
bench/work/serve-latency-<date>.json. Uses the Pressroom virtualenv's Python (for tornado's
websocket client). Don't run it in a loop on a shared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tornado.websocket import websocket_connect

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = BENCH / "work"
sys.path.insert(0, str(BENCH))
import corpus  # noqa: E402

BUILT = re.compile(r" changed: built (\d+) pages in ([\d.]+) s")


class Server:
    """`pressroom serve` in a subprocess; its stdout is collected line by line."""

    def __init__(self, site: Path):
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen([sys.executable, "-m", "pressroom", "serve", str(site), "--port", "0"],
                                        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True).start()

    def url(self, timeout: float = 1800) -> str:
        """The preview's address, once its first build has succeeded."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            for line in list(self.lines):
                if re.search(r" errors?; the browser shows", line):
                    time.sleep(1)
                    raise SystemExit("the corpus does not build:\n" + "".join(self.lines[:40]))
                if match := re.search(r"Serving (http://\S+)", line):
                    return match.group(1)
            time.sleep(0.05)
        raise SystemExit("pressroom serve did not start:\n" + "".join(self.lines))

    def build_seconds(self, after: int, timeout: float = 5) -> float | None:
        """The build time the server printed in its first rebuild line after line `after`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if match := BUILT.search(line):
                    return float(match.group(2))
            time.sleep(0.01)
        return None

    def stop(self) -> None:
        self.process.send_signal(2)
        self.process.wait(60)


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=600) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"{url}: HTTP {exc.code}; after the edit the site does not build") from None


async def connect(url: str):
    """Say hello as livereload.js does from a tab showing `url`; the first reload (we name no
    version of the page) is drained."""
    socket = await websocket_connect(f"ws://{urllib.parse.urlsplit(url).netloc}/livereload")
    await socket.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
    await socket.read_message()  # hello
    await socket.write_message(json.dumps({"command": "info", "plugins": {}, "url": url}))
    await socket.read_message()  # reload: our "page" named no version
    return socket


async def one_edit(site: Path, release: dict, base: str, word: str) -> float:
    path = site / release["path"]
    text = path.read_text(encoding="utf-8")
    url = f"{base}news/{release['year']}/{release['slug']}/"
    socket = await connect(url)
    try:
        return await saved_to_served(socket, path, text, url, word)
    finally:
        socket.close()


async def saved_to_served(socket, path: Path, text: str, url: str, word: str) -> float:
    started = time.perf_counter()
    path.write_text(text + f"\nA sentence added to measure the preview: {word}.\n", encoding="utf-8")
    while True:
        message = await asyncio.wait_for(socket.read_message(), 1800)
        if message is None:
            raise SystemExit("the server closed the websocket")
        if word in await asyncio.to_thread(fetch, url):
            return time.perf_counter() - started


def strip_blocks(path: Path, keys: tuple[str, ...] = ("event", "label")) -> None:
    """Remove the `event:` and `label:` blocks from a release's front matter."""
    lines, kept, skipping = path.read_text(encoding="utf-8").split("\n"), [], False
    for line in lines:
        if any(line == f"{key}:" for key in keys):
            skipping = True
            continue
        if skipping and line.startswith(" "):
            continue
        skipping = False
        kept.append(line)
    path.write_text("\n".join(kept), encoding="utf-8")


async def measure(n: int, repeat: int, releases_only: bool = False) -> list[dict]:
    site = WORK / "serve" / str(n)
    print(f"# {n} releases: writing the corpus to {site}", file=sys.stderr, flush=True)
    manifest = corpus.generate(n, site)
    releases = manifest["releases"]
    if releases_only:
        for release in releases:
            if release["event"] or release["label"]:
                strip_blocks(site / release["path"])
    server = Server(site)
    runs = []
    try:
        started = time.perf_counter()
        base = server.url()
        print(f"# {n} releases: first build and start took {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
        for k in range(repeat):
            release = releases[(k * 7919 + n // 3) % len(releases)]  # spread over the corpus, the same every run
            lines_before = len(server.lines)
            seconds = await one_edit(site, release, base, f"probe{n}x{k}x{time.time_ns()}")
            build = await asyncio.to_thread(server.build_seconds, lines_before)
            runs.append({"n": n, "edit": k, "release": release["path"], "seconds": seconds, "build_seconds": build})
            print(f"# {n} releases, edit {k + 1}/{repeat}: {seconds * 1000:.0f} ms", file=sys.stderr, flush=True)
    finally:
        server.stop()
    return runs


def table(runs: list[dict], sizes: list[int]) -> str:
    rows = ["| releases | save → page served, median | min – max | of which the build (median) | runs |", "| ---: | ---: | ---: | ---: | ---: |"]
    for n in sizes:
        mine = [r for r in runs if r["n"] == n]
        if not mine:
            continue
        seconds = [r["seconds"] for r in mine]
        builds = [r["build_seconds"] for r in mine if r["build_seconds"] is not None]
        build = f"{statistics.median(builds) * 1000:,.0f} ms" if builds else "?"
        rows.append(f"| {n:,} | {statistics.median(seconds) * 1000:,.0f} ms | {min(seconds) * 1000:,.0f} – {max(seconds) * 1000:,.0f} ms | {build} | {len(mine)} |")
    return "\n".join(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000", help="numbers of releases, comma-separated")
    parser.add_argument("--repeat", type=int, default=7, help="edits measured per size")
    parser.add_argument("--releases-only", action="store_true", help="leave out the corpus's events and labels (announced in ~7 %% of releases)")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    runs = []
    for n in sizes:
        runs += asyncio.run(measure(n, args.repeat, args.releases_only))
    report = table(runs, sizes)
    print(report)
    WORK.mkdir(exist_ok=True)
    out = WORK / f"serve-latency-{dt.date.today().isoformat()}.json"
    number = 1
    while out.exists():  # a second run on the same day keeps the first one's file
        number += 1
        out = WORK / f"serve-latency-{dt.date.today().isoformat()}-{number}.json"
    out.write_text(json.dumps({"runs": runs, "table": report, "releases_only": args.releases_only}, indent=1))
    print(f"# written to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
