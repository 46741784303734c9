"""The n-1 sweep: hand-computed knock-outs, time to survive, and agreement with simulate."""

from __future__ import annotations

import numpy as np
import pytest
from graphs import make_graph

import supplygraph as sg
from supplygraph._errors import ScenarioError
from supplygraph.analyses.criticality import criticality, knockouts
from supplygraph.scenario.parse import Rule


def _spof_graph():
    """Two mines feed two separators; everything goes through one magnet plant.

    m1 (AU) -> s1 (AU) 60 t, m2 (US) -> s2 (US) 40 t; s1, s2 -> g (JP) 60 + 40 t;
    g -> k (DE, ev) 100 t. The magnet plant g (and its one edge to k) is the single
    point of failure: without it k gets nothing.
    """
    nodes = {
        "m1": {"stage": "mine", "country": "AU"},
        "m2": {"stage": "mine", "country": "US"},
        "s1": {"country": "AU", "stock_days": 10},
        "s2": {"country": "US"},
        "g": {"stage": "magnet", "country": "JP", "stock_days": 30},
        "k": {"stage": "manufacturer", "country": "DE", "sector": "ev", "stock_days": 20},
    }
    edges = [
        ("m1", "s1", "ore", 60),
        ("m2", "s2", "ore", 40),
        ("s1", "g", "oxide", 60),
        ("s2", "g", "oxide", 40),
        ("g", "k", "magnet", 100),
    ]
    return make_graph(nodes, edges)


def test_single_point_of_failure_ranks_first():
    result = criticality(_spof_graph())
    items = result.items.set_index(["kind", "id"])
    # g down or its edge cut: k gets 0 of 100 t -> 100%; ties broken by kind (node first)
    assert result.items.iloc[0][["kind", "id"]].tolist() == ["node", "g"]
    assert items.loc[("node", "g"), "shortfall_pct"] == 100.0
    assert items.loc[("edge", "g->k (magnet)"), "shortfall_pct"] == 100.0
    # m1 down: g gets 40 of 100 t of oxide -> k loses 60%
    assert np.isclose(items.loc[("node", "m1"), "shortfall_t"], 60.0)
    # m2 down: 40%; the country-stage pair AU/mine is m1 alone, so the same 60%
    assert np.isclose(items.loc[("node", "m2"), "shortfall_pct"], 40.0)
    assert np.isclose(items.loc[("country-stage", "AU/mine"), "shortfall_pct"], 60.0)
    ranks = items["rank"]
    assert ranks[("node", "m1")] < ranks[("node", "m2")]
    # 6 nodes + 5 edges + 6 (country, stage) pairs
    assert len(result.items) == 6 + 5 + 6


def test_time_to_survive_uses_the_stocks_downstream():
    result = criticality(_spof_graph())
    tts = result.items.set_index(["kind", "id"])["tts_days"]
    # g down: g falls on day 0, k (20 days of stock, availability 0) lasts 20 / (1 - 0) = 20
    assert tts[("node", "g")] == 20.0
    # m1 down (no stock at m1): s1 has 10 days and availability 0 -> falls on day 10;
    # g gets 40% of its oxide from day 10, its 30 days last 30 / 0.6 = 50 -> day 60;
    # k then gets 40%, its 20 days last 20 / 0.6 = 33.33 -> day 93.33
    assert np.isclose(tts[("node", "m1")], 10 + 50 + 20 / 0.6)
    # m2 down: s2 has no stock -> day 0; g: 30 / 0.4 = 75; k: 20 / 0.4 = 50 -> day 125
    assert np.isclose(tts[("node", "m2")], 75 + 50)
    sectors = result.sectors.set_index(["kind", "id", "sector"])
    assert sectors.loc[("node", "g", "ev"), "tts_days"] == 20.0


@pytest.mark.slow
def test_sweep_equals_simulate_for_each_knockout():
    # the batched sweep against one simulate() per knock-out, on the bundled data
    graph = sg.load()
    scenario = sg.load_scenario("2025-11-truce")
    result = criticality(graph, scenario)
    sectors = result.sectors.set_index(["kind", "id", "sector"])
    base = result.base.set_index("sector")["shortfall_t"]
    checked = set()
    # every 37th knock-out, and the heaviest of each kind so that all three kinds are checked
    # whatever the data's order (a stride alone can miss a kind when the data changes)
    items = result.items
    sample = items.iloc[::37].index.union(items.groupby("kind").head(1).index)
    for row in items.loc[sample].itertuples():
        knocked = scenario.with_changes(rules=(*scenario.rules, Rule(row.select)))
        expected = sg.simulate(graph, knocked, reroute=False).sectors
        assert np.isclose(expected["shortfall_t"].sum(), row.shortfall_t)
        for sector in expected.itertuples():
            key = (row.kind, row.id, sector.sector)
            if key not in sectors.index:  # the knock-out adds nothing to the scenario
                assert np.isclose(sector.shortfall_t, base[sector.sector])
                continue
            checked.add(row.kind)
            got = sectors.loc[key]
            assert np.isclose(got["shortfall_pct"], sector.shortfall_pct)
            assert np.isclose(got["shortfall_units_pct"], sector.shortfall_units_pct)
            assert np.isclose(got["tts_days"], sector.days_to_impact, equal_nan=True)
    assert checked == {"node", "edge", "country-stage"}


def test_rerouting_the_top_knockouts():
    graph = _spof_graph()
    result = criticality(graph, reroute_top=2)
    top = result.items.head(2)
    assert top["shortfall_reroute_pct"].notna().all()
    assert result.items["shortfall_reroute_pct"].iloc[2:].isna().all()
    # no spare capacity anywhere in this graph: rerouting cannot beat the worst case
    assert (top["shortfall_reroute_pct"] <= top["shortfall_pct"] + 1e-9).all()


def test_knockouts_list_every_node_edge_and_pair():
    graph = _spof_graph()
    table = knockouts(graph)
    assert table["kind"].value_counts().to_dict() == {"node": 6, "country-stage": 6, "edge": 5}
    pair = table[table["id"] == "AU/mine"].iloc[0]
    assert pair["select"] == "node:country=AU,stage=mine"
    assert pair["nodes"].tolist() == [0]


def test_ranking_by_one_sector():
    # ev's maker k gets 100 t of magnets from g; wind's maker w gets 10 t of oxide from s
    graph = make_graph(
        {
            "s": {},
            "g": {"stage": "magnet"},
            "k": {"stage": "manufacturer", "sector": "ev"},
            "w": {"stage": "manufacturer", "sector": "wind"},
        },
        [("s", "g", "oxide", 100), ("g", "k", "magnet", 100), ("s", "w", "oxide", 10)],
    )
    by_wind = criticality(graph, sector="wind").items
    # s down costs wind 100% (and ev 100%), g down costs wind nothing: s first, g after w
    assert by_wind.iloc[0][["kind", "id", "rank_by", "rank_pct"]].tolist() == [
        "node", "s", "wind", 100.0
    ]  # fmt: skip
    ranks = by_wind.set_index(["kind", "id"])["rank"]
    assert ranks[("node", "w")] < ranks[("node", "g")]
    by_mean = criticality(graph).items.set_index(["kind", "id"])
    # by the mean: g costs ev 100% and wind 0% -> 50%, w costs wind 100% -> 50%; g's 100 t
    # lost break the tie before w's 10 t
    assert by_mean.loc[("node", "g"), "rank_pct"] == 50.0
    assert by_mean.loc[("node", "g"), "rank"] < by_mean.loc[("node", "w"), "rank"]
    assert (by_mean["rank_by"] == "mean_sector_pct").all()


def test_unknown_sector_is_refused():
    with pytest.raises(ScenarioError, match="unknown sector 'evs'"):
        criticality(_spof_graph(), sector="evs")


def test_concentration_tables_are_attached():
    result = criticality(sg.load("tests/data/tiny"))
    hhi = result.concentration.set_index(["stage", "element"])
    # the tiny mines: CN 800, AU 300 of 1,100 t -> 72.73^2 + 27.27^2 = 5289.3 + 743.8
    assert round(hhi.loc[("mine", ""), "hhi"], 1) == 6033.1
    # the tiny data has no EU-bound flow from outside the EU but Japan's magnets to DE
    crma = result.crma.set_index(["stage", "element", "country"])
    assert crma.loc[("magnet", "Dy", "JP"), "share_pct"] == 100.0


def test_a_large_graph_sweeps_its_largest_nodes_and_links(monkeypatch):
    # above SWEEP_ALL_MAX_NODES nodes the sweep takes the SWEEP_TOP nodes of largest
    # throughput and links of largest flow (and every country-stage); those knock-outs'
    # figures are the full sweep's. Here: 6 nodes count as large, and the top 2 are taken.
    from supplygraph.analyses import criticality as module
    from supplygraph.outputs.risk_report import render_criticality

    graph = _spof_graph()
    full = criticality(graph)
    monkeypatch.setattr(module, "SWEEP_ALL_MAX_NODES", 5)
    monkeypatch.setattr(module, "SWEEP_TOP", 2)
    limited = criticality(graph)
    # throughputs: m1 60, m2 40, s1 60, s2 40, g 100, k 100: the two of 100, g and k
    nodes = limited.items[limited.items["kind"] == "node"]
    assert sorted(nodes["id"]) == ["g", "k"]
    # link flows: g->k 100, then m1->s1 and s1->g 60 (ties by position: m1->s1 first)
    links = limited.items[limited.items["kind"] == "edge"]
    assert sorted(links["id"]) == ["g->k (magnet)", "m1->s1 (ore)"]
    assert (limited.items["kind"] == "country-stage").sum() == (
        full.items["kind"] == "country-stage"
    ).sum()
    assert limited.candidates == {"node": 6, "edge": 5, "country-stage": 6}
    columns = ["id", "shortfall_t", "shortfall_pct", "tts_days"]
    both = limited.items[columns].merge(full.items[columns], on="id", suffixes=("", "_full"))
    assert len(both) == len(limited.items)
    for column in columns[1:]:
        np.testing.assert_array_equal(both[column], both[f"{column}_full"])
    record = render_criticality(limited, graph)["criticality.json"]
    assert (
        '"knockouts_of"' in record
        and '"knockouts_of"' not in render_criticality(full, graph)["criticality.json"]
    )
