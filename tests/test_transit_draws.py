"""Transit times as ranges in the dated draws: one draw per route, through both day loops."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from graphs import make_graph

import supplygraph as sg
from supplygraph.analyses.backtest import magnet_exports
from supplygraph.analyses.bands import draw_rows, simulate_bands
from supplygraph.analyses.draw_days import available
from supplygraph.analyses.timeline import DrawRows, simulate_days, transit_routes
from supplygraph.dataset.io import load_dated_tables, load_plants
from supplygraph.dataset.plants import split_plants
from supplygraph.scenario.parse import LicencePolicy, Scenario
from supplygraph.scenario.uncertainty import Uncertainty, flow_ranges, stock_ranges, transit_ranges

START = dt.date(2025, 4, 1)
EXACT = Uncertainty(status={"reported": 0.0, "estimate": 0.0, "assumption": 0.0})
# No. 18 bites on 4 April 2025: nothing approved until 1 May, then everything
SHUT = pd.DataFrame(
    [
        {"path": "p", "destination": "", "from": "2025-04-04", "share": 0.0},
        {"path": "p", "destination": "", "from": "2025-05-01", "share": 1.0},
    ]
)
SCENARIO = Scenario(
    "shut",
    licences=(LicencePolicy("CN-2025-18", approvals="p"),),
    start=START,
    end=dt.date(2025, 5, 31),
)
LOOPS = [False, True] if available() else [False]


def transit(days: float, low: float | None, high: float | None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "origin": ["*"],
            "destination": ["*"],
            "days": [days],
            "status": ["estimate"],
            "days_low": [low],
            "days_high": [high],
        }
    )


def one_maker():
    """A Chinese separator ships Dy oxide (365 t/yr: 1 t a day) to a Japanese maker with 10
    days of stock: one licence edge."""
    return make_graph(
        {
            "cn": {"country": "CN"},
            "a": {"stage": "manufacturer", "country": "JP", "sector": "ev", "stock_days": 10},
        },
        [("cn", "a", "oxide", 365, {"elements": "Dy"})],
    )


@pytest.mark.parametrize("compiled", LOOPS)
def test_a_route_drawn_5_or_9_days_delivers_on_the_hand_computed_days(compiled):
    graph = one_maker()
    # two draws, the route drawn 5 days in the first and 9 in the second
    rows = DrawRows(
        np.ones((2, 1)), np.ones((2, 2)), np.full((2, 1), 0.5), transit=np.array([[5], [9]])
    )
    run = simulate_days(
        graph, SCENARIO, SHUT, transit(7, 5, 9), rows=rows, compiled=compiled, keep_days=False
    )
    line = list(run.production.graph.nodes["id"]).index("a")
    first = [run.dates[run.draws.first_loss[r, line]].isoformat() for r in (0, 1)]
    back = [run.dates[run.draws.recovery[r, line]].isoformat() for r in (0, 1)]
    # nothing leaves from 4 to 30 April, so nothing arrives from 4 + tau to 30 + tau April;
    # the 10 days of stock cover 4 + tau to 13 + tau April: short from 14 + tau April, and
    # what leaves on 1 May arrives on 1 + tau May. tau 5: 19 April to 6 May; tau 9: 23 April
    # to 10 May
    assert first == ["2025-04-19", "2025-04-23"]
    assert back == ["2025-05-06", "2025-05-10"]
    # 1 t a day short from 14 + tau April to 30 + tau April: 17 days of the maker's intake
    lost = run.draws.lost_t.sum(axis=0)[:, 0]
    assert np.allclose(lost, [17.0, 17.0])
    # the table's days (7) in both draws: short from 21 April, back on 8 May
    plain = simulate_days(
        graph,
        SCENARIO,
        SHUT,
        transit(7, 5, 9),
        rows=DrawRows(np.ones((2, 1)), np.ones((2, 2)), np.full((2, 1), 0.5)),
        compiled=compiled,
    )
    assert [plain.dates[k].isoformat() for k in plain.draws.first_loss[:, line]] == [
        "2025-04-21"
    ] * 2


def test_every_edge_on_a_route_takes_the_route_s_draw():
    # two makers in Japan and one in Germany: the first two on the Asian route (7-12 days
    # around 10), the third on the European one (35-45 around 40), a domestic row of no width
    makers = {
        k: {"stage": "manufacturer", "country": c, "sector": "ev", "stock_days": 10}
        for k, c in (("a", "JP"), ("b", "JP"), ("c", "DE"))
    }
    graph = make_graph(
        {"cn": {"country": "CN"}, **makers},
        [("cn", k, "oxide", 365, {"elements": "Dy"}) for k in "abc"],
    )
    table = pd.DataFrame(
        {
            "origin": ["*", "CN", "CN"],
            "destination": ["same", "JP", "DE"],
            "days": [3.0, 10.0, 40.0],
            "status": ["assumption", "estimate", "estimate"],
            "days_low": [3.0, 7.0, 35.0],
            "days_high": [3.0, 12.0, 45.0],
        }
    )
    country = graph.nodes["country"].to_numpy()
    seller, buyer = country[graph.edges["src"]], country[graph.edges["dst"]]
    assert transit_routes(seller, buyer, table).tolist() == [1, 1, 2]
    shared = SimpleNamespace(
        graph=graph,
        seed=7,
        applications=1,
        flows=flow_ranges(graph.edges, EXACT.status),
        stocks=stock_ranges(graph.nodes, EXACT.status),
        policy_edges=(),
        policy_ranges=(),
        transit=table,
        transit_ranges=transit_ranges(table, EXACT.status),
    )
    drawn = draw_rows(shared, 0, 400)
    assert drawn.transit is not None and drawn.transit.shape == (400, 3)
    # the domestic row has no width: its table's days in every draw
    assert (drawn.transit[:, 0] == 3).all()
    # each route within its range, whole days, both ends reached only by rounding
    assert drawn.transit[:, 1].min() >= 7 and drawn.transit[:, 1].max() <= 12
    assert drawn.transit[:, 2].min() >= 35 and drawn.transit[:, 2].max() <= 45
    # triangular 35-40-45 rounded: P(40) = P(39.5 <= x < 40.5) = 1 - 2 x (4.5^2 / 50) = 0.19,
    # P(35) = P(x < 35.5) = 0.5^2 / 50 = 0.005; 400 draws: 76 +- 8 and 2 +- 1.4
    assert 50 <= (drawn.transit[:, 2] == 40).sum() <= 100
    assert (drawn.transit[:, 2] == 35).sum() <= 8
    # the draws before transit are the ones drawn without it (drawn last)
    shared.transit_ranges = None
    before = draw_rows(shared, 0, 400)
    assert before.transit is None
    assert np.array_equal(before.queue, drawn.queue)
    assert np.array_equal(before.flow_factor, drawn.flow_factor)


def test_zero_width_ranges_give_the_single_value_draws_and_a_seed_its_bytes():
    graph = one_maker()
    no_range = transit(7, None, None)
    zero = transit(7, 7, 7)
    ranged = transit(7, 5, 9)
    runs = {
        name: simulate_bands(graph, SCENARIO, SHUT, table, draws=200, seed=3, uncertainty=EXACT)
        for name, table in (("none", no_range), ("zero", zero), ("ranged", ranged))
    }
    again = simulate_bands(graph, SCENARIO, SHUT, ranged, draws=200, seed=3, uncertainty=EXACT)
    for table in ("months", "stoppages", "lines"):
        assert getattr(runs["none"], table).to_csv() == getattr(runs["zero"], table).to_csv()
        assert getattr(runs["ranged"], table).to_csv() == getattr(again, table).to_csv()
    lines = runs["ranged"].lines.set_index("node")
    # the maker's first loss is 14 + tau April: 7 days (a no-width range) give 21 April in
    # every draw; tau from 5 to 9 days gives 19 to 23 April, P50 on 21 April (the mode)
    assert runs["none"].lines.set_index("node").loc["a", "first_loss_p10"] == "2025-04-21"
    assert runs["none"].lines.set_index("node").loc["a", "first_loss_p90"] == "2025-04-21"
    assert lines.loc["a", "first_loss_p50"] == "2025-04-21"
    assert lines.loc["a", "first_loss_p10"] < "2025-04-21" < lines.loc["a", "first_loss_p90"]


@pytest.mark.skipif(not available(), reason="numba is not installed")
def test_the_compiled_loop_gives_the_numpy_loop_s_bits_with_drawn_transit():
    graph = split_plants(sg.load(), load_plants())
    tables = load_dated_tables()
    scenario = sg.load_scenario("2025-replay")
    track = {k: v[graph.edges["edge_of"].to_numpy()] for k, v in magnet_exports(sg.load()).items()}
    rng = np.random.default_rng(5)
    n, routes = 5, len(tables.transit)
    low = np.floor(tables.transit["days"].to_numpy() * 0.5)
    # each route's days drawn anywhere from half to one and a half of its figure
    days = np.maximum(low + rng.integers(0, low + 1, (n, routes)), 1)
    drawn = DrawRows(
        rng.uniform(0.7, 1.3, (n, graph.n_edges)),
        rng.uniform(0.5, 1.5, (n, graph.n_nodes)),
        rng.uniform(0, 1, (n, graph.n_edges)),
        transit=days.astype(np.int64),
    )
    numpy_loop, compiled_loop = (
        simulate_days(
            graph,
            scenario,
            tables.approvals,
            tables.transit,
            end=dt.date(2025, 9, 30),
            track=track,
            rows=drawn,
            compiled=compiled,
        ).draws
        for compiled in (False, True)
    )
    assert (numpy_loop.first_loss >= 0).any()  # something stops: the comparison has teeth
    for field in ("first_loss", "recovery", "lost_units", "lost_t"):
        assert np.array_equal(getattr(numpy_loop, field), getattr(compiled_loop, field)), field
    for key, shipped in numpy_loop.exports.items():
        assert np.array_equal(shipped, compiled_loop.exports[key]), key
