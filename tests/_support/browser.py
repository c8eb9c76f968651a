"""Debian's chromium driven by Playwright (the Python package), for the console's browser tests.

Playwright's own browser download cannot work on these machines, so the system browser is launched by path
(``.ci/run`` installs it: ``apt-get install chromium``). Never ``playwright install``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path(os.environ.get("CUTPROOF_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless chromium; in CI (``CI=true``) its absence fails the test, elsewhere it skips with the fix."""
    if not CHROMIUM.exists():
        message = f"no browser at {CHROMIUM}: `apt-get install -y chromium` (as .ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """Save a screenshot as ``test-artifacts/console/<name>.png`` (gitignored) and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
