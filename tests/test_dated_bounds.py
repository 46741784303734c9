"""Issue 22, items 8, 12 and 13: the dated run's days, options and messages.

Dates at the ends of the calendar, horizons in reverse or of millions of days, options
read more loosely than the data files: each must exit 2 with a message that names the
option or the scenario file and key, or run; never a traceback.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import invoke
from graphs import make_graph

import supplygraph as sg
from supplygraph.analyses.timeline import simulate_days
from supplygraph.dataset.io import bundled_data_dir
from supplygraph.scenario.parse import LicencePolicy, Scenario

TRANSIT = pd.DataFrame({"origin": ["*"], "destination": ["*"], "days": [2.0]})
APPROVALS = pd.DataFrame(columns=["path", "destination", "from", "share"])


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), folder, ignore=shutil.ignore_patterns("*.py", "derive"))
    return folder


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def timeline(tmp_path: Path, *args: str):
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    (out / "mine.txt").write_text("the user's own file")
    result = invoke("timeline", "-q", "--out", str(out), *args)
    if result.exit_code != 0:
        assert [p.name for p in out.iterdir()] == ["mine.txt"], result.output
    return result


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # IndexError
        (
            ["--from", "2025-06-01", "--to", "2025-05-01"],
            "--to: 2025-05-01 is before --from, 2025-06-01",
        ),
        # IndexError: a year after 9999-12-01 is past the calendar
        (["--from", "9999-12-01"], "--from: 9999-12-01 is outside the days a dated run may"),
        # the chart's axis could not reach before year 1
        (["--from", "0001-01-01", "--to", "0001-01-10"], "--from: 0001-01-01 is outside"),
        # MemoryError: a 5.66 GiB array
        (
            ["--from", "1900-01-01", "--to", "2199-12-31"],
            "is 109,573 days; a dated run covers at most 3,650",
        ),
        # the scenario's end comes before --from
        (
            ["--from", "2027-01-01"],
            "2025-replay.toml: end: 2026-02-28 is before --from, 2027-01-01",
        ),
        # accepted, where simulate --as-of refuses it
        (["--from", "2025-4-4"], "'2025-4-4' is not a date in the form YYYY-MM-DD"),
        (["--to", "20250404"], "'20250404' is not a date in the form YYYY-MM-DD"),
        # the scenario's start comes after --to
        (["--to", "2025-02-28"], "--to: 2025-02-28 is before"),
    ],
)
def test_bad_days_for_the_timeline_exit_2_and_say_which(tmp_path, args, message):
    result = timeline(tmp_path, "-s", "2025-replay", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_ten_years_is_the_longest_run(tmp_path):
    result = timeline(tmp_path, "-s", "2025-replay", "--to", "2035-02-27")
    assert result.exit_code == 2
    assert "the run from 2025-03-01 to 2035-02-27 is 3,651 days" in result.output
    graph = make_graph(
        {
            "m": {"stage": "mine", "country": "CN"},
            "k": {"stage": "manufacturer", "sector": "ev", "country": "JP"},
        },
        [("m", "k", "oxide", 365, {"elements": "Dy"})],
    )
    scenario = Scenario("ten years", start=dt.date(2025, 3, 1))
    run = simulate_days(graph, scenario, APPROVALS, TRANSIT, end=dt.date(2035, 2, 26))
    assert len(run.dates) == 3650


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        # OverflowError: a year after the start is past the calendar
        ("start = 2025-03-01\nend = 2026-02-28", "start = 9999-06-01", "start: 9999-06-01 is"),
        ("start = 2025-03-01\nend = 2026-02-28", "as_of = 9999-12-31", "as_of (the first day"),
        (
            "end = 2026-02-28",
            "end = 2046-02-28",
            "end: the run from 2025-03-01 to 2046-02-28 is 7,670 days",
        ),
        # item 13: the missing path named neither the file nor the key
        (
            'approvals = "2025-observed"',
            'approvals = "2025-observd"',
            "licences[1].approvals: no path '2025-observd' in approvals.csv",
        ),
    ],
)
def test_a_scenario_files_bad_days_are_named_by_file_and_key(data, tmp_path, old, new, message):
    scenario = data / "scenarios" / "2025-replay.toml"
    replace(scenario, old, new)
    out = ["--out", str(tmp_path / "out")]
    for command in (["timeline", "-s", "2025-replay"], ["backtest"]):
        result = invoke(*command, "--data", str(data), *out)
        assert result.exit_code == 2, result.output
        assert f"error: {scenario}: {message}" in result.output, result.output
        assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_regime_that_ends_at_the_end_of_the_calendar_runs(data, tmp_path):
    # OverflowError in timeline and backtest: the day after 9999-12-31, when the regime's
    # end takes effect; a regime that never ends in any run's time
    replace(data / "regimes.csv", ",2025-04-04,,,2025-06-30,", ",2025-04-04,,,9999-12-31,")
    replace(data / "regimes.csv", ",2025-11-08,2025-11-07,2026-11-10,", ",2025-11-08,,,")
    replace(
        data / "scenarios" / "2025-replay.toml",
        'approvals = "2025-observed"',
        'approvals = "2025-observed"\napproval_delay_days = 30',
    )
    out = ["--out", str(tmp_path / "out")]
    result = invoke("timeline", "--data", str(data), "-s", "2025-replay", "-q", *out)
    assert result.exit_code == 0, result.output
    result = invoke("backtest", "--data", str(data), *out)
    assert result.exit_code == 0, result.output


def test_a_regime_that_takes_effect_at_the_end_of_the_calendar_changes_nothing():
    graph = make_graph(
        {
            "m": {"stage": "mine", "country": "CN"},
            "k": {"stage": "manufacturer", "sector": "ev", "country": "JP"},
        },
        [("m", "k", "oxide", 365, {"elements": "Dy"})],
    )
    # every regime takes effect on 9999-12-01, is suspended from 9999-12-10 to the last day
    # of the calendar (back the day after) and is followed by 30 days without approvals
    regimes = graph.regimes.assign(
        effective="9999-12-01", suspended_from="9999-12-10", suspended_until="9999-12-31", ends=""
    )
    graph = dataclasses.replace(graph, regimes=regimes)
    policy = LicencePolicy("in-force", approval_delay_days=30)
    scenario = Scenario("late", licences=(policy,), start=dt.date(2025, 5, 1))
    run = simulate_days(graph, scenario, APPROVALS, TRANSIT, end=dt.date(2025, 5, 31))
    assert run.ratio.min() == 1.0


def test_approval_rows_count_by_date_whatever_their_order():
    # a path's latest row on or before a day was its last in the file: rows out of date
    # order gave the share of the wrong month
    graph = make_graph(
        {
            "c": {"stage": "magnet", "country": "CN"},
            "k": {"stage": "manufacturer", "sector": "ev", "country": "US"},
        },
        [("c", "k", "ndfeb_sintered", 365, {"elements": "Dy"})],
    )
    rows = [("p", "", "2025-05-01", 0.5), ("p", "", "2025-05-11", 1.0)]
    columns = ["path", "destination", "from", "share"]
    transit = pd.DataFrame({"origin": ["*"], "destination": ["*"], "days": [1.0]})
    scenario = Scenario(
        "path", licences=(LicencePolicy("CN-2025-18", approvals="p"),), start=dt.date(2025, 5, 1)
    )
    runs = [
        simulate_days(
            graph, scenario, pd.DataFrame(order, columns=columns), transit, end=dt.date(2025, 5, 20)
        )
        for order in (rows, rows[::-1])
    ]
    assert runs[0].ratio.tolist() == runs[1].ratio.tolist()
    # from 2025-05-01 half arrives (a day later), from 2025-05-11 all
    k = list(runs[0].production.graph.nodes["id"]).index("k")
    assert runs[1].ratio[1:11, k].tolist() == [0.5] * 10 and runs[1].ratio[12, k] == 1.0


@pytest.mark.parametrize("shift", ["99999999999999999999", "3651", "-3651", "1_0", "١٠", "1.5"])
def test_a_stock_shift_is_whole_days_within_ten_years(tmp_path, shift):
    result = invoke("backtest", "--stock-shift", shift, "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert "expected whole days from -3650 to 3650" in result.output
    assert not (tmp_path / "out").exists()


def test_a_stock_shift_at_its_bound_runs(tmp_path):
    result = invoke("backtest", "--stock-shift", "-3650", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output


def test_the_library_refuses_a_run_past_the_calendar():
    graph = sg.load()
    scenario = sg.load_scenario("2025-replay")
    with pytest.raises(sg.ScenarioError, match="the last day: 2200-01-01 is outside"):
        simulate_days(graph, scenario, pd.DataFrame(), pd.DataFrame(), end=dt.date(2200, 1, 1))
