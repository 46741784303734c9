"""Ranges of uncertain figures (issue 24, item 2): the optional ``<figure>_low`` and
``<figure>_high`` columns and ``range_group``, read onto the graph and checked."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import TINY, invoke

import supplygraph as sg
from supplygraph import DataError
from supplygraph.dataset.io import bundled_data_dir
from supplygraph.scenario.uncertainty import flow_ranges

HEADER = "supplier,customer,material,elements,flow_t,source,status,licence,note"
FIRST = "cn-mine,cn-sep,concentrate,La;Ce;Nd;Pr;Dy;Tb,800,Test fixture – https://example.org,assumption,,"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(TINY, folder)
    return folder


def with_ranges(folder: Path, first: str, others: str = ",,") -> None:
    """Add the range columns to the tiny edges.csv: ``first`` for row 2, ``others`` after."""
    path = folder / "edges.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER and lines[1] == FIRST
    lines[0] += ",flow_t_low,flow_t_high,range_group"
    lines[1] += "," + first
    lines[2:] = [line + "," + others for line in lines[2:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def errors(folder: Path) -> list[tuple[int, str, str]]:
    with pytest.raises(DataError) as caught:
        sg.load(folder)
    return [(i.line, i.column, i.message) for i in caught.value.issues]


def test_ranges_are_read_onto_the_edges(data):
    with_ranges(data, "600,1000.5,cn-split")
    edges = sg.load(data).edges
    assert edges.loc[0, ["flow_t_low", "flow_t_high"]].tolist() == [600.0, 1000.5]
    assert edges.loc[0, "range_group"] == "cn-split"
    # empty cells: NaN for the ends, None for the group
    assert edges.loc[1, ["flow_t_low", "flow_t_high"]].isna().all()
    assert edges.loc[1, "range_group"] is None
    attrs = sg.load(data).to_networkx().get_edge_data("cn-mine", "cn-sep")["concentrate"]
    assert (attrs["flow_t_low"], attrs["flow_t_high"], attrs["range_group"]) == (
        600.0,
        1000.5,
        "cn-split",
    )


def test_a_dataset_without_the_columns_has_no_ranges():
    edges = sg.load(TINY).edges
    assert edges["flow_t_low"].isna().all() and edges["range_group"].isna().all()


@pytest.mark.parametrize(
    "cells, column, message",
    [
        ("900,1000,", "flow_t_low", "900 is above the central figure (flow_t)"),
        ("100,700,", "flow_t_high", "700 is below the central figure (flow_t)"),
        ("1000,600,", "flow_t_low", "1000 is above the range's high end (flow_t_high)"),
        ("600,,", "flow_t_high", "missing value: a range has both ends"),
        (",900,", "flow_t_low", "missing value: a range has both ends"),
        ("-1,900,", "flow_t_low", "negative value: -1"),
        ("abc,900,", "flow_t_low", "not a number"),
        (",,g1", "range_group", "range group 'g1' on a row without a range"),
        ("600,900,a b", "range_group", "invalid range group 'a b'"),
    ],
)
def test_bad_ranges_are_located(data, cells, column, message):
    with_ranges(data, cells)
    found = errors(data)
    assert any(line == 2 and col == column and message in text for line, col, text in found), found


def test_a_bad_range_exits_2_and_writes_nothing(data, tmp_path):
    with_ranges(data, "900,1000,")
    out = tmp_path / "out"
    result = invoke("simulate", "--data", str(data), "--out", str(out), "--quiet", "--no-html")
    assert result.exit_code == 2
    assert "edges.csv:2: flow_t_low: 900 is above the central figure" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_node_and_line_ranges_are_checked(data):
    path = data / "nodes.csv"
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    rows[0] += ["stock_days_low", "stock_days_high"]
    for row in rows[1:]:
        row += ["", ""]
    at = rows[0].index("stock_days")
    rows[1][at] = "30"
    rows[1][-2:] = ["40", "50"]  # the range does not hold 30 days
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    assert (
        2,
        "stock_days_low",
        "40 is above the central figure (stock_days): the range must hold it",
    ) in errors(data)


def test_bundled_ranges_cover_95_percent_of_uncertain_edges():
    # issue 24, acceptance 2: at least 95% of estimate and assumption edges carry a range that
    # holds the central figure, and every range says where it comes from
    edges = sg.load().edges
    uncertain = edges[edges["status"].isin(["estimate", "assumption"])]
    holds = (uncertain["flow_t_low"] <= uncertain["flow_t"]) & (
        uncertain["flow_t"] <= uncertain["flow_t_high"]
    )
    assert holds.sum() >= 0.95 * len(uncertain), (holds.sum(), len(uncertain))
    ranged = edges[edges["flow_t_low"].notna()]
    basis = ranged["source"].str.contains(r" ; range \((?:interval|sources|rule)\): ", regex=True)
    assert basis.all(), ranged.loc[~basis, ["supplier", "customer"]].head()


def test_customs_ranges_come_from_the_two_statistics():
    # China's exports to Germany: its customs return (11,112 t of rare-earth magnets by the
    # rule) against BACI's reconciled 10,450 t: each German row's range is its figure x
    # 10,450/11,112 = 0.940 to x 1 (before the grade split and, for a split pair, the rule)
    edges = sg.load().edges
    de = edges[edges["range_group"] == "cn-magnets-de"]
    assert len(de) >= 8
    assert de["source"].str.contains("customs return 11,112 t against BACI's 10,450 t").all()
    # an estimate row of the pair whose only other basis is the grade split: the Dy/Tb row to
    # German industrial users, x 0.940 low and x 0.90/0.60 = 1.5 high
    (row,) = de[
        (de["supplier"] == "cn-other-sintered-agg")
        & (de["customer"] == "de-industrial-users-agg")
        & (de["from_line"] == "dy_tb_grade")
    ].itertuples()
    assert row.flow_t_low == pytest.approx(row.flow_t * 10449.7 / 11111.7, abs=0.06)
    assert row.flow_t_high == pytest.approx(row.flow_t * 1.5, abs=0.06)


def test_the_range_script_is_idempotent(tmp_path):
    # derive/ranges.py sets absolute values from the rows' own figures: a second run on its
    # own output changes no byte
    folder = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    before = {p.name: p.read_bytes() for p in folder.glob("*.csv")}
    script = Path(__file__).resolve().parents[1] / "data" / "derive" / "ranges.py"
    subprocess.run([sys.executable, str(script), str(folder)], check=True, capture_output=True)
    after = {p.name: p.read_bytes() for p in folder.glob("*.csv")}
    assert after == before
    assert pd.read_csv(folder / "edges.csv")["flow_t_low"].notna().any()


def test_the_grade_split_carries_its_2024_range():
    # issue 24, item 3: 0.60 Dy/Tb-bearing is Adamas's 2018 figure; no newer production-wide
    # mix is published, so the split carries 0.60-0.90 (JL Mag's over 90%, SOURCES.md 11j)
    path = Path(__file__).resolve().parents[1] / "data" / "derive" / "grade_split.csv"
    (row,) = pd.read_csv(path, dtype=str).to_dict("records")
    assert (row["dy_tb_share"], row["dy_tb_share_low"], row["dy_tb_share_high"]) == (
        "0.60",
        "0.60",
        "0.90",
    )
    assert "range (interval): 0.60-0.90 for 2024" in row["source"]


def test_stock_cover_ranges_are_the_surveys_intervals():
    # CLEPA's 3-4 weeks for the auto component suppliers (25 days: 21-28), Reuters's 1-12
    # months of yttrium stocks for the fabs and yttrium users (90 days: 30-365)
    nodes = sg.load().nodes.set_index("id")
    assert nodes.loc["de-auto-actuators-agg", ["stock_days_low", "stock_days_high"]].tolist() == [
        21.0,
        28.0,
    ]
    fabs = nodes[
        (nodes["stock_days"] == 90)
        & ((nodes["sector"] == "semiconductors") | nodes.index.str.contains("yttri"))
    ]
    assert (
        len(fabs)
        and (fabs["stock_days_low"] == 30).all()
        and (fabs["stock_days_high"] == 365).all()
    )
    ranged = nodes[nodes["stock_days_low"].notna()]
    assert ranged["source"].str.contains("stock range (interval): ", regex=False).all()
    # 90 days of defence makers is no yttrium survey's: no range
    assert nodes.loc[["fr-defence-agg", "fr-gd-contrast-agg"], "stock_days_low"].isna().all()


def test_a_range_by_a_stated_rule_is_not_a_sourced_range():
    # issue 24 item 5: the defensibility measure holds every figure without a sourced range,
    # so a range whose source cell says `range (rule)` counts with the flat defaults, one of
    # a source's own interval or of two sources' disagreement does not; a reported figure
    # without a range (width 0 at status 0) is not drawn at all
    edges = pd.DataFrame(
        {
            "flow_t": [100.0, 100.0, 100.0, 100.0],
            "status": ["estimate", "estimate", "assumption", "reported"],
            "flow_t_low": [75.0, 80.0, 50.0, None],
            "flow_t_high": [125.0, 140.0, 150.0, None],
            "source": [
                "derived: a x b ; range (rule): an estimate x 0.75-1.25",
                "Customs ; range (sources): customs against BACI",
                "assumption: A1 ; range (interval): 50-150 t in the survey",
                "Customs",
            ],
        }
    )
    ranges = flow_ranges(edges, {"estimate": 0.25, "assumption": 0.5})
    assert ranges.default.tolist() == [True, False, False, False]
    held = ranges.without_defaults()
    assert (held.low[0], held.high[0]) == (1.0, 1.0)  # the rule's range is held
    assert (held.low[1], held.high[1]) == (0.8, 1.4)  # the sourced one still drawn
