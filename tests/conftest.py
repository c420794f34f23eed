"""Shared fixtures: small sites written into tmp_path, and a runner for the real CLI."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_AS_OF = datetime(2026, 12, 1, tzinfo=timezone.utc)  # the example site is built "as of" this moment


pytest_plugins = ["tests.support.fixtures"]

MINIMAL_CONFIG = """\
title = "Test Newsroom"
base_url = "https://news.example.org/"
language = "en"
timezone = "Europe/Oslo"
page_size = 2

[organisation]
name = "Test Cluster"
url = "https://example.org/"

[issuers.esca]
name = "European Secretariat for Cluster Analysis"
url = "https://www.cluster-analysis.org/"
levels = ["bronze", "silver", "gold"]
valid_years = 2
"""

RELEASE = """\
---
title: {title}
date: {date}
tags: [awards, clusters]
---
{body}
"""


def write_files(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content) if content.startswith("\n") else content, encoding="utf-8")
    return root


def release(title: str = "MEDVIA awarded Bronze Label", date: str = "2024-01-09", body: str = "MEDVIA is proud to announce it.") -> str:
    return RELEASE.format(title=title, date=date, body=body)


@pytest.fixture
def make_site(tmp_path):
    """make_site({"content/news/a.md": "..."}) -> a site folder with a valid pressroom.toml."""

    def make(files: dict[str, str | bytes] | None = None, config: str = MINIMAL_CONFIG) -> Path:
        site = tmp_path / "site"
        site.mkdir(exist_ok=True)
        (site / "pressroom.toml").write_text(config, encoding="utf-8")
        return write_files(site, files or {})

    return make


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def pressroom():
    """Runs the real command line in a subprocess, as a user would."""

    def run(*args: str, cwd: Path | None = None, env: dict | None = None) -> Run:
        import os

        full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
        done = subprocess.run(
            [sys.executable, "-m", "pressroom", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120
        )
        return Run(done.returncode, done.stdout, done.stderr)

    return run


def tree(folder: Path) -> dict[str, bytes]:
    """Every file below folder, by relative path: for comparing whole outputs."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def preview(make_site):
    """preview(files) -> a running preview server (pressroom serve, in-process, on a free port)
    of a site made of files; stopped when the test ends."""
    from pressroom.serve import PreviewServer

    servers = []

    def start(files: dict[str, str | bytes] | None = None, config: str = MINIMAL_CONFIG, **options) -> PreviewServer:
        server = PreviewServer(make_site(files, config), port=0, **options)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def wait_for(condition, timeout: float = 10.0, message: str = "the condition"):
    """Poll condition() until it returns something true; fail after timeout seconds."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert value, f"timed out after {timeout} s waiting for {message}"
    return value


@pytest.fixture(scope="session")
def example_site(tmp_path_factory) -> Path:
    """The example site, built once as of EXAMPLE_AS_OF, for the validators and the browser."""
    from pressroom.pipeline import build

    out = tmp_path_factory.mktemp("example") / "output"
    build(ROOT, out, now=EXAMPLE_AS_OF)
    return out


def html_pages(folder: Path) -> list[str]:
    """Every HTML file of a built site, by relative path."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html"))
