"""Test support code for Pressroom: browser, HTTP server and validators.

- ``tests.support.browser``: ``launch_chromium`` (Debian's chromium, headless)
- ``tests.support.server``: ``serve_directory`` (a static HTTP server on 127.0.0.1)
- ``tests.support.validators``: ``run_vnu``, ``run_axe``, ``validate_atom``,
  ``validate_sitemap``
- ``tests.support.fixtures``: pytest fixtures ``browser`` (session) and ``page``;
  load them from tests/conftest.py with
  ``pytest_plugins = ["tests.support.fixtures"]``.

The tools these need (chromium, Java, node_modules/vnu-jar, node_modules/axe-core)
are installed by ``scripts/install-test-tools``.
"""

from pathlib import Path

#: The repository root (tests/support/__init__.py -> ../..).
REPO_ROOT = Path(__file__).resolve().parents[2]
