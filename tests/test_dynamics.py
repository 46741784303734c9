"""The dated run's adaptation: restocking, dated outages, order shifting, demand and output."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from cli_helpers import invoke
from click.testing import CliRunner
from graphs import make_graph

import supplygraph as sg
from supplygraph.analyses.timeline import simulate_days
from supplygraph.cli import cli
from supplygraph.dataset.io import load_dated_tables
from supplygraph.scenario.parse import (
    Dynamics,
    LicencePolicy,
    Rule,
    Scenario,
    SpareCapacity,
    check_dynamics,
    scenario_from_dict,
)

START = dt.date(2025, 5, 1)


def two_mines():
    """A plant p buying Dy oxide from two mines, 1 t a day each (730 t/yr in all): a (JP) has
    no capacity above its baseline, b (AU) can make twice its baseline; p makes magnets for
    an EV maker k; no stocks."""
    return make_graph(
        {
            "a": {"stage": "mine", "country": "JP"},
            "b": {"stage": "mine", "country": "AU", "capacity_t": 730},
            "p": {"stage": "magnet", "country": "JP", "stock_days": 0},
            "k": {"stage": "manufacturer", "sector": "ev", "country": "JP", "stock_days": 0},
        },
        [
            ("a", "p", "oxide", 365, {"elements": "Dy"}),
            ("b", "p", "oxide", 365, {"elements": "Dy"}),
            ("p", "k", "magnet", 730),
        ],
    )


NO_APPROVALS = pd.DataFrame(columns=["path", "destination", "from", "share"])


def transit(days: int) -> pd.DataFrame:
    return pd.DataFrame({"origin": ["*"], "destination": ["*"], "days": [float(days)]})


def ratios(run, node: str) -> list[float]:
    return [round(r, 9) for r in run.ratio[:, list(run.production.graph.nodes["id"]).index(node)]]


def cover(run, node: str) -> list[float]:
    rows = run.records[run.records["node"] == node]
    return [round(c, 9) for c in rows["cover_days"]]


def chain(stock_p: float, capacity_m: float = float("nan")):
    # a mine ships oxide to a magnet plant, which supplies a carmaker: 1 t a day each
    return make_graph(
        {
            "m": {"stage": "mine", "country": "JP", "capacity_t": capacity_m},
            "p": {"stage": "magnet", "country": "JP", "stock_days": stock_p},
            "k": {"stage": "manufacturer", "sector": "ev", "country": "JP", "stock_days": 0},
        },
        [("m", "p", "oxide", 365, {"elements": "Dy"}), ("p", "k", "magnet", 365)],
    )


def outage(node: str, days: int, **rule) -> Rule:
    return Rule(f"node:id={node}", start=START, end=START + dt.timedelta(days - 1), **rule)


def test_a_line_that_ran_dry_refills_its_stock_at_the_rebuild_rate():
    # the mine is out on days 0-2; it may run at twice its baseline (730 t/yr), at once
    # (no ramp-up); the plant holds 2 days of stock and reorders half its gap a day
    dynamics = Dynamics(rebuild_rate=0.5, ramp_up_days=0)
    scenario = Scenario("dry", rules=(outage("m", 3),), start=START, dynamics=dynamics)
    run = simulate_days(
        chain(2, capacity_m=730),
        scenario,
        NO_APPROVALS,
        transit(1),
        end=START + dt.timedelta(7),
        records=True,
    )
    # orders placed at the end of a day reach the mine the next; shipments take a day.
    # plant: day 0 gets the shipment already under way (stock 2); days 1-3 get nothing:
    # stock 1, 0, then dry on day 3 (output 0). Its gap (2 - stock) at the end of days 1,
    # 2, 3 is 1, 2, 2: orders 1 + 0.5 x gap = 1.5, 2, 2. The mine is back on day 3 and makes
    # what is ordered up to 2: 2 (day 3), 2 (day 4), then 1 + 0.5 x 1 = 1.5 (day 5: the gap
    # after day 4's arrival of 2 is 2 - 1 = 1), then 1. Arrivals of 2 on days 4 and 5 refill
    # the stock: 0 + 2 - 1 = 1, then 1 + 2 - 1 = 2 (full); day 6's 1.5 is capped at 2 days
    assert ratios(run, "m") == [0, 0, 0, 2, 2, 1.5, 1, 1]
    assert ratios(run, "p") == [1, 1, 1, 0, 1, 1, 1, 1]
    assert cover(run, "p") == [2, 1, 0, 0, 1, 2, 2, 2]
    lines = run.lines.set_index("node")
    # above baseline: 1 + 1 + 0.5 days of 1 t
    assert lines.loc["m", "above_baseline_t"] == pytest.approx(2.5)
    assert lines.loc["m", "max_output_pct"] == pytest.approx(200.0)
    assert run.records.loc[
        (run.records["node"] == "p") & (run.records["date"] == "2025-05-04"), "limiting_input"
    ].tolist() == ["oxide"]


def test_without_capacity_above_baseline_the_stock_refills_from_spare_deliveries_only():
    # the same outage, no capacity figure: the mine cannot run above its baseline, so the
    # plant stays dry: orders above 1 are not filled
    scenario = Scenario(
        "dry", rules=(outage("m", 3),), start=START, dynamics=Dynamics(rebuild_rate=0.5)
    )
    run = simulate_days(
        chain(2), scenario, NO_APPROVALS, transit(1), end=START + dt.timedelta(7), records=True
    )
    # the mine fills its orders pro rata at its baseline: output 1 from day 3
    assert ratios(run, "m") == [0, 0, 0, 1, 1, 1, 1, 1]
    assert cover(run, "p") == [2, 1, 0, 0, 0, 0, 0, 0]


def test_a_dated_outage_with_a_linear_recovery_gives_the_daily_ratios():
    # the mine is out for 30 days (1-30 May), then recovers linearly over 10 days:
    # day 30 + d after the start is at d/10 (d = 1..10), in full from day 40
    rule = outage("m", 30, recovery=((10, 1.0),))
    scenario = Scenario("outage", rules=(rule,), start=START)
    run = simulate_days(chain(0), scenario, NO_APPROVALS, transit(1), end=START + dt.timedelta(44))
    expected = [0.0] * 30 + [d / 10 for d in range(1, 11)] + [1.0] * 5
    assert ratios(run, "m") == pytest.approx(expected)
    # the plant has no stock: a day later, the same ratios
    assert ratios(run, "p") == pytest.approx([1.0, *expected[:-1]])


def test_a_buyer_shifts_its_orders_to_the_supplier_with_spare_capacity():
    # a plant buys oxide from two mines, 1 t a day each (730 t/yr in all); a has no
    # capacity above its baseline, b can make twice its baseline; a is out from day 0
    graph = two_mines()
    rules = (Rule("node:id=a", start=START),)
    end = START + dt.timedelta(5)
    shift = Dynamics(shift_orders=True, ramp_up_days=0)
    runs = {
        on: simulate_days(
            graph,
            Scenario("shift", rules=rules, start=START, dynamics=shift if on else Dynamics()),
            NO_APPROVALS,
            transit(1),
            end=end,
        )
        for on in (False, True)
    }
    # without shifting the plant gets b's 1 t of its 2 t from day 1: 50%
    assert ratios(runs[False], "p") == [1, 0.5, 0.5, 0.5, 0.5, 0.5]
    # with it: at the end of day 0 the plant sees a cannot ship; its 1 t for a (weight 0.5)
    # moves to b, the only supplier with spare (b's order: 1 + 0.5 / 0.5 = 2); b makes 2 on
    # day 1 (capacity 2, no ramp-up), which arrives on day 2: the plant is back at 100%
    assert ratios(runs[True], "b") == [1, 2, 2, 2, 2, 2]
    assert ratios(runs[True], "p") == [1, 0.5, 1, 1, 1, 1]


def test_what_existing_suppliers_cannot_take_goes_over_a_new_link():
    # a plant buys oxide from mines a and c, 1 t a day each (730 t/yr in all); c may run at
    # 1.5 times its baseline; mine b (AU, capacity twice its baseline) sells oxide only to
    # another plant q: no link to p, but rerouting would allow one (same material, spare,
    # no regime). a is out on days 0-2; transit 1 day everywhere, no ramp-up, no stocks
    graph = make_graph(
        {
            "a": {"stage": "mine", "country": "JP"},
            "c": {"stage": "mine", "country": "JP", "capacity_t": 547.5},
            "b": {"stage": "mine", "country": "AU", "capacity_t": 730},
            "p": {"stage": "magnet", "country": "JP", "stock_days": 0},
            "q": {"stage": "magnet", "country": "AU", "stock_days": 0},
            "k": {"stage": "manufacturer", "sector": "ev", "country": "JP", "stock_days": 0},
        },
        [
            ("a", "p", "oxide", 365, {"elements": "Dy"}),
            ("c", "p", "oxide", 365, {"elements": "Dy"}),
            ("b", "q", "oxide", 365, {"elements": "Dy"}),
            ("p", "k", "magnet", 730),
            ("q", "k", "magnet", 365),
        ],
    )
    end = START + dt.timedelta(5)
    runs = {
        new: simulate_days(
            graph,
            Scenario(
                "new",
                rules=(outage("a", 3),),
                start=START,
                dynamics=Dynamics(shift_orders=True, ramp_up_days=0, new_links=new),
            ),
            NO_APPROVALS,
            transit(1),
            end=end,
        )
        for new in (False, True)
    }
    # end of day 0: p's oxide (weight 0.5 each) loses a's half: lost 0.5. c ships in full
    # and has spare 0.5 of its baseline: scored = 0.5 x 0.5 = 0.25.
    # Existing links only: all 0.5 goes to c, order 1 + (0.5 / 0.25) x 0.5 = 2; c makes at
    # most 1.5 and fills 0.75 of each order: it ships 0.75 x 2 = 1.5 t a day, so p gets
    # 0.5 x 1.5 = 0.75 of its oxide on days 2-3 (a's shipments of days 1-2 are 0)
    assert ratios(runs[False], "p") == [1, 0.5, 0.75, 0.75, 1, 1]
    assert ratios(runs[False], "c") == [1, 1.5, 1.5, 1.5, 1, 1]
    # with new links: c takes what its spare can (0.25: order 1 + (0.25 / 0.25) x 0.5 =
    # 1.5), the other 0.25 of p's 730 t/yr (182.5 t/yr, 0.5 t a day) goes to b's cell, the
    # only one with spare: b makes 1 + 182.5 / 365 = 1.5 on days 1-3 and the 0.5 t arrives
    # a day later: p gets 0.5 x 1.5 + 0.5 / 2 = 1 of its oxide on days 2 and 3
    assert ratios(runs[True], "c") == [1, 1.5, 1.5, 1.5, 1, 1]
    assert ratios(runs[True], "b") == [1, 1.5, 1.5, 1.5, 1, 1]
    assert ratios(runs[True], "p") == [1, 0.5, 1, 1, 1, 1]
    assert ratios(runs[True], "q") == [1] * 6  # b fills q's order in full meanwhile
    # three days of 0.5 t (ordered at the ends of days 0-2, arriving on days 2-4)
    lines = runs[True].lines.set_index("node")
    assert lines.loc["p", "new_links_t"] == pytest.approx(1.5)
    assert lines.loc["k", "new_links_t"] == 0
    assert "new_links_t" not in runs[False].lines


@pytest.mark.parametrize(
    ("country", "expected"), [("AU", [1, 0, 1, 1, 1, 1]), ("CN", [1, 0, 0, 0, 1, 1])]
)
def test_new_links_only_where_the_licence_rule_allows_them(country, expected):
    # a plant's only oxide mine a is out on days 0-2; mine b (capacity twice its 1 t a day)
    # sells oxide to a plant q in its own country. No. 18 (Dy) is cut: from China, a new
    # link b -> p would leave China with Dy, a licence edge with nothing licensed, so no
    # order moves over it; from Australia it may open
    graph = make_graph(
        {
            "a": {"stage": "mine", "country": "JP"},
            "b": {"stage": "mine", "country": country, "capacity_t": 730},
            "p": {"stage": "magnet", "country": "JP", "stock_days": 0},
            "q": {"stage": "magnet", "country": country, "stock_days": 0},
            "k": {"stage": "manufacturer", "sector": "ev", "country": "JP", "stock_days": 0},
        },
        [
            ("a", "p", "oxide", 365, {"elements": "Dy"}),
            ("b", "q", "oxide", 365, {"elements": "Dy"}),
            ("p", "k", "magnet", 365),
            ("q", "k", "magnet", 365),
        ],
    )
    scenario = Scenario(
        "licensed",
        licences=(LicencePolicy("CN-2025-18", "cut"),),
        rules=(outage("a", 3),),
        start=START,
        dynamics=Dynamics(shift_orders=True, ramp_up_days=0, new_links=True),
    )
    run = simulate_days(graph, scenario, NO_APPROVALS, transit(1), end=START + dt.timedelta(5))
    # open: p's whole 1 t a day goes to b (order 2 on days 1-3), arriving a day later;
    # closed: p waits for a, back on day 3, whose shipment arrives on day 4
    assert ratios(run, "p") == expected
    assert ratios(run, "b") == ([1, 2, 2, 2, 1, 1] if country == "AU" else [1] * 6)


def test_the_best_case_from_shifted_orders_with_the_lp_as_its_check():
    graph = two_mines()
    scenario = Scenario(
        "best",
        rules=(Rule("node:id=a", start=START),),
        start=START,
        dynamics=Dynamics(ramp_up_days=0),
    )
    capacity = pd.DataFrame(columns=["node", "from", "capacity_t"])
    run = simulate_days(
        graph,
        scenario,
        NO_APPROVALS,
        transit(1),
        end=START + dt.timedelta(5),
        capacity=capacity,
        best_case="orders",
    )
    ev = run.sectors[run.sectors["sector"] == "ev"]
    # the run itself does not shift: the plant makes 50% from day 1, the carmaker a day later
    assert ev["output_pct"].tolist() == [100, 100, 50, 50, 50, 50]
    # the best case shifts a's order to b (test above): the plant is back on day 2, the
    # carmaker on day 3, after one day at 50%
    assert ev["best_output_pct"].tolist() == [100, 100, 50, 100, 100, 100]
    # the LP's steady state reroutes all of it (b's spare is a's baseline): 100% every month
    assert ev["best_lp_output_pct"].tolist() == [100] * 6
    with pytest.raises(sg.ScenarioError, match="best case: expected lp or orders"):
        simulate_days(graph, scenario, NO_APPROVALS, transit(1), best_case="both")


def test_a_scenarios_assumed_spare_capacity_lets_orders_move():
    # as above, b without a capacity figure; the scenario assumes it can make 100% more
    graph = make_graph(
        {
            "a": {"stage": "mine", "country": "JP"},
            "b": {"stage": "mine", "country": "AU"},
            "p": {"stage": "magnet", "country": "JP", "stock_days": 0},
            "k": {"stage": "manufacturer", "sector": "ev", "country": "JP", "stock_days": 0},
        },
        [
            ("a", "p", "oxide", 365, {"elements": "Dy"}),
            ("b", "p", "oxide", 365, {"elements": "Dy"}),
            ("p", "k", "magnet", 730),
        ],
    )
    rules = (Rule("node:id=a", start=START),)
    shift = Dynamics(shift_orders=True, ramp_up_days=0)
    end = START + dt.timedelta(3)
    runs = [
        simulate_days(
            graph,
            Scenario("spare", rules=rules, start=START, dynamics=shift, capacity=capacity),
            NO_APPROVALS,
            transit(1),
            end=end,
        )
        for capacity in ((), (SpareCapacity("node:id=b", 1.0),))
    ]
    # no spare known: nothing moves, the plant stays at 50%; with it, as in the test above
    assert ratios(runs[0], "p") == [1, 0.5, 0.5, 0.5]
    assert ratios(runs[1], "p") == [1, 0.5, 1, 1]


def test_a_ramp_up_time_limits_how_fast_a_supplier_reaches_its_capacity():
    # as above with a ramp-up of 4 days: b's ceiling rises by a quarter of its spare a day
    graph = two_mines()
    scenario = Scenario(
        "ramp",
        rules=(Rule("node:id=a", start=START),),
        start=START,
        dynamics=Dynamics(shift_orders=True, ramp_up_days=4),
    )
    run = simulate_days(graph, scenario, NO_APPROVALS, transit(1), end=START + dt.timedelta(6))
    # b's orders are 2 from day 1: its ceiling 1 + 1 x (1/4, 2/4, 3/4, 1) on days 1-4
    assert ratios(run, "b") == [1, 1.25, 1.5, 1.75, 2, 2, 2]
    # the plant gets (0 + b's output the day before) / 2
    assert ratios(run, "p") == [1, 0.5, 0.625, 0.75, 0.875, 1, 1]


def test_with_demand_following_output_an_upstream_supplier_loses_orders():
    # a component plant needs magnets (from a magnet plant, fed by a mine) and copper
    # (from a smelter), 1 t a day each, no stocks; the magnets are cut to 40% from day 0
    graph = make_graph(
        {
            "m": {"stage": "magnet", "country": "CN"},
            "cu": {"stage": "metal", "country": "CL"},
            "ore": {"stage": "mine", "country": "CL"},
            "c": {"stage": "component", "country": "JP", "stock_days": 0},
            "k": {"stage": "manufacturer", "sector": "ev", "country": "JP", "stock_days": 0},
        },
        [
            ("m", "c", "magnet", 365, {"elements": "Nd"}),
            ("ore", "cu", "copper_ore", 365, {"elements": "La"}),
            ("cu", "c", "copper", 365, {"elements": "La"}),
            ("c", "k", "motor", 365),
        ],
    )
    rules = (Rule("from=m", action="throttle", share=0.4, start=START),)
    end = START + dt.timedelta(5)
    runs = {
        on: simulate_days(
            graph,
            Scenario(
                "demand", rules=rules, start=START, dynamics=Dynamics(demand_follows_output=on)
            ),
            NO_APPROVALS,
            transit(1),
            end=end,
        )
        for on in (False, True)
    }
    # the component plant makes 40% from day 1 either way
    assert ratios(runs[True], "c") == [1, 0.4, 0.4, 0.4, 0.4, 0.4]
    # without the option the smelter keeps making 100%
    assert ratios(runs[False], "cu") == [1] * 6
    # with it: at the end of day 1 the plant, short of magnets, orders copper for its 40%;
    # the smelter makes 40% from day 2, and its mine (the order a day later) from day 3
    assert ratios(runs[True], "cu") == [1, 1, 0.4, 0.4, 0.4, 0.4]
    assert ratios(runs[True], "ore") == [1, 1, 1, 0.4, 0.4, 0.4]
    lines = runs[True].lines.set_index("node")
    # lost orders: the smelter 4 days x 0.6 t, the mine 3 days x 0.6 t
    assert lines.loc["cu", "lost_orders_t"] == pytest.approx(2.4)
    assert lines.loc["ore", "lost_orders_t"] == pytest.approx(1.8)
    # the magnet plant's loss is a shortage at its customer, not lost orders of its own
    assert lines.loc["c", "lost_orders_t"] == pytest.approx(0.0)


def test_no_dynamics_gives_the_run_without_adaptation_exactly():
    # all dynamics at zero: the same bytes as the run that has none, on the bundled replay
    graph = sg.load()
    tables = load_dated_tables()
    scenario = sg.load_scenario("2025-replay")
    assert not scenario.dynamics.active
    plain = simulate_days(graph, scenario, tables.approvals, tables.transit, records=True)
    assert plain.records is not None and set(plain.records["limiting_input"]) > {""}
    same = simulate_days(
        graph,
        scenario.with_changes(dynamics=Dynamics(rebuild_rate=0.0, ramp_up_days=5)),
        tables.approvals,
        tables.transit,
    )
    assert np.array_equal(plain.ratio, same.ratio)
    pd.testing.assert_frame_equal(plain.sectors, same.sectors, check_exact=True)
    pd.testing.assert_frame_equal(plain.lines, same.lines, check_exact=True)


def test_the_order_machinery_at_zero_gives_the_run_without_adaptation_to_the_bit(monkeypatch):
    # every order at 1, no ramp-up needed: demand 1, ceilings 1, fill = output; the run
    # through Orders must be the plain run's bytes (forced on: at zero it is normally off)
    graph = sg.load()
    tables = load_dated_tables()
    scenario = sg.load_scenario("2025-replay")
    plain = simulate_days(graph, scenario, tables.approvals, tables.transit)
    monkeypatch.setattr(Dynamics, "active", property(lambda self: True))
    forced = simulate_days(graph, scenario, tables.approvals, tables.transit)
    assert "lost_orders_t" in forced.lines  # it did go through the orders
    assert np.array_equal(plain.ratio, forced.ratio)
    pd.testing.assert_frame_equal(plain.sectors, forced.sectors, check_exact=True)
    shared = list(plain.lines.columns)
    pd.testing.assert_frame_equal(plain.lines, forced.lines[shared], check_exact=True)
    assert (forced.lines["lost_orders_t"] == 0).all()
    assert (forced.lines["above_baseline_t"] == 0).all()


def test_dynamics_from_toml_and_bad_values():
    doc = {"dynamics": {"rebuild_rate": 0.05, "demand_follows_output": True}}
    scenario = scenario_from_dict(doc, name="x", path="x.toml")
    assert scenario.dynamics == Dynamics(rebuild_rate=0.05, demand_follows_output=True)
    with pytest.raises(sg.ScenarioError, match=r"x.toml: dynamics.rebuild_rate: expected"):
        scenario_from_dict({"dynamics": {"rebuild_rate": 2}}, name="x", path="x.toml")
    with pytest.raises(sg.ScenarioError, match=r"unknown key\(s\) rate"):
        check_dynamics({"rate": 1}, "x.toml: dynamics")
    both = check_dynamics({"shift_orders": True, "new_links": True}, "x.toml: dynamics")
    assert both == Dynamics(shift_orders=True, new_links=True)
    with pytest.raises(sg.ScenarioError, match=r"dynamics.new_links: .* set shift_orders"):
        check_dynamics({"new_links": True}, "x.toml: dynamics")


def test_timeline_options_write_the_records_and_the_dynamics_columns(tmp_path):
    out = tmp_path / "run"
    args = ["timeline", "-s", "2025-replay", "--to", "2025-08-31", "--out", str(out), "-q"]
    result = invoke(*args, "--rebuild-rate", "0.0167", "--shift-orders", "--records")
    assert result.exit_code == 0, result.output
    names = {path.name for path in out.iterdir()}
    records_name = next(n for n in names if n.startswith("timeline-records."))
    records = pd.read_parquet if records_name.endswith(".parquet") else pd.read_csv
    table = records(out / records_name)
    assert list(table.columns) == [
        "date",
        "node",
        "line",
        "output_pct",
        "cover_days",
        "limiting_input",
    ]
    # 2025-03-01 to 2025-08-31 is 184 days, one row per day and product line
    lines = pd.read_csv(out / "timeline-lines.csv")
    assert len(table) == 184 * len(lines)
    assert {"lost_orders_t", "max_output_pct", "above_baseline_t"} <= set(lines.columns)
    assert (lines["above_baseline_t"] > 0).any()  # somebody restocked above baseline
    assert {"timeline-stock.png", "timeline-stock.svg"} <= names
    record = json.loads((out / "timeline.json").read_text())
    assert record["dynamics"]["rebuild_rate"] == 0.0167


def test_a_bad_rebuild_rate_is_one_line_and_exit_2(tmp_path):
    out = tmp_path / "bad"
    result = CliRunner().invoke(
        cli, ["timeline", "-s", "2025-replay", "--rebuild-rate", "3", "--out", str(out), "-q"]
    )
    assert result.exit_code == 2
    assert "rebuild_rate: expected a share of the stock gap" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_only_a_run_with_dynamics_imports_numba():
    # the order kernels are compiled with numba, which costs a fifth of a second to import:
    # a dated run without dynamics (and a static one) must not pay for it
    code = (
        "import sys\n"
        "import supplygraph as sg\n"
        "from supplygraph.analyses.timeline import simulate_days\n"
        "from supplygraph.dataset.io import load_dated_tables\n"
        "from supplygraph.scenario.parse import Dynamics\n"
        "tables, graph = load_dated_tables(), sg.load()\n"
        "replay = sg.load_scenario('2025-replay')\n"
        "end = replay.start.replace(month=replay.start.month + 2)\n"
        "simulate_days(graph, replay, tables.approvals, tables.transit, end=end)\n"
        "sg.simulate(graph, replay)\n"
        "print('numba' in sys.modules)\n"
        "restocking = replay.with_changes(dynamics=Dynamics(rebuild_rate=0.05))\n"
        "simulate_days(graph, restocking, tables.approvals, tables.transit, end=end)\n"
        "print('numba' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.split() == ["False", "True"]
