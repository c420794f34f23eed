"""Issue 7, "Very large inputs": a 5 MB release, 100,000 tags and a 10,000-line table are
refused at once with a clear message; what is merely big builds in bounded time.

Python-Markdown needs about a second per 100 kB of prose (more for tables), and some shapes of
text (brackets, deep nesting) cost it the square of their size, so limits are where time
would run away, each with a message that says what to do instead."""

import subprocess
import sys
import time

import pytest

from pressroom.config import parse_config
from pressroom.parse import parse_release
from pressroom.front_matter import split_document
from pressroom.source import MAX_FILE_BYTES, SourceFile
from tests.conftest import MINIMAL_CONFIG, ROOT

PROSE = "MEDVIA is proud to *announce* that we have been awarded a [Bronze Label](https://example.org/) for excellence. " * 5 + "\n\n"


def release_text(body: str = "Text.", front_matter: str = "") -> str:
    return f"---\ntitle: Big\ndate: 2024-01-09\n{front_matter}---\n{body}"


def peak_memory_of_build(site) -> int:
    """The peak resident memory (kB) of one `pressroom build`, measured by a parent of its own."""
    measure = (
        "import resource, subprocess, sys;"
        "subprocess.run([sys.executable, '-m', 'pressroom', 'build', sys.argv[1]], capture_output=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run([sys.executable, "-c", measure, str(site)], capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    return int(done.stdout)


def test_huge_inputs_are_refused_quickly_and_in_little_memory(fails, good_site):
    started = time.perf_counter()
    lines = fails({
        "content/news/five-mb.md": release_text(PROSE * (5_000_000 // len(PROSE))),
        "content/news/tags.md": release_text(front_matter="tags: [" + ",".join(f"t{i}" for i in range(100_000)) + "]\n"),
        "content/news/many-tags.md": release_text(front_matter="tags: [" + ", ".join(f"tag {i}" for i in range(1000)) + "]\n"),
        "content/news/table.md": release_text("Results:\n\n| a | b | c |\n|---|---|---|\n" + "| x | *y* | z |\n" * 10_000),
    })
    seconds = time.perf_counter() - started
    assert lines == [
        "content/news/five-mb.md:1: is 5.0 MB; a file can be at most 1 MB. Put large material such as reports or pictures in assets/ and link to it",
        "content/news/many-tags.md:4: tags: has 1,000 entries; at most 100 are allowed. A few well-chosen ones help readers most",
        "content/news/table.md:7: this table has more than 2,000 rows, too many to read on a page; put the data in a spreadsheet in assets/ and link to it",
        "content/news/tags.md:4: the front matter holds more than 20,000 values, far more than a page needs; shorten it",
    ]
    assert seconds < 30  # two builds, mostly Python starting up; minutes if any of it were parsed
    assert peak_memory_of_build(good_site) < 300_000  # kB; a 5 MB file read whole is 5 MB


CONFIG = parse_config(MINIMAL_CONFIG)


def timed_parse(text: str):
    started = time.perf_counter()
    result = parse_release(split_document(SourceFile("content/news/big.md", text)), CONFIG)
    return result, time.perf_counter() - started


def test_a_long_release_and_a_large_table_build_in_bounded_time():
    """200 kB of prose and a 1,000-row table take a second or two each here; the bound only
    catches time that grows with the square of the size (minutes at these sizes)."""
    release, seconds = timed_parse(release_text(PROSE * (200_000 // len(PROSE))))
    assert not isinstance(release, list) and release.body_html.count("<p>") == 200_000 // len(PROSE)
    assert seconds < 15
    release, seconds = timed_parse(release_text("| a | b | c |\n|---|---|---|\n" + "| x | *y* | z |\n" * 1000))
    assert not isinstance(release, list) and release.body_html.count("<tr>") == 1001
    assert seconds < 15


@pytest.mark.parametrize("body, message", [
    ("Intro.\n\n" + "[" * 5000 + "x", "content/news/big.md:7: this paragraph has more than 500 [ brackets; Markdown cannot handle that in reasonable time. Split it, or write \\[ for a bracket that is not a link"),
    ("".join("    " * i + "- item\n" for i in range(200)), "content/news/big.md:38: lists or quotes are nested more than 32 levels deep here; Markdown cannot handle that in reasonable time. Simplify it"),
    ("> " * 100 + "deep", "content/news/big.md:5: lists or quotes are nested more than 32 levels deep here; Markdown cannot handle that in reasonable time. Simplify it"),
    ("*" * 5000 + "x" + "*" * 5000, "content/news/big.md:5: the text is nested too deeply for Markdown (hundreds of * or _ or lists in lists); simplify it"),
])
def test_text_that_would_stall_markdown_is_refused_at_its_line(body, message):
    errors, seconds = timed_parse(release_text(body))
    assert [str(e) for e in errors] == [message]
    assert seconds < 2


def test_the_limit_is_a_megabyte():
    assert MAX_FILE_BYTES == 1_000_000
