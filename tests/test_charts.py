"""Charts of the sector table and of a comparison: PNG and SVG, the same bytes on a rerun."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import xml.etree.ElementTree as ET

import pandas as pd
from cli_helpers import TINY, invoke
from graphs import make_graph

import supplygraph as sg
from supplygraph.analyses.montecarlo import montecarlo
from supplygraph.analyses.timeline import simulate_days
from supplygraph.outputs.charts import sector_chart, timeline_chart
from supplygraph.outputs.risk_report import render_montecarlo
from supplygraph.scenario.parse import Rule, Scenario
from supplygraph.scenario.uncertainty import Uncertainty

CUT_DY = TINY.parent / "tiny-cut-dy.toml"


SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: bytes) -> list[str]:
    """The SVG's text elements, in document order (the charts keep text as text)."""
    root = ET.fromstring(svg)
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


def outlined_texts(svg: bytes) -> dict[str, int]:
    """The texts of an SVG that draws them as glyph outlines: each text (matplotlib names it
    in a comment) and the number of glyphs drawn for it."""
    root = ET.fromstring(svg, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True)))
    texts = {}
    for group in root.iter(f"{SVG}g"):
        comments = [c.text for c in group if c.tag is ET.Comment and c.text]
        if group.get("id", "").startswith("text_") and comments:
            texts[comments[0].strip()] = sum(1 for _ in group.iter(f"{SVG}use"))
    return texts


def test_simulate_writes_the_sector_chart_with_the_same_bytes_on_a_rerun(tmp_path):
    for run in ("a", "b"):
        out = str(tmp_path / run)
        result = invoke("simulate", "--data", str(TINY), "-s", str(CUT_DY), "--out", out, "-q")
        assert result.exit_code == 0, result.output
    for name in ("sectors.png", "sectors.svg"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "sectors.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    texts = svg_texts((tmp_path / "a" / "sectors.svg").read_bytes())
    # Dy/Tb to Japan cut: the magnet plant stops, ev loses all 200 t (100%); wind keeps its
    # NdPr (0%). Most severe first: the EV tick label before the wind turbines'.
    assert texts.index("Electric vehicles") < texts.index("Wind turbines")
    assert "100.0%" in texts and "0.0%" in texts
    assert "tonnes lost, after rerouting" in texts  # rerouting is on by default
    assert "products lost, no adaptation" not in texts  # the tiny data has no units
    assert any("Test: Dy/Tb exports from China cut" in t for t in texts)


def test_the_sector_chart_names_every_sector_and_shows_units_where_they_exist():
    graph = sg.load(TINY)
    result = sg.simulate(graph, sg.load_scenario(CUT_DY), reroute=False)
    sectors = result.sectors.copy()
    sectors["sector"] = sectors["sector"].replace({"wind": "r&d_<b>$5$"})
    sectors["shortfall_units_pct"] = sectors["sector"].map({"ev": 40.0})  # wind: no units
    texts = svg_texts(sector_chart(dataclasses.replace(result, sectors=sectors))["sectors.svg"])
    # every sector by its readable name (an unknown id: underscores as spaces, capitalised),
    # "$" printed as is, "<" escaped in the SVG
    assert {"Electric vehicles", "R&d <b>$5$"} <= set(texts)
    assert "products lost, no adaptation" in texts and "40.0%" in texts
    assert "no units" in texts  # the renamed wind sector has none
    assert "tonnes lost, after rerouting" not in texts


def test_compare_writes_its_chart_naming_both_scenarios(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    (data / "scenarios").mkdir()
    (data / "scenarios" / "us-cut.toml").write_text('[[rules]]\nselect = "dest=US"\n')
    (data / "scenarios" / "cn-cut.toml").write_text('[[rules]]\nselect = "country=CN"\n')
    out = tmp_path / "cmp"
    result = invoke("compare", "us-cut", "cn-cut", "--data", str(data), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "compare.png, compare.svg" in result.output
    assert (out / "compare.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    texts = svg_texts((out / "compare.svg").read_bytes())
    assert {"A: us-cut", "B: cn-cut", "Electric vehicles", "Wind turbines"} <= set(texts)
    assert any("us-cut (A) vs cn-cut (B)" in t for t in texts)
    # us-cut cuts CN -> US (wind 100%, ev 0%); cn-cut every CN export (ev 100%, wind 100%)
    assert texts.count("100.0%") == 3 and texts.count("0.0%") == 1


def test_a_dollar_in_a_name_is_drawn_on_the_timeline_chart_not_read_as_mathematics():
    # a Chinese mine ships to a maker in sector "r_$5$" (as a name, not an id the data allows)
    graph = make_graph(
        {"m": {"stage": "mine", "country": "CN"}, "k": {"stage": "manufacturer", "sector": "ev"}},
        [("m", "k", "oxide", 365)],
    )
    start = dt.date(2025, 5, 1)
    approvals = pd.DataFrame(columns=["path", "destination", "from", "share"])
    transit = pd.DataFrame({"origin": ["*"], "destination": ["*"], "days": [1.0]})
    run = simulate_days(
        graph,
        Scenario("cut", rules=(Rule("from=m"),), start=start),
        approvals,
        transit,
        end=start + dt.timedelta(days=5),
    )
    sectors = run.sectors.assign(sector=run.sectors["sector"].replace({"ev": "r_$5$"}))
    texts = outlined_texts(
        timeline_chart(dataclasses.replace(run, sectors=sectors))["timeline.svg"]
    )
    # the legend's label, one glyph per character: "$5$" as mathematics would draw only the 5
    label = next(text for text in texts if text.startswith("R $5$ (lowest"))
    assert texts[label] == len(label)


def test_a_dollar_in_a_name_is_drawn_on_the_montecarlo_chart_not_read_as_mathematics():
    graph = sg.load(TINY)
    run = montecarlo(graph, sg.load_scenario(CUT_DY), Uncertainty(), draws=20, seed=0)
    summary = run.summary.assign(sector=run.summary["sector"].replace({"wind": "wind_$5$"}))
    svg = render_montecarlo(dataclasses.replace(run, summary=summary), graph)["montecarlo.svg"]
    label = next(text for text in outlined_texts(svg) if "$5$" in text)
    assert outlined_texts(svg)[label] == len(label)


def test_the_montecarlo_chart_names_sectors_as_the_sector_chart_does():
    graph = sg.load(TINY)
    run = montecarlo(graph, sg.load_scenario(CUT_DY), Uncertainty(), draws=20, seed=0)
    texts = outlined_texts(render_montecarlo(run, graph)["montecarlo.svg"])
    assert {"Electric vehicles", "Wind turbines"} <= set(texts)  # as sectors.png names them
    assert not {"ev", "wind"} & set(texts)
