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


def bundled_edges():
    """The bundled edges.csv: its rows and its total tonnes."""
    import pandas as pd

    from supplygraph.dataset.io import bundled_data_dir

    edges = pd.read_csv(bundled_data_dir() / "edges.csv", dtype={"line": str, "from_line": str})
    return len(edges), float(edges["flow_t"].sum())


def read_back(path, fmt):
    """An exported file read back into networkx, as a user of the format would."""
    import networkx as nx

    if fmt == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return nx.node_link_graph(data, edges="edges")
    return (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(path)


@pytest.mark.parametrize("scenario", [[], ["-s", "2025-10-package"]])
@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_export_keeps_every_edge_of_the_bundled_data(tmp_path, fmt, scenario):
    # the bundled data has pairs of edges with one supplier, customer and material that
    # differ by product line (cn-jl-mag -> cn-appliance-motor-agg: ndfeb_sintered 682.7 t
    # from dy_tb_grade and 1,093.3 t from ndpr_grade, the grade shares since China's exports
    # come from its customs return, SOURCES.md 11l, and its motor makers ship less abroad,
    # 11z): every one must come back
    rows, total_t = bundled_edges()
    out = tmp_path / f"g.{fmt}"
    result = invoke("export", "--format", fmt, "--out", str(out), *scenario)
    assert result.exit_code == 0, result.output
    graph = read_back(out, fmt)
    # 422 rows since SOURCES.md 11w: the Japanese EV-motor makers' traction motors in two parts
    # by grade line, to Toyota and to the other carmakers (420 since 11s, 419 before)
    assert graph.number_of_edges() == rows == 422
    flows = [float(t) for _, _, t in graph.edges(data="flow_t")]
    assert sum(flows) == pytest.approx(total_t, abs=1e-6)
    pair = sorted(
        float(data["flow_t"]) for data in graph["cn-jl-mag"]["cn-appliance-motor-agg"].values()
    )
    assert pair == [682.7, 1093.3]


def test_to_networkx_keys_each_edge_by_material_and_lines():
    from graphs import make_graph

    graph = make_graph(
        {"s": {}, "c": {}},
        [
            ("s", "c", "oxide", 1),
            ("s", "c", "magnet", 2, {"from_line": "a", "line": "x"}),
            ("s", "c", "magnet", 3, {"from_line": "b", "line": "x"}),
            ("s", "c", "magnet", 4, {"line": "x;y"}),
        ],
        lines=[
            {"node": "s", "line": "a"},
            {"node": "s", "line": "b"},
            {"node": "c", "line": "x"},
            {"node": "c", "line": "y"},
        ],
    )
    network = graph.to_networkx()
    # one key per edge: its material, and its lines where it names them ("*": all)
    assert sorted(network["s"]["c"]) == [
        "magnet (* -> x;y)",
        "magnet (a -> x)",
        "magnet (b -> x)",
        "oxide",
    ]
    assert sum(t for _, _, t in network.edges(data="flow_t")) == 10


def test_the_timeline_gexf_keeps_every_edge(tmp_path):
    import networkx as nx

    rows, total_t = bundled_edges()
    out = tmp_path / "tl"
    args = ["timeline", "-s", "2025-replay", "--to", "2025-03-10", "--out", str(out), "--quiet"]
    result = invoke(*args)
    assert result.exit_code == 0, result.output
    graph = nx.read_gexf(out / "timeline.gexf")
    assert graph.number_of_edges() == rows
    assert sum(float(t) for _, _, t in graph.edges(data="flow_t")) == pytest.approx(total_t)
