"""Render the HTML page for a scenario on the bundled data and save docs/screenshot.png.

Usage: python docs/make_screenshot.py [SCENARIO] [--out PATH]
Needs playwright and Debian's chromium (/usr/bin/chromium); loads nothing from the network.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import supplygraph as sg
from supplygraph.outputs.html import write_html

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1600, "height": 1000}


def main() -> None:
    """Parse the arguments, render the page and take the screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "scenario",
        nargs="?",
        default="2025-10-package",
        help="bundled scenario name or TOML path [default: 2025-10-package]",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).with_name("screenshot.png"),
        help="PNG to write [default: docs/screenshot.png]",
    )
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    graph = sg.load()
    result = sg.simulate(graph, sg.load_scenario(args.scenario))
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        page_path = write_html(Path(folder) / "graph.html", result)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT)
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith("file:") else route.abort()
            ),
        )
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(page_path.resolve().as_uri())
        page.wait_for_function("typeof network === 'object'")
        # two frames: the canvas is sized, fitted and drawn with the names beside the nodes
        page.evaluate(
            "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
        page.screenshot(path=str(args.out))
        browser.close()
    if errors:
        raise SystemExit(f"page errors: {errors}")
    print(f"Wrote {args.out}")


if __name__ == "__main__":
    main()
