"""The page coloured by a figure per node (the n-1 loss): colours, legend, aggregation."""

from __future__ import annotations

import json
import re

import numpy as np

import supplygraph as sg
from supplygraph.analyses.exposure import baseline
from supplygraph.outputs.html import EXPOSURE_SCALE, UNAFFECTED, render_html


def _data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="sg-data">(.*?)</script>', page, re.S)
    assert match
    return json.loads(match.group(1))


def test_nodes_take_the_shortfall_scale_colour_of_the_given_figure():
    graph = sg.load("tests/data/tiny")
    # one figure per node in graph order: 0 (unaffected), then one per band of the scale
    pct = np.array([0.0, 5.0, 20.0, 40.0, 60.0, 90.0, 0.01, 100.0])
    data = _data(render_html(baseline(graph), node_colour_pct=pct, colour_title="n-1 loss"))
    fill = {n["id"]: n["color"]["background"] for n in data["nodes"]}
    ids = graph.nodes["id"].tolist()
    # 5% <= 10 -> first band; 20% <= 25 -> second; ...; 0.01% < 0.05%: drawn unaffected
    expected = [UNAFFECTED, *(colour for _, colour in EXPOSURE_SCALE), UNAFFECTED]
    expected.append(EXPOSURE_SCALE[-1][1])
    assert [fill[i] for i in ids] == expected
    assert data["legend"]["title"] == "n-1 loss"
    assert data["legend"]["colours"][0]["colour"] == UNAFFECTED


def test_aggregated_nodes_take_their_largest_member():
    graph = sg.load("tests/data/tiny")
    pct = np.zeros(graph.n_nodes)
    pct[graph.nodes["id"].tolist().index("cn-mine")] = 60.0
    page = render_html(baseline(graph), node_colour_pct=pct, max_nodes=2)
    fill = {n["id"]: n["color"]["background"] for n in _data(page)["nodes"]}
    assert fill["mine:CN"] == EXPOSURE_SCALE[3][1]  # 60% is in the 50-75% band
    assert fill["mine:AU"] == UNAFFECTED
