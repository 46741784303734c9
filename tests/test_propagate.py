"""Hand-computed propagation cases and the array engine against a plain-Python reference."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from graphs import make_graph
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import greatest_fixed_point, reference_propagate

from supplygraph.dataset.graph import EngineIndex
from supplygraph.engine.propagate import propagate

INF = math.inf


def run(graph, edge_share=None, node_share=None, stock=None):
    edge_share = np.ones(graph.n_edges) if edge_share is None else np.asarray(edge_share, float)
    node_share = np.ones(graph.n_nodes) if node_share is None else np.asarray(node_share, float)
    stock = np.zeros(graph.n_nodes) if stock is None else np.asarray(stock, float)
    return propagate(graph.index, edge_share, node_share, stock)


def test_chain_cut_propagates_to_the_end():
    # mine -100-> sep -80-> magnet -60-> maker; edge sep->magnet cut.
    graph = make_graph(
        {
            "m": {"stage": "mine"},
            "s": {},
            "g": {"stage": "magnet"},
            "k": {"stage": "manufacturer", "sector": "ev"},
        },
        [("m", "s", "ore", 100), ("s", "g", "oxide", 80), ("g", "k", "magnet", 60)],
    )
    p = run(graph, edge_share=[1, 0, 1])
    # r(m) = r(s) = 1; r(g) = 0 / 80 = 0; r(k) = (60 x 1 x 0) / 60 = 0
    assert p.output_ratio.tolist() == [1.0, 1.0, 0.0, 0.0]
    # edges carry baseline x share x r(supplier): 100, 80 x 0, 60 x 0
    assert p.edge_after_t.tolist() == [100.0, 0.0, 0.0]
    # no stock: the magnet plant falls on day 0, the maker too (0 + 0 / (1 - 0))
    assert p.days_to_impact.tolist() == [INF, INF, 0.0, 0.0]


def test_fork_rations_customers_pro_rata():
    # one separator (input 100 t, throttled to 40%) ships 30 t to A and 50 t to B.
    graph = make_graph(
        {
            "m": {"stage": "mine", "country": "CN"},
            "s": {},
            "a": {"stage": "manufacturer", "sector": "ev"},
            "b": {"stage": "manufacturer", "sector": "wind"},
        },
        [("m", "s", "ore", 100), ("s", "a", "oxide", 30), ("s", "b", "oxide", 50)],
    )
    p = run(graph, edge_share=[0.4, 1, 1])
    # r(s) = 100 x 0.4 / 100 = 0.4; both customers get 40%: 30 x 0.4 = 12, 50 x 0.4 = 20
    assert np.allclose(p.edge_after_t, [40.0, 12.0, 20.0])
    assert np.allclose(p.output_ratio, [1.0, 0.4, 0.4, 0.4])


def test_join_of_two_materials_takes_the_scarcer():
    # magnet plant needs NdPr (two substitute suppliers: 60 t + 40 t) and Dy (10 t, one supplier)
    graph = make_graph(
        {
            "p1": {"stage": "mine"},
            "p2": {"stage": "mine"},
            "d": {"stage": "mine"},
            "g": {"stage": "magnet"},
            "k": {"stage": "manufacturer", "sector": "ev"},
        },
        [
            ("p1", "g", "ndpr", 60),
            ("p2", "g", "ndpr", 40),
            ("d", "g", "dy", 10),
            ("g", "k", "magnet", 100),
        ],
    )
    # cut p1 (NdPr availability 40 / 100 = 0.4), throttle Dy to 70% (availability 0.7)
    p = run(graph, edge_share=[0, 1, 0.7, 1])
    # r(g) = min(0.4, 0.7) = 0.4 -> the magnet edge carries 100 x 0.4 = 40
    assert math.isclose(p.output_ratio[3], 0.4)
    assert math.isclose(p.availability[3], 0.4)
    assert math.isclose(p.edge_after_t[3], 40.0)
    # substitutes: cutting p1 alone is the same 0.4; cutting Dy alone gives 0.0
    assert math.isclose(run(graph, edge_share=[1, 1, 0, 1]).output_ratio[4], 0.0)


def test_throttle_and_node_outage_compose():
    # mine (outage: 50% of capacity) -> separator -> maker; separator edge to maker throttled 0.5
    graph = make_graph(
        {"m": {"stage": "mine"}, "s": {}, "k": {"stage": "manufacturer", "sector": "ev"}},
        [("m", "s", "ore", 200), ("s", "k", "oxide", 150)],
    )
    p = run(graph, edge_share=[1, 0.5], node_share=[0.5, 1, 1])
    # r(m) = 0.5 (outage, day 0); r(s) = 200 x 0.5 / 200 = 0.5; r(k) = 150 x 0.5 x 0.5 / 150 = 0.25
    assert np.allclose(p.output_ratio, [0.5, 0.5, 0.25])
    assert np.allclose(p.edge_after_t, [100.0, 37.5])
    assert p.days_to_impact.tolist() == [0.0, 0.0, 0.0]


def test_recycling_cycle_converges_to_fixed_point():
    # ore 80 t and scrap 20 t are substitute "feed" into a separator (a recycling loop):
    # separator -> magnet plant 100 t; magnet plant -> maker 80 t and -> separator 20 t (scrap)
    graph = make_graph(
        {
            "m": {"stage": "mine"},
            "s": {},
            "g": {"stage": "magnet"},
            "k": {"stage": "manufacturer", "sector": "ev"},
        },
        [
            ("m", "s", "feed", 80),
            ("g", "s", "feed", 20),
            ("s", "g", "oxide", 100),
            ("g", "k", "magnet", 80),
        ],
    )
    p = run(graph, edge_share=[0.5, 1, 1, 1])
    # fixed point: r(s) = (80 x 0.5 + 20 x r(g)) / 100 and r(g) = r(s)
    # -> r = 0.4 + 0.2 r -> r = 0.4 / 0.8 = 0.5
    assert np.allclose(p.output_ratio, [1.0, 0.5, 0.5, 0.5])
    assert np.allclose(p.edge_after_t, [40.0, 10.0, 50.0, 40.0])


def test_stock_buffers_delay_the_impact():
    # separator (0 stock) -> magnet plant (30 days) -> maker (45 days); Dy throttled to 25%
    graph = make_graph(
        {
            "s": {"stage": "separation", "country": "CN"},
            "g": {"stage": "magnet"},
            "k": {"stage": "manufacturer", "sector": "ev"},
        },
        [("s", "g", "dy", 10), ("g", "k", "magnet", 100)],
    )
    p = run(graph, edge_share=[0.25, 1], stock=[0, 30, 45])
    # magnet plant: shortage on day 0, a = 0.25 -> 30 / (1 - 0.25) = 40 days
    # maker: shortage reaches it on day 40, a = 0.25 -> 40 + 45 / 0.75 = 100 days
    assert p.days_to_impact.tolist() == [INF, 40.0, 100.0]
    # stock changes timing only: the steady state is the same 25%
    assert np.allclose(p.output_ratio, [1.0, 0.25, 0.25])


def test_zero_flow_input_does_not_constrain():
    # maker k takes 100 t of oxide from a and a "dy" edge of 0 t from b (recorded, unused):
    # the dy group has no baseline, so it cannot fall short; k keeps 100%
    graph = make_graph(
        {
            "a": {"stage": "mine"},
            "b": {"stage": "mine"},
            "k": {"stage": "manufacturer", "sector": "ev"},
        },
        [("a", "k", "oxide", 100), ("b", "k", "dy", 0)],
    )
    assert run(graph).output_ratio.tolist() == [1.0, 1.0, 1.0]
    # cutting the oxide still takes k to 0: 100 x 0 / 100
    assert run(graph, edge_share=[0, 1]).output_ratio.tolist() == [1.0, 1.0, 0.0]


def test_unaffected_graph_is_untouched():
    graph = make_graph(
        {"m": {"stage": "mine"}, "k": {"stage": "manufacturer", "sector": "ev"}},
        [("m", "k", "ore", 5)],
    )
    p = run(graph)
    assert p.output_ratio.tolist() == [1.0, 1.0]
    assert p.days_to_impact.tolist() == [INF, INF]


# ---------------------------------------------------------------- reference agreement


@st.composite
def random_graphs(draw):
    n = draw(st.integers(2, 9))
    n_edges = draw(st.integers(1, 18))
    edges, seen = [], set()
    for _ in range(n_edges):
        s, d = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        m = draw(st.sampled_from(["a", "b"]))
        if s == d or (s, d, m) in seen:
            continue
        seen.add((s, d, m))
        edges.append((s, d, m, draw(st.floats(0.5, 100))))
    if not edges:
        edges = [(0, 1, "a", 1.0)]
    share = st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.0, 1.0])
    edge_share = [draw(share) for _ in edges]
    node_share = [draw(st.sampled_from([1.0, 1.0, 1.0, 0.5, 0.0])) for _ in range(n)]
    stock = [draw(st.sampled_from([0.0, 10.0, 30.0])) for _ in range(n)]
    return n, edges, edge_share, node_share, stock


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(random_graphs())
def test_array_engine_matches_reference(case):
    n, edges, edge_share, node_share, stock = case
    src, dst, mat, flow = (np.array(col) for col in zip(*edges))
    index = EngineIndex.build(
        n, src.astype(np.int64), dst.astype(np.int64), mat, flow.astype(float)
    )
    p = propagate(index, np.array(edge_share), np.array(node_share), np.array(stock))
    exact = greatest_fixed_point(n, edges, edge_share, node_share)
    assert np.allclose(p.output_ratio, exact, atol=1e-8)
    _, days = reference_propagate(
        n, edges, edge_share, node_share, stock, ratio=p.output_ratio.tolist()
    )
    finite = np.isfinite(days)
    assert (np.isfinite(p.days_to_impact) == finite).all()
    assert np.allclose(p.days_to_impact[finite], np.array(days)[finite], rtol=1e-9)
    if nx.is_directed_acyclic_graph(nx.DiGraph([(s, d) for s, d, _, _ in edges])):
        # without loops the plain iteration is exact too, days and all
        plain_ratio, plain_days = reference_propagate(n, edges, edge_share, node_share, stock)
        assert np.allclose(p.output_ratio, plain_ratio, atol=1e-12)
        assert (np.isfinite(p.days_to_impact) == np.isfinite(plain_days)).all()


def test_slow_recycling_loop_is_solved_exactly():
    # separator s gets 1 t of ore (cut) and 999 t of scrap back from magnet plant g, which
    # gets all of s's 1,000 t: plain iteration shrinks by 0.999 a step, policy iteration
    # solves r(s) = (1 x 0 + 999 x r(g)) / 1000 with r(g) = r(s) exactly: r = 0
    graph = make_graph(
        {
            "m": {"stage": "mine"},
            "s": {},
            "g": {"stage": "magnet"},
            "k": {"stage": "manufacturer", "sector": "ev"},
        },
        [
            ("m", "s", "feed", 1),
            ("g", "s", "feed", 999),
            ("s", "g", "oxide", 1000),
            ("g", "k", "magnet", 1),
        ],
    )
    p = run(graph, edge_share=[0, 1, 1, 1])
    assert p.output_ratio.tolist() == [1.0, 0.0, 0.0, 0.0]
    # with the ore throttled to 50%: r = (0.5 + 999 r) / 1000 -> r = 0.5 / 1 = 0.5
    p = run(graph, edge_share=[0.5, 1, 1, 1])
    assert np.allclose(p.output_ratio, [1.0, 0.5, 0.5, 0.5], atol=1e-12)
