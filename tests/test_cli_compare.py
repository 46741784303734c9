"""supplygraph compare: two scenarios side by side."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from cli_helpers import TINY, invoke


def test_compare_reports_difference(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    (data / "scenarios").mkdir()
    (data / "scenarios" / "a.toml").write_text('[[rules]]\nselect = "dest=US"\n')
    (data / "scenarios" / "b.toml").write_text('[[rules]]\nselect = "country=CN"\n')
    out = tmp_path / "cmp"
    result = invoke("compare", "a", "b", "--data", str(data), "--out", str(out))
    assert result.exit_code == 0, result.output
    sectors = pd.read_csv(out / "sectors.csv").set_index("sector")
    # a cuts only CN -> US (wind 100%); b cuts every CN export (ev: NdPr 150 of 200 t lost
    # and all Dy: magnet output 0 -> ev 100%, wind 100%)
    assert sectors.loc["ev", "shortfall_pct_a"] == 0.0
    assert sectors.loc["ev", "shortfall_pct_b"] == 100.0
    assert sectors.loc["ev", "shortfall_pct_diff"] == 100.0
    assert sectors.loc["wind", "shortfall_pct_diff"] == 0.0
    # the terminal table names both scenarios and the sectors readably
    lines = result.output.splitlines()
    assert lines[0].startswith("A: a (") and lines[1].startswith("B: b (")
    header = next(line for line in lines if line.startswith("  sector"))
    assert header.split()[:7] == ["sector", "A", "%", "short", "B", "%", "short"]
    assert any(line.startswith("  Electric vehicles") for line in lines)


def two_scenarios(tmp_path):
    """The tiny data with scenario a (cut CN -> US) and b (cut every CN export)."""
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    (data / "scenarios").mkdir()
    (data / "scenarios" / "a.toml").write_text('[[rules]]\nselect = "dest=US"\n')
    (data / "scenarios" / "b.toml").write_text('[[rules]]\nselect = "country=CN"\n')
    return data


def test_compare_reroute_adds_the_after_rerouting_figures(tmp_path):
    data = two_scenarios(tmp_path)
    for name, flags in (("plain", []), ("rerouted", ["--reroute"])):
        out = str(tmp_path / name)
        result = invoke("compare", "a", "b", "--data", str(data), "--out", out, *flags)
        assert result.exit_code == 0, result.output
    plain = pd.read_csv(tmp_path / "plain" / "sectors.csv").set_index("sector")
    rerouted = pd.read_csv(tmp_path / "rerouted" / "sectors.csv").set_index("sector")
    assert "shortfall_reroute_pct_a" not in plain
    assert list(rerouted.columns) == [
        "baseline_t",
        *("shortfall_t_a", "shortfall_pct_a", "days_to_impact_a"),
        *("shortfall_reroute_t_a", "shortfall_reroute_pct_a"),
        *("shortfall_t_b", "shortfall_pct_b", "days_to_impact_b"),
        *("shortfall_reroute_t_b", "shortfall_reroute_pct_b"),
        *("shortfall_t_diff", "shortfall_pct_diff"),
        *("shortfall_reroute_t_diff", "shortfall_reroute_pct_diff"),
    ]
    # Both cut CN -> US wind (100 t). Rerouting: au-mine's 200 t spare concentrate goes to
    # my-sep (300 t -> 50 t oxide: 1/6), 200 / 6 = 33.333 t more oxide to us-wind: short
    # 100 - 33.333 = 66.667 t, 66.67%, in A and in B alike (diff 0)
    wind = rerouted.loc["wind"]
    assert (wind["shortfall_pct_a"], wind["shortfall_reroute_pct_a"]) == (100.0, 66.67)
    assert (wind["shortfall_reroute_t_b"], wind["shortfall_reroute_t_diff"]) == (66.667, 0.0)
    # B's Dy/Tb cut stops the magnet plant: ev short 200 t with or without rerouting
    assert rerouted.loc["ev", "shortfall_reroute_pct_diff"] == 100.0
    assert plain.equals(rerouted[plain.columns])  # the plain figures stay as they were
    nodes = pd.read_csv(tmp_path / "rerouted" / "nodes.csv").set_index("id")
    assert nodes.loc["us-wind", "shortfall_reroute_t_a"] == 66.667


def test_compare_reroute_keeps_the_plain_comparison(tmp_path, monkeypatch):
    data = two_scenarios(tmp_path)
    monkeypatch.chdir(tmp_path)
    plain = invoke("compare", "a", "b", "--data", str(data))
    assert plain.exit_code == 0, plain.output
    # not the bundled data: the comparison's folder carries the data's tag
    (folder,) = (tmp_path / "output").iterdir()
    assert folder.name.startswith("compare-a-vs-b--data-")
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    rerouted = invoke("compare", "a", "b", "--data", str(data), "--reroute")
    assert rerouted.exit_code == 0, rerouted.output
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    (flagged,) = (p for p in (tmp_path / "output").iterdir() if p != folder)
    assert flagged.name.startswith(f"{folder.name}--")
    assert f"Reports in {Path('output') / flagged.name}/" in rerouted.output
    assert f"output/{folder.name}/ was left as it was" in rerouted.output


def test_compare_prints_each_runs_warnings(tmp_path):
    data = two_scenarios(tmp_path)
    (data / "scenarios" / "a.toml").write_text('[[rules]]\nselect = "country=AU,dest=US"\n')
    result = invoke("compare", "a", "b", "--data", str(data), "--out", str(tmp_path / "cmp"))
    assert result.exit_code == 0, result.output
    # no Australian edge goes to the US: simulate warns, and so does compare, naming the run
    assert "warning (A: a):" in result.stderr
    assert "matches no edges" in result.stderr
    assert "warning (B: b)" not in result.stderr
