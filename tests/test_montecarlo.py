"""Monte Carlo: zero-width ranges give the plain scenario, seeds give the same bytes."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from graphs import make_graph

import supplygraph as sg
from supplygraph._errors import ScenarioError
from supplygraph.analyses.montecarlo import CHUNK_DRAWS, montecarlo
from supplygraph.outputs.risk_report import render_montecarlo
from supplygraph.scenario.parse import LicencePolicy, Scenario
from supplygraph.scenario.uncertainty import Range, Uncertainty, load_uncertainty, with_overrides

EXACT = {"reported": 0.0, "estimate": 0.0, "assumption": 0.0}


def test_zero_width_ranges_equal_the_plain_scenario():
    # the data's own flow and stock ranges made zero-width too (low = high = the figure)
    base = sg.load()
    flat = base.edges.assign(flow_t_low=base.edges["flow_t"], flow_t_high=base.edges["flow_t"])
    stock = base.nodes["stock_days"]
    nodes = base.nodes.assign(stock_days_low=stock, stock_days_high=stock)
    graph = dataclasses.replace(base, edges=flat, nodes=nodes)
    scenario = sg.load_scenario("2025-10-package")
    fixed = Uncertainty(approvals={"CN-2025-18": Range(0.25, 0.25)}, status=EXACT)
    result = montecarlo(graph, scenario, fixed, draws=20, seed=3)
    plain = sg.simulate(graph, scenario, reroute=False).sectors.set_index("sector")
    summary = result.summary.set_index("sector")
    for figure in ("shortfall_t", "shortfall_pct", "shortfall_units_pct", "days_to_impact"):
        for q in (5, 50, 95):
            assert np.allclose(summary[f"p{q}_{figure}"], plain[figure], rtol=1e-12, atol=1e-9)
        assert np.allclose(summary[f"scenario_{figure}"], plain[figure])
    assert result.drivers.empty  # nothing varies


def _one_edge():
    """A Chinese separator ships 100 t of oxide to a Japanese magnet maker (ev)."""
    graph = make_graph(
        {
            "cn": {"country": "CN"},
            "jp": {"stage": "manufacturer", "country": "JP", "sector": "ev", "stock_days": 10},
        },
        [("cn", "jp", "oxide", 100, {"elements": "Dy"})],
    )
    scenario = Scenario("t", licences=(LicencePolicy("CN-2025-18", "throttle", 0.3),))
    return graph, scenario


def test_approval_range_sets_the_spread():
    graph, scenario = _one_edge()
    ranges = Uncertainty(approvals={"CN-2025-18": Range(0.2, 0.4)}, status=EXACT)
    result = montecarlo(graph, scenario, ranges, draws=2000, seed=1)
    row = result.summary.iloc[0]
    # licensed share a ~ U(0.2, 0.4): shortfall = 1 - a in [60%, 80%], median near 70%;
    # P5 = 1 - (0.2 + 0.95 x 0.2) = 61%, P95 = 1 - (0.2 + 0.05 x 0.2) = 79% (sampling noise)
    assert 60 <= row["p5_shortfall_pct"] <= 62.5
    assert 77.5 <= row["p95_shortfall_pct"] <= 80
    assert abs(row["p50_shortfall_pct"] - 70) < 1.5
    # days to first loss = 10 / (1 - a): P5 at the lowest share 10 / 0.8 = 12.5 ... 10 / 0.6
    assert 12.5 <= row["p5_days_to_impact"] <= row["p95_days_to_impact"] <= 10 / 0.6
    # the scenario's own share, 0.3: 70% short
    assert np.isclose(row["scenario_shortfall_pct"], 70.0)
    driver = result.drivers.iloc[0]
    assert driver["input"] == "approval:CN-2025-18"
    assert np.isclose(driver["spearman_rho"], -1.0)  # more licensed, less short, monotone


def test_triangular_range_and_stock_days_range():
    graph, scenario = _one_edge()
    ranges = Uncertainty(
        approvals={"CN-2025-18": Range(0.0, 0.5, mode=0.5)},
        stock_days=Range(30, 30),  # jp has its own figure: the default does not apply
        status=EXACT,
    )
    draws = montecarlo(graph, scenario, ranges, draws=500, seed=2).draws
    # triangular with the mode at the top: share > 0.25 in 3/4 of draws -> shortfall < 75%
    assert 0.7 < (draws["shortfall_pct"] < 75).mean() < 0.8
    assert (draws["days_to_impact"] <= 10 / 0.5 + 1e-9).all()


def test_same_seed_same_bytes_and_longer_runs_extend_shorter_ones():
    graph = sg.load("tests/data/tiny")
    scenario = sg.load_scenario("tests/data/tiny-cut-dy.toml")
    ranges = Uncertainty(stock_days=Range(0, 40))
    first = render_montecarlo(montecarlo(graph, scenario, ranges, draws=300, seed=5), graph)
    again = render_montecarlo(montecarlo(graph, scenario, ranges, draws=300, seed=5), graph)
    assert first == again
    other = render_montecarlo(montecarlo(graph, scenario, ranges, draws=300, seed=6), graph)
    assert other["montecarlo.csv"] != first["montecarlo.csv"]
    # a run is the start of a longer one with the same seed (chunk k has its own seed),
    # across a chunk boundary
    longer = montecarlo(graph, scenario, ranges, draws=3 * CHUNK_DRAWS + 10, seed=5).draws
    shorter = montecarlo(graph, scenario, ranges, draws=CHUNK_DRAWS + 30, seed=5).draws
    assert longer.head(len(shorter)).equals(shorter)


def test_uncertainty_table_in_the_scenario_file(tmp_path):
    path = tmp_path / "ranged.toml"
    path.write_text(
        'title = "ranged"\n'
        "[[licences]]\n"
        'regime = "CN-2025-18"\naction = "throttle"\nshare = 0.25\n'
        "[uncertainty]\nstock_days = [0, 60]\n"
        '[uncertainty.approvals]\n"CN-2025-18" = { low = 0.1, mode = 0.25, high = 0.5 }\n'
        "[uncertainty.status]\nassumption = 0.3\n",
        encoding="utf-8",
    )
    scenario = sg.load_scenario(path)
    ranges = load_uncertainty(scenario)
    assert ranges.approvals == {"CN-2025-18": Range(0.1, 0.5, 0.25)}
    assert ranges.stock_days == Range(0.0, 60.0)
    assert ranges.status["assumption"] == 0.3 and ranges.status["estimate"] == 0.25
    # the command line replaces the file's ranges
    given = with_overrides(ranges, scenario, approvals=("CN-2025-18=0.2:0.3",))
    assert given.approvals["CN-2025-18"] == Range(0.2, 0.3)
    assert given.stock_days == Range(0.0, 60.0)


def test_bad_ranges_are_all_reported(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        "[[licences]]\n"
        'regime = "CN-2025-18"\naction = "throttle"\nshare = 0.25\n'
        "[uncertainty]\nstock_days = [60, 0]\nspread = 1\n"
        '[uncertainty.approvals]\n"CN-2025-18" = [0.2, 1.5]\n"CN-2025-57" = [0, 1]\n'
        "[uncertainty.status]\nguess = 0.3\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        load_uncertainty(sg.load_scenario(path))
    lines = str(caught.value).splitlines()
    assert len(lines) == 5
    assert all(line.startswith(f"{path}: uncertainty") for line in lines)
    assert any("uncertainty.approvals.CN-2025-57: the scenario names no such" in m for m in lines)
    assert any("uncertainty.stock_days: expected 0 <= low <= high" in m for m in lines)


def test_drivers_are_spearman_rank_correlations():
    # the fast ranks (one sort per input) against scipy's spearmanr on random draws
    from scipy.stats import spearmanr

    from supplygraph.analyses.montecarlo import _drivers
    from supplygraph.engine.sums import SectorBatch

    rng = np.random.default_rng(0)
    drawn = rng.uniform(size=(400, 3))
    outcome = 2 * drawn[:, 0] - drawn[:, 1] ** 3 + 0.1 * rng.uniform(size=400)
    outcome[::7] = 0.0  # ties in the outcome
    batch = SectorBatch(("ev",), *([outcome[:, None]] * 5))
    drivers = _drivers(batch, drawn, ["a", "b", "c"]).set_index("input")["spearman_rho"]
    for k, name in enumerate("abc"):
        assert np.isclose(drivers[name], spearmanr(drawn[:, k], outcome).statistic)
    assert drivers.index[0] == "a"  # the strongest first


def test_large_runs_rank_only_the_scenario_inputs(monkeypatch):
    import supplygraph.analyses.montecarlo as mc

    graph, scenario = _one_edge()
    # the approval, and by status (assumption) the edge's flow and jp's stock figure
    ranges = Uncertainty(approvals={"CN-2025-18": Range(0.2, 0.4)})
    small = montecarlo(graph, scenario, ranges, draws=100, seed=1).drivers
    assert set(small["input"]) == {"approval:CN-2025-18", "flow:cn->jp (oxide)", "stock:jp"}
    # two figures x 100 draws = 200 drawn values, above a cap of 199
    monkeypatch.setattr(mc, "MAX_FIGURE_CELLS", 199)
    capped = montecarlo(graph, scenario, ranges, draws=100, seed=1)
    assert set(capped.drivers["input"]) == {"approval:CN-2025-18"}
    # the draws themselves do not change
    assert capped.draws.equals(montecarlo(graph, scenario, ranges, draws=100, seed=1).draws)


def _two_edges(extra):
    """A Chinese separator ships 100 t of Dy to one Japanese maker, another 100 t of oxide
    to a second (both ev)."""
    graph = make_graph(
        {
            "cn1": {"country": "CN"},
            "cn2": {"country": "CN"},
            "jp1": {"stage": "manufacturer", "country": "JP", "sector": "ev"},
            "jp2": {"stage": "manufacturer", "country": "JP", "sector": "ev"},
        },
        [
            ("cn1", "jp1", "dy", 100, {"elements": "Dy", **extra[0]}),
            ("cn2", "jp2", "oxide", 100, {"elements": "Nd", **extra[1]}),
        ],
    )
    return graph, Scenario("t", licences=(LicencePolicy("CN-2025-18", "throttle", 0.3),))


def test_flow_ranges_from_the_data_and_range_groups():
    from supplygraph.scenario.uncertainty import flow_ranges

    graph, _ = _two_edges(
        [
            {"flow_t_low": 80, "flow_t_high": 140, "range_group": "g", "status": "estimate"},
            {"range_group": "g", "status": "reported"},
        ]
    )
    ranges = flow_ranges(graph.edges, {"reported": 0.05, "estimate": 0.25, "assumption": 0.5})
    # edge 0 from its own range: 80 / 100 to 140 / 100 -> 0.8 to 1.4, mode 1 (the central
    # figure); edge 1 by its status, reported: 0.95 to 1.05 (a default); both in group g:
    # edge 1 follows edge 0's draw
    assert np.allclose(ranges.low, [0.8, 0.95]) and np.allclose(ranges.high, [1.4, 1.05])
    assert ranges.default.tolist() == [False, True]
    assert ranges.leader.tolist() == [0, 0]
    v = np.array([[-1.0, 0.7], [1.0, -0.2], [-0.5, 0.9], [0.0, 0.0]])
    # place u = (v + 1) / 2 of edge 0's draw for both. Triangular quantile: below the mode's
    # place m = (1 - low) / (high - low), low + sqrt(u (high - low)(1 - low)), else
    # high - sqrt((1 - u)(high - low)(high - 1)).
    # edge 0: m = 0.2 / 0.6 = 1/3; edge 1: m = 0.05 / 0.1 = 1/2
    # row 0, u = 0: 0.8 and 0.95 (the lows)
    # row 1, u = 1: 1.4 and 1.05 (the highs)
    # row 2, u = 0.25: 0.8 + sqrt(0.25 x 0.6 x 0.2) = 0.8 + sqrt(0.03) = 0.973205;
    #                  0.95 + sqrt(0.25 x 0.1 x 0.05) = 0.95 + sqrt(0.00125) = 0.985355
    # row 3, u = 0.5: 1.4 - sqrt(0.5 x 0.6 x 0.4) = 1.4 - sqrt(0.12) = 1.053590;
    #                 u = 0.5 is edge 1's mode: 1.05 - sqrt(0.5 x 0.1 x 0.05) = 1.0
    assert np.allclose(
        ranges.factor(v),
        [[0.8, 0.95], [1.4, 1.05], [0.973205, 0.985355], [1.053590, 1.0]],
        atol=1e-6,
    )


def test_draws_of_a_range_have_their_mode_at_the_central_figure():
    from supplygraph.scenario.uncertainty import flow_ranges

    graph, _ = _two_edges([{"flow_t_low": 100, "flow_t_high": 150}, {}])
    ranges = flow_ranges(graph.edges, {})
    # flow 100 in 100-150: the central figure is the low end, so the mode is there. A uniform
    # draw would centre on 125 (P50 1.25); the triangular one on low 1, mode 1, high 1.5 has
    # P50 1.5 - sqrt(0.5 x 0.5 x 0.5) = 1.5 - 0.353553 = 1.146447, and mean (1 + 1 + 1.5) / 3
    # = 1.166667. Edge 1 has no range and no status: exactly 1 in every draw.
    v = np.random.default_rng(0).uniform(-1, 1, (20000, 2))
    factor = ranges.factor(v)
    assert np.median(factor[:, 0]) == pytest.approx(1.146447, abs=0.01)
    assert factor[:, 0].mean() == pytest.approx(1.166667, abs=0.005)
    assert (factor[:, 1] == 1.0).all()


def test_share_of_spread_from_default_widths():
    # jp1 keeps 30% of its Dy, jp2 all its oxide: ev loses 0.7 x f1 / (f1 + f2) of its
    # tonnes, f1 and f2 the drawn flows, so the spread comes from the flows alone
    fixed = Uncertainty(approvals={"CN-2025-18": Range(0.3, 0.3)})
    defaults, scenario = _two_edges([{"status": "assumption"}, {"status": "assumption"}])
    row = montecarlo(defaults, scenario, fixed, draws=200, seed=1).summary.iloc[0]
    # f in 0.5-1.5 each: the share runs from 0.7 x 0.5 / 2 = 17.5% to 0.7 x 1.5 / 2 = 52.5%
    assert 17.5 <= row["p5_shortfall_pct"] < 30 < 40 < row["p95_shortfall_pct"] <= 52.5
    assert row["spread_from_defaults_pct"] == 100.0  # held at their centres: 35% every draw
    sourced, _ = _two_edges(
        [{"flow_t_low": 50, "flow_t_high": 150}, {"flow_t_low": 50, "flow_t_high": 150}]
    )
    row = montecarlo(sourced, scenario, fixed, draws=200, seed=1).summary.iloc[0]
    assert row["p95_shortfall_pct"] - row["p5_shortfall_pct"] > 10  # the same spread
    assert row["spread_from_defaults_pct"] == 0.0  # from sourced ranges only
