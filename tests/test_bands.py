"""Bands of the dated run: queues of applicants, plants within aggregates, draws as rows."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from graphs import make_graph

import supplygraph as sg
from supplygraph.analyses.backtest import magnet_exports
from supplygraph.analyses.bands import simulate_bands
from supplygraph.analyses.timeline import DrawRows, simulate_days
from supplygraph.dataset.io import load_dated_tables
from supplygraph.dataset.plants import sourcing, split_plants
from supplygraph.scenario.parse import LicencePolicy, Scenario
from supplygraph.scenario.uncertainty import Range, Uncertainty, flow_ranges, stock_ranges

START = dt.date(2025, 4, 1)
EXACT = Uncertainty(status={"reported": 0.0, "estimate": 0.0, "assumption": 0.0})
TRANSIT = pd.DataFrame({"origin": ["*"], "destination": ["*"], "days": [1.0]})


def path(*rows: tuple[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"path": "p", "destination": "", "from": d, "share": s} for d, s in rows],
        columns=["path", "destination", "from", "share"],
    )


# No. 18 bites on 4 April 2025: nothing approved, then a third of the applications (by
# tonnes) from 10 April, two thirds from 20 April, all from 1 May
THIRDS = path(("2025-04-04", 0.0), ("2025-04-10", 1 / 3), ("2025-04-20", 2 / 3), ("2025-05-01", 1))
SCENARIO = Scenario(
    "queue",
    licences=(LicencePolicy("CN-2025-18", approvals="p"),),
    start=START,
    end=dt.date(2025, 5, 31),
)


def three_applicants():
    """A Chinese separator ships Dy oxide (365 t/yr: 1 t a day) to each of three Japanese
    makers with 10 days of stock: three licence edges, three applicants."""
    makers = {
        k: {"stage": "manufacturer", "country": "JP", "sector": "ev", "stock_days": 10}
        for k in ("a", "b", "c")
    }
    return make_graph(
        {"cn": {"country": "CN"}, **makers},
        [("cn", k, "oxide", 365, {"elements": "Dy"}) for k in ("a", "b", "c")],
    )


def rows(queue: list[list[float]], n_edges: int, n_nodes: int) -> DrawRows:
    q = np.array(queue, dtype=float)
    return DrawRows(np.ones((len(q), n_edges)), np.ones((len(q), n_nodes)), q)


def day(run, k: int) -> str:
    return run.dates[k].isoformat() if k >= 0 else ""


def test_a_queue_of_three_applicants_on_a_known_path():
    graph = three_applicants()
    # two draws: places a 0.2, b 0.5, c 0.9; then a 0.9, b 0.1, c 0.4
    run = simulate_days(
        graph, SCENARIO, THIRDS, TRANSIT, rows=rows([[0.2, 0.5, 0.9], [0.9, 0.1, 0.4]], 3, 4)
    )
    record = run.draws
    lines = list(run.production.graph.nodes["id"])
    first = [[day(run, record.first_loss[r, lines.index(k)]) for k in "abc"] for r in (0, 1)]
    back = [[day(run, record.recovery[r, lines.index(k)]) for k in "abc"] for r in (0, 1)]
    # nothing leaves from 4 April and a shipment takes a day: the stock (10 days) covers
    # 5-14 April, so a maker not approved by 13 April (its shipment would arrive on the
    # 14th) falls short on 15 April. Place <= 1/3: approved 10 April, arrives 11 April,
    # never short. Place in (1/3, 2/3]: approved 20 April, back in full on 21 April.
    # Place > 2/3: approved 1 May, back on 2 May.
    assert first == [["", "2025-04-15", "2025-04-15"], ["2025-04-15", "", "2025-04-15"]]
    assert back == [["", "2025-04-21", "2025-05-02"], ["2025-05-02", "", "2025-04-21"]]


# Nothing approved from 4 April 2025, a quarter of the applications from 10 April, 60% from
# 1 May, all from 1 June
QUARTERS = path(("2025-04-04", 0.0), ("2025-04-10", 0.25), ("2025-05-01", 0.6), ("2025-06-01", 1.0))


def one_applicant():
    """A Chinese separator ships Dy oxide (1 t a day) to one Japanese maker with 10 days of
    stock: one licence edge."""
    return make_graph(
        {
            "cn": {"country": "CN"},
            "a": {"stage": "manufacturer", "country": "JP", "sector": "ev", "stock_days": 10},
        },
        [("cn", "a", "oxide", 365, {"elements": "Dy"})],
    )


@pytest.mark.parametrize("compiled", [False, True])
def test_a_piece_of_four_applications_ships_the_share_approved(compiled):
    if compiled:
        pytest.importorskip("numba")
    graph, scenario = one_applicant(), replace(SCENARIO, end=dt.date(2025, 6, 30))
    # one draw: the edge is four applications at places 0.1, 0.3, 0.55 and 0.9
    drawn = DrawRows(np.ones((1, 1)), np.ones((1, 2)), np.array([[[0.1, 0.3, 0.55, 0.9]]]))
    track = {"exports": np.array([True])}
    run = simulate_days(
        graph, scenario, QUARTERS, TRANSIT, track=track, rows=drawn, compiled=compiled
    )
    shipped = dict(zip((d.isoformat() for d in run.dates), run.draws.exports["exports"][:, 0]))
    # 365 t/yr is 1 t a day. Places <= 0.25: 0.1 (1 of 4); <= 0.6: 0.1, 0.3, 0.55 (3 of 4)
    expected = {
        "2025-04-03": 1.0,  # before No. 18
        "2025-04-04": 0.0,  # nothing approved
        "2025-04-09": 0.0,
        "2025-04-10": 0.25,  # 1 of 4
        "2025-04-30": 0.25,
        "2025-05-01": 0.75,  # 3 of 4
        "2025-05-31": 0.75,
        "2025-06-01": 1.0,  # all
    }
    assert {d: shipped[d] for d in expected} == pytest.approx(expected, abs=1e-12)
    lines = list(run.production.graph.nodes["id"])
    first = day(run, run.draws.first_loss[0, lines.index("a")])
    back = day(run, run.draws.recovery[0, lines.index("a")])
    # a shipment takes a day: nothing arrives 5-10 April, 6 of the 10 days of stock used,
    # 4 t left. From 11 April 0.25 t a day arrives: 0.75 t a day from stock, so 11-15
    # April leave 4 - 5 x 0.75 = 0.25 t and on 16 April 0.25 + 0.25 = 0.5 of the need: short.
    # One place would give all or nothing: at 0.1 never short, at 0.9 short from 15 April.
    # From 2 May 0.75 arrives (short still); from 2 June all: back in full.
    assert (first, back) == ("2025-04-16", "2025-06-02")


@pytest.mark.parametrize("compiled", [False, True])
def test_each_draw_counts_its_own_number_of_applications(compiled):
    if compiled:
        pytest.importorskip("numba")
    graph, scenario = one_applicant(), replace(SCENARIO, end=dt.date(2025, 6, 30))
    # two draws of the same four places 0.1, 0.3, 0.55, 0.9: the first counts only its
    # first two applications (0.1, 0.3), the second all four
    places = np.array([[[0.1, 0.3, 0.55, 0.9]], [[0.1, 0.3, 0.55, 0.9]]])
    drawn = DrawRows(np.ones((2, 1)), np.ones((2, 2)), places, np.array([2, 4]))
    track = {"exports": np.array([True])}
    run = simulate_days(
        graph, scenario, QUARTERS, TRANSIT, track=track, rows=drawn, compiled=compiled
    )
    shipped = run.draws.exports["exports"]
    dates = [d.isoformat() for d in run.dates]
    # 1 t a day. Share 0.25 from 10 April: 0.1 is within it, 1 of 2 (0.5) and 1 of 4
    # (0.25); share 0.6 from 1 May: 0.1 and 0.3 of 2 (1.0), 0.1, 0.3, 0.55 of 4 (0.75)
    for date, expected in (("2025-04-10", (0.5, 0.25)), ("2025-05-01", (1.0, 0.75))):
        assert tuple(shipped[dates.index(date)]) == pytest.approx(expected, abs=1e-12)


def test_a_range_of_applications_draws_one_count_per_draw_on_its_own_stream():
    from supplygraph.analyses.bands import COUNT_KEY, draw_rows

    graph = three_applicants()
    shared = SimpleNamespace(
        graph=graph,
        seed=3,
        flows=flow_ranges(graph.edges, {"assumption": 0.5}),
        stocks=stock_ranges(graph.nodes, {"assumption": 0.5}),
        applications=Range(2, 32, mode=8),
        policy_edges=(),
        policy_ranges=(),
    )
    drawn = draw_rows(shared, 0, 4)
    fixed = draw_rows(SimpleNamespace(**{**vars(shared), "applications": 8}), 0, 4)
    assert drawn.queue.shape == (4, 3, 32)  # room for the range's most
    for d in range(4):
        # the count: triangular on 2-32 with its mode at 8, rounded, from its own stream
        own = np.random.default_rng(np.random.SeedSequence(3, spawn_key=(d, COUNT_KEY)))
        k = round(own.triangular(2, 8, 32))
        assert drawn.applications[d] == k and 2 <= k <= 32
        # the draw's stream: 3 flow places, 4 stock places, then k places per edge
        rng = np.random.default_rng(np.random.SeedSequence(3, spawn_key=(d,)))
        rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 4)
        assert np.array_equal(drawn.queue[d, :, :k], rng.uniform(0, 1, (3, k)))
        # flows and stocks do not depend on the count
        assert np.array_equal(drawn.flow_factor[d], fixed.flow_factor[d])
        assert np.array_equal(drawn.stock_factor[d], fixed.stock_factor[d])
    assert len(set(drawn.applications.tolist())) > 1  # the count does vary between draws


def test_one_application_per_edge_draws_what_one_place_drew():
    from supplygraph.analyses.bands import draw_rows

    graph = three_applicants()
    shared = SimpleNamespace(
        graph=graph,
        seed=7,
        flows=flow_ranges(graph.edges, {"assumption": 0.5}),
        stocks=stock_ranges(graph.nodes, {"assumption": 0.5}),
        applications=1,
        policy_edges=(),
        policy_ranges=(),
    )
    drawn = draw_rows(shared, 2, 3)
    # the recipe before the queue's grain: per draw, 3 flow places, 4 stock places, then one
    # place per edge, each draw from SeedSequence(seed, spawn_key=(draw,))
    for r, d in enumerate(range(2, 5)):
        rng = np.random.default_rng(np.random.SeedSequence(7, spawn_key=(d,)))
        flow_v, stock_v = rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 4)
        assert np.array_equal(drawn.queue[r, :, 0], rng.uniform(0, 1, 3))
        assert np.array_equal(drawn.flow_factor[r], shared.flows.factor(flow_v[None, :])[0])
        assert np.array_equal(drawn.stock_factor[r], shared.stocks.factor(stock_v[None, :])[0])
    assert drawn.queue.shape == (3, 3, 1)


def test_the_first_stop_distribution_over_random_places():
    graph = three_applicants()
    # independent places (A35): the destination's common draw (A39) off; all three are in JP
    bands = simulate_bands(
        graph, SCENARIO, THIRDS, TRANSIT, draws=600, seed=4, uncertainty=EXACT, applications=1,
        destination_rho=0.0,
    )  # fmt: skip
    stoppages = bands.lines.set_index("node")
    # one application per maker: each maker stops (on 15 April) exactly when its place is
    # above 1/3: P = 2/3
    for maker in "abc":
        row = stoppages.loc[maker]
        assert abs(row["stop_pct"] - 200 / 3) < 6  # 600 draws: a standard error of 1.9 points
        # a third of the draws never stop: P10 and P50 on 15 April, P90 never (empty)
        assert (row["first_loss_p10"], row["first_loss_p50"]) == ("2025-04-15", "2025-04-15")
        assert row["first_loss_p90"] == ""
    # the sector's first stoppage: some maker of three above 1/3, P = 1 - (1/3)^3 = 96.3%
    ev = bands.stoppages.set_index(["sector", "country"]).loc[("ev", "")]
    assert abs(ev["stop_pct"] - 100 * (1 - 1 / 27)) < 2.5
    assert ev["first_stop_p50"] == "2025-04-15"


def aggregate_of_two():
    """A Chinese separator ships 365 t/yr of Dy oxide to an aggregate of makers, 10 days of
    stock."""
    return make_graph(
        {
            "cn": {"country": "CN"},
            "agg": {"stage": "manufacturer", "country": "JP", "sector": "ev", "stock_days": 10},
        },
        [("cn", "agg", "oxide", 365, {"elements": "Dy"})],
    )


HALF = path(("2025-04-04", 0.0), ("2025-04-08", 0.5), ("2025-05-01", 1.0))


def test_an_aggregate_of_two_plants_stops_its_first_plant_on_the_right_day():
    graph = aggregate_of_two()
    split = split_plants(graph, {"agg": 2})
    # the rule: two plants, each with the aggregate's 10 days of stock and half its flow,
    # each half an applicant of its own
    assert split.nodes["id"].tolist() == ["cn", "agg#1", "agg#2"]
    assert split.edges["flow_t"].tolist() == [182.5, 182.5]
    run = simulate_days(split, SCENARIO, HALF, TRANSIT, rows=rows([[0.3, 0.8]], 2, 3))
    first = [day(run, k) for k in run.draws.first_loss[0]]
    # plant 1 (place 0.3) is approved on 8 April, its shipment arrives on the 9th, inside
    # its 10 days of stock (5-14 April): never short. Plant 2 (place 0.8) waits for 1 May:
    # short from 15 April.
    assert first == ["", "", "2025-04-15"]
    # pooled, the aggregate gets half from 9 April: 4 days of stock used on 5-8 April, the
    # other 6 last 6 / (1 - 0.5) = 12 days, 9-20 April: short from 21 April, six days later
    pooled = simulate_days(graph, SCENARIO, HALF, TRANSIT).lines.set_index("node")
    assert pooled.loc["agg", "first_loss"] == "2025-04-21"
    # as a band over random places (one application per plant): the first plant stops on
    # 15 April unless both places are at most 0.5, P = 1 - 0.25 = 75%
    bands = simulate_bands(
        graph,
        SCENARIO,
        HALF,
        TRANSIT,
        draws=600,
        seed=1,
        uncertainty=EXACT,
        plants={"agg": 2},
        applications=1,
        destination_rho=0.0,  # independent places (A35); with A39: test_destination_queue.py
    )
    row = bands.lines.set_index("node").loc["agg"]
    assert row["plants"] == 2
    assert abs(row["stop_pct"] - 75) < 5.5
    assert row["first_loss_p50"] == "2025-04-15"


def two_suppliers_of_two_plants():
    """A Chinese and a Japanese maker each ship 365 t/yr of Dy oxide to an aggregate of
    makers with 10 days of stock: two supplier edges of one input."""
    return make_graph(
        {
            "cn": {"country": "CN"},
            "jp": {"country": "JP"},
            "agg": {"stage": "manufacturer", "country": "JP", "sector": "ev", "stock_days": 10},
        },
        [("cn", "agg", "oxide", 365, {"elements": "Dy"}), ("jp", "agg", "oxide", 365)],
    )


def test_each_plant_takes_an_input_from_as_few_suppliers_as_the_tonnes_allow():
    graph = two_suppliers_of_two_plants()
    cut = path(("2025-04-04", 0.0))  # nothing approved from 4 April to the end of May
    runs = {
        rule: simulate_bands(
            graph, SCENARIO, cut, TRANSIT, draws=40, seed=2, uncertainty=EXACT,
            plants={"agg": 2}, applications=1, destination_rho=0.0, sole_sourcing=rule,
        ).lines.set_index("node").loc["agg"]
        for rule in (True, False)
    }  # fmt: skip
    # each plant needs (365 + 365) / 2 / 365 = 1 t a day and holds 10 t. A43: in every draw
    # one plant takes all of China's 365 t (whichever edge the order puts first fills plant
    # 1), and nothing reaches it from 5 April (the last shipment left on 3 April, one day
    # in transit): its 10 t last 5-14 April, short from 15 April; the Japanese-fed plant
    # never stops
    assert runs[True]["stop_pct"] == 100
    assert {runs[True][f"first_loss_p{p}"] for p in (10, 50, 90)} == {"2025-04-15"}
    # equal parts (the rule before): each plant takes half of each edge, so it lacks 0.5 t
    # a day and its 10 t last 10 / 0.5 = 20 days, 5-24 April: short from 25 April
    assert {runs[False][f"first_loss_p{p}"] for p in (10, 50, 90)} == {"2025-04-25"}


def test_the_plants_split_of_three_suppliers_keeps_every_edge_and_plant_total():
    graph = make_graph(
        {"a": {}, "b": {}, "c": {}, "agg": {"stage": "manufacturer"}, "z": {}},
        [
            ("a", "agg", "oxide", 100),
            ("b", "agg", "oxide", 50),
            ("c", "agg", "oxide", 50),
            ("z", "agg", "metal", 30),  # an input with one supplier: left in equal parts
        ],
    )
    split = split_plants(graph, {"agg": 2})
    rule = sourcing(split)
    assert (rule.n_members, rule.n_groups) == (3, 1)
    tonnes = split.edges["flow_t"].to_numpy()[None, :]  # 50, 50, 25, 25, 25, 25, 15, 15
    # the order b, c, a: b covers [0, 1/4) of the 200 t, c [1/4, 1/2), a [1/2, 1); plant 1
    # takes [0, 1/2): b's 50 t and c's 50 t; plant 2 [1/2, 1): a's 100 t
    assert rule.pieces.tolist() == [0, 1, 2, 3, 4, 5]  # z's pieces are left alone
    tonnes = tonnes[:, rule.pieces]
    moved = (rule.factor(tonnes, np.array([[0.7, 0.1, 0.4]])) * tonnes)[0].round(9)
    pieces = split.edges.iloc[rule.pieces].assign(t=moved)
    into = pieces.groupby(["supplier", "customer"])["t"].sum()
    assert into.to_dict() == {
        ("a", "agg#1"): 0.0, ("a", "agg#2"): 100.0, ("b", "agg#1"): 50.0, ("b", "agg#2"): 0.0,
        ("c", "agg#1"): 50.0, ("c", "agg#2"): 0.0,
    }  # fmt: skip
    # the order a, b, c: a fills plant 1 (its 100 t), b and c plant 2
    moved = (rule.factor(tonnes, np.array([[0.1, 0.2, 0.3]])) * tonnes)[0].round(9)
    into = split.edges.iloc[rule.pieces].assign(t=moved).groupby(["supplier", "customer"])["t"]
    into = into.sum()
    assert (into[("a", "agg#1")], into[("b", "agg#2")], into[("c", "agg#2")]) == (100, 50, 50)


def test_on_the_bundled_plants_every_edge_and_every_plant_keeps_its_tonnes():
    from supplygraph.dataset.io import load_plants

    split = split_plants(sg.load(), load_plants())
    rule = sourcing(split)
    edges = split.edges.iloc[rule.pieces]
    rng = np.random.default_rng(5)
    tonnes = edges["flow_t"].to_numpy() * rng.uniform(0.5, 1.5, (20, len(edges)))
    moved = rule.factor(tonnes, rng.uniform(0, 1, (20, rule.n_members))) * tonnes
    assert (moved >= -1e-9).all()
    # each data edge keeps its drawn tonnes, row by row
    by_edge = edges["edge_of"].to_numpy()
    for before, after in zip(tonnes, moved):
        assert np.allclose(np.bincount(by_edge, before), np.bincount(by_edge, after))
    # each plant takes 1/n of its input's drawn tonnes, and from at most n_edges of the input
    # (the north-west corner gives a plant one edge, two where an edge ends inside its share)
    key = edges["customer"].str.split("#").str[0] + "|" + edges["material"] + "|"
    key = key + edges["line"].fillna("").astype(str)
    plant = edges["customer"].to_numpy()
    for before, after in zip(tonnes, moved):
        table = pd.DataFrame({"key": key, "plant": plant, "t": after, "t0": before})
        per_plant = table.groupby(["key", "plant"])["t"].sum()
        total = table.groupby("key")["t0"].sum()
        count = table.groupby("key")["plant"].nunique()
        expected = (total / count).reindex(per_plant.index.get_level_values("key")).to_numpy()
        assert np.allclose(per_plant.to_numpy(), expected)
    # and most plants take an input from one supplier edge: fewer suppliers than in equal parts
    table = pd.DataFrame({"plant": plant, "key": key, "edge": by_edge, "t": moved[0]})
    suppliers = table[table["t"] > 1e-9].groupby(["key", "plant"])["edge"].nunique()
    assert suppliers.median() == 1
    assert suppliers.max() < table.groupby("key")["edge"].nunique().max()


def test_zero_width_ranges_give_back_the_single_value_run():
    graph = sg.load()
    tables = load_dated_tables()
    scenario = sg.load_scenario("2025-replay")
    track = magnet_exports(graph)
    for place in (0.5, 1.0):
        single = simulate_days(
            graph, scenario, tables.approvals, tables.transit, applicant=place, track=track
        ).applicant
        queue = [[place] * graph.n_edges]
        drawn = simulate_days(
            graph,
            scenario,
            tables.approvals,
            tables.transit,
            track=track,
            rows=rows(queue, graph.n_edges, graph.n_nodes),
        )
        # four applications all at the same place: 0 or 4 of 4 approved, the same bits
        copies = DrawRows(
            np.ones((1, graph.n_edges)),
            np.ones((1, graph.n_nodes)),
            np.full((1, graph.n_edges, 4), place),
        )
        four = simulate_days(
            graph, scenario, tables.approvals, tables.transit, track=track, rows=copies
        ).draws
        record = drawn.draws
        assert [day(drawn, k) for k in record.first_loss[0]] == list(single.lines["first_loss"])
        assert [day(drawn, k) for k in record.recovery[0]] == list(single.lines["recovery"])
        for name, shipped in single.exports.items():
            assert np.array_equal(record.exports[name][:, 0], shipped)
            assert np.array_equal(four.exports[name][:, 0], shipped)
        for field in ("first_loss", "recovery", "lost_units", "lost_t"):
            assert np.array_equal(getattr(four, field), getattr(record, field)), field


@pytest.mark.parametrize("compiled", [False, True])
def test_a_throttle_in_force_from_the_first_day_binds_after_the_first_shipments(compiled):
    if compiled:
        pytest.importorskip("numba")
    graph = three_applicants()
    # No. 18 (4 April) is in force when the run starts on 10 April; half the applications
    # are approved, for good: places a 0.9 and c 0.6 never ship, b 0.2 always does
    throttled = Scenario(
        "throttled",
        licences=(LicencePolicy("CN-2025-18", "throttle", 0.5),),
        start=dt.date(2025, 4, 10),
        end=dt.date(2025, 5, 31),
    )
    run = simulate_days(
        graph, throttled, THIRDS, TRANSIT, rows=rows([[0.9, 0.2, 0.6]], 3, 4), compiled=compiled
    )
    lines = list(run.production.graph.nodes["id"])
    first = [day(run, run.draws.first_loss[0, lines.index(k)]) for k in "abc"]
    # what arrives on 10 April left on the 9th, before the run: in full. From 11 April
    # nothing reaches a and c: their 10 days of stock (10 t, 1 t a day) cover 11-20 April,
    # short from 21 April (the numpy loop kept the first day's full shares while the
    # stretch did not change: a and c were never short)
    assert first == ["2025-04-21", "", "2025-04-21"]


@pytest.mark.parametrize(
    ("name", "applications"), [("2025-replay", 1), ("2025-replay", 3), ("2025-10-package", 1)]
)
def test_the_compiled_day_loop_gives_the_numpy_loop_s_bits(name, applications):
    pytest.importorskip("numba")
    from supplygraph.dataset.io import load_plants

    graph = split_plants(sg.load(), load_plants())
    tables = load_dated_tables()
    scenario = sg.load_scenario(name)
    track = {k: v[graph.edges["edge_of"].to_numpy()] for k, v in magnet_exports(sg.load()).items()}
    rng = np.random.default_rng(3)
    n = 6  # random flows (+-30%), stocks (+-50%) and places, draws of the bands' shape
    drawn = DrawRows(
        rng.uniform(0.7, 1.3, (n, graph.n_edges)),
        rng.uniform(0.5, 1.5, (n, graph.n_nodes)),
        rng.uniform(0, 1, (n, graph.n_edges, applications)),
    )
    end = dt.date(2025, 9, 30) if name == "2025-replay" else None
    runs = [
        simulate_days(
            graph,
            scenario,
            tables.approvals,
            tables.transit,
            end=end,
            track=track,
            rows=drawn,
            compiled=compiled,
        ).draws
        for compiled in (False, True)
    ]
    numpy_loop, compiled_loop = runs
    assert (numpy_loop.first_loss >= 0).any()  # something stops: the comparison has teeth
    for field in ("first_loss", "recovery", "lost_units", "lost_t"):
        assert np.array_equal(getattr(numpy_loop, field), getattr(compiled_loop, field)), field
    for key, shipped in numpy_loop.exports.items():
        assert np.array_equal(shipped, compiled_loop.exports[key]), key


def test_the_compiled_loop_computes_only_the_lines_that_can_move():
    from supplygraph.analyses.draw_days import DayLoop, moving_lines

    # line 0 (a mine) feeds line 1 (part 0, a licence edge held to half in stretch 1) and
    # line 2 (part 1, never held); line 1 feeds line 3 (part 2); one input group each
    def loop(weight: list[float]) -> DayLoop:
        return DayLoop(
            weight=np.array([weight]),
            place=np.zeros((1, 3, 1)),
            applications=np.ones(1, dtype=np.int64),
            place_edge=np.arange(3),
            rule=np.ones((2, 3)),
            licence=np.array([[1.0, 1.0, 1.0], [0.5, 1.0, 1.0]]),
            part_src=np.array([0, 0, 1]),
            part_tau=np.array([1, 1, 1]),
            group_local=np.array([0, 1, 2]),
            node_first=np.array([0, 1, 2]),
            customer=np.array([1, 2, 3]),
            group_node=np.array([1, 2, 3]),
            need=np.ones((1, 3)),
            no_baseline=np.zeros((1, 3), dtype=bool),
            stock_max=np.zeros((1, 3)),
            line_share=np.ones((2, 4)),
            segment_of_day=np.array([0, 1]),
            month_of_day=np.array([0, 0]),
            window=2,
            loss=0.99,
        )

    # held: line 1; downstream of it: line 3; the mine and line 2 make 1.0 every day
    assert moving_lines(loop([1.0, 1.0, 1.0])).tolist() == [False, True, False, True]
    # a group whose weights add up to 0.5 (not above 1 - 1e-12) is computed, not assumed
    assert moving_lines(loop([1.0, 0.5, 1.0])).tolist() == [False, True, True, True]


# No. 18 throttled to a constant 0.6 from 4 April 2025 (no path): the central share
THROTTLED = Scenario(
    "throttled",
    licences=(LicencePolicy("CN-2025-18", action="throttle", share=0.6),),
    start=START,
    end=dt.date(2025, 5, 31),
)
NO_PATH = path(("2025-01-01", 1.0)).iloc[:0]


def test_the_scenarios_approval_range_reaches_the_dated_draws():
    graph = three_applicants()
    # without a range: a maker ships while its place q <= 0.6, so it stops (on 15 April,
    # when its 10 days of stock from 5 April run out) with P(q > 0.6) = 40%
    central = simulate_bands(
        graph, THROTTLED, NO_PATH, TRANSIT, draws=600, seed=3, uncertainty=EXACT, applications=1
    )
    # with the regime's share drawn uniformly on [0, 1] per draw, common to the three
    # makers: a maker stops when q > a, P = integral of (1 - a) da = 1/2 (so P10 on 15
    # April, P90 never); none stops when every q <= a, P = integral of a^3 da = 1/4, so the
    # sector's first stoppage has P = 3/4
    ranged = replace(EXACT, approvals={"CN-2025-18": Range(0.0, 1.0)})
    drawn = simulate_bands(
        graph, THROTTLED, NO_PATH, TRANSIT, draws=600, seed=3, uncertainty=ranged, applications=1
    )
    for maker in "abc":
        assert abs(central.lines.set_index("node").loc[maker, "stop_pct"] - 40) < 6
        assert abs(drawn.lines.set_index("node").loc[maker, "stop_pct"] - 50) < 6
        row = drawn.lines.set_index("node").loc[maker]
        assert (row["first_loss_p10"], row["first_loss_p90"]) == ("2025-04-15", "")
    ev = drawn.stoppages.set_index(["sector", "country"]).loc[("ev", "")]
    # independent shares per maker would give 1 - (1/2)^3 = 87.5%: the common share gives 75%
    assert abs(ev["stop_pct"] - 75) < 5
    # a range of no width at 0.2 (not the central 0.6): P(q > 0.2) = 80% exactly as a
    # constant share of 0.2 gives
    fixed = replace(EXACT, approvals={"CN-2025-18": Range(0.2, 0.2)})
    at_02 = simulate_bands(graph, THROTTLED, NO_PATH, TRANSIT, draws=300, seed=5, uncertainty=fixed)
    throttle_02 = Scenario(
        "t",
        licences=(LicencePolicy("CN-2025-18", action="throttle", share=0.2),),
        start=START,
        end=dt.date(2025, 5, 31),
    )
    plain = simulate_bands(
        graph, throttle_02, NO_PATH, TRANSIT, draws=300, seed=5, uncertainty=EXACT
    )
    assert at_02.lines.to_csv() == plain.lines.to_csv()
    assert at_02.months.to_csv() == plain.months.to_csv()


def test_draw_rows_rescale_the_places_of_a_drawn_policy():
    from supplygraph.analyses.bands import approval_draws, draw_rows

    graph = three_applicants()
    ranged = replace(EXACT, approvals={"CN-2025-18": Range(0.4, 0.4)})
    dated, edges, ranges = approval_draws(graph, THROTTLED, ranged)
    # the day loop gets 0.5 for the drawn policy; all three licence edges are its own
    assert dated.licences[0].share == 0.5 and dated.licences[0].action == "throttle"
    assert [e.tolist() for e in edges] == [[0, 1, 2]]
    shared = SimpleNamespace(
        graph=graph,
        seed=0,
        flows=flow_ranges(graph.edges, EXACT.status),
        stocks=stock_ranges(graph.nodes, EXACT.status),
        applications=2,
        policy_edges=edges,
        policy_ranges=ranges,
    )
    drawn = draw_rows(shared, 0, 1)
    # zero-width flows and stocks: exactly 1
    assert (drawn.flow_factor == 1).all() and (drawn.stock_factor == 1).all()
    # the places of draw 0 (two applications per edge, edge by edge), q, become
    # min(1, 0.5 q / 0.4) = min(1, 1.25 q)
    rng = np.random.default_rng(np.random.SeedSequence(0, spawn_key=(0,)))
    rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 4)
    q = rng.uniform(0, 1, 6).reshape(3, 2)
    assert drawn.queue.shape == (1, 3, 2)
    assert np.allclose(drawn.queue[0], np.minimum(1, 1.25 * q))
    # without a range reaching a constant-share policy, nothing changes
    assert approval_draws(graph, SCENARIO, ranged)[0] is SCENARIO


def test_a_nodes_own_stock_range_is_drawn_around_its_figure():
    from supplygraph.analyses.bands import draw_rows

    graph = three_applicants()
    nodes = graph.nodes.assign(
        stock_days_low=[float("nan"), 5.0, float("nan"), float("nan")],
        stock_days_high=[float("nan"), 20.0, float("nan"), float("nan")],
        status=["assumption", "assumption", "assumption", "reported"],
    )
    stocks = stock_ranges(nodes, {"assumption": 0.5, "reported": 0.0})
    # cn has no stock figure: not drawn (1 to 1); maker a: its own 5-20 days around 10,
    # factors 0.5 to 2.0 with the mode at 1; b: an assumption without a range, 1 +- 0.5;
    # c: reported, width 0
    assert stocks.low.tolist() == [1.0, 0.5, 0.5, 1.0]
    assert stocks.high.tolist() == [1.0, 2.0, 1.5, 1.0]
    assert stocks.default.tolist() == [False, False, True, False]
    shared = SimpleNamespace(
        graph=graph,
        seed=0,
        flows=flow_ranges(graph.edges, EXACT.status),
        stocks=stocks,
        applications=1,
        policy_edges=(),
        policy_ranges=(),
    )
    drawn = draw_rows(shared, 0, 1)
    rng = np.random.default_rng(np.random.SeedSequence(0, spawn_key=(0,)))
    rng.uniform(-1, 1, 3)
    u = (rng.uniform(-1, 1, 4) + 1) / 2
    # a's factor at place u: the mode's place is (1 - 0.5) / (2 - 0.5) = 1/3; below it
    # 0.5 + sqrt(u x 1.5 x 0.5), above it 2 - sqrt((1 - u) x 1.5 x 1); b's mode place is 1/2:
    # 0.5 + sqrt(u x 1 x 0.5) below, 1.5 - sqrt((1 - u) x 1 x 0.5) above
    a = 0.5 + np.sqrt(u[1] * 0.75) if u[1] < 1 / 3 else 2 - np.sqrt((1 - u[1]) * 1.5)
    b = 0.5 + np.sqrt(u[2] * 0.5) if u[2] < 1 / 2 else 1.5 - np.sqrt((1 - u[2]) * 0.5)
    assert np.allclose(drawn.stock_factor[0], [1.0, a, b, 1.0])


def test_same_seed_same_bytes_and_chunks_do_not_matter(monkeypatch):
    import supplygraph.analyses.bands as bands_module
    import supplygraph.analyses.timeline as timeline_module

    graph = three_applicants()
    first = simulate_bands(graph, SCENARIO, THIRDS, TRANSIT, draws=300, seed=9)
    again = simulate_bands(graph, SCENARIO, THIRDS, TRANSIT, draws=300, seed=9)
    other = simulate_bands(graph, SCENARIO, THIRDS, TRANSIT, draws=300, seed=10)
    assert first.months.to_csv() == again.months.to_csv()
    assert first.lines.to_csv() == again.lines.to_csv()
    assert first.months.to_csv() != other.months.to_csv()
    # draws in chunks of 7 and blocks of 5 rows: the same figures
    window = 4 if bands_module.available() else 64  # a row's cells per node (bands.py)
    per_edge = 3 + int(bands_module.APPLICATIONS.high)  # a row's cells per edge (bands.py)
    monkeypatch.setattr(bands_module, "CHUNK_CELLS", 7 * (3 * per_edge + 4 * window))
    monkeypatch.setattr(timeline_module, "ROW_BLOCK", 5)
    chunked = simulate_bands(graph, SCENARIO, THIRDS, TRANSIT, draws=300, seed=9)
    assert chunked.months.to_csv() == first.months.to_csv()
    assert chunked.stoppages.to_csv() == first.stoppages.to_csv()


def test_timeline_draws_on_the_command_line_same_seed_same_bytes(tmp_path):
    from cli_helpers import invoke

    args = ["timeline", "-s", "2025-replay", "--to", "2025-07-31", "--draws", "16", "-q"]
    first = invoke(*args, "--out", str(tmp_path / "a"))
    again = invoke(*args, "--out", str(tmp_path / "b"))
    assert first.exit_code == 0 and again.exit_code == 0, first.output
    for name in ("timeline-bands.csv", "timeline-stoppages.csv", "timeline-plants.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    months = pd.read_csv(tmp_path / "a" / "timeline-bands.csv")
    automotive = months[(months["sector"] == "automotive") & months["country"].isna()]
    assert list(automotive["month"]) == ["2025-03", "2025-04", "2025-05", "2025-06", "2025-07"]
    # a band is ordered and the cumulative loss never falls
    low, mid, high = (automotive[f"cumulative_units_lost_p{q}"] for q in (10, 50, 90))
    assert (low <= mid).all() and (mid <= high).all()
    assert automotive["cumulative_units_lost_p50"].is_monotonic_increasing
    assert invoke(*args, "--draws", "-1", "--out", str(tmp_path / "c")).exit_code == 2


def test_backtest_reports_each_check_band_and_the_coverage(tmp_path):
    from cli_helpers import invoke

    result = invoke("backtest", "--draws", "12", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    summary = pd.read_csv(tmp_path / "out" / "backtest-summary.csv").set_index("checks")
    series = pd.read_csv(tmp_path / "out" / "backtest-series.csv")
    events = pd.read_csv(tmp_path / "out" / "backtest-events.csv")
    assert {"band_p10", "band_p50", "band_p90", "inside", "width"} <= set(series.columns)
    assert {"band_p10", "band_p90", "inside", "width_days"} <= set(events.columns)
    # coverage is the share of checks inside their band, counted here again
    assert summary.loc["series", "inside"] == series["inside"].sum()
    assert summary.loc["events", "inside"] == events["inside"].sum()
    every = len(series) + len(events)
    # the CSV writes the percentage to two decimals
    coverage = 100 * summary.loc["all", "inside"] / every
    assert summary.loc["all", "coverage_pct"] == pytest.approx(coverage, abs=0.005)
    median = series["width"].median()
    assert summary.loc["series", "median_width"] == pytest.approx(median, abs=1e-3)
    assert "Calibration over 12 draws" in result.output
    # each month's interval score counted again from its band: the width, plus 10 times
    # the distance outside it (a P10-P90 band: alpha 0.2, 2 / alpha = 10); each figure is
    # read from the CSV's three decimals, so a miss of 10 x (0.0005 + 0.0005) plus the
    # width's 0.001 and the score's own 0.0005 is the rounding's most
    seen, low, high = series["observed_share"], series["band_p10"], series["band_p90"]
    miss = (low - seen).clip(lower=0) + (seen - high).clip(lower=0)
    assert series["interval_score"].to_numpy() == pytest.approx(
        (high - low + 10 * miss).to_numpy(), abs=0.0115
    )
    assert (series.loc[series["inside"], "interval_score"] - series["width"]).abs().max() < 2e-3
    assert summary.loc["series", "mean_interval_score"] == pytest.approx(
        series["interval_score"].mean(), abs=2e-3
    )
    assert pd.isna(summary.loc["events", "mean_interval_score"])
    printed = " ".join(result.output.split())  # the summary line wraps at the terminal's width
    assert f"mean interval score {summary.loc['series', 'mean_interval_score']:.2f}" in printed


def test_backtest_plant_suppliers_equal_gives_the_pooled_plants_back(tmp_path, monkeypatch):
    from cli_helpers import invoke

    monkeypatch.chdir(tmp_path)  # each run's default folder, with the flags' fingerprint
    events, folders = {}, set()
    for rule in ("few", "equal"):
        result = invoke("backtest", "--draws", "40", "--plant-suppliers", rule)
        assert result.exit_code == 0, result.output
        folder = re.search(r"Reports in (\S+?)/?:", " ".join(result.output.split())).group(1)
        folders.add(folder)
        events[rule] = pd.read_csv(Path(folder) / "backtest-events.csv", keep_default_na=False)
    assert len(folders) == 2  # the flag is in the folder's fingerprint: two runs, two folders
    suzuki = "Suzuki Sagara (Swift) halted"
    halted = {rule: table.set_index("event").loc[suzuki] for rule, table in events.items()}
    # pooled, a plant of Japan's carmakers takes 22.8% of its magnets from China through its
    # parts makers and outlasts the months below 1: no draw stops (model.md, Known limits);
    # with few suppliers a China-fed parts plant runs out at its own cover, and its carmaker
    # plants with it in most draws (67% of 1,000), so the band's P10 is a date
    assert halted["equal"]["band_p10"] == "none"
    assert halted["few"]["band_p10"] != "none"
    assert halted["few"]["band_p10"] < "2025-07-01"


def test_timeline_plant_suppliers_reaches_the_draws(tmp_path):
    from cli_helpers import invoke

    stop = {}
    for rule in ("few", "equal"):
        out = tmp_path / rule
        args = ["-s", "2025-replay", "--draws", "30", "--plant-suppliers", rule, "-q"]
        result = invoke("timeline", *args, "--out", str(out))
        assert result.exit_code == 0, result.output
        table = pd.read_csv(out / "timeline-stoppages.csv", keep_default_na=False)
        stop[rule] = table.set_index(["sector", "country"]).loc[("automotive", "JP"), "stop_pct"]
    # as in the backtest's test above: pooled, Japan's carmakers stop in no draw; with few
    # suppliers in most (67% of 1,000 draws)
    assert stop["equal"] == 0
    assert stop["few"] > 30


def test_simulate_shows_each_figure_with_its_band(tmp_path):
    from cli_helpers import invoke

    out = tmp_path / "out"
    result = invoke(
        "simulate", "-s", "2025-10-package", "--draws", "40", "--no-html", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    sectors = pd.read_csv(out / "sectors.csv").set_index("sector")
    row = sectors.loc["automotive"]
    assert row["shortfall_pct_p10"] <= row["shortfall_pct_p50"] <= row["shortfall_pct_p90"]
    assert row["band_draws"] == 40
    # the terminal: the central figure, then its band, as in 55.8 (38-59)
    expected = f"{row['shortfall_pct']:.1f} ({row['shortfall_pct_p10']:.0f}-"
    assert expected in result.output
    plain = invoke(
        "simulate",
        "-s",
        "2025-10-package",
        "--draws",
        "0",
        "--no-html",
        "--out",
        str(tmp_path / "p"),
    )
    assert "shortfall_pct_p10" not in pd.read_csv(tmp_path / "p" / "sectors.csv").columns
    assert "with its band" not in plain.output


def test_a_bad_plants_table_is_refused_one_line_per_problem(tmp_path):
    from supplygraph._errors import DataError
    from supplygraph.dataset.io import load_plants

    (tmp_path / "plants.csv").write_text(
        "node,plants,source,status,note\n"
        "us-automakers-agg,2.5,a count,estimate,\n"  # not a whole number
        "no-such-node,3,a count,estimate,\n"  # not in the nodes
        "us-automakers-agg,4,,guess,\n",  # repeated, no source, unknown status
        encoding="utf-8",
    )
    try:
        load_plants(tmp_path, nodes=sg.load().nodes)
    except DataError as error:
        lines = str(error).splitlines()
    else:
        raise AssertionError("a bad plants.csv was read")
    where = str(tmp_path / "plants.csv")
    assert any(f"{where}:2: plants: expected a whole number" in line for line in lines)
    assert any(f"{where}:3: node: unknown node 'no-such-node'" in line for line in lines)
    assert any(f"{where}:4: node: a second count of plants" in line for line in lines)
    assert any(f"{where}:4: source: missing value" in line for line in lines)
    assert any(f"{where}:4: status: unknown status 'guess'" in line for line in lines)
    # the bundled table reads, every count a whole number from 1
    bundled = load_plants()
    assert bundled["us-automakers-agg"] == 70 and min(bundled.values()) >= 1
