"""The dated simulation: hand-computed daily cases, the steady state, and the 2025 backtest."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from cli_helpers import invoke
from graphs import make_graph

import supplygraph as sg
from supplygraph.export import gexf_bytes, timeline_network
from supplygraph.io import load_backtest_tables, load_dated_tables
from supplygraph.scenario import LicencePolicy, Rule, Scenario
from supplygraph.timeline import simulate_days

TINY = Path(__file__).parent / "data" / "tiny"
START = dt.date(2025, 5, 1)


def transit(days: int) -> pd.DataFrame:
    return pd.DataFrame({"origin": ["*"], "destination": ["*"], "days": [float(days)]})


def approvals(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"path": p, "destination": "", "from": d, "share": s} for p, d, s in rows],
        columns=["path", "destination", "from", "share"],
    )


def chain(stock_p: float, stock_k: float):
    # a Chinese mine ships Dy oxide to a Japanese magnet plant, which supplies a carmaker:
    # 365 t/yr each, so 1 t a day
    return make_graph(
        {
            "m": {"stage": "mine", "country": "CN"},
            "p": {"stage": "magnet", "country": "JP", "stock_days": stock_p},
            "k": {"stage": "manufacturer", "sector": "ev", "country": "JP", "stock_days": stock_k},
        },
        [("m", "p", "oxide", 365, {"elements": "Dy"}), ("p", "k", "magnet", 365)],
    )


def ratios(run, node: str) -> list[float]:
    return run.ratio[:, list(run.production.graph.nodes["id"]).index(node)].tolist()


def test_a_cut_reaches_a_chain_through_stock_and_transit():
    scenario = Scenario("cut", rules=(Rule("from=m"),), start=START)
    run = simulate_days(chain(3, 0), scenario, approvals(), transit(2), end=START + dt.timedelta(9))
    # departures stop on day 0 and arrive 2 days later: the plant gets nothing from day 2,
    # its 3 days of stock (1 t/day) carry days 2, 3 and 4, it stops on day 5; the carmaker
    # has no stock and gets the plant's output 2 days late: it stops on day 7
    assert ratios(run, "p") == [1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    assert ratios(run, "k") == [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]
    lines = run.lines.set_index("node")
    assert lines.loc["k", "first_loss"] == "2025-05-08" and lines.loc["k", "recovery"] == ""
    # 3 days at 0 of 1 t/day lost by the carmaker: 3 t
    assert lines.loc["k", "lost_t"] == pytest.approx(3.0)


def test_a_cut_that_ends_recovers():
    # No. 18 with nothing licensed for departures on 1-10 May, everything from 11 May
    path = approvals(("p", "2025-05-01", 0.0), ("p", "2025-05-11", 1.0))
    scenario = Scenario("ends", licences=(LicencePolicy("CN-2025-18", approvals="p"),), start=START)
    run = simulate_days(chain(3, 0), scenario, path, transit(2), end=START + dt.timedelta(15))
    # arrivals at the plant: days 0-1 in full (shipped before the start), none on days 2-11
    # (departures 0-9), in full from day 12; its stock carries days 2-4: it makes nothing on
    # days 5-11 and everything from day 12; the carmaker follows 2 days later: 7-13 and 14
    assert ratios(run, "p") == [1] * 5 + [0] * 7 + [1] * 4
    assert ratios(run, "k") == [1] * 7 + [0] * 7 + [1] * 2
    lines = run.lines.set_index("node")
    assert (lines.loc["k", "first_loss"], lines.loc["k", "recovery"]) == (
        "2025-05-08",
        "2025-05-15",
    )
    assert [what for _, what in run.change_dates if what.startswith("approvals")] == [
        "approvals p: 2025-05-01",
        "approvals p: 2025-05-11",
    ]


def test_a_throttle_with_an_approval_delay():
    # No. 18 from 4 April 2025, half licensed, but nothing for the first 5 days of review
    start = dt.date(2025, 4, 4)
    policy = LicencePolicy("CN-2025-18", "throttle", 0.5, approval_delay_days=5)
    scenario = Scenario("delay", licences=(policy,), start=start)
    run = simulate_days(chain(0, 0), scenario, approvals(), transit(1), end=start + dt.timedelta(8))
    # departures: days 0-4 share 0, from day 5 share 0.5; one day in transit, no stock:
    # the plant gets day 0 in full (shipped before the start), nothing on days 1-5, half from
    # day 6; the carmaker one day later
    assert ratios(run, "p") == [1, 0, 0, 0, 0, 0, 0.5, 0.5, 0.5]
    assert ratios(run, "k") == [1, 1, 0, 0, 0, 0, 0, 0.5, 0.5]


def test_a_constant_scenario_settles_on_the_static_steady_state():
    graph = sg.load(TINY)
    scenario = sg.load_scenario(TINY.parent / "tiny-cut-dy.toml").with_changes(
        start=dt.date(2025, 5, 1), default_stock_days=20.0
    )
    approval_table, transit_table, _ = load_dated_tables()
    run = simulate_days(graph, scenario, approval_table, transit_table)
    static = sg.simulate(graph, scenario, reroute=False)
    np.testing.assert_allclose(run.ratio[-1], static.propagation.output_ratio, atol=1e-9)


def test_the_2025_replay_runs_and_reports_every_check(tmp_path):
    result = invoke("backtest", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    series = pd.read_csv(tmp_path / "backtest-series.csv")
    events = pd.read_csv(tmp_path / "backtest-events.csv")
    observed, expected_events = load_backtest_tables()
    assert len(series) == (~observed["month"].str.endswith("avg")).sum()
    assert len(events) == len(expected_events)
    assert series["modelled_share"].between(0, 1).all()


def test_the_timeline_command_writes_its_reports(tmp_path):
    result = invoke("timeline", "-s", "2025-replay", "--to", "2025-07-31", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    names = {p.name for p in tmp_path.iterdir() if not p.name.startswith(".")}
    assert names == {
        "timeline.csv",
        "timeline-lines.csv",
        "timeline.json",
        "timeline.png",
        "timeline.svg",
        "timeline.gexf",
        "timeline.html",
    }
    days = pd.read_csv(tmp_path / "timeline.csv")
    assert days["date"].min() == "2025-03-01" and days["date"].max() == "2025-07-31"
    assert (tmp_path / "timeline.png").read_bytes().startswith(b"\x89PNG")
    again = tmp_path / "again"
    invoke("timeline", "-s", "2025-replay", "--to", "2025-07-31", "--out", str(again))
    for name in names:
        assert (again / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_the_gexf_timeline_gives_each_node_its_output_by_date():

    scenario = Scenario("cut", rules=(Rule("from=m"),), start=START)
    run = simulate_days(chain(3, 0), scenario, approvals(), transit(2), end=START + dt.timedelta(9))
    network = timeline_network(run)
    # the carmaker makes everything on days 0-6 and nothing from day 7 (see the first test)
    assert network.nodes["k"]["output_pct"] == [
        (100.0, "2025-05-01", "2025-05-08"),
        (0.0, "2025-05-08", "2025-05-11"),
    ]
    text = gexf_bytes(network)
    assert b'mode="dynamic"' in text and b"lastmodifieddate" not in text
    assert nx.read_gexf(io.BytesIO(text)).number_of_nodes() == 3
