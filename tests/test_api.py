"""The Python API a notebook user meets: names, scenario by name, notebook display, writing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import invoke

import supplygraph as sg
from supplygraph.scenario.parse import Rule, Scenario

TINY = Path(__file__).parent / "data" / "tiny"


def test_dir_shows_the_api_and_nothing_else():
    names = dir(sg)
    assert {"load", "simulate", "load_scenario", "write_reports", "simulate_days"} <= set(names)
    assert not {"Any", "annotations", "import_module"} & set(names)


def test_simulate_takes_a_scenario_name_or_file():
    graph = sg.load(TINY)
    by_name = sg.simulate(graph, "full-embargo", reroute=False)
    by_object = sg.simulate(graph, sg.load_scenario("full-embargo"), reroute=False)
    assert by_name.sectors.equals(by_object.sectors)
    by_file = sg.simulate(graph, TINY.parent / "tiny-cut-dy.toml", reroute=False)
    assert by_file.scenario.name == "tiny-cut-dy"


def test_simulate_rejects_anything_else_clearly():
    with pytest.raises(TypeError, match="expected a Scenario, a scenario name or a TOML file"):
        sg.simulate(sg.load(TINY), 5)


def test_a_result_shows_its_sector_table_in_a_notebook():
    scenario = Scenario("<b>bold</b>", rules=(Rule("country=CN"),))
    html = sg.simulate(sg.load(TINY), scenario, reroute=False)._repr_html_()
    assert "<table" in html and "wind" in html and "ev" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_reports_can_be_written_from_python(tmp_path):
    result = sg.simulate(sg.load(TINY), "full-embargo", reroute=False)
    paths = sg.write_reports(result, tmp_path / "out")
    assert {p.name for p in paths} >= {"sectors.csv", "nodes.csv", "graph.html", "scenario.json"}
    assert all(p.is_file() for p in paths)


def test_write_reports_writes_what_the_simulate_command_writes(tmp_path):
    cut_dy = TINY.parent / "tiny-cut-dy.toml"
    cli = tmp_path / "cli"
    # the bands (simulate's --draws) are the command's: the API's result has none
    args = ("simulate", "--data", str(TINY), "-s", str(cut_dy), "-q")
    run = invoke(*args, "--draws", "0", "--out", str(cli))
    assert run.exit_code == 0, run.output
    banded = invoke(*args, "--out", str(tmp_path / "banded"))
    assert banded.exit_code == 0, banded.output
    # with its bands sectors.csv is the same table with the band columns after the others
    plain = pd.read_csv(cli / "sectors.csv")
    with_bands = pd.read_csv(tmp_path / "banded" / "sectors.csv")
    assert list(with_bands.columns[: len(plain.columns)]) == list(plain.columns)
    assert "shortfall_pct_p10" in with_bands.columns
    pd.testing.assert_frame_equal(with_bands[plain.columns], plain)
    result = sg.simulate(sg.load(TINY), sg.load_scenario(cut_dy))
    paths = sg.write_reports(result, tmp_path / "api")
    names = sorted(p.name for p in cli.iterdir() if not p.name.startswith("."))
    assert sorted(p.name for p in paths) == names
    assert {"graph.html", "sectors.png", "sectors.svg", "reroute.csv"} <= set(names)
    for path in paths:
        if path.name != "scenario.json":
            assert path.read_bytes() == (cli / path.name).read_bytes(), path.name
    # the same record, but for the command's options
    api, command = (json.loads((p / "scenario.json").read_text()) for p in (tmp_path / "api", cli))
    assert api.pop("options") == {} and command.pop("options")["reroute"] is True
    assert api == command
    without_page = sg.write_reports(result, tmp_path / "no-page", html=False)
    assert {p.name for p in without_page} == set(names) - {"graph.html"}
