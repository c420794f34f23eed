"""Issue 7, "Faults": a build interrupted at any moment (Ctrl-C, kill -9, a full disk) leaves
the previous output intact and the next build succeeds; two builds at once do not corrupt
the output, and the second is told why it stopped.

Each test runs the real `pressroom build` in a subprocess on a generated site of a few
hundred releases, and compares whole output trees: after any interruption the output is
exactly the previous site or exactly the new one, never a mix, never missing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import MINIMAL_CONFIG, ROOT, tree, write_files

RELEASES = 200
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1735689600"}
TOPICS = ["awards", "eu projects", "health", "members", "events", "reports", "startups", "research"]


def generated_site(root: Path, version: str) -> Path:
    """RELEASES releases over five years; `version` changes every title and body."""
    files = {"pressroom.toml": MINIMAL_CONFIG}
    for n in range(RELEASES):
        tags = ", ".join(TOPICS[(n + k) % len(TOPICS)] for k in range(3))
        files[f"content/news/{2020 + n % 5}/release-{n:03}.md"] = (
            f"---\ntitle: Release {n} ({version})\ndate: {2020 + n % 5}-{1 + n % 12:02}-{1 + n % 28:02}\ntags: [{tags}]\n---\n"
            + f"Paragraph one of release {n}, {version}.\n\n" + "Some *more* text with a [link](https://example.org/).\n\n" * 5
        )
    return write_files(root, files)


def start_build(site: Path, output: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pressroom", "build", str(site), "--output", str(output)],
        env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def build(site: Path, output: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "pressroom", "build", str(site), "--output", str(output)], env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


def leftovers(output: Path) -> list[str]:
    return sorted(p.name for p in output.parent.iterdir() if p.name.startswith(f".{output.name}."))


@pytest.fixture(scope="module")
def two_versions(tmp_path_factory):
    """The same site in versions A and B, the output of each, and how long a build takes."""
    root = tmp_path_factory.mktemp("versions")
    expected, seconds = {}, []
    for version in ("A", "B"):
        site = generated_site(root / version, version)
        started = time.perf_counter()
        build(site, root / f"expected-{version}")
        seconds.append(time.perf_counter() - started)
        expected[version] = tree(root / f"expected-{version}")
    assert expected["A"] != expected["B"]
    return expected, max(seconds)


def switch(site: Path, version: str) -> None:
    generated_site(site, version)


def test_ctrl_c_at_several_moments_keeps_the_previous_output(tmp_path, two_versions):
    expected, seconds = two_versions
    site, output = generated_site(tmp_path / "site", "A"), tmp_path / "public"
    build(site, output)
    current = "A"
    for fraction in (0.2, 0.5, 0.8):
        new = "B" if current == "A" else "A"
        switch(site, new)
        process = start_build(site, output)
        time.sleep(seconds * fraction)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=120)
        if process.returncode == 0:  # Ctrl-C came after the new site was in place
            assert out.startswith("Built ") and err == ""
            assert tree(output) == expected[new]
        else:
            assert (process.returncode, out, err) == (130, "", "pressroom: interrupted; the output folder holds the last complete site, as before\n")
            assert tree(output) in (expected[current], expected[new]), f"Ctrl-C at {fraction:.0%} of a build"
        current = new if tree(output) == expected[new] else current
        assert leftovers(output) == []
    build(site, output)
    assert tree(output) == expected[new]


def test_ctrl_c_while_python_makes_code_from_a_string_still_exits_130(tmp_path):
    """A Ctrl-C can land while a dataclass or namedtuple makes its methods with exec() (as a
    module is first imported mid-build); CPython 3.11 then remembered it as unhandled and
    `python -m pressroom` killed itself with SIGINT (exit -2) after saying it was interrupted.
    Here the build is interrupted inside such an exec(), every time."""
    site, output = generated_site(tmp_path / "site", "A"), tmp_path / "public"
    (tmp_path / "interrupted_in_exec.py").write_text(
        "import pressroom.cli\n"
        "pressroom.cli.build_site = lambda args: exec('raise KeyboardInterrupt')\n"
        "raise SystemExit(pressroom.cli.main())\n"
    )
    env = {**ENV, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    done = subprocess.run([sys.executable, "-m", "interrupted_in_exec", "build", str(site), "--output", str(output)], env=env, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (130, "", "pressroom: interrupted; the output folder holds the last complete site, as before\n")
    assert not output.exists()


def test_kill_9_at_random_moments_never_loses_or_mixes_the_output(tmp_path, two_versions):
    expected, seconds = two_versions
    site, output = generated_site(tmp_path / "site", "A"), tmp_path / "public"
    build(site, output)
    current, rng = "A", random.Random(7)
    for attempt in range(5):
        new = "B" if current == "A" else "A"
        switch(site, new)
        process = start_build(site, output)
        time.sleep(rng.uniform(0.3, 1.1) * seconds)
        process.kill()
        process.communicate(timeout=60)
        now = tree(output)
        assert now in (expected[current], expected[new]), f"attempt {attempt}: the output is neither the old site nor the new one"
        current = new if now == expected[new] else current
    switch(site, "B")
    build(site, output)
    assert tree(output) == expected["B"]
    assert leftovers(output) == []


def test_two_builds_at_once_the_second_is_told_and_nothing_is_corrupted(tmp_path, two_versions):
    expected, _ = two_versions
    site, output = generated_site(tmp_path / "site", "A"), tmp_path / "public"
    build(site, output)
    switch(site, "B")
    first = start_build(site, output)
    deadline = time.monotonic() + 60
    while f" {first.pid} " not in Path("/proc/locks").read_text():  # the first build holds the lock
        assert first.poll() is None and time.monotonic() < deadline, "the first build never took the lock"
        time.sleep(0.01)
    first.send_signal(signal.SIGSTOP)  # keep it inside its build, however slow the second starts
    try:
        second = subprocess.run([sys.executable, "-m", "pressroom", "build", "site", "--output", "public"], cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=120)
    finally:
        first.send_signal(signal.SIGCONT)
    assert second.returncode == 1
    assert second.stdout == ""
    assert second.stderr == (
        "public: another build of this site is running right now; wait for it to finish and try again\n"
        "pressroom: 1 error; nothing was written\n"
    )
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert tree(output) == expected["B"]


def mount_small_disk(where: Path, size: str) -> bool:
    where.mkdir()
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True).returncode == 0


def test_a_full_disk_leaves_the_previous_output_and_says_what_to_do(make_site, tmp_path, pressroom):
    """A real full disk: a 1 MB tmpfs mounted for the test (needs root, as on CI and the
    developers' machines; skipped elsewhere). No write is faked."""
    disk = tmp_path / "disk"
    if not mount_small_disk(disk, "1m"):
        pytest.skip("mounting a small tmpfs needs root")
    try:
        site = make_site({"content/news/a.md": "---\ntitle: A\ndate: 2024-01-09\n---\nText.\n"})
        output = disk / "output"
        assert pressroom("build", str(site), "--output", str(output)).code == 0
        before = tree(output)
        write_files(site, {"assets/report.pdf": os.urandom(1_500_000)})
        run = pressroom("build", str(site), "--output", str(output), cwd=tmp_path)
        assert run.code == 1
        assert run.stderr == (
            "disk/output: could not write the site: No space left on device; free some disk space and build again. The previous output is untouched\n"
            "pressroom: 1 error; nothing was written\n"
        )
        assert tree(output) == before
        assert leftovers(output) == []
        (site / "assets" / "report.pdf").unlink()
        assert pressroom("build", str(site), "--output", str(output)).code == 0
    finally:
        subprocess.run(["umount", str(disk)], check=True)
