"""Start Debian's chromium under Playwright.

Playwright must never download a browser here (no internet but the package
registries); scripts/install-test-tools installs Debian's ``chromium`` package,
and we point Playwright at /usr/bin/chromium.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from playwright.sync_api import Browser, Playwright

#: Debian's chromium. Overridable for unusual machines with PRESSROOM_CHROMIUM.
CHROMIUM_PATH = os.environ.get("PRESSROOM_CHROMIUM", "/usr/bin/chromium")

#: Flags for a headless run as root on a machine with a closed network: without
#: the background-networking flags chromium keeps trying (and failing) to reach
#: Google's services at start and while running.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def launch_chromium(playwright: "Playwright", **kwargs) -> "Browser":
    """Launch headless Debian chromium; extra keyword arguments go to ``launch``."""
    if not os.access(CHROMIUM_PATH, os.X_OK):
        raise FileNotFoundError(
            f"{CHROMIUM_PATH} not found: run scripts/install-test-tools "
            "(installs Debian's chromium package)"
        )
    args = [*CHROMIUM_ARGS, *kwargs.pop("args", [])]
    return playwright.chromium.launch(
        headless=kwargs.pop("headless", True),
        executable_path=CHROMIUM_PATH,
        args=args,
        **kwargs,
    )
