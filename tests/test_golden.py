"""The example site, built as of a fixed moment, must match the committed copy file by file.

After an intended change, regenerate the copy and review its diff:
    PRESSROOM_UPDATE_GOLDEN=1 scripts/test tests/test_golden.py
"""

import os
import shutil

import pytest

from pressroom.pipeline import build
from pressroom.write import MARKER
from tests.conftest import EXAMPLE_AS_OF, ROOT, tree

GOLDEN = ROOT / "tests" / "golden" / "example"
AS_OF = EXAMPLE_AS_OF


@pytest.fixture(scope="module")
def example_output(tmp_path_factory):
    out = tmp_path_factory.mktemp("golden") / "output"
    build(ROOT, out, now=AS_OF)
    files = tree(out)
    files.pop(MARKER)
    if os.environ.get("PRESSROOM_UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, data in files.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(data)
    return files


def test_same_files_as_the_golden_copy(example_output):
    assert sorted(example_output) == sorted(tree(GOLDEN))


def test_same_bytes_as_the_golden_copy(example_output):
    golden = tree(GOLDEN)
    differing = [rel for rel in sorted(example_output) if golden.get(rel) != example_output[rel]]
    assert differing == [], f"{len(differing)} file(s) differ, e.g. {differing[:5]}; see the module docstring to regenerate"
