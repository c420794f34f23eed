"""Pytest fixtures for browser tests.

Load from tests/conftest.py with::

    pytest_plugins = ["tests.support.fixtures"]

``browser`` is one headless Debian chromium for the whole session; ``page`` is a
fresh page in a fresh browser context (own cookies, storage, cache) per test.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.support.browser import launch_chromium


@pytest.fixture(scope="session")
def browser() -> Iterator["playwright.sync_api.Browser"]:  # noqa: F821
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser) -> Iterator["playwright.sync_api.Page"]:  # noqa: F821
    context = browser.new_context()
    # Fail fast instead of Playwright's 30 s defaults: everything is local.
    context.set_default_timeout(10_000)
    context.set_default_navigation_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
