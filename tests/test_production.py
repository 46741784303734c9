"""Product lines: a minor input stops only what it goes into; makers counted in their units."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cli_helpers import invoke
from graphs import make_graph
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import reference_lines

import supplygraph as sg
from supplygraph.dataset.graph import EngineIndex
from supplygraph.dataset.production import production_lines
from supplygraph.engine.propagate import propagate
from supplygraph.scenario.parse import Rule, Scenario

TINY = Path(__file__).parent / "data" / "tiny"


def cut(*selectors: str, share: float = 0.0) -> Scenario:
    action = "cut" if share == 0 else "throttle"
    return Scenario("t", rules=tuple(Rule(s, action, share) for s in selectors))


def two_line_separator():
    # a separator with a heavy line (ionic-clay feed) and a light line (bastnaesite feed)
    return make_graph(
        {
            "clay": {"stage": "mine", "country": "MM"},
            "bast": {"stage": "mine", "country": "CN"},
            "sep": {"stage": "separation", "country": "CN"},
            "a": {"stage": "manufacturer", "sector": "wind", "country": "DE"},
            "b": {"stage": "manufacturer", "sector": "industrial", "country": "DE"},
        },
        [
            ("clay", "sep", "ore", 40, {"elements": "Dy;Tb", "line": "heavy"}),
            ("bast", "sep", "ore", 60, {"elements": "La;Nd", "line": "light"}),
            ("sep", "a", "heavy_oxide", 30, {"elements": "Dy;Tb", "from_line": "heavy"}),
            ("sep", "b", "la_oxide", 40, {"elements": "La", "from_line": "light"}),
            ("sep", "b", "nd_oxide", 20, {"elements": "Nd", "from_line": "light"}),
        ],
        [{"node": "sep", "line": "heavy"}, {"node": "sep", "line": "light"}],
    )


def test_cutting_one_lines_input_leaves_the_other_line_whole():
    result = sg.simulate(two_line_separator(), cut("from=clay"), reroute=False)
    edges = result.edges.set_index(["supplier", "customer", "material"])["after_t"]
    # the heavy line loses its only feed: 0 of 30 t; the light line keeps 40 + 20 t
    assert edges[("sep", "a", "heavy_oxide")] == 0.0
    assert edges[("sep", "b", "la_oxide")] == 40.0
    assert edges[("sep", "b", "nd_oxide")] == 20.0
    node = result.nodes.set_index("id").loc["sep"]
    # the node ships 90 t at baseline and 60 t after: 30 / 90 = 33.3% short (the whole
    # node would stop if its output were capped by its scarcest input)
    assert node["baseline_t"] == 90.0 and node["after_t"] == 60.0
    assert node["shortfall_pct"] == pytest.approx(100 * 30 / 90)
    assert node["limiting_input"] == "ore" and node["limiting_suppliers"] == "clay"
    lines = result.lines.set_index(["node", "line"])
    assert lines.loc[("sep", "heavy"), "shortfall_pct"] == 100.0
    assert lines.loc[("sep", "light"), "shortfall_pct"] == 0.0
    sectors = result.sectors.set_index("sector")["shortfall_pct"]
    assert sectors["wind"] == 100.0 and sectors["industrial"] == 0.0


def test_a_joint_product_stays_joint():
    # the light line's one feed, throttled to 50%, halves both of its oxides: 20 and 10 t
    result = sg.simulate(two_line_separator(), cut("from=bast", share=0.5), reroute=False)
    edges = result.edges.set_index("material")["after_t"]
    assert edges["la_oxide"] == 20.0 and edges["nd_oxide"] == 10.0
    assert edges["heavy_oxide"] == 30.0


def carmakers():
    # k1 (DE) makes 100 EVs from 10 t of traction motors and 300 petrol cars from 30 t of
    # catalysts; both lines share 4 t of small-motor magnets, split by vehicles: 1 t and 3 t.
    # k2 (JP) makes 100 EVs from 90 t of traction motors (one line, no lines.csv row).
    return make_graph(
        {
            "motors": {"stage": "component", "country": "CN"},
            "magnets": {"stage": "magnet", "country": "JP"},
            "cat": {"stage": "component", "country": "BE"},
            "k1": {"stage": "manufacturer", "sector": "ev", "country": "DE"},
            "k2": {"stage": "manufacturer", "sector": "ev", "country": "JP"},
        },
        [
            ("motors", "k1", "traction_motor", 10, {"line": "ev"}),
            ("magnets", "k1", "small_magnet", 4),
            ("cat", "k1", "catalyst", 30, {"elements": "Ce", "line": "petrol"}),
            ("motors", "k2", "traction_motor", 90),
        ],
        [
            {
                "node": "k1",
                "line": "ev",
                "sector": "ev",
                "unit": "vehicles",
                "baseline_units": 100.0,
            },
            {
                "node": "k1",
                "line": "petrol",
                "sector": "automotive",
                "unit": "vehicles",
                "baseline_units": 300.0,
            },
            {
                "node": "k2",
                "line": "ev",
                "sector": "ev",
                "unit": "vehicles",
                "baseline_units": 100.0,
            },
        ],
    )


def test_a_maker_with_two_lines_in_two_sectors_counts_units():
    result = sg.simulate(carmakers(), cut("from=motors,to=k1"), reroute=False)
    sectors = result.sectors.set_index("sector")
    # ev: k1's EV line (10 t motors + 1 t magnets, 100 vehicles) stops; k2's does not.
    # by tonnes 11 / (11 + 90) = 10.9%; by vehicles 100 / 200 = 50%
    assert sectors.loc["ev", "shortfall_pct"] == pytest.approx(100 * 11 / 101)
    assert sectors.loc["ev", "unit"] == "vehicles"
    assert sectors.loc["ev", "baseline_units"] == 200.0
    assert sectors.loc["ev", "shortfall_units"] == 100.0
    assert sectors.loc["ev", "shortfall_units_pct"] == 50.0
    # automotive: k1's petrol line (3 t magnets + 30 t catalysts, 300 cars) is whole
    assert sectors.loc["automotive", "baseline_t"] == 33.0
    assert sectors.loc["automotive", "shortfall_units_pct"] == 0.0
    # inside and outside the issuer (CN makes no cars here): all of ev's loss is outside
    assert np.isnan(sectors.loc["ev", "in_issuer_shortfall_pct"])
    assert sectors.loc["ev", "outside_issuer_shortfall_pct"] == pytest.approx(100 * 11 / 101)
    assert sectors.loc["ev", "bottlenecks"] == "motors (rule)"


def test_a_maker_that_ships_scrap_keeps_its_intake_as_baseline():
    # intake 100 t, 5 t of scrap to a recycler, half the intake cut: 50 of 100 t lost
    graph = make_graph(
        {
            "m": {"stage": "magnet"},
            "k": {"stage": "manufacturer", "sector": "ev"},
            "r": {"stage": "separation"},
        },
        [("m", "k", "magnet", 100), ("k", "r", "scrap", 5)],
    )
    node = sg.simulate(graph, cut("from=m", share=0.5), reroute=False).nodes.iloc[1]
    assert node["baseline_t"] == 100.0 and node["shortfall_t"] == 50.0


def test_one_declared_line_per_node_gives_the_same_figures(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    nodes = pd.read_csv(TINY / "nodes.csv", dtype=str, keep_default_na=False)
    pd.DataFrame({"node": nodes["id"], "line": "main"}).to_csv(data / "lines.csv", index=False)
    scenario = sg.load_scenario(TINY.parent / "tiny-cut-dy.toml")
    plain = sg.simulate(sg.load(TINY), scenario)
    lined = sg.simulate(sg.load(data), scenario)
    for table in ("nodes", "sectors", "edges"):
        a, b = getattr(plain, table), getattr(lined, table)
        numeric = [c for c in a.columns if c.endswith(("_t", "_pct")) and c in b]
        assert np.allclose(a[numeric].to_numpy(float), b[numeric].to_numpy(float), equal_nan=True)


def test_a_line_named_by_an_edge_must_be_declared(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    edges = pd.read_csv(TINY / "edges.csv", dtype=str, keep_default_na=False)
    edges["line"] = ""
    edges.loc[0, "line"] = "nope"
    edges.to_csv(data / "edges.csv", index=False)
    with pytest.raises(sg.DataError, match=r"edges\.csv:2: line: .* has no line 'nope'"):
        sg.load(data)


# ---------------------------------------------------------------- reference agreement


@st.composite
def lined_graphs(draw):
    n = draw(st.integers(2, 7))
    names = [draw(st.sampled_from([[""], ["x", "y"], ["x", "y", "z"]])) for _ in range(n)]
    edges, seen = [], set()
    for _ in range(draw(st.integers(1, 14))):
        u, v = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        material = draw(st.sampled_from(["a", "b"]))
        from_line = draw(st.sampled_from([None, *[s for s in names[u] if s]]))
        to = draw(st.sampled_from([None, *[[s] for s in names[v] if s]]))
        key = (u, v, material, from_line, tuple(to or ()))
        if u >= v or key in seen:  # acyclic: the plain iteration is exact
            continue
        seen.add(key)
        edges.append((u, v, material, draw(st.floats(0.5, 100)), from_line, to))
    if not edges:
        edges = [(0, 1, "a", 1.0, None, None)]
    edge_share = [draw(st.sampled_from([0.0, 0.5, 1.0, 1.0])) for _ in edges]
    node_share = [draw(st.sampled_from([1.0, 1.0, 0.5])) for _ in range(n)]
    return names, edges, edge_share, node_share


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(lined_graphs())
def test_engine_on_lines_matches_the_reference(case):
    names, edges, edge_share, node_share = case
    nodes = {f"n{v}": {} for v in range(len(names))}
    rows = [
        (f"n{u}", f"n{v}", m, f, {"from_line": s or "", "line": ";".join(t or [])})
        for u, v, m, f, s, t in edges
    ]
    lines = [{"node": f"n{v}", "line": s} for v, named in enumerate(names) for s in named if s]
    production = production_lines(make_graph(nodes, rows, lines))
    graph = production.graph
    index = EngineIndex.build(
        graph.n_nodes,
        graph.edges["src"].to_numpy(),
        graph.edges["dst"].to_numpy(),
        graph.edges["material"].to_numpy(),
        graph.edges["flow_t"].to_numpy(float),
    )
    p = propagate(
        index,
        np.array(edge_share)[production.edge],
        np.array(node_share)[production.node],
        np.zeros(graph.n_nodes),
    )
    # the weights of docs/model.md: a line's own shipments, else equal shares
    own = {(u, s): 0.0 for u, named in enumerate(names) for s in named}
    for u, _, _, flow, from_line, _ in edges:
        if from_line:
            own[(u, from_line)] += flow
    weights = {}
    for v, named in enumerate(names):
        total = sum(own[(v, s)] for s in named)
        weights[v] = {s: (own[(v, s)] if total > 0 else 1.0) for s in named}
    expected = reference_lines(weights, edges, edge_share, node_share)
    line_names = graph.nodes["line"] if production.has_lines else [""] * graph.n_nodes
    got = dict(zip(zip(production.node.tolist(), line_names), p.output_ratio))
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-9), key


def test_a_dataset_without_lines_keeps_every_figure_it_had(tmp_path):
    # tests/data/golden/tiny-before-lines holds the reports of the tiny dataset written by the
    # version before product lines: every column they had keeps its values (countries.csv
    # gained a sector column, which splits makers by sector: the tiny data has one per row)
    result = invoke(
        "simulate",
        "--data",
        str(TINY),
        "-s",
        str(TINY.parent / "tiny-cut-dy.toml"),
        "--out",
        str(tmp_path),
        "--no-html",
        "-q",
    )
    assert result.exit_code == 0, result.output
    before = Path(__file__).parent / "data" / "golden" / "tiny-before-lines"
    for name in ("sectors.csv", "nodes.csv", "edges.csv", "countries.csv", "reroute.csv"):
        old = pd.read_csv(before / name, keep_default_na=False, dtype=str)
        old = old.rename(columns={"status": "flow_status"})  # renamed since (edges.csv)
        new = pd.read_csv(tmp_path / name, keep_default_na=False, dtype=str)
        assert set(old.columns) <= set(new.columns), name
        pd.testing.assert_frame_equal(new[old.columns], old, obj=name)


def parts_of(graph) -> dict[tuple[str, str], float]:
    """Each (supplier line, customer line) pair of the production-lines graph and its t."""
    lines = production_lines(graph).graph
    flows: dict[tuple[str, str], float] = {}
    for row in lines.edges.itertuples(index=False):
        key = (row.supplier, row.customer)
        flows[key] = flows.get(key, 0.0) + row.flow_t
    return flows


def test_a_components_lines_split_shared_edges_equally_not_by_units():
    # a motor plant (a component, not a maker) with a Dy/Tb line and an NdPr line, each fed
    # by magnets of its own (20 t and 80 t), shipping 100 t of motors on one edge that
    # names no line; lines.csv gives them units (20 and 80), but units weigh a maker's
    # lines only, and neither line ships on an edge of its own: the motors leave them
    # equally, 50 t each (so a cut of the Dy/Tb line's magnets costs the carmaker half)
    graph = make_graph(
        {
            "mag": {"stage": "magnet", "country": "CN"},
            "motor": {"stage": "component", "country": "CN"},
            "k": {"stage": "manufacturer", "sector": "ev", "country": "DE"},
        },
        [
            ("mag", "motor", "dy_magnet", 20, {"line": "dy"}),
            ("mag", "motor", "ndpr_magnet", 80, {"line": "ndpr"}),
            ("motor", "k", "motor", 100),
        ],
        lines=[
            {"node": "motor", "line": "dy", "unit": "t", "baseline_units": 20.0},
            {"node": "motor", "line": "ndpr", "unit": "t", "baseline_units": 80.0},
        ],
    )
    parts = parts_of(graph)
    assert parts[("motor/dy", "k")] == parts[("motor/ndpr", "k")] == 50.0
    result = sg.simulate(graph, cut("material=dy_magnet"), reroute=False)
    assert result.nodes.set_index("id").loc["k", "shortfall_pct"] == pytest.approx(50.0)


def test_a_line_that_ships_nothing_of_its_own_gets_no_share_of_shared_edges():
    # separator s: its heavy line ships 30 t on an edge of its own (from_line), its light
    # line ships nothing of its own; the 100 t of ore and the 60 t of oxide that name no
    # line are split by own shipments, 30 : 0, so all of them go to and from the heavy line
    graph = make_graph(
        {
            "mine": {"stage": "mine", "country": "MM"},
            "s": {"stage": "separation", "country": "CN"},
            "a": {"stage": "manufacturer", "sector": "wind", "country": "DE"},
            "b": {"stage": "manufacturer", "sector": "industrial", "country": "DE"},
        },
        [
            ("mine", "s", "ore", 100),
            ("s", "a", "heavy_oxide", 30, {"from_line": "heavy"}),
            ("s", "b", "light_oxide", 60),
        ],
        lines=[{"node": "s", "line": "heavy"}, {"node": "s", "line": "light"}],
    )
    parts = parts_of(graph)
    assert parts == {("mine", "s/heavy"): 100.0, ("s/heavy", "a"): 30.0, ("s/heavy", "b"): 60.0}
