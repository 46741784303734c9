"""supplygraph export and graph: the graph for other tools, and the baseline page."""

from __future__ import annotations

import json

import pytest
from cli_helpers import TINY, FakeBrowser, invoke


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_export_formats_round_trip(tmp_path, fmt):
    import networkx as nx

    out = tmp_path / f"g.{fmt}"
    result = invoke("export", "--format", fmt, "--data", str(TINY), "--out", str(out))
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(out.read_text())
        assert len(data["nodes"]) == 8 and len(data["edges"]) == 8
    else:
        graph = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(out)
        assert graph.number_of_nodes() == 8 and graph.number_of_edges() == 8
        assert graph.nodes["jp-magnet"]["country"] == "JP"


def test_export_with_a_scenario_adds_results(tmp_path):
    import networkx as nx

    out = tmp_path / "g.graphml"
    result = invoke(
        "export",
        "--format",
        "graphml",
        "--data",
        str(TINY),
        "--out",
        str(out),
        "--scenario",
        str(TINY.parent / "tiny-cut-dy.toml"),
    )
    assert result.exit_code == 0, result.output
    graph = nx.read_graphml(out)
    # the Dy/Tb oxide to Japan is cut: the magnet plant keeps 0 of 200 t
    assert graph.nodes["jp-magnet"]["shortfall_pct"] == 100.0
    edge = graph.edges["cn-sep", "jp-magnet", "heavy_oxide"]
    assert (edge["flow_status"], edge["status"]) == ("cut", "assumption")


def test_graph_writes_the_baseline_page(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr("webbrowser.get", lambda: FakeBrowser(opened))
    out = tmp_path / "page.html"
    result = invoke("graph", "--data", str(TINY), "--out", str(out), "--open")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Baseline supply graph" in page
    assert opened == [out.resolve().as_uri()]


def test_export_writes_where_the_docs_say(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert invoke("export", "--format", "json", "--data", str(TINY)).exit_code == 0
    tiny_cut = str(TINY.parent / "tiny-cut-dy.toml")
    assert invoke("export", "--format", "gexf", "--data", str(TINY), "-s", tiny_cut).exit_code == 0
    # README and --help: output/graph.<format>, with a scenario output/graph-<scenario>.<format>
    assert sorted(p.name for p in (tmp_path / "output").iterdir()) == [
        "graph-tiny-cut-dy.gexf",
        "graph.json",
    ]
