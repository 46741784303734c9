"""The dated simulation: hand-computed daily cases, the steady state, and the 2025 backtest."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from cli_helpers import invoke
from graphs import make_graph

import supplygraph as sg
from supplygraph.analyses.backtest import magnet_exports
from supplygraph.analyses.timeline import KEEP_DAYS_MAX_EDGES, node_output_pct, simulate_days
from supplygraph.dataset.io import load_backtest_tables, load_dated_tables
from supplygraph.outputs.export import gexf_bytes, timeline_network
from supplygraph.scenario.parse import LicencePolicy, Rule, Scenario

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


def replay_2025(**days):
    """The bundled data and its dated 2025-replay run (``days``: simulate_days' options)."""
    graph = sg.load()
    tables = load_dated_tables()
    scenario = sg.load_scenario("2025-replay")
    return graph, simulate_days(graph, scenario, tables.approvals, tables.transit, **days)


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


def test_a_regime_that_ends_lets_shipments_through_from_the_next_day():
    # a Chinese magnet plant ships Nd/Pr magnets (no Dy/Tb: only the customs holds reach
    # them) to a Japanese motor maker, 1 t a day, no stock; the holds end on 30 June 2025
    graph = make_graph(
        {
            "m": {"stage": "magnet", "country": "CN"},
            "p": {"stage": "component", "country": "JP", "stock_days": 0},
            "k": {"stage": "manufacturer", "sector": "ev", "country": "JP", "stock_days": 0},
        },
        [("m", "p", "ndfeb_sintered", 365, {"elements": "Nd;Pr"}), ("p", "k", "motor", 365)],
    )
    start = dt.date(2025, 6, 25)
    scenario = Scenario("holds", licences=(LicencePolicy("CN-2025-18-CUSTOMS"),), start=start)
    run = simulate_days(graph, scenario, approvals(), transit(2), end=start + dt.timedelta(11))
    # departures held on days 0-5 (25-30 June), free from day 6 (1 July); two days at sea:
    # the plant gets days 0-1 in full (shipped before the start), nothing on days 2-7, all
    # from day 8
    assert ratios(run, "p") == [1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert (dt.date(2025, 7, 1), "CN-2025-18-CUSTOMS ended") in run.change_dates


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
    # every month is a check but the baselines and their year's months (2024: part of them)
    # and the total's months (the path's source and the level above it, never a check)
    destinations = observed[observed["series"] != "cn-magnet-exports"]
    assert len(series) == (~destinations["month"].str.startswith("2024-")).sum()
    assert len(series) == 14
    assert "cn-magnet-exports" not in set(series["series"])
    assert len(events) == len(expected_events)
    # the licensed share (at most 1) times the total's level, at most 1.283 (November 2025:
    # 6,149.95 t over 4,794 t a year before)
    assert series["modelled_share"].between(0, 1.2835).all()  # 1.283 to 3 decimals
    assert series["modelled_share"].max() > 1
    # every stoppage for the mean and the last applicant, in the file and the table
    for run in ("", "last_applicant_"):
        assert {f"{run}modelled", f"{run}days_off", f"{run}pass"} <= set(events.columns)
    assert "mean" in result.output and "last applicant" in result.output
    assert result.output.count("MISS") + result.output.count("pass") == len(series) + 2 * len(
        events
    )


def test_a_backtest_with_a_stock_shift_has_its_own_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("backtest", "--stock-shift", "-7")
    assert result.exit_code == 0, result.output
    (folder,) = (tmp_path / "output").iterdir()
    assert folder.name.startswith("backtest--")
    assert f"output/{folder.name}/" in result.output
    assert (folder / "backtest-events.csv").is_file()


def test_the_2025_replay_gives_back_the_total_series_its_path_was_read_from():
    # the path is China's total magnet exports over the same month of 2024 (approvals.csv),
    # so shipped magnet exports must follow it: April (3 days in full, then 27 at 0.60) / 30
    # = 0.64, May 0.26, June 0.62, July 1; on No. 18's licence edges alone May was
    # 0.40 + 0.60 x 0.26 = 0.56 (data/SOURCES.md, "Dated simulation")
    total = magnet_exports(sg.load())["cn-magnet-exports"]
    graph, run = replay_2025(end=dt.date(2025, 7, 31), track={"total": total})
    daily = graph.edges["flow_t"].to_numpy()[total].sum() / 365
    shipped = pd.Series(run.exports["total"], index=pd.to_datetime(run.dates))
    for month, share in (("2025-04", 0.64), ("2025-05", 0.26), ("2025-06", 0.62), ("2025-07", 1)):
        days = shipped[month]
        assert days.sum() / (daily * len(days)) == pytest.approx(share, abs=1e-6), month


@pytest.mark.slow
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
    # the table names a day only for a sector that fell short: a whole sector gets "-"
    for line in result.output.splitlines():
        cells = line.split()
        if len(cells) == 4 and cells[1] == "100.0":
            assert cells[2:] == ["-", "-"], line
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


# a path that falls and recovers, as in 2025: 0.6 from 1 May (day 0), 0.26 from day 3, 1.0
# from day 6; licence edge m -> p, two days in transit, the plant holds 2 days, the carmaker 0
PATH = approvals(("p", "2025-05-01", 0.6), ("p", "2025-05-04", 0.26), ("p", "2025-05-07", 1.0))
REPLAY = Scenario("queue", licences=(LicencePolicy("CN-2025-18", approvals="p"),), start=START)


def queued(quantile: float | None):
    end = START + dt.timedelta(11)
    return simulate_days(chain(2, 0), REPLAY, PATH, transit(2), end=end, applicant=quantile)


def test_the_pro_rata_mean_draws_the_stock_down_gradually():
    run = queued(None)
    # arrivals at the plant: days 0-1 in full (shipped before the start), 0.6 on days 2-4
    # (departures 0-2), 0.26 on days 5-7, 1 from day 8. Stock 2 t, need 1 t/day:
    # day 2: 0.6 + 2 = 2.6 -> 1, stock 1.6; day 3: 2.2 -> 1, 1.2; day 4: 1.8 -> 1, 0.8;
    # day 5: 0.26 + 0.8 = 1.06 -> 1, stock 0.06; day 6: 0.26 + 0.06 = 0.32; day 7: 0.26
    assert ratios(run, "p") == pytest.approx([1] * 6 + [0.32, 0.26] + [1] * 4)
    # the carmaker has no stock and gets the plant's output two days late
    assert ratios(run, "k") == pytest.approx([1] * 8 + [0.32, 0.26] + [1] * 2)
    assert run.applicant is None and "applicant_output_pct" not in run.sectors


def test_an_applicant_at_the_middle_ships_in_full_or_not_at_all():
    run = queued(0.5)
    # q = 0.5: departures in full while 0.6 >= 0.5 (days 0-2), none while 0.26 < 0.5 (3-5),
    # in full from day 6. Arrivals: days 0-4 in full, none on days 5-7, full from day 8.
    # The plant's 2 days of stock carry days 5 and 6; it stops on day 7 only
    assert ratios(run.applicant, "p") == [1] * 7 + [0] + [1] * 4
    assert ratios(run.applicant, "k") == [1] * 9 + [0] + [1] * 2
    lines = run.lines.set_index("node")
    # the mean's figures are unchanged beside the applicant's: k first short on day 8
    # (9 May) at the mean, on day 9 (10 May) as an applicant at 0.5; both back on day 10
    assert lines.loc["k", ["first_loss", "recovery"]].tolist() == ["2025-05-09", "2025-05-11"]
    assert lines.loc["k", ["applicant_first_loss", "applicant_recovery"]].tolist() == [
        "2025-05-10",
        "2025-05-11",
    ]
    # lost: the mean (1 - 0.32) + (1 - 0.26) = 1.42 t; the applicant one day at 0 = 1 t
    assert lines.loc["k", "lost_t"] == pytest.approx(1.42)
    assert lines.loc["k", "applicant_lost_t"] == pytest.approx(1.0)


def test_the_last_applicant_waits_until_everything_is_approved():
    run = queued(1.0)
    # q = 1 ships only when the path reaches 1: no departures on days 0-5, in full from 6.
    # Arrivals: days 0-1 in full, none on days 2-7, full from day 8. The stock carries
    # days 2 and 3; the plant stops on days 4-7 and the carmaker two days later, on 6-9
    assert ratios(run.applicant, "p") == [1] * 4 + [0] * 4 + [1] * 4
    assert ratios(run.applicant, "k") == [1] * 6 + [0] * 4 + [1] * 2
    sectors = run.sectors.set_index("date")
    # sector ev is the carmaker alone: the mean's 32% on 9 May, the last applicant's 0
    assert sectors.loc["2025-05-09", ["output_pct", "applicant_output_pct"]].tolist() == (
        pytest.approx([32.0, 0.0])
    )
    assert run.applicant.quantile == 1.0 and run.quantile is None


def test_applicants_average_to_the_pro_rata_mean():
    # What leaves on a licence edge, averaged over the applicant's place q uniform in [0, 1],
    # is the pro-rata share: an applicant ships in full when q <= a(t). The shipments are a
    # step function of q with steps at the path's shares 0.26, 0.6 and 1, so the average is
    # exact with one q per step: 0.13 for [0, 0.26], 0.43 for (0.26, 0.6], 0.8 for (0.6, 1].
    steps = [(0.13, 0.26), (0.43, 0.34), (0.8, 0.4)]
    graph = chain(2, 0)
    edge = (graph.edges["supplier"] == "m").to_numpy()

    def shipped(quantile: float | None) -> np.ndarray:
        end = START + dt.timedelta(11)
        run = simulate_days(
            graph, REPLAY, PATH, transit(2), end=end, applicant=quantile, track={"m-p": edge}
        )
        return (run.applicant or run).exports["m-p"]

    mean = shipped(None)
    assert mean.tolist() == pytest.approx([0.6] * 3 + [0.26] * 3 + [1] * 6)
    average = sum(weight * shipped(q) for q, weight in steps)
    np.testing.assert_allclose(average, mean, rtol=0, atol=1e-12)


def test_an_approval_delay_holds_every_applicant():
    # nothing licensed during a 3-day review from No. 18's effective date (4 April 2025),
    # then a constant half: the first in line (q = 0) ships from day 3, the last never
    start = dt.date(2025, 4, 4)
    policy = LicencePolicy("CN-2025-18", "throttle", 0.5, approval_delay_days=3)
    scenario = Scenario("delay", licences=(policy,), start=start)
    end = start + dt.timedelta(6)
    for quantile, departures in ((0.0, [0] * 3 + [1] * 4), (1.0, [0] * 7)):
        run = simulate_days(
            chain(0, 0), scenario, approvals(), transit(1), end=end, applicant=quantile
        )
        # no stock, one day in transit: the plant makes day t what left on day t - 1
        assert ratios(run.applicant, "p") == [1, *departures[:-1]], quantile


def test_an_applicant_run_without_makers_has_lines_and_no_sectors():
    # the mine and the magnet plant alone: no maker, so no sector table to set beside
    graph = make_graph(
        {"m": {"stage": "mine", "country": "CN"}, "p": {"stage": "magnet", "country": "JP"}},
        [("m", "p", "oxide", 365, {"elements": "Dy"})],
    )
    run = simulate_days(graph, REPLAY, PATH, transit(2), end=START + dt.timedelta(11), applicant=1)
    assert run.sectors.empty
    # no stock: the plant makes nothing on days 2-7 (departures 0-5 wait for the path's 1)
    assert ratios(run.applicant, "p") == [1] * 2 + [0] * 6 + [1] * 4
    assert run.lines.set_index("node").loc["p", "applicant_first_loss"] == "2025-05-03"


@pytest.mark.parametrize("bad", [1.5, -0.1, float("nan")])
def test_an_applicant_outside_the_queue_is_refused(bad):
    with pytest.raises(sg.ScenarioError, match=r"applicant: expected .* from 0 .* to 1"):
        queued(bad)


KEYS = {
    "timeline.csv": ("date", "sector", "best_output_pct"),  # the best case is the mean's
    "timeline-lines.csv": ("node", "line", "stage", "country", "sector"),
}


@pytest.mark.slow
def test_the_timeline_command_sets_the_applicant_beside_the_mean(tmp_path):
    args = ("timeline", "-s", "2025-replay", "--to", "2025-07-31", "-q")
    assert invoke(*args, "--out", str(tmp_path / "mean")).exit_code == 0
    result = invoke(*args, "--out", str(tmp_path / "last"), "--applicant", "last")
    assert result.exit_code == 0, result.output
    mean, last = tmp_path / "mean", tmp_path / "last"
    for name in ("timeline.csv", "timeline-lines.csv"):
        alone, band = pd.read_csv(mean / name), pd.read_csv(last / name)
        assert not any(c.startswith("applicant_") for c in alone.columns)
        # the band's mean columns are the mean run's, unchanged; the applicant's follow
        pd.testing.assert_frame_equal(band[alone.columns], alone)
        added = [c for c in band.columns if c not in alone.columns]
        assert added == [f"applicant_{c}" for c in alone.columns if c not in KEYS[name]]
    assert json.loads((last / "timeline.json").read_text())["applicant"] == 1.0
    # the chart shades the band: the last applicant's ev output falls below the mean's
    assert (last / "timeline.svg").read_bytes().count(b"<path") > (
        mean / "timeline.svg"
    ).read_bytes().count(b"<path")
    assert "applicant" not in json.loads((mean / "timeline.json").read_text())


@pytest.mark.parametrize("bad", ["1.5", "-1", "first", "nan", ""])
def test_a_bad_applicant_option_exits_2_and_says_where(tmp_path, bad):
    result = invoke("timeline", "-s", "2025-replay", "--applicant", bad, "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "--applicant: expected an applicant's place" in result.output
    assert f"got {bad!r}" in result.output
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_scenario_file_may_name_its_applicant(tmp_path):
    path = tmp_path / "queue.toml"
    path.write_text('start = 2025-03-01\napplicant = "last"\n', encoding="utf-8")
    assert sg.load_scenario(path).applicant == 1.0
    path.write_text("applicant = true\n", encoding="utf-8")
    result = invoke("timeline", "-s", str(path), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert f"{path}: applicant: expected an applicant's place" in result.output


@pytest.mark.slow
def test_a_timeline_with_flags_leaves_the_plain_runs_folder_as_it_was(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args = ("timeline", "-s", "2025-replay", "--quiet")
    assert invoke(*args).exit_code == 0
    plain = tmp_path / "output" / "2025-replay-timeline"
    before = {p.name: p.read_bytes() for p in plain.iterdir()}
    result = invoke(*args, "--applicant", "last")
    assert result.exit_code == 0, result.output
    assert {p.name: p.read_bytes() for p in plain.iterdir()} == before
    (flagged,) = (p for p in (tmp_path / "output").iterdir() if p != plain)
    assert flagged.name.startswith("2025-replay-timeline--")
    assert (flagged / "timeline.csv").is_file()


def test_a_regime_suspended_from_its_first_day_is_not_called_in_force():
    # No. 57 takes effect on 8 November 2025 but its suspension (No. 70) runs from 7 November
    # 2025 to 10 November 2026 (data/regimes.csv): on 8 November it takes effect suspended
    _, run = replay_2025(start=dt.date(2025, 11, 1), end=dt.date(2026, 11, 30))
    changes = [(day.isoformat(), what) for day, what in run.change_dates]
    assert ("2025-11-08", "CN-2025-57 takes effect, suspended") in changes
    assert ("2026-11-11", "CN-2025-57 back") in changes
    assert not any(what in ("CN-2025-57 in force", "CN-2025-57 suspended") for _, what in changes)


def test_a_sector_with_no_baseline_tonnes_is_not_shown_as_stopped():
    # the chain's carmaker k (ev) is cut off; a wind maker w takes nothing in the data (0 t):
    # it has nothing to lose, so its output is 100% of its (empty) baseline every day, as
    # sectors.csv gives it a shortfall of 0% (share_pct: 0 where the whole is 0), not 0%
    graph = make_graph(
        {
            "m": {"stage": "mine", "country": "CN"},
            "p": {"stage": "magnet", "country": "JP", "stock_days": 0},
            "k": {"stage": "manufacturer", "sector": "ev", "country": "JP", "stock_days": 0},
            "w": {"stage": "manufacturer", "sector": "wind", "country": "DE"},
        },
        [("m", "p", "oxide", 365), ("p", "k", "magnet", 365), ("p", "w", "magnet", 0)],
    )
    scenario = Scenario("cut", rules=(Rule("from=m"),), start=START)
    run = simulate_days(graph, scenario, approvals(), transit(1), end=START + dt.timedelta(4))
    sectors = run.sectors.set_index(["sector", "date"])
    assert sectors.loc["wind", "output_pct"].tolist() == [100.0] * 5
    assert sectors.loc["wind", "lost_t"].tolist() == [0.0] * 5
    # and the carmaker's falls to 0 when the cut arrives (one day in transit, then one more)
    assert sectors.loc["ev", "output_pct"].tolist() == [100.0, 100.0, 0.0, 0.0, 0.0]
    # without makers in China, the inside-the-issuer share stays empty (no group at all)
    assert sectors.loc["wind", "in_issuer_output_pct"].isna().all()


def test_an_approval_path_that_starts_after_its_regime_ships_in_full_until_it_starts():
    # No. 18 is in force from 4 April 2025; the path's first row is 8 April (nothing
    # licensed). Before a path's first row, its share is 1: the days 4-7 April ship in full
    # (departures on days 0-3), nothing from day 4; one day at sea, no stock: the plant
    # makes everything on days 0-4 and nothing from day 5. (An approval delay, or a row
    # from the regime's date, says "nothing licensed yet".)
    start = dt.date(2025, 4, 4)
    path = approvals(("p", "2025-04-08", 0.0))
    scenario = Scenario("late", licences=(LicencePolicy("CN-2025-18", approvals="p"),), start=start)
    run = simulate_days(chain(0, 0), scenario, path, transit(1), end=start + dt.timedelta(7))
    assert ratios(run, "p") == [1, 1, 1, 1, 1, 0, 0, 0]


def test_a_run_that_keeps_no_days_reports_the_same():
    # the streamed run keeps a window of the longest transit (here 2 days + today) instead
    # of every day: its reports are the kept run's, figure for figure
    path = approvals(("p", "2025-05-01", 0.0), ("p", "2025-05-11", 1.0))
    scenario = Scenario("ends", licences=(LicencePolicy("CN-2025-18", approvals="p"),), start=START)
    end = START + dt.timedelta(15)
    kept = simulate_days(chain(3, 0), scenario, path, transit(2), end=end, keep_days=True)
    streamed = simulate_days(chain(3, 0), scenario, path, transit(2), end=end, keep_days=False)
    assert streamed.ratio is None and kept.ratio.shape == (16, 3)
    pd.testing.assert_frame_equal(streamed.lines, kept.lines, check_exact=True)
    pd.testing.assert_frame_equal(streamed.sectors, kept.sectors, check_exact=True)
    # the carmaker's days from the hand-computed case above: lost 7-13, back on day 14
    lines = streamed.lines.set_index("node")
    assert (lines.loc["k", "first_loss"], lines.loc["k", "recovery"]) == (
        "2025-05-08",
        "2025-05-15",
    )
    with pytest.raises(ValueError, match="keep_days"):
        node_output_pct(streamed)


def test_the_bundled_replay_streamed_is_the_replay_kept():
    graph, kept = replay_2025(keep_days=True)
    _, streamed = replay_2025(keep_days=False)
    pd.testing.assert_frame_equal(streamed.lines, kept.lines, check_exact=True)
    pd.testing.assert_frame_equal(streamed.sectors, kept.sectors, check_exact=True)
    assert graph.n_edges <= KEEP_DAYS_MAX_EDGES  # so kept by default


def test_a_dated_outage_recovers_along_its_line():
    # the mine is down from day 3 through day 5 and comes back over 4 days: 0.25 on day 6,
    # 0.5, 0.75, 1 on day 9; with a day in transit and no stocks the plant follows a day
    # later and the carmaker a day after that
    rule = Rule(
        "node:id=m",
        start=START + dt.timedelta(3),
        end=START + dt.timedelta(5),
        recovery=((4, 1.0),),
    )
    scenario = Scenario("outage", rules=(rule,), start=START)
    run = simulate_days(
        chain(0, 0), scenario, approvals(), transit(1), end=START + dt.timedelta(12)
    )
    mine = [1, 1, 1, 0, 0, 0, 0.25, 0.5, 0.75, 1, 1, 1, 1]
    assert ratios(run, "m") == mine
    assert ratios(run, "p") == [1, *mine[:-1]]
    assert ratios(run, "k") == [1, 1, *mine[:-2]]
    assert [what for _, what in run.change_dates] == [
        "rule node:id=m from",
        "rule node:id=m recovering",
    ]
    lines = run.lines.set_index("node")
    # the carmaker: 3 days at 0 and 0.75 + 0.5 + 0.25 of a day lost: 4.5 days of 1 t
    assert lines.loc["k", "lost_t"] == pytest.approx(4.5)
    assert (lines.loc["k", "first_loss"], lines.loc["k", "recovery"]) == (
        "2025-05-06",
        "2025-05-12",
    )
