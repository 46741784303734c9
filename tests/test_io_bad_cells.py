"""Issue 11: cells that used to pass the checks and fail later (exit 1) or slip through (exit 0).

Each case runs ``simulate`` over a folder holding earlier reports: the bad cell must give exit
status 2 and a located ``file:line: column: message``, no traceback, and leave the reports
as they were.
"""

from __future__ import annotations

import csv
import io
import math
import shutil
import warnings
from pathlib import Path

import pytest
from cli_helpers import TINY, invoke

from supplygraph.dataset.io import bundled_data_dir


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """The tiny dataset with a copy of the bundled regimes.csv, in a temp folder."""
    folder = tmp_path / "data"
    shutil.copytree(TINY, folder)
    shutil.copy(bundled_data_dir() / "regimes.csv", folder / "regimes.csv")
    return folder


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def simulate(data: Path, out: Path, *args: str):
    return invoke("simulate", "--data", str(data), "--out", str(out), "--quiet", "--no-html", *args)


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())}


@pytest.fixture
def previous(data: Path, tmp_path: Path) -> tuple[Path, dict[str, tuple[bytes, int]]]:
    """A report folder written from the good data, and its bytes and times."""
    out = tmp_path / "out"
    assert simulate(data, out, "--no-reroute").exit_code == 0
    return out, snapshot(out)


REGIME_18 = (
    '"Export control on seven medium and heavy rare earths (Sm, Gd, Tb, Dy, Lu, Sc, Y): '
    'metals, alloys, oxides, compounds, SmCo and Tb/Dy-bearing NdFeB magnet materials"'
)

# (file, old text, new text, line, column, message fragment); in regimes.csv, line 2 is
# CN-2025-18, line 3 CN-2025-57 (suspended), line 4 CN-2025-61 (extraterritorial), line 5
# CN-2025-18-CUSTOMS (ended).
CASES = [
    # float() takes these; pandas does not: "Unable to parse string '1_000'" (exit 1)
    ("edges.csv", "Dy;Tb,10,", "Dy;Tb,1_000,", 5, "flow_t", "not a plain number: '1_000'"),
    ("edges.csv", "Dy;Tb,10,", "Dy;Tb,0_0,", 5, "flow_t", "not a plain number: '0_0'"),
    ("edges.csv", "Dy;Tb,10,", "Dy;Tb,１２,", 5, "flow_t", "not a plain number: '１２'"),
    ("edges.csv", "Dy;Tb,10,", "Dy;Tb,١٢,", 5, "flow_t", "not a plain number: '١٢'"),
    ("nodes.csv", "Oz Co,,500,", "Oz Co,,1_000,", 3, "capacity_t", "not a plain number"),
    # absurd sizes: 300-digit numbers in the reports, inf in sums (exit 1 from the page)
    (
        "edges.csv",
        "Dy;Tb,10,",
        "Dy;Tb,1e308,",
        5,
        "flow_t",
        "1e308 is above the largest credible value 1e+09",
    ),
    (
        "nodes.csv",
        "Car Co,ev,,10,",
        "Car Co,ev,,1e308,",
        8,
        "stock_days",
        "1e308 is above the largest credible value 3650",
    ),
    (
        "regimes.csv",
        ",all,0.1,no,",
        ",all,150,no,",
        4,
        "extraterritorial_pct",
        "150 is above the largest credible value 100 (a share of value in percent)",
    ),
    ("regimes.csv", ",all,0.1,no,", ",all,0,no,", 4, "extraterritorial_pct", "must be above 0"),
    # issue 22, item 13: tonnes the solver cannot scale (see the three-edge case below)
    (
        "edges.csv",
        "Dy;Tb,10,",
        "Dy;Tb,1e-320,",
        5,
        "flow_t",
        "1e-320 is below the smallest credible value 1e-09 above 0 (t/yr; a milligram",
    ),
    ("nodes.csv", "Oz Co,,500,", "Oz Co,,5e-10,", 3, "capacity_t", "5e-10 is below the smallest"),
    # regimes.csv: empty required cells, dates other than YYYY-MM-DD, status never checked
    ("regimes.csv", ",2025-04-04,,,,all,", ",,,,,all,", 2, "effective", "missing value"),
    (
        "regimes.csv",
        ",2025-04-04,,,,all,",
        ",20250404,,,,all,",
        2,
        "effective",
        "not a date (YYYY-MM-DD): '20250404'",
    ),
    ("regimes.csv", ",2025-04-04,,,,all,", ",2025-W14-5,,,,all,", 2, "effective", "not a date"),
    ("regimes.csv", f"CN-2025-18,{REGIME_18},", "CN-2025-18,,", 2, "title", "missing value"),
    (
        "regimes.csv",
        ",reported\nCN-2025-57",
        ",rumoured\nCN-2025-57",
        2,
        "status",
        "unknown status 'rumoured'",
    ),
    (
        "regimes.csv",
        ",2025-11-08,2025-11-07,2026-11-10,",
        ",2025-11-08,2026-11-10,2025-11-07,",
        3,
        "suspended_until",
        "suspension ends (2025-11-07) before it starts (2026-11-10)",
    ),
    (
        "regimes.csv",
        ",2025-04-04,,,2025-06-30,",
        ",2025-04-04,,,2025-13-30,",
        5,
        "ends",
        "not a date",
    ),
    (
        "regimes.csv",
        ",2025-04-04,,,2025-06-30,",
        ",2025-04-04,,,2025-04-03,",
        5,
        "ends",
        "ends (2025-04-03) before effective (2025-04-04)",
    ),
]
EDGE_5 = "Dy;Tb,10,Test fixture – https://example.org,assumption,"  # before the licence cell
# licence and element lists that name nothing, or a regime regimes.csv does not have
CASES += [
    ("edges.csv", EDGE_5 + ",", EDGE_5 + "+,", 5, "licence", "invalid licence '+': no regime"),
    ("edges.csv", EDGE_5 + ",", EDGE_5 + "+;;,", 5, "licence", "invalid licence '+;;'"),
    (
        "edges.csv",
        EDGE_5 + ",",
        EDGE_5 + "+NOPE,",
        5,
        "licence",
        "licence '+NOPE' names 'NOPE', not a regime of regimes.csv",
    ),
    ("edges.csv", "heavy_oxide,Dy;Tb,", "heavy_oxide,;;,", 5, "elements", "no element in ';;'"),
]


@pytest.mark.parametrize(
    ("file", "old", "new", "line", "column", "message"),
    CASES,
    ids=[f"{c[0]}:{c[4]}:{c[2][:20]}" for c in CASES],
)
def test_bad_cell_exits_2_located_and_writes_nothing(
    data, previous, file, old, new, line, column, message
):
    out, before = previous
    replace(data / file, old, new)
    result = simulate(data, out)
    assert result.exit_code == 2, result.output
    assert f"error: {data / file}:{line}: {column}: {message}" in result.output, result.output
    assert "Traceback" not in result.output and "unexpected failure" not in result.output
    assert snapshot(out) == before


def test_edges_with_only_a_header_exit_2(data, previous):
    # was KeyError "None of ['stage'] are in the columns" (validate), UFuncTypeError (simulate)
    out, before = previous
    (data / "edges.csv").write_text(
        "supplier,customer,material,elements,flow_t,source,status,licence,note\n", encoding="utf-8"
    )
    expected = f"error: {data / 'edges.csv'}:2: -: no rows: expected at least one edge"
    for command in (["validate", "--data", str(data)], None):
        result = invoke(*command) if command else simulate(data, out)
        assert result.exit_code == 2 and expected in result.output, result.output
    assert snapshot(out) == before


def test_a_regime_deleted_from_regimes_csv_is_named_where_an_edge_uses_it(data, previous):
    out, before = previous
    replace(data / "edges.csv", EDGE_5 + ",", EDGE_5 + "+CN-2025-57,")
    lines = (data / "regimes.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (data / "regimes.csv").write_text("".join(line for line in lines if "CN-2025-57" not in line))
    result = simulate(data, out)
    assert result.exit_code == 2
    assert f"{data / 'edges.csv'}:5: licence: licence '+CN-2025-57' names 'CN-2025-57'" in (
        result.output
    )
    assert snapshot(out) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stock-days", "nan"], "'nan' is not a plain decimal number"),
        (["--stock-days", "1_000"], "'1_000' is not a plain decimal number"),
        (["--stock-days", "4000"], "--stock-days: expected a number of days from 0 to 3650"),
        (["--stock-days", "-1"], "--stock-days: expected a number of days from 0 to 3650"),
        (["--spare", "node:country=AU=inf"], "expected node:SELECTOR=SHARE"),
        (["--spare", "node:country=AU=nan"], "expected node:SELECTOR=SHARE"),
        (["--throttle", "country=CN=1_0"], "expected SELECTOR=SHARE"),
        (["--as-of", "20250404"], "'20250404' is not a date in the form YYYY-MM-DD"),
        (["--as-of", "2025-W14-5"], "is not a date in the form YYYY-MM-DD"),
    ],
)
def test_bad_option_values_exit_2_and_write_nothing(data, previous, args, message):
    out, before = previous
    result = simulate(data, out, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert snapshot(out) == before


def test_plain_option_values_still_work(data, tmp_path):
    result = simulate(
        data, tmp_path / "ok", "--stock-days", "30", "--as-of", "2025-05-01", "--no-reroute"
    )
    assert result.exit_code == 0, result.output


def set_column(path: Path, column: str, value: str) -> None:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    at = rows[0].index(column)
    for row in rows[1:]:
        row[at] = value
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    path.write_text(text.getvalue(), encoding="utf-8")


def test_the_largest_accepted_values_compute_without_runtime_warnings(tmp_path):
    # Issue 11 saw numpy's overflow warnings and inf in the reports with flows of 1e308; at
    # the bounds (1e9 t/yr on every edge, 3650 days of stock) every figure stays finite.
    data = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), data, ignore=shutil.ignore_patterns("*.py"))
    set_column(data / "edges.csv", "flow_t", "1e9")
    set_column(data / "nodes.csv", "capacity_t", "1e9")
    set_column(data / "nodes.csv", "stock_days", "3650")
    for file, column in (("edges", "flow_t"), ("nodes", "stock_days")):
        for end in ("low", "high"):  # the data's ranges no longer hold the figures set here
            set_column(data / f"{file}.csv", f"{column}_{end}", "")
    set_column(data / "edges.csv", "range_group", "")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        result = simulate(data, tmp_path / "out", "-s", "2026-11-lapse", "--no-reroute")
    assert result.exit_code == 0, result.output
    sectors = list(csv.DictReader((tmp_path / "out" / "sectors.csv").open(encoding="utf-8")))
    figures = [float(row[c]) for row in sectors for c in ("baseline_t", "shortfall_pct")]
    assert figures and all(math.isfinite(x) for x in figures)


def test_three_edges_of_1e_320_tonnes_are_refused_where_rerouting_called_them_a_bug(data, previous):
    # Issue 22, item 13: with these three flows at 1e-320 t the solver failed and rerouting
    # said "a bug in supplygraph: please report it" (exit 0)
    out, before = previous
    path = data / "edges.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    for row in rows[1:4]:
        row[4] = "1e-320"
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    path.write_text(text.getvalue(), encoding="utf-8")
    result = simulate(data, out, "--cut", "from=my-sep", "--spare", "node:country=AU|MY=1")
    assert result.exit_code == 2, result.output
    for line in (2, 3, 4):
        assert f"error: {path}:{line}: flow_t: 1e-320 is below the smallest" in result.output
    assert "a bug in supplygraph" not in result.output
    assert snapshot(out) == before
