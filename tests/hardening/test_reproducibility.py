"""Issue 7, "Reproducibility": the same content, built on another day, in another folder, from
another working directory, with another hash seed, time zone and locale, gives byte-identical
output apart from the fields that must carry the build time; SOURCE_DATE_EPOCH fixes those.

The two days chosen do not cross any release, event or label date of the example site, so
nothing is published, ended or expired between them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, tree

DAY_ONE, DAY_TWO = "1764000000", "1764086400"  # 24 and 25 November 2025, 16:00 UTC


def build_copy(tmp_path: Path, name: str, epoch: str, **env: str) -> dict[str, bytes]:
    site = tmp_path / name / "site folder"
    site.mkdir(parents=True)
    for part in ("content", "assets", "pressroom.toml"):
        source = ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, site / part)
    done = subprocess.run(
        [sys.executable, "-m", "pressroom", "build", "site folder", "--output", "public"],
        cwd=site.parent, capture_output=True, text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "SOURCE_DATE_EPOCH": epoch, **env},
    )
    assert done.returncode == 0, done.stderr
    written = tree(site.parent / "public")
    assert not any(str(tmp_path).encode() in data for data in written.values()), "a local path leaked into the output"
    return written


def without_build_time(files: dict[str, bytes]) -> dict[str, bytes]:
    """The one field that records when the build ran: build-info.json's build_time."""
    kept = dict(files)
    info = json.loads(kept["build-info.json"])
    assert info.pop("build_time")
    kept["build-info.json"] = json.dumps(info, sort_keys=True).encode()
    return kept


def test_another_day_and_another_folder_differ_only_in_the_build_time(tmp_path):
    one = build_copy(tmp_path, "one", DAY_ONE, PYTHONHASHSEED="1", TZ="UTC", LC_ALL="C.UTF-8")
    two = build_copy(tmp_path, "two", DAY_TWO, PYTHONHASHSEED="2", TZ="America/New_York", LC_ALL="C")
    assert one != two
    assert without_build_time(one) == without_build_time(two)
    changed = {path for path in one if one[path] != two[path]}
    assert changed == {"build-info.json"}  # calendars too are as they were: DTSTAMP is not the build's time


def test_source_date_epoch_makes_even_the_build_time_identical(tmp_path):
    one = build_copy(tmp_path, "one", DAY_ONE, PYTHONHASHSEED="1", TZ="UTC")
    two = build_copy(tmp_path, "two", DAY_ONE, PYTHONHASHSEED="3", TZ="Asia/Tokyo", LC_ALL="C")
    assert one == two
