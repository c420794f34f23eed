"""Hardening tests: each module mirrors a section of issue 7. A user's view first: the real
command line, the exact `file:line: message` it prints, and the previous output untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import release, tree, write_files

GOOD = {
    "content/news/2024/esca-label.md": release(),
    "content/pages/about.md": "---\ntitle: About\nmenu: 1\n---\nWe are a cluster.\n",
}


@pytest.fixture
def good_site(make_site, pressroom):
    """A site built once, so a later failure can be checked against its output."""
    site = make_site(GOOD)
    run = pressroom("build", str(site))
    assert run.code == 0, run.stderr
    return site


@pytest.fixture
def fails(good_site, pressroom):
    """fails(files) -> the error lines of a build of the good site with `files` added.

    Checks what every failed build owes the user: exit 1, no traceback, nothing on stdout,
    one closing line, and the previous output exactly as it was."""

    def run(files: dict[str, str | bytes], *args: str) -> list[str]:
        before = tree(good_site / "output")
        write_files(good_site, files)
        result = pressroom("build", *args, cwd=good_site)
        assert result.code == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
        assert result.stdout == ""
        assert tree(good_site / "output") == before, "a failed build changed the previous output"
        lines = result.stderr.splitlines()
        assert lines[-1] == f"pressroom: {len(lines) - 1} error{'s' if len(lines) != 2 else ''}; nothing was written"
        return lines[:-1]

    return run


def output_text(site: Path) -> str:
    """Everything the build wrote, as one text (for "this never appears anywhere")."""
    return "\n".join(data.decode("utf-8", "replace") for data in tree(site / "output").values())
