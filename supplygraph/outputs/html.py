"""Render a supply graph, and optionally a scenario result, as one self-contained HTML page."""

from __future__ import annotations

import base64
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..analyses import columns
from ..analyses.exposure import Result, share_pct
from ..dataset import schema
from ..dataset.graph import reachable
from ._html_assets import page_js, template, vis_js
from ._html_text import days, edge_tip, node_tip, number, percent, short, tonnes
from .files import write_atomic

MAX_NODES = 2000
COLUMN_PX = 300  # between two columns of nodes: room for the names drawn beside them
STAGE_GAP_PX = 60  # and this much more between two stages
ROWS_PER_COLUMN = 29  # a crowded stage is split into columns of this many rows ...
MAX_COLUMNS_PER_STAGE = 4  # ... or more rows, where it would need more columns than this
ROW_PX = 46
COUNTRY_GAP_PX = 24  # extra space where the country changes within a column
AFFECTED_PCT = 0.05  # smaller shortfalls round to 0.0% and are drawn as unaffected

LABELLED_PER_STAGE = 3  # the biggest nodes of each stage are named at the first view ...
LABELLED_OVERALL = 10  # ... and the biggest of the whole graph

UNAFFECTED = "#d5d9dd"
NODE_BORDER = "#5f6b76"
# Sequential scale on shortfall_pct: (upper bound, colour). Matplotlib's inferno at 0.95,
# 0.75, 0.55, 0.35, 0.15: lightness (CIE L*) falls by about 20 a class (92, 69, 49, 31, 12),
# so neighbouring classes differ for every colour vision and in greyscale (docs/html.md).
EXPOSURE_SCALE = (
    (10.0, "#f1ef75"),
    (25.0, "#f98e09"),
    (50.0, "#cc4248"),
    (75.0, "#7f1e6c"),
    (math.inf, "#2b0b57"),
)
# Countries of the baseline graph, by throughput (Tableau 10 without its grey).
COUNTRY_PALETTE = (
    "#e15759",
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#ff9da7",
    "#9c755f",
)
OTHER_COUNTRIES = "#bab0ac"
EDGE_STYLES = {  # status: (colour, dash pattern or False, legend label)
    "ok": ("#9aa3ad", False, "normal flow"),
    "reduced-upstream": ("#4f86c6", False, "reduced upstream"),
    "throttled": ("#8e44ad", [10, 6], "throttled licence"),
    "cut": ("#d62728", [3, 5], "cut licence"),
}
LICENCE_EDGE_MIN_WIDTH = 2.5  # cut and throttled edges stay visible however small their flow
# An overlay's nodes (dataset.overlay) get a thick border of this colour, the nodes and
# flows upstream of them (their supply paths) a thinner one and this colour where normal.
OVERLAY_COLOUR = "#009e73"  # Okabe-Ito bluish green: apart from the exposure scale's hues
OVERLAY_BORDER_PX, UPSTREAM_BORDER_PX = 5.0, 3.0


def render_html(
    result: Result,
    *,
    title: str | None = None,
    max_nodes: int = MAX_NODES,
    node_colour_pct: np.ndarray | None = None,
    colour_title: str = "",
    days: tuple[list[str], np.ndarray] | None = None,
    chart_png: bytes | None = None,
    dated: dict[str, Any] | None = None,
    ranking: dict[str, Any] | None = None,
    stock: dict[str, Any] | None = None,
) -> str:
    """Return the interactive page of a scenario result.

    Nodes are coloured by their shortfall; a scenario that restricts nothing (no licence
    policy, no rule) draws the baseline graph, nodes coloured by country. Given
    ``node_colour_pct`` (a percentage per node, such as the n-1 loss of
    :mod:`supplygraph.analyses.criticality`), nodes take the shortfall scale's colour of that
    figure instead (an aggregated node the largest of its members').

    Parameters
    ----------
    result
        A scenario result (:func:`supplygraph.analyses.exposure.simulate`, or
        :func:`supplygraph.analyses.exposure.baseline` for the graph alone).
    title
        Page heading; by default the scenario title, or "Baseline supply graph".
    max_nodes
        Above this many nodes, draw one node per stage and country instead.
    node_colour_pct
        A percentage per node (graph order) to colour the nodes by.
    colour_title
        The legend's heading for ``node_colour_pct``.
    days
        A dated run's days and each node's output on them (% of baseline; shape days x
        nodes, :func:`supplygraph.analyses.timeline.node_output_pct`): the page gains a date slider
        that colours the nodes by that day's shortfall (not on an aggregated page).
    chart_png
        A chart to show in the side panel (PNG bytes), e.g. the dated run's.
    dated
        A dated run's figures for the side panel, in place of the steady state's:
        ``summary`` (lines of text), ``header`` and ``rows`` (the sector table, as text).
    ranking
        What ``node_colour_pct`` is, for the side panel: ``heading``, ``intro`` (lines of
        text) and a table (``header``, ``rows``, as text), e.g. the n-1 sweep's ranking.
    stock
        A dated run's stock cover and output per product line, day by day
        (:func:`supplygraph.outputs.dated_report.stock_panel`): the side panel gains a line
        picker and a sparkline of the chosen line, marked at the slider's date.

    Returns
    -------
    str
        A complete HTML document that loads nothing from the network.

    Examples
    --------
    >>> import supplygraph as sg
    >>> from supplygraph.analyses.exposure import baseline
    >>> page = render_html(baseline(sg.load()))
    >>> page.startswith("<!DOCTYPE html>") and "vis-network" in page
    True
    """
    scenario = result.scenario
    exposure = bool(scenario.licences or scenario.rules)
    nodes, edges = _node_table(result, exposure), _edge_table(result)
    if node_colour_pct is not None:
        nodes["colour_pct"] = node_colour_pct
    summary = _summary(nodes, edges, exposure)
    notice = ""
    if len(nodes) > max_nodes:
        notice = (
            f"This graph has {len(nodes):,} nodes, more than {max_nodes:,}: each node "
            "below stands for all nodes of one stage in one country, with their flows "
            "and exposures summed."
        )
        colour_pct = nodes.get("colour_pct")
        nodes, edges = _aggregate(nodes, edges)
        if colour_pct is not None:
            key = result.nodes["stage"] + ":" + result.nodes["country"]
            nodes["colour_pct"] = (
                colour_pct.groupby(key.to_numpy()).max().loc[nodes["id"]].to_numpy()
            )
    heading = title if title is not None else _default_title(result, exposure)
    x, y = _layout(nodes)
    vis_nodes, vis_edges = _vis_elements(nodes, edges, x, y, exposure)
    data = {
        "title": heading,
        "notice": notice,
        "summary": summary,
        "scenario": _scenario_panel(result) if exposure else None,
        "legend": _legend(nodes, edges, exposure, colour_title),
        "filters": {
            "sector": [  # (value, label) pairs: the page shows the labels
                (s, schema.sector_label(s))
                for s in sorted({s for cell in nodes["sector"] for s in schema.split_list(cell)})
            ],
            "country": [(c, c) for c in sorted(set(nodes["country"]))],
            "stage": [(s, s) for s in schema.STAGES if s in set(nodes["stage"])],
        },
        "stages": _stage_headers(nodes, x, y),
        "options": _vis_options(),
        "nodes": vis_nodes,
        "edges": vis_edges,
        "timeline": _timeline_panel(result, days, chart_png, stock, aggregated=bool(notice)),
        "ranking": ranking,
    }
    if dated is not None and data["scenario"] is not None:  # the terminal's dated figures
        data["summary"] = list(dated["summary"])
        data["scenario"].update(
            table_title="Sector output over the dated run",
            header=list(dated["header"]),
            rows=[list(row) for row in dated["rows"]],
            bottlenecks_title="Where the losses start in the steady state",
        )
    return template().render(title=heading, data=data, vis_js=vis_js(), page_js=page_js())


def write_html(
    path: str | os.PathLike[str],
    result: Result,
    *,
    title: str | None = None,
    max_nodes: int = MAX_NODES,
) -> Path:
    """Write the page of :func:`render_html` to ``path`` (UTF-8, atomically).

    Parameters
    ----------
    path
        The file to write.
    result, title, max_nodes
        As for :func:`render_html`.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    write_atomic(path, render_html(result, title=title, max_nodes=max_nodes))
    return path


# ---------------------------------------------------------------- tables


def _node_table(result: Result, exposure: bool) -> pd.DataFrame:
    """One row per node, in graph order; the rerouted figures only for an exposure page."""
    names = list(columns.PAGE_NODE_COLUMNS)
    if exposure:
        names += columns.WHY_COLUMNS
        if "after_reroute_t" in result.nodes:
            names += columns.PAGE_REROUTE_COLUMNS
    table = result.nodes[names].reset_index(drop=True)
    # a maker's sectors are its own and its product lines' (automotive lives in lines.csv)
    lines = result.lines.groupby("node")["sector"].agg(lambda s: {x for x in s if x})
    table["sector"] = [
        ";".join(sorted({*schema.split_list(cell), *lines.get(node, ())}))
        for node, cell in zip(table["id"], table["sector"])
    ]
    table["members"] = 1
    if "layer" in result.nodes:  # with overlays: theirs, and what supplies them
        overlay = (result.nodes["layer"] == "overlay").to_numpy()
        graph = result.graph
        table["overlay"] = overlay
        table["upstream"] = reachable(
            graph.n_nodes, graph.index.src, graph.index.dst, overlay, upstream=True
        )
    return table


def _edge_table(result: Result) -> pd.DataFrame:
    """One row per edge with node positions ``src``/``dst``, status and regimes."""
    table = result.edges.copy()
    graph = result.graph
    table["src"] = graph.edges["src"].to_numpy()
    table["dst"] = graph.edges["dst"].to_numpy()
    table["baseline_t"] = table["baseline_t"].fillna(0.0)
    return table.reset_index(drop=True)


def _aggregate(nodes: pd.DataFrame, edges: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Merge nodes into one per (stage, country), summing flows and exposures."""
    key = nodes["stage"] + ":" + nodes["country"]
    # tonnes of Chinese-origin content: the node's share (a percentage) of its throughput
    content_t = nodes["china_content_pct"] / 100 * nodes["baseline_t"]
    grouped = nodes.assign(content_t=content_t).groupby(key.rename("id"), sort=True)
    sums = ["members", "baseline_t", "after_t", "content_t"]
    table = grouped[sums + (["after_reroute_t"] if "after_reroute_t" in nodes else [])].sum()
    table["stage"], table["country"] = grouped["stage"].first(), grouped["country"].first()
    table["days_to_impact"] = grouped["days_to_impact"].min()
    table["sector"] = grouped["sector"].agg(lambda s: ";".join(sorted({x for x in s if x})))
    table["shortfall_pct"] = share_pct(table["baseline_t"] - table["after_t"], table["baseline_t"])
    table["china_content_pct"] = share_pct(table["content_t"], table["baseline_t"])
    if "after_reroute_t" in table:
        lost = table["baseline_t"] - table["after_reroute_t"]
        table["shortfall_reroute_pct"] = share_pct(lost, table["baseline_t"])
    table = table.drop(columns="content_t").reset_index()
    table["name"] = table["stage"] + " in " + table["country"]
    table["company"] = table["members"].map(lambda n: f"{n:,} nodes")
    table["stock_days"], table["source"] = np.nan, "aggregated"

    group_of = pd.Series(np.arange(len(table)), index=table["id"]).loc[key].to_numpy()
    flows = edges.assign(src=group_of[edges["src"]], dst=group_of[edges["dst"]])
    merged = (
        flows.groupby(["src", "dst", "flow_status"], sort=True)
        .agg(
            baseline_t=("baseline_t", "sum"),
            after_t=("after_t", "sum"),
            material=("material", _union),
            elements=("elements", _union),
            regimes=("regimes", _union),
        )
        .reset_index()
    )
    merged["supplier"] = table["id"].to_numpy()[merged["src"]]
    merged["customer"] = table["id"].to_numpy()[merged["dst"]]
    return table, merged


def _union(cells: pd.Series) -> str:
    return ";".join(sorted({item for cell in cells for item in schema.split_list(cell)}))


def _served_sectors(nodes: pd.DataFrame, edges: pd.DataFrame) -> list[list[str]]:
    """Return, per node, the sectors it is in or supplies (directly or through others)."""
    sectors = sorted({s for cell in nodes["sector"] for s in schema.split_list(cell)})
    src, dst = edges["src"].to_numpy(np.int64), edges["dst"].to_numpy(np.int64)
    cells = [set(schema.split_list(cell)) for cell in nodes["sector"]]
    serves = [
        reachable(len(nodes), src, dst, np.array([sector in c for c in cells]), upstream=True)
        for sector in sectors
    ]
    return [[s for s, mask in zip(sectors, serves) if mask[i]] for i in range(len(nodes))]


def _summary(nodes: pd.DataFrame, edges: pd.DataFrame, exposure: bool) -> list[str]:
    lines = [f"{len(nodes):,} nodes, {len(edges):,} edges"]
    if exposure:
        status = edges["flow_status"].value_counts()
        affected = int((nodes["shortfall_pct"] >= AFFECTED_PCT).sum())
        lines += [
            f"edges: {status.get('cut', 0)} cut, {status.get('throttled', 0)} throttled, "
            f"{status.get('reduced-upstream', 0)} reduced upstream",
            f"{affected} of {len(nodes):,} nodes lose output",
        ]
    return lines


# ---------------------------------------------------------------- layout and styles


def _layout(nodes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Stage columns left to right; rows by country, then name (deterministic).

    Short columns keep the page landscape, so that the names beside the nodes fit at the
    first view.
    """
    x, y = np.zeros(len(nodes)), np.zeros(len(nodes))
    largest = int(nodes["stage"].value_counts().max()) if len(nodes) else 0
    per_column_max = max(ROWS_PER_COLUMN, math.ceil(largest / MAX_COLUMNS_PER_STAGE))
    columns = []  # per stage: its sub-columns of node rows
    for stage in schema.STAGES:
        rows = nodes[nodes["stage"] == stage].sort_values(["country", "name", "id"])
        n_columns = math.ceil(len(rows) / per_column_max)
        per_column = math.ceil(len(rows) / n_columns) if n_columns else 0
        chunks = [rows.iloc[c * per_column : (c + 1) * per_column] for c in range(n_columns)]
        columns.append([chunk for chunk in chunks if not chunk.empty])
    for chunk in (chunk for stage in columns for chunk in stage):
        breaks = np.cumsum(chunk["country"].ne(chunk["country"].shift()).to_numpy()) - 1
        offsets = np.arange(len(chunk)) * ROW_PX + breaks * COUNTRY_GAP_PX
        y[chunk.index] = offsets - offsets[-1] / 2
    left = 0.0
    for stage_columns in (c for c in columns if c):
        for chunk in stage_columns:
            x[chunk.index] = left
            left += COLUMN_PX
        left += STAGE_GAP_PX
    return x, y


def _stage_headers(nodes: pd.DataFrame, x: np.ndarray, y: np.ndarray) -> list[dict[str, Any]]:
    top = float(y.min()) - 50 if len(y) else 0.0
    headers = []
    for stage in schema.STAGES:
        mask = (nodes["stage"] == stage).to_numpy()
        if mask.any():
            headers.append(
                {"label": stage, "x": float(x[mask].min() + x[mask].max()) / 2, "y": top}
            )
    return headers


def _exposure_colour(pct: float) -> str:
    if not pct >= AFFECTED_PCT:
        return UNAFFECTED
    return next(colour for bound, colour in EXPOSURE_SCALE if pct <= bound)


def _country_colours(nodes: pd.DataFrame) -> dict[str, str]:
    """Colour the countries with most throughput; the rest share one colour."""
    totals = nodes.groupby("country")["baseline_t"].sum()
    ranked = sorted(totals.index, key=lambda c: (-totals[c], c))
    colours = dict(zip(ranked, COUNTRY_PALETTE))
    return {c: colours.get(c, OTHER_COUNTRIES) for c in ranked}


def _node_size(t: np.ndarray, largest: float) -> np.ndarray:
    """Radius in px: area proportional to throughput."""
    return 8 + 22 * np.sqrt(np.clip(t, 0, None) / largest) if largest > 0 else np.full(len(t), 8.0)


def _edge_width(t: np.ndarray, largest: float) -> np.ndarray:
    return 1 + 7 * np.sqrt(np.clip(t, 0, None) / largest) if largest > 0 else np.ones(len(t))


def _legend(
    nodes: pd.DataFrame, edges: pd.DataFrame, exposure: bool, colour_title: str = ""
) -> dict[str, Any]:
    if exposure or "colour_pct" in nodes:
        colours, lower = [{"colour": UNAFFECTED, "label": "unaffected (0%)"}], 0.0
        for bound, colour in EXPOSURE_SCALE:
            label = f"> {lower:g}% shortfall" if math.isinf(bound) else f"{lower:g}-{bound:g}%"
            colours.append({"colour": colour, "label": label})
            lower = bound
    else:
        by_country = _country_colours(nodes)
        colours = [{"colour": c, "label": k} for k, c in by_country.items() if c != OTHER_COUNTRIES]
        if OTHER_COUNTRIES in by_country.values():
            colours.append({"colour": OTHER_COUNTRIES, "label": "other countries"})
    if "overlay" in nodes:
        colours.append({"colour": OVERLAY_COLOUR, "label": "border: your nodes (overlay)"})
    largest_node, largest_edge = nodes["baseline_t"].max(), edges["baseline_t"].max()
    nodes_t = np.array([1.0, 0.25, 0.01]) * (largest_node if largest_node > 0 else 0.0)
    edges_t = np.array([1.0, 0.25, 0.01]) * (largest_edge if largest_edge > 0 else 0.0)
    return {
        "title": colour_title
        if "colour_pct" in nodes
        else ("Shortfall after the scenario" if exposure else "Country"),
        "colours": colours,
        "edges": [
            {"colour": colour, "dashes": dashes, "label": label}
            for colour, dashes, label in (
                [*(EDGE_STYLES.values() if exposure else [EDGE_STYLES["ok"]])]
                + (
                    [(OVERLAY_COLOUR, False, "supply path into your nodes")]
                    if "overlay" in nodes
                    else []
                )
            )
        ],
        "sizes": [
            {"size": round(float(s), 1), "label": f"{tonnes(t)} t/yr"}
            for s, t in zip(_node_size(nodes_t, nodes_t[0]), nodes_t)
        ],
        "widths": [
            {"width": round(float(w), 1), "label": f"{tonnes(t)} t/yr"}
            for w, t in zip(_edge_width(edges_t, edges_t[0]), edges_t)
        ],
    }


# ---------------------------------------------------------------- vis-network data


def _vis_elements(
    nodes: pd.DataFrame, edges: pd.DataFrame, x: np.ndarray, y: np.ndarray, exposure: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the vis-network node and edge dicts.

    Plain dicts with the keys pyvis's ``Network(directed=True).add_node`` / ``add_edge``
    gave them (less the node's ``label``), without pyvis: its import and its scan of the
    node list for every edge cost half a second a page (docs/performance.md).
    """
    vis_nodes: list[dict[str, Any]] = []
    sizes = _node_size(nodes["baseline_t"].to_numpy(), float(nodes["baseline_t"].max()))
    by_country = {} if exposure else _country_colours(nodes)
    serves = _served_sectors(nodes, edges)
    labelled = _labelled(nodes)
    for i, row in enumerate(nodes.to_dict("records")):
        fill = _exposure_colour(row["shortfall_pct"]) if exposure else by_country[row["country"]]
        if "colour_pct" in row:
            fill = _exposure_colour(row["colour_pct"])
        border, extra = NODE_BORDER, {}
        if row.get("upstream"):
            border = OVERLAY_COLOUR
            extra = {"upstream_of_overlay": True, "borderWidth": UPSTREAM_BORDER_PX}
        if row.get("overlay"):
            extra = {"layer": "overlay", "borderWidth": OVERLAY_BORDER_PX}
        vis_nodes.append(
            {
                "color": {
                    "background": fill,
                    "border": border,
                    "highlight": {"background": fill, "border": "#000000"},
                    "hover": {"background": fill, "border": "#000000"},
                },
                "caption": short(row["name"], 32),
                "labelled": bool(labelled[i]),
                "title": node_tip(row, exposure),
                "x": round(float(x[i]), 1),
                "y": round(float(y[i]), 1),
                "size": round(float(sizes[i]), 2),
                "stage": row["stage"],
                "country": row["country"],
                "name": row["name"],
                "serves": serves[i],
                "shortfall_pct": number(row["shortfall_pct"]),
                **extra,
                "id": row["id"],
                "shape": "dot",
            }
        )
    widths = _edge_width(edges["baseline_t"].to_numpy(), float(edges["baseline_t"].max()))
    licence = edges["flow_status"].isin(["cut", "throttled"]).to_numpy()
    widths = np.where(licence, np.maximum(widths, LICENCE_EDGE_MIN_WIDTH), widths)
    names = dict(zip(nodes["id"], nodes["name"]))
    upstream = nodes["upstream"].to_numpy() if "upstream" in nodes else np.zeros(len(nodes), bool)
    into_overlay = upstream[edges["dst"].to_numpy()] if len(edges) else np.zeros(0, bool)
    parallel: dict[tuple[str, str], int] = {}
    vis_edges: list[dict[str, Any]] = []
    for j, row in enumerate(edges.to_dict("records")):
        pair = (row["supplier"], row["customer"])
        rank = parallel[pair] = parallel.get(pair, -1) + 1
        colour, dashes, _ = EDGE_STYLES.get(row["flow_status"], EDGE_STYLES["ok"])
        path = {}
        if into_overlay[j]:  # a supply path into the overlay's nodes
            path = {"to_overlay": True}
            colour = OVERLAY_COLOUR if row["flow_status"] == "ok" else colour
        smooth = (
            {
                "enabled": True,
                "type": "cubicBezier",
                "forceDirection": "horizontal",
                "roundness": 0.5,
            }
            if rank == 0
            # parallel edges fan out
            else {
                "enabled": True,
                "type": "curvedCW" if rank % 2 else "curvedCCW",
                "roundness": 0.12 * ((rank + 1) // 2),
            }
        )
        vis_edges.append(
            {
                "id": f"e{j}",
                "width": round(float(widths[j]), 2),
                "title": edge_tip(row, names, exposure),
                "dashes": dashes,
                "smooth": smooth,
                "status": row["flow_status"],
                "material": row["material"],
                "color": {"color": colour, "highlight": colour, "hover": colour, "inherit": False},
                **path,
                "from": row["supplier"],
                "to": row["customer"],
                "arrows": "to",
            }
        )
    # no "label": the page script draws the names beside the nodes
    return vis_nodes, vis_edges


def _labelled(nodes: pd.DataFrame) -> np.ndarray:
    """Return which nodes are named at the first view: aggregates and the biggest nodes."""
    ranks = nodes.groupby("stage")["baseline_t"].rank(method="first", ascending=False)
    overall = nodes["baseline_t"].rank(method="first", ascending=False)
    aggregate = nodes["id"].str.endswith(schema.AGGREGATE_SUFFIX) | (nodes["members"] > 1)
    own = nodes.get("overlay", False)  # an overlay's nodes: the user's own
    labelled = aggregate | own | (ranks <= LABELLED_PER_STAGE) | (overall <= LABELLED_OVERALL)
    return labelled.to_numpy()


def _vis_options() -> dict[str, Any]:
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "multiselect": False,
            "navigationButtons": False,
            "keyboard": False,
        },
        "nodes": {"shape": "dot", "borderWidth": 1.5},
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "arrowStrikethrough": False,
            "selectionWidth": 2,
        },
    }


# ---------------------------------------------------------------- side panel


def _default_title(result: Result, exposure: bool) -> str:
    if not exposure:
        return "Baseline supply graph"
    return result.scenario.title or result.scenario.name


def _scenario_panel(result: Result) -> dict[str, Any]:
    scenario = result.scenario
    sectors = result.sectors.sort_values(["shortfall_pct", "sector"], ascending=[False, True])
    reroute = "shortfall_reroute_pct" in sectors
    header = ["sector", "makers", "shortfall", "of units", "days to impact"]
    banded = "shortfall_pct_p10" in sectors
    rows = [
        [
            schema.sector_label(str(row["sector"])),
            str(row["makers"]),
            _with_band(row, "shortfall_pct") if banded else percent(row["shortfall_pct"]),
            _with_band(row, "shortfall_units_pct")
            if banded
            else percent(row["shortfall_units_pct"]),
            days(row["days_to_impact"]),
        ]
        + ([percent(row["shortfall_reroute_pct"])] if reroute else [])
        for row in sectors.to_dict("records")
    ]
    # each row's tooltip: the P10-P90 bands and how many draws gave them
    tips = [_band_tip(row) if banded else "" for row in sectors.to_dict("records")]
    return {
        "tips": tips,
        "name": scenario.name,
        "title": scenario.title,
        "as_of": f"as of {scenario.as_of.isoformat()}" if scenario.as_of else "as announced",
        "description": " ".join(scenario.description.split()),
        "sources": list(scenario.sources),
        "rows": rows,
        "header": header + (["after rerouting"] if reroute else []),
        "bottlenecks": [
            f"{schema.sector_label(str(row['sector']))}: {row['bottlenecks']}"
            for row in sectors.to_dict("records")
            if row.get("bottlenecks")
        ],
    }


def _with_band(row: dict[str, Any], figure: str) -> str:
    """A percentage with its P10-P90 band: ``55.1% (53-57)``; the figure alone without one."""
    low, high = row.get(f"{figure}_p10"), row.get(f"{figure}_p90")
    if low is None or high is None or math.isnan(low) or math.isnan(high):
        return percent(row[figure])
    return f"{percent(row[figure])} ({low:.0f}-{high:.0f})"


def _band_tip(row: dict[str, Any]) -> str:
    """A sector row's tooltip: its bands, P10 / P50 / P90 over the draws."""
    parts = []
    for figure, what in (
        ("shortfall_pct", "tonnes lost"),
        ("shortfall_units_pct", "products lost"),
        ("outside_issuer_shortfall_units_pct", "products lost outside the issuer"),
    ):
        values = [row.get(f"{figure}_p{q}") for q in (10, 50, 90)]
        if any(v is None or math.isnan(v) for v in values):
            continue
        parts.append(f"{what}: P10 {values[0]:.1f}%, P50 {values[1]:.1f}%, P90 {values[2]:.1f}%")
    draws = row.get("band_draws")
    head = f"over {int(draws):,} draws of every range" if draws == draws and draws else ""
    return "; ".join(parts) + (f" ({head})" if head and parts else "")


def _timeline_panel(
    result: Result,
    days: tuple[list[str], np.ndarray] | None,
    chart_png: bytes | None,
    stock: dict[str, Any] | None,
    *,
    aggregated: bool,
) -> dict[str, Any] | None:
    """The data of the page's date slider: dates, each node's shortfall on them, the scale;
    and the stock sparklines' figures."""
    if days is None and chart_png is None and stock is None:
        return None
    panel: dict[str, Any] = {"chart": "", "dates": [], "shortfall": {}}
    if stock is not None:  # a run without daily records: the same page as before
        panel["stock"] = stock
    if chart_png is not None:
        panel["chart"] = "data:image/png;base64," + base64.b64encode(chart_png).decode("ascii")
    if days is not None and not aggregated:
        dates, output_pct = days
        ids = result.graph.nodes["id"].tolist()
        shortfall = np.round(np.clip(100 - output_pct, 0, 100), 1)
        panel["dates"] = list(dates)
        panel["shortfall"] = {node: shortfall[:, i].tolist() for i, node in enumerate(ids)}
        # the page opens on the worst day (most shortfall over all nodes; the first such)
        panel["open"] = int(np.argmax(shortfall.sum(axis=1))) if len(dates) else 0
    panel["scale"] = [[None if math.isinf(b) else b, colour] for b, colour in EXPOSURE_SCALE]
    panel["unaffected"], panel["affected"] = UNAFFECTED, AFFECTED_PCT
    return panel
