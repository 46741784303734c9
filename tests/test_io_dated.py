"""Issue 22, items 7, 11, 12 and 13: cells of the dated and backtest tables that used to pass.

Each case breaks one cell of a copy of the bundled data: ``validate`` and ``backtest`` must
both exit 2 with a located ``file:line: column: message`` (validate used to pass them all;
backtest failed with a traceback or reported on them), and backtest must leave its earlier
reports as they were.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_helpers import TINY, invoke

from supplygraph.dataset.io import BACKTEST_FILES, DATED_FILES, bundled_data_dir

FORD = "Ford Chicago Assembly (Explorer) idled,us-automakers-agg,automotive,first_loss,"
FORD_DATES = "2025-05-15,2025-04-17,2025-06-14,"


@pytest.fixture(scope="module")
def bundled_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bundled") / "data"
    shutil.copytree(bundled_data_dir(), folder, ignore=shutil.ignore_patterns("*.py", "derive"))
    return folder


@pytest.fixture
def data(bundled_copy: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(bundled_copy, folder)
    return folder


@pytest.fixture(scope="module")
def previous(bundled_copy: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reports of a good backtest (written once)."""
    out = tmp_path_factory.mktemp("previous") / "out"
    result = invoke("backtest", "--data", str(bundled_copy), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# (file, old text, new text, line, column, message fragment)
CASES = [
    # item 7: DateParseError and ZeroDivisionError in backtest, ValueError on event dates
    ("observed.csv", "us,2025-05,46", "us,2025-13,46", 3, "month", "not a month (YYYY-MM"),
    ("observed.csv", "us,2024-avg,620,", "us,2024-avg,0,", 2, "value", "a baseline of 0"),
    ("events.csv", FORD + "2025-05-15,", FORD + "15 May 2025,", 2, "date", "not a date"),
    ("events.csv", FORD + "2025-05-15,", FORD + "0000-01-01,", 2, "date", "not a date"),
    # item 11: events.csv had no row checks
    (
        "events.csv",
        "automotive,first_loss,2025-05-15",
        "automotive,stoppage,2025-05-15",
        2,
        "kind",
        "unknown kind 'stoppage'; expected one of first_loss, recovery",
    ),
    ("events.csv", ",us-automakers-agg,", ",us-nowhere,", 2, "node", "unknown node 'us-nowhere'"),
    (
        "events.csv",
        "us-automakers-agg,automotive,",
        "us-automakers-agg,wind,",
        2,
        "line",
        "us-automakers-agg has no line 'wind'",
    ),
    (
        "events.csv",
        "us-automakers-agg,automotive,",
        "us-automakers-agg,,",
        2,
        "line",
        "us-automakers-agg has lines",
    ),
    ("events.csv", "Ford Chicago Assembly (Explorer) idled,", ",", 2, "event", "missing value"),
    ("events.csv", FORD + FORD_DATES, FORD + "2025-05-15,,2025-06-14,", 2, "earliest", "missing"),
    (
        "events.csv",
        FORD + FORD_DATES,
        FORD + "2025-05-15,2025-06-20,2025-06-14,",
        2,
        "latest",
        "2025-06-14 is before earliest 2025-06-20",
    ),
    (
        "events.csv",
        FORD + FORD_DATES,
        FORD + "2025-07-15,2025-04-17,2025-06-14,",
        2,
        "date",
        "2025-07-15 is outside its window, 2025-04-17 to 2025-06-14",
    ),
    # item 12: observed months, series and baselines
    ("observed.csv", "us,2025-05,46", "us,2025-5,46", 3, "month", "not a month"),
    ("observed.csv", "us,2025-05,46", "us,2025-05-01,46", 3, "month", "not a month"),
    ("observed.csv", "cn-magnet-exports-us,2025-05,46", ",2025-05,46", 3, "series", "missing"),
    ("observed.csv", "us,2025-05,46", "us,,46", 3, "month", "missing value"),
    (
        "observed.csv",
        "cn-magnet-exports-jp,2024-avg,186",
        "cn-magnet-exports-jp,2025-04,186",
        7,
        "series",
        "cn-magnet-exports-jp has no baseline row",
    ),
    (
        "observed.csv",
        "us,2025-06,353",
        "us,2025-05,353",
        4,
        "month",
        "a second figure of cn-magnet-exports-us for 2025-05 (first on line 3)",
    ),
    (
        "observed.csv",
        "us,2025-06,353",
        "us,2023-avg,353",
        4,
        "month",
        "a second baseline of cn-magnet-exports-us (2023-avg) (first on line 2)",
    ),
    # item 12: capacity.csv nodes and dates
    ("capacity.csv", "vn-sgi-vina,2025-01-01", "vn-nowhere,2025-01-01", 2, "node", "unknown node"),
    ("capacity.csv", "vn-sgi-vina,2025-01-01", ",2025-01-01", 2, "node", "missing value"),
    ("capacity.csv", "vn-sgi-vina,2025-01-01", "vn-sgi-vina,", 2, "from", "missing value"),
    (
        "capacity.csv",
        "my-lynas-hre,2025-05-01,1500",
        "vn-sgi-vina,2025-01-01,1500",
        3,
        "from",
        "a second capacity of vn-sgi-vina from 2025-01-01 (first on line 2)",
    ),
    # item 12: approvals.csv paths, dates and destinations
    ("approvals.csv", "2025-observed,,2025-05-01", ",,2025-05-01", 3, "path", "missing value"),
    ("approvals.csv", "2025-observed,,2025-05-01", "2025-observed,,", 3, "from", "missing value"),
    (
        "approvals.csv",
        "2025-observed,,2025-05-01",
        "2025-observed,;;,2025-05-01",
        3,
        "destination",
        "invalid ISO country ';;'",
    ),
    (
        "approvals.csv",
        "2025-observed,,2025-05-01",
        "2025-observed,US;JP,2025-05-01",
        3,
        "destination",
        "one destination country per row",
    ),
    (
        "approvals.csv",
        "2025-observed,,2025-05-01,0.26",
        "2025-observed,,2025-04-04,0.26",
        3,
        "from",
        "a second share of path '2025-observed' from 2025-04-04 (first on line 2)",
    ),
    # item 13: a bad origin was reported in the destination column
    ("transit.csv", "\nUS;CA;MX,", "\nUS;CA;ZZ,", 4, "origin", "invalid ISO country 'ZZ'"),
    ("transit.csv", "\nUS;CA;MX,", "\n,", 4, "origin", "missing value"),
    ("transit.csv", "\nUS;CA;MX,", "\nsame,", 4, "origin", "invalid ISO country 'same'"),
    ("transit.csv", ",US;CA;MX,5", ",same;US,5", 4, "destination", "'same' stands alone"),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "line", "column", "message"),
    CASES,
    ids=[f"{c[0]}:{c[4]}:{c[2][-20:]}" for c in CASES],
)
def test_a_bad_dated_cell_is_located_by_validate_and_backtest(
    data, previous, file, old, new, line, column, message
):
    replace(data / file, old, new)
    expected = f"error: {data / file}:{line}: {column}: {message}"
    result = invoke("validate", "--data", str(data))
    assert result.exit_code == 2 and expected in result.output, result.output
    before = snapshot(previous)
    result = invoke("backtest", "--data", str(data), "--out", str(previous))
    assert result.exit_code == 2 and expected in result.output, result.output
    assert "Traceback" not in result.output and "unexpected failure" not in result.output
    assert snapshot(previous) == before


@pytest.mark.parametrize("file", DATED_FILES + BACKTEST_FILES)
def test_a_dated_table_with_only_a_header_is_refused(data, previous, file):
    # a transit table of a header only gave every route 30 days; events.csv a KeyError
    path = data / file
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    expected = f"error: {path}:2: -: no rows: expected at least one"
    for command in (["validate"], ["backtest", "--out", str(previous)]):
        result = invoke(*command, "--data", str(data))
        assert result.exit_code == 2 and expected in result.output, result.output


def test_every_problem_of_the_five_tables_is_listed_at_once(data):
    replace(data / "approvals.csv", "2025-observed,,2025-05-01", ",,2025-05-01")
    replace(data / "transit.csv", "\nUS;CA;MX,", "\nUS;CA;ZZ,")
    replace(data / "capacity.csv", "vn-sgi-vina,2025-01-01", "vn-sgi-vina,2025-1-1")
    replace(data / "observed.csv", "us,2025-05,46", "us,2025-13,46")
    replace(data / "events.csv", "automotive,first_loss,", "automotive,stoppage,")
    result = invoke("backtest", "--data", str(data), "--out", str(data.parent / "out"))
    assert result.exit_code == 2
    for file in DATED_FILES + BACKTEST_FILES:
        assert f"error: {data / file}:" in result.output, (file, result.output)
    assert not (data.parent / "out").exists()


def test_a_folder_that_borrows_the_bundled_tables_is_not_checked_against_their_nodes(tmp_path):
    # the tiny dataset has none of the bundled capacity.csv's and events.csv's nodes: the
    # tables it borrows describe the bundled graph, not its own, and are not errors here
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    for command in (
        ["validate"],
        ["timeline", "-s", "2025-replay", "--to", "2025-03-10", "-q", "--out", str(tmp_path / "t")],
    ):
        result = invoke(*command, "--data", str(data))
        assert result.exit_code == 0, result.output


def test_a_folder_with_its_own_capacity_table_names_its_own_nodes(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    shutil.copy(bundled_data_dir() / "capacity.csv", data / "capacity.csv")
    result = invoke("validate", "--data", str(data))
    assert result.exit_code == 2
    assert f"error: {data / 'capacity.csv'}:2: node: unknown node 'vn-sgi-vina'" in result.output
