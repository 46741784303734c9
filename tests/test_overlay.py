"""Overlay folders on the bundled data: merging, tonnes taken out of aggregates, the checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import supplygraph as sg
from supplygraph.analyses.focus import focus_table
from supplygraph.scenario.parse import Rule, Scenario

NODE_HEADER = "id,name,stage,country,company,sector,capacity_t,stock_days,source,status"
EDGE_HEADER = "supplier,customer,material,elements,flow_t,from_line,line,takes_from,replace,source"
PLANT = "my-plant,My motor plant,component,DE,Me,,,30,assumption: test,assumption"
JL_CUT = Scenario("jl-cut", rules=(Rule("node:id=cn-jl-mag", "cut"),))


def write_overlay(folder: Path, nodes: list[str], edges: list[str], lines: str = "") -> Path:
    """An overlay folder with these node and edge rows (under the headers above)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nodes.csv").write_text("\n".join([NODE_HEADER, *nodes]) + "\n", encoding="utf-8")
    (folder / "edges.csv").write_text("\n".join([EDGE_HEADER, *edges]) + "\n", encoding="utf-8")
    if lines:
        (folder / "lines.csv").write_text(lines, encoding="utf-8")
    return folder


def relabelling(folder: Path) -> Path:
    """The plant buys 10 t of what the German motor aggregate bought from JL Mag and from
    VAC, and ships the 20 t to Volkswagen that the aggregate shipped: tonnes re-labelled."""
    return write_overlay(
        folder,
        [PLANT],
        [
            "cn-jl-mag,my-plant,ndfeb_sintered,Nd;Pr;Dy;Tb,10,,,de-ev-motor-agg,,s",
            "de-vac-hanau,my-plant,ndfeb_sintered,Nd;Pr;Dy;Tb,10,,,de-ev-motor-agg,,s",
            "my-plant,de-volkswagen,traction_motor,Nd;Pr;Dy;Tb,20,,,de-ev-motor-agg,,s",
        ],
    )


def test_tonnes_taken_out_of_an_aggregate_are_not_counted_twice(tmp_path: Path) -> None:
    base = sg.load()
    graph = sg.load(overlay=relabelling(tmp_path / "ov"))
    assert graph.n_nodes == base.n_nodes + 1 and graph.n_edges == base.n_edges + 3
    edges = graph.edges.set_index(["supplier", "customer", "material"])
    was = base.edges.set_index(["supplier", "customer", "material"])["flow_t"]
    jl = ("cn-jl-mag", "de-ev-motor-agg", "ndfeb_sintered")
    vw = ("de-ev-motor-agg", "de-volkswagen", "traction_motor")
    # the overlay takes 10 t out of JL Mag's edge to the aggregate (the bundled figure
    # minus 10) and 20 t out of the aggregate's edge to VW (minus 20)
    assert edges.loc[jl, "flow_t"] == pytest.approx(was[jl] - 10)
    assert edges.loc[jl, "taken_t"] == 10
    assert edges.loc[vw, "flow_t"] == pytest.approx(was[vw] - 20)
    # the plant's edge to VW takes the base edge's line (ev), where the 20 t went
    assert edges.loc[("my-plant", "de-volkswagen", "traction_motor"), "line"] == "ev"
    assert set(graph.nodes["layer"]) == {"base", "overlay"}
    before = sg.simulate(base, Scenario("baseline"), reroute=False).sectors
    after = sg.simulate(graph, Scenario("baseline"), reroute=False).sectors
    np.testing.assert_allclose(after["baseline_t"], before["baseline_t"], rtol=1e-12)
    assert list(after["sector"]) == list(before["sector"])
    assert graph.edges["flow_t"].sum() == pytest.approx(base.edges["flow_t"].sum())


def test_a_plant_fed_half_by_a_cut_chinese_maker_loses_half(tmp_path: Path) -> None:
    # 10 t from JL Mag (cut) and 10 t from Neo's Narva plant, which nothing of the cut
    # reaches: half of the plant's one input material arrives, so output falls to 0.5;
    # its 30 days of stock last 30 / (1 - 0.5) = 60 days after JL Mag stops (day 0).
    overlay = write_overlay(
        tmp_path / "ov",
        [PLANT],
        [
            "cn-jl-mag,my-plant,ndfeb_sintered,Nd;Pr;Dy;Tb,10,dy_tb_grade,,,,s",
            "ee-neo-narva,my-plant,ndfeb_sintered,Nd;Pr;Dy;Tb,10,,,,,s",
            "my-plant,de-volkswagen,traction_motor,Nd;Pr;Dy;Tb,20,,ev,de-ev-motor-agg,,s",
        ],
    )
    result = sg.simulate(sg.load(overlay=overlay), JL_CUT)
    nodes = result.nodes.set_index("id")
    assert nodes.loc["ee-neo-narva", "shortfall_pct"] == 0
    assert nodes.loc["my-plant", "shortfall_t"] == pytest.approx(10.0)  # 20 t x 0.5
    assert nodes.loc["my-plant", "shortfall_pct"] == pytest.approx(50.0)
    assert nodes.loc["my-plant", "days_to_impact"] == pytest.approx(60.0)
    assert nodes.loc["my-plant", "layer"] == "overlay"
    focus = focus_table(result, "overlay")
    assert focus["node"].tolist() == ["my-plant"]
    assert focus.loc[0, "limiting_suppliers"] == "cn-jl-mag"
    assert focus.loc[0, "shortfall_pct"] == pytest.approx(50.0)
    assert "shortfall_reroute_pct" in focus


def test_replace_yes_replaces_a_base_node_and_edge(tmp_path: Path) -> None:
    overlay = write_overlay(
        tmp_path / "ov",
        ["de-vac-hanau,VAC Hanau (our figures),magnet,DE,VAC,,,90,ours,assumption,yes"],
        ["cn-jl-mag,de-ev-motor-agg,ndfeb_sintered,Nd;Pr;Dy;Tb,30,dy_tb_grade,,,yes,ours"],
    )
    text = (overlay / "nodes.csv").read_text().replace("status\n", "status,replace\n", 1)
    (overlay / "nodes.csv").write_text(text)
    base, graph = sg.load(), sg.load(overlay=overlay)
    assert graph.n_nodes == base.n_nodes and graph.n_edges == base.n_edges
    vac = graph.nodes.set_index("id").loc["de-vac-hanau"]
    assert (vac["stock_days"], vac["layer"]) == (90, "overlay")
    edge = graph.edges[
        (graph.edges["supplier"] == "cn-jl-mag") & (graph.edges["customer"] == "de-ev-motor-agg")
    ]
    assert edge["flow_t"].tolist() == [30] and edge["layer"].tolist() == ["overlay"]


def test_an_overlay_changes_the_checksum_and_is_recorded(tmp_path: Path) -> None:
    graph = sg.load(overlay=[relabelling(tmp_path / "ov")])
    assert graph.checksum != sg.load().checksum
    assert graph.overlays == (tmp_path / "ov",)


BAD = {
    # an edge naming a node neither the base nor the overlay has
    "unknown node": (
        [PLANT],
        ["nowhere,my-plant,ndfeb_sintered,Nd,1,,,,,s"],
        "",
        "edges.csv:2: supplier: unknown node 'nowhere'",
    ),
    # an id of the base without replace=yes
    "collision": (
        ["cn-jl-mag,JL Mag again,magnet,CN,,,,,s,reported"],
        [],
        "",
        "nodes.csv:2: id: id 'cn-jl-mag' is a node of the base data",
    ),
    # an edge key of the base without replace=yes
    "edge collision": (
        [PLANT],
        ["cn-jl-mag,de-ev-motor-agg,ndfeb_sintered,Nd;Pr;Dy;Tb,1,dy_tb_grade,,,,s"],
        "",
        "edges.csv:2: material: the base data has this edge",
    ),
    # 40 t out of an edge of 31.8 t
    "too much taken": (
        [PLANT],
        ["cn-jl-mag,my-plant,ndfeb_sintered,Nd;Pr;Dy;Tb,40,,,de-ev-motor-agg,,s"],
        "",
        # the bundled edge carries less than 40 t (28.6 t from China's 2024 customs return)
        "edges.csv:2: takes_from: takes 40 t out of cn-jl-mag -> de-ev-motor-agg of "
        "'ndfeb_sintered', which carries ",
    ),
    # 20 t and then 20 t more out of the same edge (under 40 t)
    "too much taken in two rows": (
        [PLANT],
        [
            "cn-jl-mag,my-plant,ndfeb_sintered,Nd;Pr;Dy;Tb,20,,,de-ev-motor-agg,,s",
            "cn-jl-mag,my-plant,ndfeb_sintered,Nd;Pr;Dy;Tb,20,,x,de-ev-motor-agg,,s",
        ],
        "node,line\nmy-plant,x\n",
        "edges.csv:3: takes_from: takes 20 t out of cn-jl-mag -> de-ev-motor-agg",
    ),
    # a maker in a sector the base counts in vehicles, without a unit
    "missing unit": (
        ["my-cars,My cars,manufacturer,DE,Me,ev,,,s,assumption"],
        ["de-ev-motor-agg,my-cars,traction_motor,Nd;Pr;Dy;Tb,1,,,,,s"],
        "node,line,unit,baseline_units\nmy-cars,cars,,\n",
        "lines.csv:2: unit: a maker's line of sector 'ev' counts 'vehicles' in the base data",
    ),
    "maker without a line": (
        ["my-cars,My cars,manufacturer,DE,Me,ev,,,s,assumption"],
        ["de-ev-motor-agg,my-cars,traction_motor,Nd;Pr;Dy;Tb,1,,,,,s"],
        "",
        "nodes.csv:2: sector: sector 'ev' counts 'vehicles' in the base data",
    ),
    "takes from an unknown node": (
        [PLANT],
        ["cn-jl-mag,my-plant,ndfeb_sintered,Nd,1,,,nobody,,s"],
        "",
        "edges.csv:2: takes_from: unknown base node 'nobody'",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_overlays_give_located_errors(tmp_path: Path, case: str) -> None:
    nodes, edges, lines, expected = BAD[case]
    overlay = write_overlay(tmp_path / "overlay", nodes, edges, lines)
    with pytest.raises(sg.DataError) as caught:
        sg.load(overlay=overlay)
    messages = [str(issue) for issue in caught.value.issues]
    assert any(expected in m and str(overlay) in m for m in messages), messages
    # the files were read, not changed
    assert (overlay / "nodes.csv").read_text().startswith(NODE_HEADER)


def test_unknown_columns_are_accepted_with_a_warning(tmp_path: Path) -> None:
    overlay = relabelling(tmp_path / "ov")
    text = (overlay / "edges.csv").read_text().splitlines()
    text = [text[0] + ",buyer_ref"] + [row + ",PO-12" for row in text[1:]]
    (overlay / "edges.csv").write_text("\n".join(text) + "\n")
    graph = sg.load(overlay=overlay)
    assert any("buyer_ref" in str(w) for w in graph.warnings)


def fifty_fifty(folder: Path) -> Path:
    """The plant of the 50/50 test: 10 t from JL Mag, 10 t from Narva, 30 days of stock."""
    return write_overlay(
        folder,
        [PLANT],
        [
            "cn-jl-mag,my-plant,ndfeb_sintered,Nd;Pr;Dy;Tb,10,dy_tb_grade,,,,s",
            "ee-neo-narva,my-plant,ndfeb_sintered,Nd;Pr;Dy;Tb,10,,,,,s",
            "my-plant,de-volkswagen,traction_motor,Nd;Pr;Dy;Tb,20,,ev,de-ev-motor-agg,,s",
        ],
    )


def test_the_sweep_of_what_reaches_the_focus(tmp_path: Path) -> None:
    from supplygraph.analyses.criticality import criticality
    from supplygraph.analyses.focus import focus_mask, upstream_of

    graph = sg.load(overlay=fifty_fifty(tmp_path / "ov"))
    focus = focus_mask(graph, "overlay")
    swept = criticality(graph, focus=focus)
    items = swept.items.set_index("id")
    # JL Mag down, or its link to the plant cut: 10 of the plant's 20 t of magnets are
    # missing, its output halves: 10 t of its 20 t baseline, 50%; the same for Narva
    for knocked in ("cn-jl-mag", "ee-neo-narva", "cn-jl-mag->my-plant (ndfeb_sintered)"):
        assert items.loc[knocked, "focus_shortfall_t"] == pytest.approx(10.0)
        assert items.loc[knocked, "focus_shortfall_pct"] == pytest.approx(50.0)
    assert set(swept.items["rank_by"]) == {"focus"}
    assert swept.items["rank_pct"].is_monotonic_decreasing
    # only what reaches the plant: its suppliers upstream, never itself or its customer
    upstream = set(graph.nodes["id"][upstream_of(graph, focus) & ~focus])
    nodes = set(swept.items.loc[swept.items["kind"] == "node", "id"])
    assert nodes == upstream and "my-plant" not in nodes and "de-volkswagen" not in nodes
    edge_layers = swept.items.loc[swept.items["kind"] == "edge"].set_index("id")["layer"]
    assert edge_layers["cn-jl-mag->my-plant (ndfeb_sintered)"] == "overlay"
    assert items.loc["cn-jl-mag", "layer"] == "base"
    with pytest.raises(sg.ScenarioError, match="not both"):
        criticality(graph, focus=focus, sector="ev")


def test_focus_names_nodes_or_the_overlay(tmp_path: Path) -> None:
    from supplygraph.analyses.focus import focus_mask

    graph = sg.load(overlay=fifty_fifty(tmp_path / "ov"))
    assert graph.nodes["id"][focus_mask(graph, "overlay")].tolist() == ["my-plant"]
    named = focus_mask(graph, "my-plant, de-volkswagen")
    assert sorted(graph.nodes["id"][named]) == ["de-volkswagen", "my-plant"]
    with pytest.raises(sg.ScenarioError, match="needs an overlay"):
        focus_mask(sg.load(), "overlay")
    with pytest.raises(sg.ScenarioError, match="unknown node 'nobody'"):
        focus_mask(graph, ["my-plant", "nobody"])


def test_the_python_api_takes_an_overlay_and_its_scenarios(tmp_path: Path) -> None:
    example = Path(__file__).parents[1] / "examples" / "emotor-overlay"
    graph = sg.load(overlay=example)
    result = sg.simulate(graph, "jl-mag-stops", reroute=False)  # from the overlay's scenarios/
    focus = sg.focus_table(result, "overlay")
    # 6 of the plant's 18 t arrive (Narva): it loses 12 t, 66.67%
    assert focus.loc[0, "shortfall_t"] == pytest.approx(12.0)
    assert focus.loc[0, "shortfall_pct"] == pytest.approx(200 / 3)
    written = sg.write_reports(result, tmp_path / "out", html=False, focus="overlay")
    assert "focus.csv" in {p.name for p in written}
    with pytest.raises(sg.ScenarioError, match="unknown scenario 'jl-mag-stops'"):
        sg.load_scenario("jl-mag-stops")  # only with the overlay


def test_warnings_about_overlay_nodes_name_the_overlay_file(tmp_path: Path) -> None:
    overlay = write_overlay(
        tmp_path / "ov", [PLANT], ["cn-jl-mag,my-plant,ndfeb_sintered,Nd,1,,,,,s"]
    )  # the plant ships nothing: no path to a maker
    graph = sg.load(overlay=overlay)
    expected = f"{overlay}/nodes.csv:2: id: my-plant has no path to any manufacturer"
    assert expected in [str(w) for w in graph.warnings]
    assert "csv_file" not in graph.to_networkx().nodes["my-plant"]
