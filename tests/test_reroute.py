"""Rerouting LP: hand-computed cases, a networkx cross-check and the Pareto property."""

from __future__ import annotations

import itertools
import shutil
import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from graphs import make_graph

import supplygraph as sg
from supplygraph.engine.propagate import propagate
from supplygraph.engine.reroute import FLOW_COLUMNS, reroute
from supplygraph.scenario.parse import LicencePolicy, Rule, Scenario, SpareCapacity
from supplygraph.scenario.resolve import Disruption, resolve

MAKER = {"stage": "manufacturer", "country": "DE", "sector": "ev"}
TOL = 1e-5  # results are rounded to 1e-6 t per flow


def run(graph, edge_share=None, node_share=None, **options):
    """Propagate a disruption given as shares, then reroute; return (propagation, rerouting)."""
    edge_share = np.ones(graph.n_edges) if edge_share is None else np.asarray(edge_share, float)
    node_share = np.ones(graph.n_nodes) if node_share is None else np.asarray(node_share, float)
    disruption = Disruption(edge_share, node_share, [[] for _ in range(graph.n_edges)], [])
    prop = propagate(graph.index, edge_share, node_share, np.zeros(graph.n_nodes))
    return prop, reroute(graph, disruption, prop, **options)


def after(graph, rerouting, node_id):
    return rerouting.node_after_t[graph.nodes["id"].tolist().index(node_id)]


# ---------------------------------------------------------------- hand-computed cases


def test_spare_supplier_on_an_existing_link_covers_a_cut():
    # maker k buys 100 t from a (cut) and 50 t from b; b can make 200 t (150 spare)
    graph = make_graph(
        {
            "a": {"stage": "mine", "country": "CN"},
            "b": {"stage": "mine", "capacity_t": 200},
            "k": MAKER,
        },
        [("a", "k", "oxide", 100), ("b", "k", "oxide", 50)],
    )
    prop, r = run(graph, edge_share=[0, 1])
    # no adaptation: k gets 50 of 150 t
    assert after(graph, r, "k") == pytest.approx(150)  # 50 + min(100 lost, 150 spare)
    assert r.edge_after_t.tolist() == pytest.approx([0, 150])  # b ships 50 + 100
    assert after(graph, r, "b") == pytest.approx(150)
    assert r.flows.to_dict("records") == [
        {
            "supplier": "b",
            "customer": "k",
            "material": "oxide",
            "baseline_t": 50.0,
            "no_adaptation_t": 50.0,
            "after_t": pytest.approx(150),
            "extra_t": pytest.approx(100),
            "new_link": False,
        }
    ]
    assert prop.output_ratio[2] == pytest.approx(50 / 150)


def test_new_link_from_a_seller_of_the_same_material():
    # k buys only from a (cut); b sells oxide to l and could make 200 t (150 spare)
    graph = make_graph(
        {
            "a": {"stage": "mine", "country": "CN"},
            "b": {"stage": "mine", "capacity_t": 200},
            "k": MAKER,
            "l": {**MAKER, "sector": "wind"},
        },
        [("a", "k", "oxide", 100), ("b", "l", "oxide", 50)],
    )
    _, r = run(graph, edge_share=[0, 1])
    assert after(graph, r, "k") == pytest.approx(100)  # min(100 lost, 150 spare): shortfall 0
    assert after(graph, r, "l") == pytest.approx(50)  # untouched
    assert r.flows[["supplier", "customer", "new_link"]].values.tolist() == [["b", "k", True]]
    assert r.flows["after_t"].tolist() == pytest.approx([100])
    assert r.flows["baseline_t"].tolist() == [0.0]


def test_too_little_spare_gives_a_partial_recovery():
    # as above, but b can make only 80 t: 30 t spare for a 100 t loss
    graph = make_graph(
        {
            "a": {"stage": "mine", "country": "CN"},
            "b": {"stage": "mine", "capacity_t": 80},
            "k": MAKER,
        },
        [("a", "k", "oxide", 100), ("b", "k", "oxide", 50)],
    )
    _, r = run(graph, edge_share=[0, 1])
    assert after(graph, r, "k") == pytest.approx(80)  # 50 + 30: shortfall 150 - 80 = 70 t
    assert r.edge_after_t.tolist() == pytest.approx([0, 80])


def test_no_capacity_figure_means_no_spare():
    graph = make_graph(
        {"a": {"stage": "mine", "country": "CN"}, "b": {"stage": "mine"}, "k": MAKER},
        [("a", "k", "oxide", 100), ("b", "k", "oxide", 50)],
    )
    _, r = run(graph, edge_share=[0, 1])
    assert after(graph, r, "k") == pytest.approx(50)  # b has no capacity_t: cap = baseline 50
    assert r.flows.empty


def test_a_scenario_can_assume_spare_capacity():
    # as above, but the scenario assumes b could make 100% more than its 50 t: 50 t spare
    graph = make_graph(
        {"a": {"stage": "mine", "country": "CN"}, "b": {"stage": "mine"}, "k": MAKER},
        [("a", "k", "oxide", 100), ("b", "k", "oxide", 50)],
    )
    scenario = Scenario(
        "spare", rules=(Rule("from=a"),), capacity=(SpareCapacity("node:id=b", 1.0),)
    )
    disruption = resolve(graph, scenario)
    prop = propagate(graph.index, disruption.edge_share, disruption.node_share, np.zeros(3))
    r = reroute(graph, disruption, prop)
    assert r.spare_t.tolist() == [0, 50, 0]  # 50 x (1 + 1.0) - 50; none for a, none for k
    assert after(graph, r, "k") == pytest.approx(100)  # 50 + 50 of 150


def chain(mine_capacity):
    # mine m -60-> separator s -50-> maker k; k also buys 100 t from c (cut).
    # s could make 500 t but needs 60/50 = 1.2 t of ore per t of oxide.
    return make_graph(
        {
            "m": {"stage": "mine", "capacity_t": mine_capacity},
            "s": {"capacity_t": 500},
            "c": {"country": "CN"},
            "k": MAKER,
        },
        [("m", "s", "ore", 60), ("s", "k", "oxide", 50), ("c", "k", "oxide", 100)],
    )


def test_extra_output_that_needs_input_it_cannot_get_gives_nothing():
    graph = chain(mine_capacity=60)  # the mine has no spare ore
    _, r = run(graph, edge_share=[1, 1, 0])
    assert after(graph, r, "k") == pytest.approx(50)  # no adaptation: 50; s cannot grow
    assert r.flows.empty


def test_extra_output_limited_by_the_supplier_upstream():
    graph = chain(mine_capacity=84)  # 24 t spare ore
    _, r = run(graph, edge_share=[1, 1, 0])
    # s makes 24 / 1.2 = 20 t more oxide: k gets 50 + 20 = 70 of 150
    assert after(graph, r, "k") == pytest.approx(70)
    assert r.edge_after_t.tolist() == pytest.approx([84, 70, 0])
    assert after(graph, r, "s") == pytest.approx(70)
    assert r.flows["extra_t"].tolist() == pytest.approx([24, 20])  # m->s, s->k


def test_throttled_link_is_bounded_by_its_licensed_share():
    # c (capacity 1000) ships 100 t to k on a link throttled to 25%
    graph = make_graph(
        {"c": {"stage": "mine", "country": "CN", "capacity_t": 1000}, "k": MAKER},
        [("c", "k", "oxide", 100)],
    )
    _, r = run(graph, edge_share=[0.25])
    assert r.edge_after_t.tolist() == pytest.approx([25])  # 100 x 0.25, spare or not
    assert r.flows.empty


def test_max_min_fairness_between_sectors():
    # e (ev) lost all 100 t from c; w (wind) lost 50 of 100 t; s has 60 t spare.
    graph = make_graph(
        {
            "c": {"stage": "mine", "country": "CN"},
            "s": {"stage": "mine", "capacity_t": 110},
            "e": MAKER,
            "w": {**MAKER, "sector": "wind"},
        },
        [("c", "e", "oxide", 100), ("c", "w", "oxide", 50), ("s", "w", "oxide", 50)],
    )
    _, r = run(graph, edge_share=[0, 0, 1])
    # max min(a / 100, (50 + b) / 100) with a + b <= 60: a = 55, b = 5, both at 55%
    assert after(graph, r, "e") == pytest.approx(55)
    assert after(graph, r, "w") == pytest.approx(55)
    assert r.flows[["customer", "extra_t", "new_link"]].values.tolist() == [
        ["e", pytest.approx(55), True],
        ["w", pytest.approx(5), False],
    ]


def test_recycling_loop():
    # feed from mine m (90 t) and recycler r (10 t) -> separator s -100-> magnet plant g;
    # g ships 90 t of magnets to k and 10 t of scrap to r (a loop s -> g -> r -> s).
    # k also bought 50 t of magnets from c (cut). m, s, g can make 200 t; r none spare.
    graph = make_graph(
        {
            "m": {"stage": "mine", "capacity_t": 200},
            "r": {"capacity_t": 10},
            "s": {"capacity_t": 200},
            "g": {"stage": "magnet", "capacity_t": 200},
            "c": {"stage": "magnet", "country": "CN"},
            "k": MAKER,
        },
        [
            ("m", "s", "feed", 90),
            ("r", "s", "feed", 10),
            ("s", "g", "oxide", 100),
            ("g", "k", "magnet", 90),
            ("g", "r", "scrap", 10),
            ("c", "k", "magnet", 50),
        ],
    )
    _, r = run(graph, edge_share=[1, 1, 1, 1, 1, 0])
    # k needs 50 t more magnets; g's mix is 90% magnets, so g makes 140 / 0.9 = 1400/9 t,
    # which needs 1400/9 t of oxide and of feed; r is stuck at 10, so m ships 1400/9 - 10
    assert after(graph, r, "k") == pytest.approx(140)
    assert after(graph, r, "g") == pytest.approx(1400 / 9)
    assert r.edge_after_t[0] == pytest.approx(1400 / 9 - 10)
    assert r.edge_after_t[3] == pytest.approx(140)


# ---------------------------------------------------------------- licences on new links


def test_new_link_from_the_issuing_country_is_a_licence_edge():
    # jp lost its Dy oxide from cn-a (No. 18 cut). cn-b (CN, 100 t spare) sells only at
    # home, so a new cn-b -> jp link would be an export with nothing licensed: bound 0.
    # au (30 t spare) may sell to jp.
    sep = {"stage": "separation"}
    graph = make_graph(
        {
            "cn-a": {**sep, "country": "CN"},
            "cn-b": {**sep, "country": "CN", "capacity_t": 150},
            "au": {**sep, "capacity_t": 60},
            "jp": {**MAKER, "country": "JP"},
            "cn-k": {**MAKER, "country": "CN"},
            "au-k": {**MAKER, "country": "AU"},
        },
        [
            ("cn-a", "jp", "dy_oxide", 40, {"elements": "Dy"}),
            ("cn-b", "cn-k", "dy_oxide", 50, {"elements": "Dy"}),
            ("au", "au-k", "dy_oxide", 30, {"elements": "Dy"}),
        ],
    )
    scenario = Scenario("no18", licences=(LicencePolicy("CN-2025-18", "cut"),))
    disruption = resolve(graph, scenario)
    assert disruption.edge_share.tolist() == [0, 1, 1]
    prop = propagate(graph.index, disruption.edge_share, disruption.node_share, np.zeros(6))
    r = reroute(graph, disruption, prop)
    assert r.flows[["supplier", "customer"]].values.tolist() == [["au", "jp"]]
    assert after(graph, r, "jp") == pytest.approx(30)  # au's 60 - 30 spare; cn-b blocked


def test_sellers_in_the_issuing_country_have_a_market_of_their_own():
    # No. 18 cuts cn-a -> jp (100 t of Dy oxide); an outage at cn-b costs cn-k2 its 40 t.
    # cn-s (CN, 50 t spare) may sell new only at home, au-s (AU, 30 t spare) anywhere: two
    # markets. Max-min: jp can get at most au-s's 30 t (30%), so cn-k2 takes its 40 t from
    # cn-s (100%) and jp all of au-s's 30 t.
    sep, dy = {"stage": "separation"}, {"elements": "Dy"}
    graph = make_graph(
        {
            "cn-a": {**sep, "country": "CN"},
            "cn-b": {**sep, "country": "CN"},
            "cn-s": {**sep, "country": "CN", "capacity_t": 150},
            "au-s": {**sep, "capacity_t": 60},
            "jp": {**MAKER, "country": "JP"},
            "cn-k2": {**MAKER, "country": "CN", "sector": "wind"},
            "cn-k": {**MAKER, "country": "CN", "sector": "industrial"},
            "au-k": {**MAKER, "country": "AU", "sector": "industrial"},
        },
        [
            ("cn-a", "jp", "dy_oxide", 100, dy),
            ("cn-b", "cn-k2", "dy_oxide", 40, dy),
            ("cn-s", "cn-k", "dy_oxide", 100, dy),
            ("au-s", "au-k", "dy_oxide", 30, dy),
        ],
    )
    scenario = Scenario(
        "two-markets", licences=(LicencePolicy("CN-2025-18", "cut"),), rules=(Rule("node:id=cn-b"),)
    )
    disruption = resolve(graph, scenario)
    prop = propagate(
        graph.index, disruption.edge_share, disruption.node_share, np.zeros(graph.n_nodes)
    )
    r = reroute(graph, disruption, prop)
    assert r.flows[["supplier", "customer", "after_t", "new_link"]].values.tolist() == [
        ["au-s", "jp", pytest.approx(30), True],
        ["cn-s", "cn-k2", pytest.approx(40), True],
    ]
    assert after(graph, r, "jp") == pytest.approx(30)
    assert after(graph, r, "cn-k2") == pytest.approx(40)


def test_new_link_under_the_extraterritorial_rule():
    # No. 61: jp (82% Chinese content) -> de is caught. kr sells only at home and has 1%
    # Chinese content, so a new kr -> de link is caught too; us (no Chinese content) is not.
    graph = make_graph(
        {
            "cn": {"stage": "separation", "country": "CN"},
            "au": {"stage": "separation", "country": "AU", "capacity_t": 200},
            "jp": {"stage": "magnet", "country": "JP"},
            "kr": {"stage": "magnet", "country": "KR", "capacity_t": 500},
            "us": {"stage": "magnet", "country": "US", "capacity_t": 25},
            "de": MAKER,
            "kr-k": {**MAKER, "country": "KR"},
            "us-k": {**MAKER, "country": "US"},
        },
        [
            ("cn", "jp", "oxide", 82, {"elements": "Dy"}),
            ("au", "jp", "oxide", 18, {"elements": "Dy"}),
            ("cn", "kr", "oxide", 1, {"elements": "Dy"}),
            ("au", "kr", "oxide", 99, {"elements": "Dy"}),
            ("au", "us", "oxide", 20, {"elements": "Dy"}),
            ("jp", "de", "ndfeb_sintered", 100, {"elements": "Dy"}),
            ("kr", "kr-k", "ndfeb_sintered", 100, {"elements": "Dy"}),
            ("us", "us-k", "ndfeb_sintered", 20, {"elements": "Dy"}),
        ],
    )
    scenario = Scenario("no61", licences=(LicencePolicy("CN-2025-61", "cut"),))
    disruption = resolve(graph, scenario)
    assert disruption.edge_share.tolist() == [1, 1, 1, 1, 1, 0, 1, 1]  # jp -> de only
    prop = propagate(
        graph.index, disruption.edge_share, disruption.node_share, np.zeros(graph.n_nodes)
    )
    r = reroute(graph, disruption, prop)
    # us can make 25 t instead of 20 with 5 t more oxide from au (63 t spare): de gets 5 t
    assert r.flows[["supplier", "customer", "new_link"]].values.tolist() == [
        ["au", "us", False],
        ["us", "de", True],
    ]
    assert r.flows["extra_t"].tolist() == pytest.approx([5, 5])
    assert after(graph, r, "de") == pytest.approx(5)


# ---------------------------------------------------------------- API details


def test_nothing_short_means_nothing_to_solve():
    graph = make_graph({"a": {"stage": "mine"}, "k": MAKER}, [("a", "k", "oxide", 10)])
    _, r = run(graph)
    assert r.status == "no maker is short: nothing to reroute"
    assert r.edge_after_t.tolist() == [10.0]
    assert list(r.flows.columns) == FLOW_COLUMNS and r.flows.empty


def spare_graph():
    # k buys 10 t from a (cut) and 10 t from b, which could make 20 t
    return make_graph(
        {"a": {"stage": "mine"}, "b": {"stage": "mine", "capacity_t": 20}, "k": MAKER},
        [("a", "k", "oxide", 10), ("b", "k", "oxide", 10)],
    )


def assert_blank(r, graph):
    assert np.isnan(r.node_after_t).all() and np.isnan(r.edge_after_t).all()
    assert list(r.flows.columns) == FLOW_COLUMNS and r.flows.empty
    assert r.spare_t.tolist() == [0.0, 10.0, 0.0]  # the data's, known without solving


def test_solver_failure_leaves_the_after_figures_blank(monkeypatch):
    import highspy

    monkeypatch.setattr(
        highspy.Highs, "getModelStatus", lambda self: highspy.HighsModelStatus.kInfeasible
    )
    graph = spare_graph()
    _, r = run(graph, edge_share=[0, 1])
    assert r.status == "Infeasible"
    assert r.stopped == (
        "rerouting failed: the solver ended the max delivered stage with status 'Infeasible' "
        "(a bug in supplygraph: please report it): the after-rerouting columns are blank"
    )
    assert_blank(r, graph)


def test_time_limit_leaves_the_after_figures_blank():
    graph = spare_graph()
    _, r = run(graph, edge_share=[0, 1], time_limit=0.0)  # spent before the solver starts
    assert r.status == "Time limit reached"
    assert r.stopped == (
        "rerouting stopped after 0 s, its time limit (max delivered stage): "
        "the after-rerouting columns are blank"
    )
    assert_blank(r, graph)


def test_a_second_stage_cut_short_keeps_the_first_stages_figures(monkeypatch):
    from supplygraph.engine import lp

    solve = lp.Lp.solve

    def out_of_time_in_stage_2(self, cost, stage, method, time_limit):
        if stage == "max delivered":
            raise lp.Stopped(stage, "Time limit reached", timed_out=True)
        return solve(self, cost, stage, method, time_limit)

    monkeypatch.setattr(lp.Lp, "solve", out_of_time_in_stage_2)
    graph = make_graph(  # test_max_min_fairness_between_sectors' graph
        {
            "c": {"stage": "mine", "country": "CN"},
            "s": {"stage": "mine", "capacity_t": 110},
            "e": MAKER,
            "w": {**MAKER, "sector": "wind"},
        },
        [("c", "e", "oxide", 100), ("c", "w", "oxide", 50), ("s", "w", "oxide", 50)],
    )
    _, r = run(graph, edge_share=[0, 0, 1])
    # stage 1 alone: max min(a / 100, (50 + b) / 100) with a + b <= 60 is a = 55, b = 5
    assert r.stopped == ""
    assert after(graph, r, "e") == pytest.approx(55)
    assert after(graph, r, "w") == pytest.approx(55)
    assert len(r.notes) == 1 and "first stage's" in r.notes[0]


def test_size_rule_skips_a_large_lp():
    graph = spare_graph()
    # the LP's columns: flow b->k, sale of b, purchase of k, outputs of b and k (a is cut)
    _, r = run(graph, edge_share=[0, 1], max_columns=4)
    assert r.stopped == (
        "rerouting skipped: its LP has 5 columns after pruning, above the size rule's 4 "
        "(too large to solve in minutes; docs/rerouting.md): the after-rerouting columns "
        "are blank"
    )
    assert_blank(r, graph)
    _, r = run(graph, edge_share=[0, 1], max_columns=5)
    assert r.stopped == "" and after(graph, r, "k") == pytest.approx(20)  # 10 + 10 spare


@pytest.mark.parametrize("big", [1e9, 1e15])
def test_huge_flows_are_scaled_for_the_solver(big):
    # test_max_min_fairness_between_sectors at `big` / 100 t, beside a small chain: h buys
    # 100 t of metal from x (cut) and 50 t from z, which could make 300 t from the ore of y
    # (400 t). Unscaled, 1e15 t exceeds HiGHS' largest matrix value: the solver said "Empty".
    graph = make_graph(
        {
            "c": {"stage": "mine", "country": "CN"},
            "s": {"stage": "mine", "capacity_t": 1.1 * big},
            "e": MAKER,
            "w": {**MAKER, "sector": "wind"},
            "x": {"stage": "separation", "country": "CN"},
            "y": {"stage": "mine", "capacity_t": 400},
            "z": {"stage": "separation", "capacity_t": 300},
            "h": {**MAKER, "sector": "industrial"},
        },
        [
            ("c", "e", "oxide", big),
            ("c", "w", "oxide", big / 2),
            ("s", "w", "oxide", big / 2),
            ("x", "h", "metal", 100),
            ("y", "z", "ore", 50),
            ("z", "h", "metal", 50),
        ],
    )
    _, r = run(graph, edge_share=[0, 0, 1, 0, 1, 1])
    assert r.status == "Optimal" and r.stopped == ""
    # e and w share s's 0.6 big spare: 0.55 big each (max-min holds them equal to 1e-9)
    assert after(graph, r, "e") == pytest.approx(0.55 * big, rel=1e-8)
    assert after(graph, r, "w") == pytest.approx(0.55 * big, rel=1e-8)
    # h gets its 100 t back through z and y: 50 + 100 t each, no more (next to 1e15 t the
    # solver cannot see the penalty on surplus: y and z shipped 400 and 300 t before the trim)
    assert after(graph, r, "h") == pytest.approx(150, abs=TOL)
    assert r.edge_after_t[4:].tolist() == pytest.approx([150, 150], abs=TOL)
    assert (after(graph, r, "y"), after(graph, r, "z")) == pytest.approx((150, 150), abs=TOL)


def test_flows_spread_from_a_microgram_to_a_billion_tonnes():
    # Three chains of one material each, in three sectors, at 1e9, 1 and 1e-6 t: in each,
    # a maker buys 2 units from a cut mine and 1 unit from a mine that could make 2 more.
    # A fourth: g buys 1e9 t from a cut mine and a microgram from one that could make 2e9 t.
    sizes = {"big": 1e9, "mid": 1.0, "tiny": 1e-6}
    nodes, edges = {}, []
    for name, unit in sizes.items():
        nodes[f"{name}-cut"] = {"stage": "mine", "country": "CN"}
        nodes[f"{name}-spare"] = {"stage": "mine", "capacity_t": 3 * unit}
        nodes[f"{name}-k"] = {**MAKER, "sector": name}
        edges += [
            (f"{name}-cut", f"{name}-k", f"{name}-oxide", 2 * unit),
            (f"{name}-spare", f"{name}-k", f"{name}-oxide", unit),
        ]
    nodes["seed-cut"] = {"stage": "mine", "country": "CN"}
    nodes["seed-spare"] = {"stage": "mine", "capacity_t": 2e9}
    nodes["g"] = {**MAKER, "sector": "seed"}
    edges += [("seed-cut", "g", "seed-oxide", 1e9), ("seed-spare", "g", "seed-oxide", 1e-6)]
    graph = make_graph(nodes, edges)
    _, r = run(graph, edge_share=[0, 1] * 4)
    assert r.status == "Optimal" and r.stopped == ""
    # each maker gets 1 + 2 spare = 3 units of its 3-unit baseline: no shortfall left
    assert after(graph, r, "big-k") == pytest.approx(3e9, rel=1e-9)
    assert after(graph, r, "mid-k") == pytest.approx(3.0, abs=TOL)
    # the results are rounded to the gram: 3e-6 t is three of them
    assert after(graph, r, "tiny-k") == pytest.approx(3e-6, abs=1e-12)
    # the microgram link carries the lost 1e9 t as well (it is sized by what it could carry)
    assert after(graph, r, "g") == pytest.approx(1e9 + 1e-6, rel=1e-9)
    assert r.edge_after_t.tolist() == pytest.approx(
        [0, 3e9, 0, 3.0, 0, 3e-6, 0, 1e9 + 1e-6], rel=1e-9
    )


def test_every_seller_with_spare_serves_every_buyer_who_lost_supply():
    # k lost 100 t; sellers b1..b3 (10, 30, 20 t spare) sell to l only so far
    nodes = {
        "a": {"stage": "mine", "country": "CN"},
        "k": MAKER,
        **{
            f"b{i}": {"stage": "mine", "capacity_t": 10 + s} for i, s in ((1, 10), (2, 30), (3, 20))
        },
        "l": {**MAKER, "sector": "wind"},
    }
    edges = [("a", "k", "oxide", 100)] + [(f"b{i}", "l", "oxide", 10) for i in (1, 2, 3)]
    graph = make_graph(nodes, edges)
    _, r = run(graph, edge_share=[0, 1, 1, 1])
    assert after(graph, r, "k") == pytest.approx(60)  # 10 + 30 + 20 of the 100 t lost
    assert r.flows[["supplier", "customer", "new_link"]].values.tolist() == [
        ["b1", "k", True],
        ["b2", "k", True],
        ["b3", "k", True],
    ]  # sorted by supplier
    assert r.flows["after_t"].tolist() == pytest.approx([10, 30, 20])


def test_new_links_pair_buyers_with_sellers_at_home_first():
    # k-jp (ev) and k-us (chips) each lost all 100 t of oxide; us-s (US, 30 t spare) and
    # jp-s (JP, 50 t spare) sell into one market. Max-min gives each maker 80 / 2 = 40 t.
    # Home first: us-s -> k-us 30, jp-s -> k-jp 40; then jp-s's last 10 t -> k-us.
    mine = {"stage": "mine"}
    graph = make_graph(
        {
            "cn": {**mine, "country": "CN"},
            "us-s": {**mine, "country": "US", "capacity_t": 40},
            "jp-s": {**mine, "country": "JP", "capacity_t": 60},
            "k-jp": {**MAKER, "country": "JP"},
            "k-us": {**MAKER, "country": "US", "sector": "chips"},
            "k2": {**MAKER, "sector": "wind"},
        },
        [
            ("cn", "k-jp", "oxide", 100),
            ("cn", "k-us", "oxide", 100),
            ("us-s", "k2", "oxide", 10),
            ("jp-s", "k2", "oxide", 10),
        ],
    )
    _, r = run(graph, edge_share=[0, 0, 1, 1])
    assert r.flows[["supplier", "customer", "after_t"]].values.tolist() == [
        ["jp-s", "k-jp", pytest.approx(40)],
        ["jp-s", "k-us", pytest.approx(10)],
        ["us-s", "k-us", pytest.approx(30)],
    ]
    assert r.flows["new_link"].all()


# ---------------------------------------------------------------- random graphs


def random_flow_graph(rng, layers=(2, 3, 3, 3), paths=8):
    """A one-material layered graph with balanced flows (1:1 recipes), plus random cuts."""
    stages = ("mine", "separation", "magnet", "manufacturer")
    names = [[f"{stage[:3]}{i}" for i in range(size)] for stage, size in zip(stages, layers)]
    nodes = {}
    for stage, layer in zip(stages, names):
        for name in layer:
            spare = rng.integers(0, 40)
            capacity = float("nan") if rng.random() < 0.3 else None
            nodes[name] = {
                "stage": stage,
                "sector": "ev" if stage == "manufacturer" else "",
                "capacity_t": capacity,
                "_spare": spare,
            }
    flows: dict[tuple[str, str], int] = {}
    for _ in range(paths):
        hops = [layer[rng.integers(len(layer))] for layer in names]
        amount = int(rng.integers(1, 21))
        for u, v in itertools.pairwise(hops):
            flows[(u, v)] = flows.get((u, v), 0) + amount
    through = {}
    for (u, _), amount in flows.items():
        through[u] = through.get(u, 0) + amount
    for name, attrs in nodes.items():
        spare = attrs.pop("_spare")
        if attrs["capacity_t"] is None:
            attrs["capacity_t"] = float(through.get(name, 0) + spare)
    graph = make_graph(nodes, [(u, v, "m", f) for (u, v), f in sorted(flows.items())])
    edge_share = rng.choice([0.0, 0.5, 1.0, 1.0, 1.0], size=graph.n_edges)
    node_share = np.where(rng.random(graph.n_nodes) < 0.1, 0.5, 1.0)
    return graph, edge_share, node_share


def networkx_best(graph, prop, edge_share, node_share, scale=10**6):
    """Max delivered tonnes on a one-material, 1:1 instance, by networkx network simplex.

    Written from the model's definition, independently of reroute.py: node v is an arc
    in_v -> out_v carrying its output y in [no-adaptation output, capacity x share];
    links are arcs out_u -> in_v from their no-adaptation flow up to their licensed
    bound; new links join undisrupted sellers with spare capacity to buyers who lost
    supply; surplus input or output may be dropped. Lower bounds become node demands.
    """
    nodes, src, dst, flow = graph.nodes, graph.index.src, graph.index.dst, graph.index.flow
    ids = nodes["id"].tolist()
    maker = (nodes["stage"] == "manufacturer").to_numpy()
    base = graph.baseline_t
    capacity = nodes["capacity_t"].to_numpy(float)
    cap = np.where(maker, base, np.where(capacity >= base, capacity, base)) * node_share
    y0, f0 = prop.output_ratio * base, prop.edge_after_t
    f_max = np.where(edge_share < 1, edge_share * flow, np.inf)
    has_input = np.bincount(dst, flow, minlength=len(ids)) > 0
    arrived = np.bincount(dst, f0, minlength=len(ids))
    lost = has_input & (arrived < graph.baseline_in_t * (1 - 1e-9)) & (node_share > 0)
    disrupted = (node_share < 1) | (prop.output_ratio < 1 - 1e-9)
    disrupted[src[edge_share < 1]] = True
    sells = np.bincount(src, flow, minlength=len(ids)) > 0
    existing = set(zip(src.tolist(), dst.tolist()))
    g = nx.DiGraph()
    demand: dict[object, int] = {}

    def arc(u, v, low, high, cost=0):
        low_i = int(np.floor(low * scale))
        attrs = {"weight": cost}
        if np.isfinite(high):
            attrs["capacity"] = int(np.floor(high * scale)) - low_i
        g.add_edge(u, v, **attrs)
        demand[u] = demand.get(u, 0) + low_i
        demand[v] = demand.get(v, 0) - low_i
        return low_i

    lows = {}
    for v in range(len(ids)):
        lows[v] = arc(("in", v), ("out", v), y0[v], cap[v], -1 if maker[v] else 0)
        if has_input[v]:
            arc(("in", v), "T", 0, np.inf)
        else:
            arc("S", ("in", v), 0, np.inf)
        arc(("out", v), "T", 0, np.inf)
    for j in range(graph.n_edges):
        arc(("out", src[j]), ("in", dst[j]), f0[j], f_max[j])
    for s in range(len(ids)):
        if not sells[s] or disrupted[s] or cap[s] - base[s] <= 1e-9:
            continue
        for b in np.flatnonzero(lost):
            if s != b and (s, b) not in existing:
                arc(("out", s), ("in", b), 0, np.inf)
    arc("T", "S", 0, np.inf)
    nx.set_node_attributes(g, demand, "demand")
    _, flow_dict = nx.network_simplex(g)
    delivered = sum(lows[v] + flow_dict[("in", v)][("out", v)] for v in np.flatnonzero(maker))
    return delivered / scale


@pytest.mark.parametrize("seed", range(25))
def test_matches_networkx_min_cost_flow_on_random_flow_graphs(seed):
    rng = np.random.default_rng(seed)
    graph, edge_share, node_share = random_flow_graph(rng)
    prop, r = run(graph, edge_share, node_share)
    maker = (graph.nodes["stage"] == "manufacturer").to_numpy()
    expected = networkx_best(graph, prop, edge_share, node_share)
    # integer scaling floors each bound to 1e-6 t: allow 1e-6 t per arc
    assert r.node_after_t[maker].sum() == pytest.approx(expected, abs=1e-4)


def random_graph(rng):
    """A multi-material, multi-sector graph with uneven recipes and a recycling loop."""
    stages = ("mine", "separation", "metal", "magnet", "component", "manufacturer")
    nodes, edges = {}, {}
    layer_nodes = []
    for stage in stages:
        layer = [f"{stage[:3]}{i}" for i in range(int(rng.integers(2, 4)))]
        layer_nodes.append(layer)
        for name in layer:
            nodes[name] = {
                "stage": stage,
                "country": str(rng.choice(["CN", "AU", "JP"])),
                "sector": str(rng.choice(["ev", "wind", "chips"]))
                if stage == "manufacturer"
                else "",
                "capacity_t": float(rng.integers(50, 400)) if rng.random() < 0.7 else float("nan"),
            }
    materials = {stage: [f"{stage[:3]}-a", f"{stage[:3]}-b"] for stage in stages}
    for depth in range(1, len(stages)):
        for name in layer_nodes[depth]:
            for supplier in rng.choice(layer_nodes[depth - 1], size=2, replace=False):
                material = str(rng.choice(materials[stages[depth - 1]]))
                edges[(str(supplier), name, material)] = float(rng.integers(5, 60))
    # a recycling loop from a component maker back to a separator
    edges[(layer_nodes[4][0], layer_nodes[1][0], "scrap")] = 5.0
    graph = make_graph(nodes, [(*key, flow) for key, flow in edges.items()])
    edge_share = rng.choice([0.0, 0.3, 1.0, 1.0, 1.0, 1.0], size=graph.n_edges)
    node_share = np.where(rng.random(graph.n_nodes) < 0.1, 0.0, 1.0)
    return graph, edge_share, node_share


def check_feasible(graph, r, edge_share, node_share):
    """Check the reported solution against the model's constraints, edge by edge."""
    nodes, edges = graph.nodes, graph.edges
    ids = nodes["id"].tolist()
    position = {node_id: i for i, node_id in enumerate(ids)}
    maker = (nodes["stage"] == "manufacturer").to_numpy()
    base = graph.baseline_t
    capacity = nodes["capacity_t"].to_numpy(float)
    cap = np.where(maker, base, np.where(capacity >= base, capacity, base)) * node_share
    y = r.node_after_t
    assert (y <= cap + TOL).all()
    licensed = edge_share < 1
    bound = edge_share[licensed] * graph.index.flow[licensed]
    assert (r.edge_after_t[licensed] <= bound + TOL).all()
    links = pd.concat(
        [
            edges[["supplier", "customer", "material", "flow_t"]].assign(after=r.edge_after_t),
            r.flows[r.flows["new_link"]].rename(columns={"after_t": "after"}).assign(flow_t=0.0),
        ]
    )
    for (customer, _), group in links.groupby(["customer", "material"]):
        v = position[customer]
        assert group["after"].sum() >= group["flow_t"].sum() / base[v] * y[v] - TOL
    for (supplier, _), group in links.groupby(["supplier", "material"]):
        v = position[supplier]
        assert group["after"].sum() <= group["flow_t"].sum() / base[v] * y[v] + TOL


@pytest.mark.parametrize("seed", range(25))
def test_pareto_and_feasible_on_random_graphs(seed):
    rng = np.random.default_rng(100 + seed)
    graph, edge_share, node_share = random_graph(rng)
    prop, r = run(graph, edge_share, node_share)
    maker = (graph.nodes["stage"] == "manufacturer").to_numpy()
    no_adaptation = prop.output_ratio * graph.baseline_t
    assert (r.node_after_t[maker] >= no_adaptation[maker] - TOL).all()
    assert (r.edge_after_t >= prop.edge_after_t - TOL).all()
    check_feasible(graph, r, edge_share, node_share)
    flows = r.flows
    assert list(flows.columns) == FLOW_COLUMNS
    assert (flows["extra_t"] > 0).all()
    assert (flows["supplier"] != flows["customer"]).all()  # no market sells to itself
    keys = list(zip(flows["supplier"], flows["customer"], flows["material"]))
    assert keys == sorted(keys)


def test_same_input_same_output():
    graph, edge_share, node_share = random_graph(np.random.default_rng(7))
    _, first = run(graph, edge_share, node_share)
    _, second = run(graph, edge_share, node_share)
    assert np.array_equal(first.node_after_t, second.node_after_t)
    pd.testing.assert_frame_equal(first.flows, second.flows)


def test_unused_spare_capacity_names_the_input_that_binds():
    # plant p could make 50% more (the scenario says so), but its only oxide supplier m has
    # no spare capacity: p cannot grow, and the run says its oxide is what binds
    graph = make_graph(
        {
            "m": {"stage": "mine", "country": "AU"},
            "p": {"stage": "magnet", "country": "JP"},
            "q": {"stage": "magnet", "country": "CN"},
            "k": {"stage": "manufacturer", "sector": "ev", "country": "DE"},
        },
        [("m", "p", "oxide", 100), ("p", "k", "magnet", 100), ("q", "k", "magnet", 50)],
    )
    scenario = Scenario(
        "spare", rules=(Rule("from=q"),), capacity=(SpareCapacity("node:id=p", 0.5),)
    )
    result = sg.simulate(graph, scenario)
    assert result.warnings == [
        "spare capacity assumed for p was not used: its input oxide cannot rise (the "
        "suppliers are cut, at capacity or short themselves)"
    ]


def test_flows_too_small_for_the_solver_are_named_not_called_a_bug(monkeypatch, tmp_path):
    # Issue 22, item 13: a graph built without the data files' checks (which refuse flows
    # below 1e-9 t), with three flows of 1e-320 t: the solver fails and rerouting used to
    # call it a bug in supplygraph
    from supplygraph.dataset import schema

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).parent / "data" / "tiny", data)
    lines = (data / "edges.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    for k in (1, 2, 3):
        cells = lines[k].split(",")
        cells[4] = "1e-320"
        lines[k] = ",".join(cells)
    (data / "edges.csv").write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(schema, "NUMBER_SMALLEST", {})
    graph = sg.load(data)
    scenario = Scenario("tiny").with_changes(
        rules=(Rule("from=my-sep"),), capacity=(SpareCapacity("node:country=AU|MY", 1.0),)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the solver's scaling overflows
        result = sg.simulate(graph, scenario)
    (warning,) = result.warnings
    assert "rerouting failed" in warning and "a bug" not in warning
    assert "3 flows below 1e-09 t, too small for it to resolve" in warning
