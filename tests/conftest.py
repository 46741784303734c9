"""Shared fixtures: one headless Debian Chromium per session, and offline pages on it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    """Skip, except in CI, where the browser tests must run."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI=true requires the browser tests to run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium (/usr/bin/chromium) driven by Playwright, shared by the session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install playwright)")
    if not CHROMIUM.is_file():
        _unavailable(f"{CHROMIUM} not found (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class OfflinePage:
    """A browser page on which every non-file: request is aborted and recorded."""

    page: Any
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: Path) -> Any:
        """Load a local file and return the Playwright page."""
        self.page.goto(path.resolve().as_uri())
        return self.page


@pytest.fixture
def offline_page(browser: Any) -> Iterator[OfflinePage]:
    """A fresh 1280x800 page with no network: blocked requests and page errors are recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    offline = OfflinePage(context.new_page())

    def route(request_route: Any) -> None:
        if request_route.request.url.startswith("file:"):
            request_route.continue_()
        else:
            offline.blocked.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    offline.page.on("pageerror", lambda error: offline.errors.append(str(error)))
    yield offline
    context.close()


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Every browser test is slow (`pytest -m "not slow"` leaves them out; CI runs them)."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
