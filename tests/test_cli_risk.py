"""The criticality and montecarlo commands: files written, same bytes, bad input refused."""

from __future__ import annotations

import re

import pytest
from cli_helpers import TINY, invoke

SCENARIO = str(TINY.parent / "tiny-cut-dy.toml")


def test_criticality_writes_the_reports_and_prints_the_ranking(tmp_path):
    out = tmp_path / "crit"
    result = invoke("criticality", "--data", str(TINY), "--out", str(out), "--top", "3")
    assert result.exit_code == 0, result.output
    names = {p.name for p in out.iterdir() if not p.name.startswith(".")}
    assert names == {
        "criticality.csv",
        "criticality-sectors.csv",
        "hhi.csv",
        "crma.csv",
        "criticality.json",
        "criticality.html",
    }
    header = (out / "criticality.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("rank,kind,id,name,country,stage,nodes_down,rank_by,rank_pct")
    # tiny: 8 nodes + 8 edges + 8 (country, stage) pairs, the top 3 on the terminal
    assert "24 knock-outs, the 3 that cost most" in result.output
    assert "CRMA benchmark" in result.output
    page = (out / "criticality.html").read_text(encoding="utf-8")
    assert "Mean sector shortfall with the node down" in page


def test_criticality_with_a_scenario_and_an_unknown_sector(tmp_path):
    out = tmp_path / "crit"
    args = ["criticality", "--data", str(TINY), "-s", SCENARIO, "--out", str(out), "-q"]
    assert invoke(*args, "--no-html").exit_code == 0
    assert not (out / "criticality.html").exists()
    bad = invoke(*args[:5], "--out", str(tmp_path / "other"), "--sector", "evs")
    assert bad.exit_code == 2
    assert "unknown sector 'evs'" in bad.output
    assert not (tmp_path / "other").exists()


def test_montecarlo_same_seed_same_bytes(tmp_path):
    args = ["montecarlo", "--data", str(TINY), "-s", SCENARIO, "--draws", "200", "--seed", "4"]
    args += ["--stock-days-range", "0:30", "-q"]
    for name in ("a", "b"):
        assert invoke(*args, "--out", str(tmp_path / name)).exit_code == 0
    files = sorted(p.name for p in (tmp_path / "a").iterdir() if not p.name.startswith("."))
    assert files == [
        "montecarlo-drivers.csv",
        "montecarlo.csv",
        "montecarlo.json",
        "montecarlo.png",
        "montecarlo.svg",
    ]
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_montecarlo_prints_the_spread_and_saves_draws(tmp_path):
    out = tmp_path / "mc"
    result = invoke(
        "montecarlo", "--data", str(TINY), "-s", SCENARIO, "--draws", "50", "--out", str(out),
        "--save-draws", "--stock-days-range", "0:30",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "50 draws, seed 0" in result.output
    assert "P5 %" in result.output
    # 50 draws x 2 sectors (ev, wind) + the header
    assert len((out / "montecarlo-draws.csv").read_text(encoding="utf-8").splitlines()) == 101


def test_montecarlo_bad_ranges_exit_2_and_write_nothing(tmp_path):
    out = tmp_path / "mc"
    result = invoke(
        "montecarlo", "--data", str(TINY), "-s", SCENARIO, "--out", str(out),
        "--approval-range", "CN-2025-18=0.1:0.5", "--stock-days-range", "9", "--status-range",
        "assumption=1.5",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--stock-days-range 9: expected LOW:HIGH" in result.output
    assert "uncertainty.approvals.CN-2025-18: the scenario names no such regime" in result.output
    assert "uncertainty.status.assumption: expected a relative half-width" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_runs_with_flags_get_a_folder_of_their_own(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    plain = invoke("criticality", "--data", str(TINY), "-q", "--no-html")
    flagged = invoke("criticality", "--data", str(TINY), "--stock-days", "30", "--no-html")
    assert plain.exit_code == flagged.exit_code == 0
    folders = sorted(p.name for p in (tmp_path / "output").iterdir())
    # not the bundled data: criticality--data-TAG, and the run with flags beside it
    assert re.fullmatch(r"criticality--data-[0-9a-f]{8}", folders[0]), folders
    assert folders[1].startswith(f"{folders[0]}--") and len(folders) == 2
    assert "a folder of its own for the flags --stock-days 30.0" in flagged.output


# Issue 22, items 10 and 12: range options read as loosely as float() (1_0, Arabic-Indic
# digits, inf), the stock cover's range unbounded (0:inf overflowed numpy's uniform), and
# [uncertainty] sub-tables of the wrong type (AttributeError)
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--stock-days-range", "0:inf"], "--stock-days-range 0:inf: expected LOW:HIGH in plain"),
        (["--stock-days-range", "1_0:2_0"], "--stock-days-range 1_0:2_0: expected LOW:HIGH"),
        (["--stock-days-range", "١:٢"], "--stock-days-range ١:٢: expected LOW:HIGH"),
        (["--stock-days-range", "0:3651"], "uncertainty.stock_days: expected 0 <= low <= high"),
        (["--stock-days-range", "0:1e308"], "uncertainty.stock_days: expected 0 <= low <= high"),
        (["--approval-range", "CN-2025-18=0.1:nan"], "--approval-range CN-2025-18=0.1:nan"),
        (["--status-range", "estimate=0_1"], "--status-range estimate=0_1: expected STATUS="),
        (["--scheduler", "not-an-address"], "Invalid value for '--scheduler': expected a Dask"),
        (["--scheduler", "tcp://host:99999"], "Invalid value for '--scheduler': expected a Dask"),
    ],
)
def test_montecarlo_bad_option_values_exit_2(tmp_path, args, message):
    out = tmp_path / "mc"
    result = invoke("montecarlo", "--data", str(TINY), "-s", SCENARIO, "--out", str(out), *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not out.exists()


def test_the_stock_days_range_reaches_ten_years(tmp_path):
    args = ["--stock-days-range", "0:3650", "--draws", "20", "-q"]
    result = invoke(
        "montecarlo", "--data", str(TINY), "-s", SCENARIO, *args, "--out", str(tmp_path)
    )
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("stock_days = [0, inf]", "uncertainty.stock_days: expected [low, high]"),
        ("stock_days = [0, 1e308]", "uncertainty.stock_days: expected 0 <= low <= high <= 3650"),
        ("status = 5", "uncertainty.status: expected a table"),
        ("approvals = 5", "uncertainty.approvals: expected a table"),
        ("approvals = []", "uncertainty.approvals: expected a table"),
    ],
)
def test_a_bad_uncertainty_table_exits_2_and_names_file_and_key(tmp_path, table, message):
    path = tmp_path / "ranged.toml"
    path.write_text(
        '[[licences]]\nregime = "CN-2025-18"\naction = "throttle"\nshare = 0.25\n'
        f"[uncertainty]\n{table}\n",
        encoding="utf-8",
    )
    out = tmp_path / "mc"
    result = invoke("montecarlo", "--data", str(TINY), "-s", str(path), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert f"error: {path}: {message}" in result.output
    assert not out.exists()


@pytest.mark.parametrize("days", ["1_0", "inf", "١٠", "3651"])
def test_criticality_stock_days_are_plain_days_within_ten_years(tmp_path, days):
    out = tmp_path / "crit"
    result = invoke("criticality", "--data", str(TINY), "--stock-days", days, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "--stock-days" in result.output and "Traceback" not in result.output
    assert not out.exists()
