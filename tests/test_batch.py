"""Many scenarios as rows of one propagation: each row gives what the reference gives for it,
and what it gives alone."""

from __future__ import annotations

import numpy as np
import pytest
from graphs import make_graph
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import greatest_fixed_point, reference_propagate

from supplygraph.dataset.graph import EngineIndex
from supplygraph.engine.propagate import propagate


@st.composite
def random_batches(draw):
    """A random graph (loops allowed) and S random scenarios on it, some with other flows."""
    n = draw(st.integers(2, 9))
    edges, seen = [], set()
    for _ in range(draw(st.integers(1, 18))):
        s, d = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        m = draw(st.sampled_from(["a", "b"]))
        if s != d and (s, d, m) not in seen:
            seen.add((s, d, m))
            edges.append((s, d, m, draw(st.floats(0.5, 100))))
    if not edges:
        edges = [(0, 1, "a", 1.0)]
    n_rows = draw(st.integers(1, 5))
    share = st.sampled_from([0.0, 0.25, 0.5, 1.0, 1.0, 1.0])
    edge_share = [[draw(share) for _ in edges] for _ in range(n_rows)]
    node_share = [[draw(st.sampled_from([1.0, 1.0, 0.5, 0.0])) for _ in range(n)]]
    node_share = node_share + [[1.0] * n] * (n_rows - 1)
    stock = [[draw(st.sampled_from([0.0, 10.0, 30.0])) for _ in range(n)]] * n_rows
    factor = [[draw(st.sampled_from([0.5, 1.0, 1.5])) for _ in edges] for _ in range(n_rows)]
    return n, edges, np.array(edge_share), np.array(node_share), np.array(stock), factor


def _index(n, edges, flow):
    src, dst, mat, _ = (np.array(col) for col in zip(*edges))
    return EngineIndex.build(n, src.astype(np.int64), dst.astype(np.int64), mat, flow)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(random_batches())
def test_every_row_matches_the_reference(case):
    n, edges, edge_share, node_share, stock, factor = case
    base_flow = np.array([e[3] for e in edges], dtype=float)
    flow = base_flow * np.array(factor)
    batch = propagate(_index(n, edges, base_flow), edge_share, node_share, stock)
    varied = propagate(_index(n, edges, base_flow), edge_share, node_share, stock, flow=flow)
    for s in range(len(edge_share)):
        for result, row_flow in ((batch, base_flow), (varied, flow[s])):
            row_edges = [(a, b, m, f) for (a, b, m, _), f in zip(edges, row_flow)]
            exact = greatest_fixed_point(n, row_edges, edge_share[s], node_share[s])
            assert np.allclose(result.output_ratio[s], exact, atol=1e-8)
            after = row_flow * edge_share[s] * result.output_ratio[s][[e[0] for e in edges]]
            assert np.allclose(result.edge_after_t[s], after, atol=1e-9)
            _, days = reference_propagate(
                n,
                row_edges,
                edge_share[s],
                node_share[s],
                stock[s],
                ratio=result.output_ratio[s].tolist(),
            )
            finite = np.isfinite(days)
            assert (np.isfinite(result.days_to_impact[s]) == finite).all()
            assert np.allclose(result.days_to_impact[s][finite], np.array(days)[finite], rtol=1e-6)


def test_one_scenario_is_one_row():
    # one-dimensional multipliers give the first row of the same scenario as a batch, bit
    # for bit: the single run is the batch's shape, not another implementation
    n, edges = 4, [(0, 1, "a", 10.0), (1, 2, "a", 8.0), (2, 1, "a", 6.0), (2, 3, "b", 5.0)]
    index = _index(n, edges, np.array([e[3] for e in edges]))
    share = np.array([0.3, 1.0, 1.0, 0.5])
    one = propagate(index, share, np.ones(n), np.full(n, 5.0))
    rows = propagate(index, share[None], np.ones((1, n)), np.full((1, n), 5.0))
    assert one.output_ratio.shape == (n,) and rows.output_ratio.shape == (1, n)
    for name in ("output_ratio", "availability", "edge_after_t", "days_to_impact"):
        assert getattr(one, name).tobytes() == getattr(rows, name)[0].tobytes()


def test_rows_do_not_depend_on_their_batch():
    # a row's numbers are the same alone or in a batch: chunks may be split anywhere
    rng = np.random.default_rng(7)
    n, edges = 4, [(0, 1, "a", 10.0), (1, 2, "a", 8.0), (2, 1, "a", 6.0), (2, 3, "b", 5.0)]
    index = _index(n, edges, np.array([e[3] for e in edges]))
    share = rng.uniform(0, 1, (6, 4))
    together = propagate(index, share, np.ones((6, n)), np.full((6, n), 5.0))
    for s in range(6):
        alone = propagate(index, share[s : s + 1], np.ones((1, n)), np.full((1, n), 5.0))
        assert together.output_ratio[s].tobytes() == alone.output_ratio[0].tobytes()
        assert together.days_to_impact[s].tobytes() == alone.days_to_impact[0].tobytes()


def test_slow_loop_falls_back_to_the_exact_solve():
    # the 99.9% loop of test_propagate: r(s) = (0.5 + 999 r) / 1000 -> r = 0.5; plain
    # iteration would need thousands of steps, so rows still moving are solved exactly
    graph = make_graph(
        {"m": {"stage": "mine"}, "s": {}, "g": {"stage": "magnet"}, "k": {"stage": "manufacturer"}},
        [
            ("m", "s", "feed", 1),
            ("g", "s", "feed", 999),
            ("s", "g", "oxide", 1000),
            ("g", "k", "magnet", 1),
        ],
    )
    share = np.array([[0.5, 1, 1, 1], [0, 1, 1, 1], [1, 1, 1, 1]], dtype=float)
    p = propagate(graph.index, share, np.ones((3, 4)), np.zeros((3, 4)))
    assert np.allclose(p.output_ratio[0], [1, 0.5, 0.5, 0.5], atol=1e-12)
    assert np.allclose(p.output_ratio[1], [1, 0, 0, 0], atol=1e-12)
    assert p.output_ratio[2].tolist() == [1.0, 1.0, 1.0, 1.0]
