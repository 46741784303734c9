"""docs/reports.md lists every column of every CSV that simulate writes, in the order the
columns appear."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cli_helpers import invoke

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")


def documented(name: str) -> list[str]:
    """The columns docs/reports.md gives for a file, in order (tables or a Columns: list)."""
    section = re.split(rf"\n## {re.escape(name)}[^\n]*\n", DOC, maxsplit=1)[1]
    section = section.split("\n## ", 1)[0]
    columns = []
    table = [line for line in section.splitlines() if line.startswith("| ")][1:]  # no header
    if table:
        for line in table:
            first = line.split("|")[1]
            columns += [c.strip(" `") for c in first.split(",")]
    else:
        listed = section.split("Columns:", 1)[1].split(".\n", 1)[0]
        columns = re.findall(r"`([a-z_]+)`", listed)
    return columns


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    result = invoke("simulate", "-s", "2026-11-lapse", "--out", str(out), "-q", "--no-html")
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize(
    "name", ["sectors.csv", "nodes.csv", "lines.csv", "countries.csv", "edges.csv", "reroute.csv"]
)
def test_every_column_is_documented_in_its_order(reports: Path, name: str) -> None:
    header = (reports / name).read_text(encoding="utf-8").splitlines()[0].split(",")
    assert documented(name) == header


TRADE = ROOT / "tests" / "data" / "trade" / "baci-cn-850511-2024.csv"


def documented_in_list(name: str) -> list[str]:
    """The columns docs/reports.md lists for a trade file: "`NAME`... Columns: `a`, `b`."."""
    text = re.search(rf"`{re.escape(name)}`.*?Columns: (.*?)\.\n", DOC, flags=re.DOTALL)
    assert text is not None, name
    return list(dict.fromkeys(re.findall(r"`([a-z_]+)`", text.group(1))))  # first mentions


@pytest.mark.parametrize(
    ("command", "name"),
    [
        ("reconcile", "trade-reconcile.csv"),
        ("reconcile", "trade-areas.csv"),
        ("apply", "trade-changes.csv"),
    ],
)
def test_every_trade_column_is_documented_in_its_order(tmp_path, command, name):
    result = invoke("trade", command, str(TRADE), "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    header = (tmp_path / name).read_text(encoding="utf-8").splitlines()[0].split(",")
    # values named in passing (`agree`, `metals`) are no columns; every column is named in order
    listed = [column for column in documented_in_list(name) if column in header]
    assert listed == header
