"""Helpers for the command-line tests: the tiny dataset and a CliRunner call."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from supplygraph.cli import cli

TINY = Path(__file__).parent / "data" / "tiny"
COMMANDS = [
    "validate",
    "scenarios",
    "simulate",
    "timeline",
    "backtest",
    "compare",
    "export",
    "graph",
    "criticality",
    "montecarlo",
]


def invoke(*args: str) -> Result:
    """Run the CLI in-process with these arguments; exceptions propagate."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def simulate_tiny(out: Path, *args: str) -> Result:
    """Run ``simulate`` on the tiny dataset into ``out``, without the page or the table."""
    return invoke("simulate", "--data", str(TINY), "--out", str(out), "--no-html", "--quiet", *args)


class FakeBrowser:
    """Stands in for webbrowser's browser: records the pages it is asked to open."""

    def __init__(self, opened: list[str]) -> None:
        self.opened = opened

    def open(self, url: str) -> bool:
        self.opened.append(url)
        return True
