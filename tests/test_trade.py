"""Reconciling trade statistics with a graph, and applying them: figures worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import TINY

from supplygraph.analyses.trade import reconcile
from supplygraph.analyses.trade_apply import apply_statistics, monthly_observations
from supplygraph.dataset.graph import load
from supplygraph.dataset.trade import read_trade_files
from supplygraph.dataset.trade_codes import load_hs_table

HS_TABLE = load_hs_table()
# The tiny graph's cross-border flows (t REO): CN->JP compounds 150 ndpr_oxide + 10 heavy_oxide,
# MY->JP compounds 50, CN->US compounds 100, JP->DE magnets 200.
BACI_ROWS = (
    "t,i,j,k,v,q\n"
    "2024,156,392,284690,900.5,80\n"  # CN->JP compounds: 80 t x 1.0 = 80 t REO
    "2024,392,276,850511,19672,400\n"  # JP->DE magnets: 19,672 kUSD / 49.18 = 400 t: all counted
    "2024,458,392,284690,500,50\n"  # MY->JP: 50 t REO, as the graph has it
    "2024,156,410,284690,300,30\n"  # CN->KR: no such edge in the graph
)


@pytest.fixture(scope="module")
def graph():
    return load(TINY)


def reconciled(tmp_path, graph, text=BACI_ROWS, name="baci.csv"):
    path = tmp_path / name
    path.write_text(text)
    return reconcile(graph, read_trade_files([path], HS_TABLE["hs"]), HS_TABLE)


def test_reconcile_by_hand(tmp_path, graph):
    found = reconciled(tmp_path, graph)
    table = found.table.set_index(["exporter", "importer", "group"])
    expected = {
        # (statistic, graph, ratio, flag); ratio = graph / statistic
        ("CN", "JP", "compounds"): (80.0, 160.0, 2.0, "graph_high"),
        ("JP", "DE", "magnets"): (140.0, 200.0, 200 / 140, "graph_high"),  # 400 t x 0.35
        ("MY", "JP", "compounds"): (50.0, 50.0, 1.0, "agree"),
        ("CN", "KR", "compounds"): (30.0, 0.0, None, "not_in_graph"),
        ("CN", "US", "compounds"): (0.0, 100.0, None, "not_in_statistic"),  # CN is in the file
    }
    assert set(table.index) == set(expected)
    for key, (statistic, graph_t, ratio, flag) in expected.items():
        row = table.loc[key]
        assert (row["statistic_t"], row["graph_t"], row["flag"]) == (statistic, graph_t, flag)
        assert row["ratio"] == pytest.approx(ratio) if ratio else pd.isna(row["ratio"])
    # worst first: gaps 100 (CN-US), 80 (CN-JP), 60 (JP-DE), 30 (CN-KR), 0 (MY-JP)
    assert found.table["exporter"].tolist() == ["CN", "CN", "JP", "CN", "MY"]
    summary = found.summary
    # the graph has a flow for 80 + 140 + 50 of the statistic's 300 t
    assert summary["statistic_coverage"] == pytest.approx(270 / 300)
    # the statistic covers 160 + 200 + 50 of the graph's 510 t of compounds and magnets
    assert summary["graph_coverage"] == pytest.approx(410 / 510)


def test_unit_value_rule_sets_aside_the_rest(tmp_path, graph):
    text = "t,i,j,k,v,q\n2024,392,276,850511,9836,400\n"  # 9,836 kUSD / 49.18 USD/kg = 200 t
    found = reconciled(tmp_path, graph, text)
    row = found.table.set_index("group").loc["magnets"]
    assert (row["product_t"], row["set_aside_t"], row["statistic_t"]) == (200.0, 200.0, 70.0)
    assert found.summary["set_aside"]["baci"] == {
        "weighed_t": 400.0,
        "counted_t": 200.0,
        "set_aside_t": 200.0,
        "rows": 1,
    }


def test_mirror_flows_the_exporters_report_first(tmp_path, graph):
    text = (
        "period,reporterCode,flowCode,partnerCode,cmdCode,netWgt,primaryValue\n"
        "2024,156,X,392,284690,80000,1\n"  # China reports 80 t to Japan
        "2024,392,M,156,284690,100000,1\n"  # Japan reports 100 t from China
    )
    row = (
        reconciled(tmp_path, graph, text)
        .table.set_index(["exporter", "importer"])
        .loc[("CN", "JP")]
    )
    assert (row["report"], row["statistic_t"]) == ("exporter", 80.0)
    assert (row["exporter_report_t"], row["importer_report_t"]) == (80.0, 100.0)
    assert row["mirror_ratio"] == pytest.approx(1.25)


def test_monthly_only_is_scaled_to_a_year(tmp_path, graph):
    text = (
        "period,reporterCode,flowCode,partnerCode,cmdCode,netWgt,primaryValue\n"
        "202401,458,X,392,284690,4000,1\n202402,458,X,392,284690,6000,1\n"
    )
    found = reconciled(tmp_path, graph, text)
    row = found.table.set_index("exporter").loc["MY"]
    assert row["statistic_t"] == pytest.approx(10 * 12 / 2)  # 10 t in two months: 60 t a year
    assert row["period"] == "2024 (2 months x 12/2)" and found.summary["months"] == 2


def test_apply_scales_pairs_and_keeps_the_split(tmp_path, graph):
    found = reconciled(tmp_path, graph)
    applied = apply_statistics(graph, found, HS_TABLE)
    edges = graph.edges.set_index("csv_line")
    changed = applied.edges.set_index("csv_line")
    # CN->JP: factor 80 / 160 = 0.5 on both edges (lines 4 and 5): 75 and 5, split 15:1 kept
    assert changed.loc[4, "flow_t"] == 75.0 and changed.loc[5, "flow_t"] == 5.0
    assert changed.loc[4, "status"] == "assumption"  # its share of the pair was an assumption
    assert changed.loc[4, "source"].startswith(
        "derived: (80.000 t REO = 80.000 t x 1 t REO/t (data/hs.csv)) x this edge's 150 t of "
        "the pair's 160 t in the graph ; CEPII BACI (reconciled), CN exports to JP"
    )
    # JP->DE is the pair's one edge: the statistic itself, in t REO (x 0.35, a conversion
    # of hs.csv: still the reported figure, data/SOURCES.md section 2)
    assert changed.loc[7, "flow_t"] == pytest.approx(140.0)
    assert changed.loc[7, "status"] == "reported"
    assert changed.loc[7, "source"] == (
        "derived: 140.000 t REO = 400.000 t x 0.35 t REO/t (data/hs.csv) ; CEPII BACI "
        "(reconciled), JP exports to DE, HS 850511, 2024: 400.000 t, USD 19,672,000 – "
        "http://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37"
    )
    assert changed.loc[6, "flow_t"] == 50.0  # MY->JP agreed: same tonnes, now cited
    assert changed.loc[6, "status"] == "assumption"  # compounds' REO content is assumed
    assert 8 not in changed.index  # CN->US: no statistic, left as it was
    assert edges.loc[4, "flow_t"] == 150.0  # the graph read is not modified
    kinds = applied.changes["change"].value_counts().to_dict()
    assert kinds == {"scaled": 4, "not_added": 1, "left_unchanged": 1}


def test_monthly_observations_per_destination(tmp_path, graph):
    text = "period,reporterCode,flowCode,partnerCode,cmdCode,netWgt,primaryValue\n" + "".join(
        f"2024{m:02d},156,X,842,85051110,{1000 * m},1\n" for m in range(1, 13)
    )
    found = reconciled(tmp_path, graph, text)
    observed = monthly_observations(found.counted)
    us = observed[observed["series"] == "cn-magnet-exports-us"].set_index("month")
    assert us.loc["2024-03", "value"] == 3.0 and us.loc["2024-03", "status"] == "reported"
    assert us.loc["2024-avg", "value"] == pytest.approx(6.5)  # (1 + ... + 12) / 12
    assert set(observed["series"]) == {"cn-magnet-exports-us", "cn-magnet-exports"}


def test_the_real_fixture_against_the_bundled_graph():
    found = reconcile(
        load(None),
        read_trade_files(
            [Path(__file__).parent / "data/trade/baci-cn-850511-2024.csv"], HS_TABLE["hs"]
        ),
        HS_TABLE,
    )
    germany = found.table.set_index(["exporter", "importer"]).loc[("CN", "DE")]
    # BACI: USD 513,918,501 / 49.18 USD/kg = 10,449.7 t of magnets x 0.35 = 3,657.4 t REO
    assert germany["statistic_t"] == pytest.approx(513_918_501 / 49.18 / 1000 * 0.35)
    # the graph's German flows are China's own customs return since issue 24 (SOURCES.md
    # 11l): USD 546,473,023 / 49.18 = 11,111.7 t x 0.35 = 3,889.1 t REO, 6% above BACI's
    assert germany["graph_t"] == pytest.approx(3889.1) and germany["flag"] == "agree"


def test_a_residual_node_takes_the_partners_the_graph_lacks(tmp_path, graph):
    # CN->KR (30 t REO of compounds) has no edge; with us-wind as the residual node, CN's
    # flows to it (line 8, 100 t, no statistic of its own) take the 30 t: x 0.3
    found = reconciled(tmp_path, graph)
    (line,) = graph.edges.loc[graph.edges["csv_line"] == 8, "customer"]
    applied = apply_statistics(graph, found, HS_TABLE, residual=line)
    changed = applied.edges.set_index("csv_line")
    assert changed.loc[8, "flow_t"] == pytest.approx(30.0)
    assert changed.loc[8, "status"] == "assumption"  # compounds' REO content is assumed
    assert "CN exports to US and the 1 partners without a node" in changed.loc[8, "source"]
    kinds = applied.changes["change"].value_counts().to_dict()
    # the 4 edges of the test above, and the residual's
    assert kinds == {"scaled": 5, "to_residual": 1, "left_unchanged": 1}
    folded = applied.changes[applied.changes["change"] == "to_residual"].iloc[0]
    assert (folded["importer"], folded["after_t"]) == ("KR", 30.0)
    with pytest.raises(ValueError, match="residual node 'nowhere'"):
        apply_statistics(graph, found, HS_TABLE, residual="nowhere")
