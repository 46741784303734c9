"""The library renders, the CLI writes: each command writes exactly the files its
``render_<run>`` returns, and every run's JSON record is the one ``record.run_record`` builds."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import TINY, invoke

import supplygraph as sg
from supplygraph.analyses.backtest import run_backtest, shift_stocks
from supplygraph.analyses.compare import compare_results
from supplygraph.analyses.criticality import criticality
from supplygraph.analyses.montecarlo import montecarlo, sector_bands
from supplygraph.analyses.quality import quality_report
from supplygraph.analyses.stats import stage_country_shares
from supplygraph.analyses.timeline import simulate_days
from supplygraph.dataset.io import load_backtest_tables, load_dated_tables, load_plants
from supplygraph.outputs.compare import render_comparison
from supplygraph.outputs.dated_report import render_backtest, render_timeline
from supplygraph.outputs.quality_report import render_quality
from supplygraph.outputs.report import render_simulation
from supplygraph.outputs.risk_report import render_criticality, render_montecarlo
from supplygraph.scenario.uncertainty import load_uncertainty, with_overrides

CUT_DY = TINY.parent / "tiny-cut-dy.toml"


def as_bytes(content: Any) -> bytes:
    """A rendered file's bytes: text as UTF-8, a renderer called, pieces joined."""
    if callable(content):
        content = content()
    if isinstance(content, str):
        return content.encode("utf-8")
    return content if isinstance(content, bytes) else b"".join(content)


def simulated() -> dict[str, Any]:
    graph, scenario = sg.load(TINY), sg.load_scenario(CUT_DY)
    result = sg.simulate(graph, scenario)
    # the command's bands: 20 draws, seed 0 (simulate --draws 20)
    bands = sector_bands(graph, scenario, draws=20, seed=0)
    result = replace(result, sectors=result.sectors.merge(bands, on="sector", how="left"))
    options = {"reroute": True, "html": True, "raw": False, "flags": ["--draws", "20"]}
    return render_simulation(result, options=options)


def compared() -> dict[str, Any]:
    graph = sg.load(TINY)
    a = sg.simulate(graph, "full-embargo", reroute=False)
    b = sg.simulate(graph, sg.load_scenario(CUT_DY), reroute=False)
    return render_comparison(compare_results(a, b), a.scenario.name, b.scenario.name)


def dated() -> dict[str, Any]:
    graph, scenario, tables = sg.load(TINY), sg.load_scenario(CUT_DY), load_dated_tables(TINY)
    run = simulate_days(
        graph,
        scenario,
        tables.approvals,
        tables.transit,
        start=dt.date(2025, 5, 1),
        end=dt.date(2025, 6, 30),
        capacity=tables.capacity,
    )
    return render_timeline(run, page_result=sg.simulate(graph, scenario, reroute=False))


def backtest() -> dict[str, Any]:
    graph, scenario = shift_stocks(sg.load(), sg.load_scenario("2025-replay"), 0)
    tables = load_dated_tables()
    observed, events = load_backtest_tables()
    return render_backtest(  # the command's bands: 20 draws, seed 0, plants.csv
        run_backtest(
            graph,
            scenario,
            tables.approvals,
            tables.transit,
            observed,
            events,
            draws=20,
            seed=0,
            plants=load_plants(),
        )
    )


def checked() -> dict[str, Any]:
    graph = sg.load(TINY)
    shares = {
        None: stage_country_shares(graph),
        "ndfeb_sintered": stage_country_shares(graph, material="ndfeb_sintered"),
    }
    # --quality-out also measures each scenario's shock path (shock-path.csv)
    return render_quality(quality_report(graph, shares=shares, shock=True), graph)


def swept() -> dict[str, Any]:
    graph, scenario = sg.load(TINY), sg.load_scenario(CUT_DY)
    page = sg.simulate(graph, scenario, reroute=False)
    return render_criticality(criticality(graph, scenario), graph, page_result=page)


def drawn() -> dict[str, Any]:
    graph, scenario = sg.load(TINY), sg.load_scenario(CUT_DY)
    ranges = with_overrides(load_uncertainty(scenario), scenario)
    return render_montecarlo(montecarlo(graph, scenario, ranges, draws=50, seed=3), graph)


ON_TINY = ["--data", str(TINY), "-s", str(CUT_DY)]
RUNS: list[tuple[str, list[str], Callable[[], dict[str, Any]]]] = [
    ("simulate", ["simulate", *ON_TINY, "-q", "--draws", "20"], simulated),
    ("compare", ["compare", "full-embargo", str(CUT_DY), "--data", str(TINY)], compared),
    ("timeline", ["timeline", *ON_TINY, "-q", "--from", "2025-05-01", "--to", "2025-06-30"], dated),
    ("backtest", ["backtest", "--draws", "20"], backtest),
    ("validate", ["validate", "--data", str(TINY)], checked),
    ("criticality", ["criticality", *ON_TINY, "-q"], swept),
    (
        "montecarlo",
        ["montecarlo", *ON_TINY, "-q", "--draws", "50", "--seed", "3", "--save-draws"],
        drawn,
    ),
]


@pytest.mark.slow
@pytest.mark.parametrize(("args", "render"), [r[1:] for r in RUNS], ids=[r[0] for r in RUNS])
def test_each_command_writes_what_the_library_renders(
    tmp_path: Path, args: list[str], render: Callable[[], dict[str, Any]]
) -> None:
    out = tmp_path / "out"
    where = ["--quality-out", str(out)] if args[0] == "validate" else ["--out", str(out)]
    result = invoke(*args, *where)
    assert result.exit_code == 0, result.output
    files = render()
    written = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert written == sorted(files)
    for name, content in files.items():
        assert (out / name).read_bytes() == as_bytes(content), name


@pytest.mark.slow
def test_every_run_record_names_the_version_the_scenario_and_the_data() -> None:
    graph = sg.load(TINY)
    records = {
        name: json.loads(as_bytes(content))
        for render in (simulated, dated, swept, drawn)
        for name, content in render().items()
        if name.endswith(".json")
    }
    assert sorted(records) == [
        "criticality.json",
        "montecarlo.json",
        "scenario.json",
        "timeline.json",
    ]
    for name, record in records.items():
        assert list(record)[:2] == ["supplygraph_version", "scenario"], name
        assert record["supplygraph_version"] == sg.__version__, name
        assert record["data"]["checksum"] == graph.checksum, name
        scenario = record["scenario"]
        assert (scenario["name"] if name == "scenario.json" else scenario) == "tiny-cut-dy"
    # scenario.json records everything, so that the run can be reproduced
    full = records["scenario.json"]
    assert full["data"] == {
        "folder": str(TINY),
        "checksum": graph.checksum,
        "nodes": graph.n_nodes,
        "edges": graph.n_edges,
    }
    assert full["scenario"]["file"] == str(CUT_DY)
