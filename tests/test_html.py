"""Tests of the interactive HTML page: output checks, and a real headless Chromium."""

from __future__ import annotations

import csv
import itertools
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from graphs import make_graph

import supplygraph as sg
from supplygraph.analyses.exposure import baseline
from supplygraph.dataset.graph import SupplyGraph, build_graph
from supplygraph.dataset.io import Dataset, load_dataset
from supplygraph.outputs.html import (
    EDGE_STYLES,
    EXPOSURE_SCALE,
    UNAFFECTED,
    render_html,
    write_html,
)
from supplygraph.scenario.parse import LicencePolicy, Rule, Scenario

TINY = Path(__file__).parent / "data" / "tiny"
IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "</script><script>window.__xss=1</script>"
HREF = '<a href="javascript:window.__xss=1">x</a>'
JS_URL = "javascript:window.__xss=1"
PAYLOADS = (IMG, SCRIPT, HREF, JS_URL)


def cut_and_throttle(**fields: Any) -> Scenario:
    """Cut No. 18 (Dy/Tb from China) and halve one Chinese NdPr edge."""
    return Scenario(
        "cut-18",
        licences=(LicencePolicy("CN-2025-18", "cut"),),
        rules=(Rule("from=cn-sep,to=us-wind", "throttle", 0.5),),
        **fields,
    )


@pytest.fixture(scope="module")
def tiny() -> SupplyGraph:
    return sg.load(TINY)


@pytest.fixture(scope="module")
def tiny_result(tiny: SupplyGraph) -> Any:
    return sg.simulate(
        tiny, cut_and_throttle(title="Cut No. 18", description="Test scenario."), reroute=False
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> SupplyGraph:
    """The tiny graph with script payloads in every free-text field."""
    folder = tmp_path_factory.mktemp("hostile")
    for name in ("nodes", "edges"):
        with open(TINY / f"{name}.csv", newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        for i, row in enumerate(rows):
            for j, column in enumerate(("name", "company", "source", "note", "material")):
                if column in row:
                    row[column] = f"{PAYLOADS[(i + j) % 4]} {row[column]}"
            if row.get("sector"):
                row["sector"] = PAYLOADS[i % 4]
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    return sg.load(folder)


@pytest.fixture(scope="module")
def hostile_page(hostile: SupplyGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = sg.simulate(
        hostile,
        Scenario(
            "evil",
            title=SCRIPT + IMG,
            description=HREF + JS_URL,
            sources=(IMG, JS_URL),
            licences=(LicencePolicy("CN-2025-18", "cut"),),
        ),
        reroute=False,
    )
    return write_html(tmp_path_factory.mktemp("page") / "graph.html", result)


def synthetic(n_per_stage: int, seed: int = 0) -> SupplyGraph:
    """A random six-stage graph: each node ships to two nodes of the next stage."""
    rng = np.random.default_rng(seed)
    countries = ["AU", "CN", "DE", "JP", "MM", "MY", "US", "VN"]
    stages = ["mine", "separation", "metal", "magnet", "component", "manufacturer"]
    ids = [[f"{s[:3]}{i}" for i in range(n_per_stage)] for s in stages]
    nodes = pd.DataFrame(
        {
            "id": [i for level in ids for i in level],
            "stage": np.repeat(stages, n_per_stage),
            "country": rng.choice(countries, len(stages) * n_per_stage),
        }
    )
    nodes["name"] = "Plant " + nodes["id"]
    nodes["sector"] = np.where(
        nodes["stage"] == "manufacturer", rng.choice(["ev", "wind", "defence"], len(nodes)), ""
    )
    for column in ("company", "source", "status", "note"):
        nodes[column] = ""
    nodes["capacity_t"], nodes["stock_days"] = np.nan, np.nan
    nodes.insert(0, "csv_line", np.arange(2, len(nodes) + 2))
    suppliers, customers = [], []
    for level in range(len(stages) - 1):
        for supplier in ids[level]:
            for customer in rng.choice(ids[level + 1], 2, replace=False):
                suppliers.append(supplier)
                customers.append(str(customer))
    edges = pd.DataFrame(
        {
            "supplier": suppliers,
            "customer": customers,
            "material": "ndpr_oxide",
            "elements": "Nd;Pr;Dy",
            "flow_t": rng.uniform(1, 100, len(suppliers)),
        }
    )
    for column in ("source", "status", "licence", "note"):
        edges[column] = ""
    edges.insert(0, "csv_line", np.arange(2, len(edges) + 2))
    regimes = load_dataset(TINY).regimes
    return build_graph(Dataset(nodes, edges, regimes, Path("."), ""))


def page_data(html: str) -> dict[str, Any]:
    match = re.search(r'<script type="application/json" id="sg-data">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


# ---------------------------------------------------------------- without a browser


def test_output_is_deterministic_and_offline(tiny: SupplyGraph, tiny_result: Any) -> None:
    page = render_html(tiny_result)
    again = sg.simulate(
        sg.load(TINY),
        cut_and_throttle(title="Cut No. 18", description="Test scenario."),
        reroute=False,
    )
    assert render_html(again) == page
    assert render_html(baseline(tiny)) == render_html(baseline(tiny))
    tags = re.findall(
        r"<(?:script|link|img|iframe|source|embed|object|audio|video)\b[^>]*>", page, re.I
    )
    assert tags and all(not re.search(r"\b(src|href)\s*=", tag, re.I) for tag in tags)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page, re.I)
    assert "default-src 'none'" in page  # the page's CSP also forbids any load


def test_no_payload_reaches_the_markup(hostile_page: Path) -> None:
    page = hostile_page.read_text(encoding="utf-8")
    for payload in PAYLOADS[:3]:
        assert payload not in page
    assert "<img" not in page and "<a " not in page
    data = page_data(page)
    assert IMG in data["nodes"][0]["title"]  # kept as data, shown as text


def test_render_does_not_mutate_inputs(tiny: SupplyGraph, tiny_result: Any) -> None:
    before = [
        frame.copy()
        for frame in (
            tiny.nodes,
            tiny.edges,
            tiny_result.nodes,
            tiny_result.edges,
            tiny_result.sectors,
        )
    ]
    render_html(tiny_result, max_nodes=3)
    after = (tiny.nodes, tiny.edges, tiny_result.nodes, tiny_result.edges, tiny_result.sectors)
    for old, new in zip(before, after):
        pd.testing.assert_frame_equal(old, new)


def test_write_html_is_utf8_and_atomic(tiny: SupplyGraph, tmp_path: Path) -> None:
    path = write_html(tmp_path / "graph.html", baseline(tiny), title="Graphe: 稀土 – ü")
    assert path == tmp_path / "graph.html"
    assert "Graphe: 稀土 – ü" in path.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]


def test_styles_in_the_data(tiny_result: Any, tiny: SupplyGraph) -> None:
    data = page_data(render_html(tiny_result))
    nodes = {n["id"]: n for n in data["nodes"]}
    # jp-magnet loses all Dy/Tb: 100% shortfall; us-wind keeps half its NdPr: 50%.
    assert nodes["jp-magnet"]["color"]["background"] == EXPOSURE_SCALE[-1][1]
    assert nodes["us-wind"]["color"]["background"] == EXPOSURE_SCALE[2][1]
    assert nodes["cn-mine"]["color"]["background"] == UNAFFECTED
    assert nodes["cn-mine"]["x"] < nodes["cn-sep"]["x"] < nodes["jp-magnet"]["x"]
    statuses = {e["status"] for e in data["edges"]}
    assert statuses == {"ok", "cut", "throttled", "reduced-upstream"}
    colours = {s: EDGE_STYLES[s][0] for s in statuses}
    assert len(set(colours.values())) == 4
    assert EDGE_STYLES["cut"][1] and EDGE_STYLES["throttled"][1]
    assert EDGE_STYLES["cut"][1] != EDGE_STYLES["throttled"][1]
    assert not EDGE_STYLES["ok"][1] and not EDGE_STYLES["reduced-upstream"][1]


def test_big_graph_is_aggregated() -> None:
    graph = synthetic(350)  # 2,100 nodes
    assert graph.n_nodes > 2000
    result = sg.simulate(graph, Scenario("cut", rules=(Rule("country=CN", "cut"),)), reroute=False)
    data = page_data(render_html(result))
    groups = graph.nodes.groupby(["stage", "country"]).ngroups
    assert len(data["nodes"]) == groups
    assert "2,100 nodes" in data["notice"] and "stage in one country" in data["notice"]
    baseline = sum(
        float(n["title"].split("baseline: ")[1].split(" t")[0].replace(",", ""))
        for n in data["nodes"]
    )
    assert baseline == pytest.approx(result.nodes["baseline_t"].sum(), rel=1e-3)
    assert {e["status"] for e in data["edges"]} >= {"cut", "reduced-upstream"}


def test_an_aggregated_node_shows_its_members_chinese_origin_content_by_tonnes() -> None:
    # two separators in MY: one refines 100 t of Chinese ore (100% Chinese-origin), the
    # other 300 t of Australian ore (0%)
    graph = make_graph(
        {
            "cn-mine": {"stage": "mine", "country": "CN"},
            "au-mine": {"stage": "mine", "country": "AU"},
            "my-1": {"country": "MY"},
            "my-2": {"country": "MY"},
        },
        [("cn-mine", "my-1", "ore", 100), ("au-mine", "my-2", "ore", 300)],
    )
    data = page_data(render_html(baseline(graph), max_nodes=2))  # 4 nodes > 2: aggregated
    tips = {node["id"]: node["title"].splitlines() for node in data["nodes"]}
    assert set(tips) == {"mine:CN", "mine:AU", "separation:MY"}
    # by tonnes: (100 t x 100% + 300 t x 0%) / 400 t = 25%
    assert "Chinese-origin content: 25.0%" in tips["separation:MY"]
    assert "Chinese-origin content: 100.0%" in tips["mine:CN"]
    assert "Chinese-origin content: 0.0%" in tips["mine:AU"]


# ---------------------------------------------------------------- in Chromium


def load(offline_page: Any, path: Path) -> Any:
    page = offline_page.open(path)
    assert page.evaluate("typeof vis") == "object"
    return page


def node_point(page: Any, node_id: str) -> tuple[float, float]:
    """Viewport coordinates of a node's centre."""
    return tuple(
        page.evaluate(
            """id => {
        const dom = network.canvasToDOM(network.getPositions([id])[id]);
        const box = document.getElementById('sg-network').getBoundingClientRect();
        return [dom.x + box.left, dom.y + box.top];
    }""",
            node_id,
        )
    )


def settle(page: Any) -> None:
    """Wait two animation frames: resizes are observed and the canvas is drawn."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def faded_not(page: Any) -> list[str]:
    """The nodes the highlight keeps (the others are drawn faded)."""
    return page.evaluate(
        "network.body.data.nodes.get({filter: n => n.color.background !== '#eef0f2'})"
        ".map(n => n.id)"
    )


def node_boxes(page: Any, ids: list[str]) -> list[dict[str, float]]:
    """Each node's circle in canvas-element pixels: centre, radius; and the canvas size."""
    return page.evaluate(
        """ids => {
        const positions = network.getPositions(ids), scale = network.getScale();
        const canvas = network.canvas.frame.canvas;
        return ids.map(id => {
            const p = network.canvasToDOM(positions[id]);
            return {x: p.x, y: p.y, r: network.body.nodes[id].options.size * scale,
                    width: canvas.clientWidth, height: canvas.clientHeight};
        });
    }""",
        ids,
    )


def assert_fills_the_canvas(page: Any, ids: list[str], *, headers: bool = False) -> None:
    """The nodes are all inside the canvas and their box spans its width or its height.

    The fit leaves 24 px around the nodes, 120 px more on the right for their names and
    14 px at the top for the stage names: a fit limited by the width spans width - 168 px
    (696 px of the 864 px canvas of a 1280 x 800 window), one limited by the height
    height - 62 px at least; a view that leaves the nodes in a corner spans much less.
    The whole graph's fit (``headers``) also holds the stage names above the top row, so
    its box starts at them, as the page's fit does.
    """
    boxes = node_boxes(page, ids)
    width, height = boxes[0]["width"], boxes[0]["height"]
    left = min(b["x"] - b["r"] for b in boxes)
    right = max(b["x"] + b["r"] for b in boxes)
    top = min(b["y"] - b["r"] for b in boxes)
    bottom = max(b["y"] + b["r"] for b in boxes)
    assert left >= 0 and right <= width and top >= 0 and bottom <= height, (boxes, ids)
    if headers:
        top = min(top, min(page.evaluate(HEADER_TOPS)))
    assert right - left >= width - 169 or bottom - top >= height - 63, (boxes, ids)


# The stage names' heights on the canvas element (the page's fit counts them in its box).
HEADER_TOPS = """() => JSON.parse(document.getElementById("sg-data").textContent).stages
    .map(stage => network.canvasToDOM({x: stage.x, y: stage.y}).y)"""


def test_scenario_page_in_chromium(
    offline_page: Any, tiny: SupplyGraph, tiny_result: Any, tmp_path: Path
) -> None:
    page = load(offline_page, write_html(tmp_path / "graph.html", tiny_result))
    assert page.evaluate("network.body.data.nodes.length") == tiny.n_nodes == 8
    assert page.evaluate("network.body.data.edges.length") == tiny.n_edges == 8
    cut = page.evaluate("network.body.data.edges.get({filter: e => e.status === 'cut'})")
    assert [(e["from"], e["to"], e["material"]) for e in cut] == [
        ("cn-sep", "jp-magnet", "heavy_oxide")
    ]
    assert cut[0]["color"]["color"] == EDGE_STYLES["cut"][0]
    assert cut[0]["dashes"] == EDGE_STYLES["cut"][1]
    magnet = page.evaluate("network.body.data.nodes.get('jp-magnet')")
    assert magnet["color"]["background"] == EXPOSURE_SCALE[-1][1]
    assert page.inner_text("#sg-title") == "Cut No. 18"
    assert page.inner_text("#sg-sectors").split("\n")[0].split("\t") == [
        "sector",
        "makers",
        "shortfall",
        "of units",
        "days to impact",
    ]
    # the tiny data has no product units: a dash
    # readable names, the worst first
    assert page.inner_text("#sg-sectors").split("\n")[1:] == [
        "Electric vehicles\t1\t100.0%\t-\t60",
        "Wind turbines\t1\t50.0%\t-\t0",
    ]
    # where the losses start: the Chinese separator's Dy/Tb oxide, cut under No. 18
    assert page.inner_text("#sg-bottlenecks").split("\n") == [
        "Electric vehicles: cn-sep (CN-2025-18)",
        "Wind turbines: cn-sep (rule)",
    ]
    page.mouse.click(5, 300)  # empty canvas: pyvis's highlight crashed here
    x, y = node_point(page, "jp-magnet")
    page.mouse.click(x, y)  # highlight upstream and downstream of the magnet plant
    colours = page.evaluate(
        "Object.fromEntries(network.body.data.nodes.get().map(n => [n.id, n.color.background]))"
    )
    assert colours["cn-sep"] != colours["us-wind"] == "#eef0f2"
    assert "id: jp-magnet" in page.inner_text("#sg-details")
    assert offline_page.errors == [] and offline_page.blocked == []


def test_search_fits_the_chain_of_the_node(
    offline_page: Any, tiny: SupplyGraph, tiny_result: Any, tmp_path: Path
) -> None:
    page = load(offline_page, write_html(tmp_path / "graph.html", tiny_result))
    page.evaluate("network.moveTo({position: {x: 0, y: 0}, scale: 3})")  # zoomed in on a mine
    page.fill("#sg-query", "us turbine")
    page.press("#sg-query", "Enter")
    assert page.evaluate("network.getSelectedNodes()") == ["us-wind"]
    # the wind maker's chain: the Chinese separator and mine upstream, nothing downstream
    assert sorted(faded_not(page)) == ["cn-mine", "cn-sep", "us-wind"]
    assert_fills_the_canvas(page, ["cn-mine", "cn-sep", "us-wind"])
    assert page.evaluate("network.getScale()") <= 2  # never zoomed in past the chain
    page.fill("#sg-query", "jp-magnet")  # by id
    page.press("#sg-query", "Enter")
    assert page.evaluate("network.getSelectedNodes()") == ["jp-magnet"]
    # everything but the wind maker is upstream or downstream of the magnet plant
    assert len(faded_not(page)) == 7
    assert_fills_the_canvas(page, faded_not(page))
    page.fill("#sg-query", "no such plant")
    page.press("#sg-query", "Enter")
    assert "No node matches" in page.inner_text("#sg-status")
    assert offline_page.errors == [] and offline_page.blocked == []


def test_filters_hide_nodes(
    offline_page: Any, tiny: SupplyGraph, tiny_result: Any, tmp_path: Path
) -> None:
    page = load(offline_page, write_html(tmp_path / "graph.html", tiny_result))
    shown = "network.body.data.nodes.get({filter: n => !n.hidden}).map(n => n.id).sort()"
    shown_edges = "network.body.data.edges.get({filter: e => !e.hidden}).length"
    page.select_option("#sg-filter-country", "DE")
    assert page.evaluate(shown) == ["de-ev", "de-motor"]
    assert page.evaluate(shown_edges) == 1
    page.select_option("#sg-filter-country", "")
    page.select_option("#sg-filter-sector", "wind")  # the wind maker and its suppliers
    assert page.evaluate(shown) == ["cn-mine", "cn-sep", "us-wind"]
    page.select_option("#sg-filter-stage", "mine")
    assert page.evaluate(shown) == ["cn-mine"]
    page.click("#sg-reset")
    assert len(page.evaluate(shown)) == 8
    assert_fills_the_canvas(page, page.evaluate(shown))
    page.select_option("#sg-filter-country", "DE")  # the two German plants fill the view
    assert_fills_the_canvas(page, ["de-ev", "de-motor"])
    assert offline_page.errors == [] and offline_page.blocked == []


def test_baseline_page_in_chromium(offline_page: Any, tiny: SupplyGraph, tmp_path: Path) -> None:
    page = load(offline_page, write_html(tmp_path / "graph.html", baseline(tiny)))
    assert page.evaluate("network.body.data.nodes.length") == 8
    assert page.evaluate("network.body.data.edges.length") == 8
    colours = page.evaluate(
        "Object.fromEntries(network.body.data.nodes.get().map(n => [n.id, n.color.background]))"
    )
    assert colours["cn-mine"] == colours["cn-sep"] != colours["au-mine"]
    assert page.inner_text("#sg-title") == "Baseline supply graph"
    assert offline_page.errors == [] and offline_page.blocked == []


def test_payloads_never_run(offline_page: Any, hostile: SupplyGraph, hostile_page: Path) -> None:
    page = load(offline_page, hostile_page)
    xss = "typeof window.__xss"
    assert page.evaluate(xss) == "undefined"
    assert page.inner_text("#sg-title") == SCRIPT + IMG
    assert page.evaluate("document.querySelectorAll('img, a, iframe').length") == 0
    assert page.evaluate("document.scripts.length") == 3
    for node_id in hostile.nodes["id"]:
        x, y = node_point(page, node_id)
        page.mouse.move(x, y)
        page.wait_for_function(
            "() => { const t = document.querySelector('div.vis-tooltip');"
            f" return t && t.style.visibility === 'visible' && "
            f"t.innerText.includes('id: {node_id}'); }}"
        )
        tip = page.inner_text("div.vis-tooltip")
        assert any(p in tip for p in PAYLOADS)  # shown as text
        page.mouse.click(x, y)
        assert any(p in page.inner_text("#sg-details") for p in PAYLOADS)
        assert page.evaluate(xss) == "undefined"
    # the options' values are the sector ids (their text the labels, as sector_label makes them)
    sectors = page.eval_on_selector_all("#sg-filter-sector option", "os => os.map(o => o.value)")
    assert set(sectors[1:]) <= set(PAYLOADS) and len(sectors) > 1
    for value in sectors[1:]:
        page.select_option("#sg-filter-sector", value)
    for payload in PAYLOADS:
        page.fill("#sg-query", payload)
        page.press("#sg-query", "Enter")
    assert page.evaluate(xss) == "undefined"
    assert page.evaluate("document.querySelectorAll('img, a, iframe').length") == 0
    assert offline_page.errors == [] and offline_page.blocked == []


def test_aggregated_page_in_chromium(offline_page: Any, tmp_path: Path) -> None:
    graph = synthetic(350)
    page = load(offline_page, write_html(tmp_path / "graph.html", baseline(graph)))
    groups = graph.nodes.groupby(["stage", "country"]).ngroups
    assert page.evaluate("network.body.data.nodes.length") == groups
    assert page.is_visible("#sg-notice")
    assert "2,100 nodes" in page.inner_text("#sg-notice")
    assert offline_page.errors == [] and offline_page.blocked == []


def test_rerouting_column(tiny: SupplyGraph) -> None:
    result = sg.simulate(tiny, cut_and_throttle(), reroute=True)
    data = page_data(render_html(result))
    assert data["scenario"]["header"][-1] == "after rerouting"
    assert all(len(row) == 6 for row in data["scenario"]["rows"])
    assert "after rerouting: " in data["nodes"][0]["title"]


# ---------------------------------------------------------------- the bundled data in Chromium


@pytest.fixture(scope="module")
def bundled_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    result = sg.simulate(sg.load(), sg.load_scenario("2025-10-package"))
    return result, write_html(tmp_path_factory.mktemp("bundled") / "graph.html", result)


def labels(page: Any) -> list[dict[str, Any]]:
    settle(page)
    return page.evaluate("supplygraph.labels()")


def test_big_nodes_and_aggregates_are_named_at_the_first_view(
    offline_page: Any, bundled_page: tuple[Any, Path]
) -> None:
    result, path = bundled_page
    page = load(offline_page, path)
    drawn = labels(page)
    named = {label["id"] for label in drawn}
    nodes = result.nodes
    aggregates = set(nodes.loc[nodes["id"].str.endswith("-agg"), "id"])
    biggest = set(nodes.nlargest(10, "baseline_t")["id"])
    per_stage = set(nodes.sort_values("baseline_t").groupby("stage").tail(3)["id"])
    assert len(aggregates) > 50 and aggregates | biggest | per_stage <= named
    box = page.evaluate("document.getElementById('sg-network').getBoundingClientRect().toJSON()")
    for label in drawn:  # readable, inside the canvas, at least a few letters
        assert label["height"] >= 12 and len(label["text"]) >= 4, label
        assert box["left"] <= label["left"] and label["left"] + label["width"] <= box["right"]
        assert box["top"] <= label["top"] and label["top"] + label["height"] <= box["bottom"]
    for a, b in ((a, b) for i, a in enumerate(drawn) for b in drawn[i + 1 :]):
        apart_x = a["left"] + a["width"] <= b["left"] or b["left"] + b["width"] <= a["left"]
        apart_y = a["top"] + a["height"] <= b["top"] or b["top"] + b["height"] <= a["top"]
        assert apart_x or apart_y, (a, b)  # no two names overlap
    # the names are on the canvas: dark text pixels (#343434) in every label's box
    dark = page.evaluate(
        """labels => {
        const canvas = network.canvas.frame.canvas, ctx = canvas.getContext('2d');
        const box = canvas.getBoundingClientRect(), ratio = canvas.width / canvas.clientWidth;
        return labels.map(l => {
            const pixels = ctx.getImageData(Math.round((l.left - box.left) * ratio),
                Math.round((l.top - box.top) * ratio), Math.round(l.width * ratio),
                Math.round(l.height * ratio)).data;
            let n = 0;
            for (let i = 0; i < pixels.length; i += 4)
                if (pixels[i] < 90 && pixels[i + 1] < 90 && pixels[i + 2] < 90) n++;
            return n;
        });
    }""",
        drawn,
    )
    assert min(dark) >= 15, dark
    # other nodes get their names when zoomed in
    plain = nodes.loc[~nodes["id"].isin(named), "id"].iloc[0]
    page.evaluate(
        "id => network.moveTo({position: network.getPositions([id])[id], scale: 1})", plain
    )
    assert plain in {label["id"] for label in labels(page)}
    assert offline_page.errors == [] and offline_page.blocked == []


def test_a_filter_fits_the_view_to_what_it_leaves(
    offline_page: Any, bundled_page: tuple[Any, Path]
) -> None:
    page = load(offline_page, bundled_page[1])
    page.select_option("#sg-filter-sector", "semiconductors")
    page.select_option("#sg-filter-country", "US")
    shown = page.evaluate("network.body.data.nodes.get({filter: n => !n.hidden}).map(n => n.id)")
    assert 2 <= len(shown) <= 10
    settle(page)
    assert_fills_the_canvas(page, shown)
    assert set(shown) <= {label["id"] for label in labels(page)}  # few left: all named
    page.click("#sg-reset")
    settle(page)
    everything = page.evaluate("network.body.data.nodes.getIds()")
    assert_fills_the_canvas(page, everything, headers=True)
    assert offline_page.errors == [] and offline_page.blocked == []


def test_a_search_fits_and_names_the_chain(
    offline_page: Any, bundled_page: tuple[Any, Path]
) -> None:
    page = load(offline_page, bundled_page[1])
    page.fill("#sg-query", "us-defence-primes-agg")
    page.press("#sg-query", "Enter")
    chain = faded_not(page)
    assert "us-defence-primes-agg" in chain and len(chain) > 10  # its suppliers, up to mines
    settle(page)
    assert_fills_the_canvas(page, chain)
    assert set(chain) <= {label["id"] for label in labels(page)}
    assert offline_page.errors == [] and offline_page.blocked == []


def test_a_tooltip_stays_beside_its_node(
    offline_page: Any, bundled_page: tuple[Any, Path], tiny_result: Any, tmp_path: Path
) -> None:
    result, path = bundled_page
    manufacturers = result.nodes.loc[result.nodes["stage"] == "manufacturer", "id"]
    tiny_page = write_html(tmp_path / "tiny.html", tiny_result)
    for page_path, ids in ((tiny_page, list(tiny_result.nodes["id"])), (path, manufacturers[:6])):
        page = load(offline_page, page_path)
        for node_id in ids:  # the makers sit 144 px from the right edge, the tooltips are wider
            x, y = node_point(page, node_id)
            page.mouse.move(x, y)
            page.wait_for_function(
                "id => { const t = document.querySelector('div.vis-tooltip'); return t &&"
                " t.style.visibility === 'visible' && t.innerText.includes('id: ' + id); }",
                arg=node_id,
            )
            tip = page.evaluate(
                "document.querySelector('div.vis-tooltip').getBoundingClientRect().toJSON()"
            )
            (circle,) = node_boxes(page, [node_id])
            radius = circle["r"] + 2  # and its hover border
            # the nearest point of the tooltip to the node's centre lies outside the node
            near_x = min(max(x, tip["left"]), tip["right"])
            near_y = min(max(y, tip["top"]), tip["bottom"])
            assert (near_x - x) ** 2 + (near_y - y) ** 2 > radius**2, (node_id, tip, x, y)
            page.mouse.move(2, 2)
    assert offline_page.errors == [] and offline_page.blocked == []


def test_the_side_panel_resizes(offline_page: Any, tiny_result: Any, tmp_path: Path) -> None:
    page = load(offline_page, write_html(tmp_path / "graph.html", tiny_result))
    width = "document.getElementById('sg-panel').getBoundingClientRect().width"
    canvas = "network.canvas.frame.canvas.clientWidth"
    assert page.evaluate(width) == pytest.approx(0.32 * 1280, abs=1)  # 32vw of the window
    bar = page.locator("#sg-splitter").bounding_box()
    assert bar is not None
    y = bar["y"] + bar["height"] / 2
    for target, expected in ((700, 1280 - 700 - 3), (1250, 260), (50, 0.6 * 1280)):
        page.mouse.move(bar["x"] + 3, y)
        page.mouse.down()
        page.mouse.move(target, y, steps=4)
        page.mouse.up()
        bar = page.locator("#sg-splitter").bounding_box()
        assert bar is not None
        # dragged to x, the panel takes the rest of the 1280 px window (centre of the 6 px
        # bar under the pointer), at least 260 px and at most 60% of the window
        assert page.evaluate(width) == pytest.approx(expected, abs=1)
        settle(page)
        assert page.evaluate(canvas) == pytest.approx(1280 - page.evaluate(width) - 6, abs=1)
        assert_fills_the_canvas(page, list(tiny_result.nodes["id"]))  # still fitted
    page.focus("#sg-splitter")
    before = page.evaluate(width)
    page.keyboard.press("ArrowRight")
    assert page.evaluate(width) == pytest.approx(before - 20, abs=1)
    assert offline_page.errors == [] and offline_page.blocked == []


def test_the_sector_table_breaks_no_word(offline_page: Any, bundled_page: tuple[Any, Path]) -> None:
    page = load(offline_page, bundled_page[1])
    lines_per_word = """() => {
        const words = [];
        const walker = document.createTreeWalker(document.getElementById('sg-sectors'),
                                                 NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (const m of node.data.matchAll(/\\S+/g)) {
                const range = document.createRange();
                range.setStart(node, m.index);
                range.setEnd(node, m.index + m[0].length);
                const tops = new Set(Array.from(range.getClientRects(), r => Math.round(r.top)));
                words.push([m[0], tops.size]);
            }
        }
        return words;
    }"""
    for panel in ("", "260px"):  # as it opens, and at its narrowest
        page.evaluate(
            "w => document.querySelector('main').style.setProperty('--sg-panel', w)", panel
        )
        words = page.evaluate(lines_per_word)
        assert {"Consumer", "electronics", "Semiconductors", "rerouting"} <= {w for w, _ in words}
        assert [w for w, lines in words if lines != 1] == []
    assert offline_page.errors == [] and offline_page.blocked == []


def lightness(colour: str) -> float:
    """CIE L* of an sRGB colour (D65)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 116 * y ** (1 / 3) - 16 if y > 0.008856 else 903.3 * y


def test_the_shortfall_scale_steps_in_lightness() -> None:
    # Lightness is seen by every colour vision (and in greyscale): each class is at least
    # 15 L* darker than the one below it. YlOrRd's 50-75% and >75% reds were 14 apart
    # (#f03b20: 54, #bd0026: 40) and mostly differed in hue.
    steps = [lightness(colour) for _, colour in EXPOSURE_SCALE]
    assert all(a - b >= 15 for a, b in itertools.pairwise(steps)), steps


def test_the_timeline_page_slider_colours_nodes_by_the_day(
    offline_page: Any, tmp_path: Path
) -> None:
    from cli_helpers import invoke

    out = tmp_path / "tl"
    result = invoke(
        "timeline", "-s", "2026-11-lapse", "--to", "2027-06-30", "--out", str(out), "-q"
    )
    assert result.exit_code == 0, result.output
    page = load(offline_page, out / "timeline.html")
    assert page.evaluate("document.getElementById('sg-chart').naturalWidth") > 0
    colour = "id => network.body.data.nodes.get(id).color.background"
    # on the last week Chinese magnet exports are throttled: the German actuator makers are short
    last = page.evaluate(colour, "de-auto-actuators-agg")
    assert last != UNAFFECTED
    assert page.inner_text("#sg-day").startswith("2027-06-")
    # on the first day (1 November 2026) nothing is short yet: every node unaffected
    page.evaluate(
        "() => { const s = document.getElementById('sg-slider'); s.value = '0';"
        " s.dispatchEvent(new Event('input')); }"
    )
    assert page.inner_text("#sg-day").startswith("2026-11-01: 0 of 165 nodes short")
    assert page.evaluate(colour, "de-auto-actuators-agg") == UNAFFECTED
    # a run without daily records has no stock sparkline
    assert page.locator("#sg-stock-line").count() == 0
    assert offline_page.errors == [] and offline_page.blocked == []


def stock_cover(page: Any) -> list[float]:
    """The sparkline's stock cover, read back from its points (up is more cover)."""
    points = page.get_attribute("#sg-stock-cover", "points").split()
    return [80 - 4 - float(point.split(",")[1]) for point in points]  # the page's H and PAD


def choose_line(page: Any, node_id: str) -> None:
    """Pick the first line of a node in the stock panel's select box, by its label."""
    label = page.evaluate(
        "id => Array.from(document.getElementById('sg-stock-line').options)"
        ".map(o => o.text).find(t => t.includes('(' + id + ')'))",
        node_id,
    )
    assert label, node_id
    page.select_option("#sg-stock-line", label=label)


def test_the_timeline_page_shows_a_line_running_down_and_refilling(
    offline_page: Any, tmp_path: Path
) -> None:
    from cli_helpers import invoke

    out = tmp_path / "tl"
    result = invoke(
        "timeline", "-s", "2025-replay", "--records", "--rebuild-rate", "0.05",
        "--out", str(out), "-q",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    page = load(offline_page, out / "timeline.html")
    # the German EV motor makers' 25 days of magnets run out in the episode, and refill
    choose_line(page, "de-ev-motor-agg")
    assert "(de-ev-motor-agg)" in page.inner_text("#sg-stock-note")
    cover = stock_cover(page)
    top, low = max(cover), cover.index(min(cover))
    assert cover[0] == pytest.approx(top)  # full at the start
    assert min(cover) <= 0.01 * top and 0 < low < len(cover) - 1  # down to nothing ...
    assert cover[-1] >= 0.9 * top  # ... and back up
    # its output (dotted, 0 to 100%) falls once the stock is gone, and recovers
    points = page.get_attribute("#sg-stock-output", "points").split()
    output = [(80 - 4 - float(point.split(",")[1])) / 72 * 100 for point in points]
    assert output[0] == pytest.approx(100) and output[-1] == pytest.approx(100)
    assert min(output) < 50 and cover[output.index(min(output))] <= 0.01 * top  # stock gone
    # in step with the slider: on the first week the marker sits at the left, cover full
    page.evaluate(
        "() => { const s = document.getElementById('sg-slider'); s.value = '0';"
        " s.dispatchEvent(new Event('input')); }"
    )
    assert float(page.get_attribute("#sg-stock-day", "x1")) == 0
    first = page.inner_text("#sg-day")[:10]
    assert f"on {first}: cover 25 days, output 100%" in page.inner_text("#sg-stock-note")
    # clicking a node shows its own line
    x, y = node_point(page, "de-vac-hanau")
    page.mouse.click(x, y)
    assert "(de-vac-hanau)" in page.inner_text("#sg-stock-note")
    assert "(de-vac-hanau)" in page.evaluate(
        "() => { const s = document.getElementById('sg-stock-line');"
        " return s.options[s.selectedIndex].text; }"
    )
    assert offline_page.errors == [] and offline_page.blocked == []


def test_the_timeline_page_with_records_and_no_dynamics_shows_stocks_that_stay_down(
    offline_page: Any, tmp_path: Path
) -> None:
    from cli_helpers import invoke

    out = tmp_path / "tl"
    result = invoke("timeline", "-s", "2025-replay", "--records", "--out", str(out), "-q")
    assert result.exit_code == 0, result.output
    page = load(offline_page, out / "timeline.html")
    choose_line(page, "de-ev-motor-agg")
    cover = stock_cover(page)
    # without restocking a stock that ran out stays out (issue 25)
    assert cover[0] == pytest.approx(max(cover)) and cover[-1] <= 0.01 * max(cover)
    assert offline_page.errors == [] and offline_page.blocked == []


def test_the_stock_panel_keeps_lines_that_moved_and_days_that_changed() -> None:
    from supplygraph.outputs.dated_report import stock_panel

    # three days, three lines: a:x runs 10 -> 5 -> 10 (used half its cover), b keeps 4
    # (its cover did not move), c has no inputs (no cover)
    records = pd.DataFrame(
        {
            "date": np.repeat(["2025-01-01", "2025-01-02", "2025-01-03"], 3),
            "node": ["a", "b", "c"] * 3,
            "line": ["x", "", ""] * 3,
            "output_pct": [100, 100, 100, 100, 100, 100, 80, 100, 100],
            "cover_days": [10, 4, np.nan, 5.04, 4, np.nan, 10, 4, np.nan],
            "limiting_input": "",
        }
    )
    nodes = pd.DataFrame({"id": ["a", "b", "c"], "name": ["<b>A</b>", "B", "C"]})
    panel = stock_panel(records, nodes)
    assert panel == {
        "dates": ["2025-01-01", "2025-01-02", "2025-01-03"],
        "moved": 1,
        "lines": [
            {
                "node": "a",
                "line": "x",
                "label": "<b>A</b> (a), x",  # text: the page shows it with textContent
                "cover": [[0, 10.0], [1, 5.0], [2, 10.0]],  # 5.04 rounds to 5.0
                "output": [[0, 100.0], [2, 80.0]],  # only the days it changed
            }
        ],
    }


def test_stock_labels_never_run(offline_page: Any, hostile: SupplyGraph, tmp_path: Path) -> None:
    scenario = Scenario("evil", licences=(LicencePolicy("CN-2025-18", "cut"),))
    result = sg.simulate(hostile, scenario, reroute=False)
    series = {"cover": [[0, 5.0], [1, 0.0]], "output": [[0, 100.0]]}
    stock = {
        "dates": ["2025-01-01", "2025-01-02"],
        "moved": len(PAYLOADS),
        "lines": [
            {"node": node, "line": payload, "label": payload, **series}
            for node, payload in zip(hostile.nodes["id"], PAYLOADS)
        ],
    }
    path = tmp_path / "timeline.html"
    path.write_text(render_html(result, stock=stock), encoding="utf-8")
    page = load(offline_page, path)
    labels = page.eval_on_selector_all("#sg-stock-line option", "os => os.map(o => o.text)")
    assert labels == list(PAYLOADS)[: len(labels)] and labels  # shown as text
    for k in range(len(labels)):
        page.select_option("#sg-stock-line", str(k))
        assert page.inner_text("#sg-stock-note").startswith(labels[k])
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.evaluate("document.querySelectorAll('img, a, iframe').length") == 0
    assert offline_page.errors == [] and offline_page.blocked == []
