"""Render a supply graph, and optionally a scenario result, as one self-contained HTML page."""

from __future__ import annotations

import math
import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import schema
from .io import write_atomic

if TYPE_CHECKING:
    from .graph import SupplyGraph
    from .simulate import Result

MAX_NODES = 2000
STAGE_GAP_PX = 320  # between the last sub-column of a stage and the next stage
SUBCOLUMN_PX = 200  # between sub-columns of one crowded stage
ROW_PX = 46
COUNTRY_GAP_PX = 24  # extra space where the country changes within a column
ROWS_PER_COLUMN = 40
AFFECTED_PCT = 0.05  # below this shortfall a node is drawn as unaffected (it rounds to 0.0%)

UNAFFECTED = "#d5d9dd"
NODE_BORDER = "#5f6b76"
# Sequential exposure scale on shortfall_pct (ColorBrewer YlOrRd, 5 classes): (upper bound, colour).
EXPOSURE_SCALE = ((10.0, "#ffffb2"), (25.0, "#fecc5c"), (50.0, "#fd8d3c"), (75.0, "#f03b20"),
                  (math.inf, "#bd0026"))  # fmt: skip
# Categorical palette for countries in the baseline graph (Tableau 10 without its grey).
COUNTRY_PALETTE = ("#e15759", "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2",
                   "#edc948", "#ff9da7", "#9c755f")  # fmt: skip
OTHER_COUNTRIES = "#bab0ac"
EDGE_STYLES = {  # status: (colour, dash pattern or False, legend label)
    "ok": ("#9aa3ad", False, "normal flow"),
    "reduced-upstream": ("#4f86c6", False, "reduced upstream"),
    "throttled": ("#8e44ad", [10, 6], "throttled licence"),
    "cut": ("#d62728", [3, 5], "cut licence"),
}
FADED = "#eceff1"


def render_html(graph: SupplyGraph, result: Result | None = None, *, title: str | None = None,
                max_nodes: int = MAX_NODES) -> str:  # fmt: skip
    """Return the interactive page of a graph, coloured by a scenario's exposure when given.

    Parameters
    ----------
    graph
        The supply graph to draw.
    result
        A scenario result on ``graph``; None draws the baseline graph coloured by country.
    title
        Page heading; by default the scenario title, or "Baseline supply graph".
    max_nodes
        Above this many nodes, draw one node per stage and country instead.

    Returns
    -------
    str
        A complete HTML document that loads nothing from the network.

    Examples
    --------
    >>> import supplygraph as sg
    >>> page = render_html(sg.load())
    >>> page.startswith("<!DOCTYPE html>") and "vis-network" in page
    True
    """
    nodes, edges = _node_table(graph, result), _edge_table(graph, result)
    notice = ""
    if len(nodes) > max_nodes:
        notice = (f"This graph has {len(nodes):,} nodes, more than {max_nodes:,}: each node "
                  f"below stands for all nodes of one stage in one country, with their flows "
                  f"and exposures summed.")  # fmt: skip
        nodes, edges = _aggregate(nodes, edges)
    exposure = result is not None
    heading = title if title is not None else _default_title(result)
    data = {
        "title": heading,
        "notice": notice,
        "scenario": _scenario_panel(result),
        "summary": _summary(nodes, edges, exposure, len(graph.nodes), len(graph.edges)),
        "options": _vis_options(),
        "legend": _legend(nodes, edges, exposure),
        "filters": {
            "sector": sorted({s for cell in nodes["sector"] for s in schema.split_list(cell)}),
            "country": sorted(set(nodes["country"])),
            "stage": [s for s in schema.STAGES if s in set(nodes["stage"])],
        },
        "stages": _stage_headers(nodes),
    }
    data["nodes"], data["edges"] = _vis_elements(nodes, edges, exposure)
    return _template().render(title=heading, data=data, vis_js=_vis_js(), page_js=_page_js())


def write_html(path: str | os.PathLike[str], graph: SupplyGraph, result: Result | None = None,
               *, title: str | None = None, max_nodes: int = MAX_NODES) -> Path:  # fmt: skip
    """Write the page of :func:`render_html` to ``path`` (UTF-8, atomically) and return the path."""
    path = Path(path)
    write_atomic(path, render_html(graph, result, title=title, max_nodes=max_nodes))
    return path


# ---------------------------------------------------------------- tables


def _node_table(graph: SupplyGraph, result: Result | None) -> pd.DataFrame:
    """One row per node, in graph order, with the same columns with or without a scenario."""
    columns = ["id", "name", "stage", "country", "company", "sector", "baseline_t", "after_t",
               "shortfall_pct", "days_to_impact", "stock_days", "china_content_pct", "source"]
    if result is not None:
        table = result.nodes.copy()
        if "shortfall_reroute_pct" in table:
            columns.append("shortfall_reroute_pct")
        table = table[columns]
    else:
        from .origin import origin_share

        table = graph.nodes[["id", "name", "stage", "country", "company", "sector",
                             "stock_days", "source"]].copy()  # fmt: skip
        table["baseline_t"] = graph.baseline_t
        table["after_t"] = table["baseline_t"]
        table["shortfall_pct"] = 0.0
        table["days_to_impact"] = np.nan
        table["china_content_pct"] = origin_share(graph, "CN") * 100
        table = table[columns]
    table["size"] = 1
    return table.reset_index(drop=True)


def _edge_table(graph: SupplyGraph, result: Result | None) -> pd.DataFrame:
    """One row per edge with node positions ``src``/``dst``, status and regimes."""
    if result is not None:
        table = result.edges.copy()
    else:
        table = graph.edges[["supplier", "customer", "material", "elements"]].copy()
        table["baseline_t"] = graph.edges["flow_t"].fillna(0.0)
        table["after_t"] = table["baseline_t"]
        table["status"] = "ok"
        table["regimes"] = ""
    table["src"] = graph.edges["src"].to_numpy()
    table["dst"] = graph.edges["dst"].to_numpy()
    table["baseline_t"] = table["baseline_t"].fillna(0.0)
    return table.reset_index(drop=True)


def _aggregate(nodes: pd.DataFrame, edges: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Merge nodes into one per (stage, country), summing flows and exposures."""
    key = nodes["stage"] + ":" + nodes["country"]
    weighted = nodes.assign(key=key, content_t=nodes["china_content_pct"] * nodes["baseline_t"])
    grouped = weighted.groupby("key", sort=True)
    table = grouped.agg(stage=("stage", "first"), country=("country", "first"),
                        size=("size", "sum"), baseline_t=("baseline_t", "sum"),
                        after_t=("after_t", "sum"), content_t=("content_t", "sum"),
                        days_to_impact=("days_to_impact", "min"))  # fmt: skip
    table["sector"] = grouped["sector"].agg(lambda s: ";".join(sorted({x for x in s if x})))
    table["shortfall_pct"] = _pct(table["baseline_t"] - table["after_t"], table["baseline_t"])
    table["china_content_pct"] = _pct(table["content_t"], table["baseline_t"])
    if "shortfall_reroute_pct" in nodes:
        reroute_after = nodes["baseline_t"] * (1 - nodes["shortfall_reroute_pct"] / 100)
        after = reroute_after.groupby(key).sum()
        table["shortfall_reroute_pct"] = _pct(table["baseline_t"] - after, table["baseline_t"])
    table = table.reset_index().rename(columns={"key": "id"})
    table["name"] = table["stage"] + " in " + table["country"]
    table["company"] = table["size"].map(lambda n: f"{n:,} nodes")
    table["stock_days"] = np.nan
    table["source"] = "aggregated"
    position = pd.Series(np.arange(len(table)), index=table["id"])
    group_of = position.loc[key].to_numpy()
    flows = edges.assign(src=group_of[edges["src"]], dst=group_of[edges["dst"]])
    join = lambda cells: ";".join(sorted({x for c in cells for x in schema.split_list(c)}))  # noqa: E731
    merged = flows.groupby(["src", "dst", "status"], sort=True).agg(
        baseline_t=("baseline_t", "sum"), after_t=("after_t", "sum"), material=("material", join),
        elements=("elements", join), regimes=("regimes", join)).reset_index()  # fmt: skip
    merged["supplier"] = table["id"].to_numpy()[merged["src"]]
    merged["customer"] = table["id"].to_numpy()[merged["dst"]]
    return table.drop(columns="content_t"), merged


def _pct(part: pd.Series, whole: pd.Series) -> pd.Series:
    return pd.Series(np.where(whole > 0, 100 * part / whole.where(whole > 0, 1), 0.0),
                     index=whole.index)  # fmt: skip


def _served_sectors(nodes: pd.DataFrame, edges: pd.DataFrame) -> list[list[str]]:
    """Return, per node, the sectors it is or supplies (directly or through others)."""
    sectors = sorted({s for cell in nodes["sector"] for s in schema.split_list(cell)})
    serves = np.zeros((len(nodes), len(sectors)), dtype=bool)
    column = {s: j for j, s in enumerate(sectors)}
    for i, cell in enumerate(nodes["sector"]):
        for s in schema.split_list(cell):
            serves[i, column[s]] = True
    src, dst = edges["src"].to_numpy(np.int64), edges["dst"].to_numpy(np.int64)
    while True:  # one vectorised upstream sweep per hop, until nothing changes
        grown = serves.copy()
        np.logical_or.at(grown, src, serves[dst])
        if (grown == serves).all():
            break
        serves = grown
    return [[sectors[j] for j in np.flatnonzero(row)] for row in serves]


# ---------------------------------------------------------------- layout and styles


def _layout(nodes: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Stage columns left to right; rows by country, then name (deterministic)."""
    x, y = np.zeros(len(nodes)), np.zeros(len(nodes))
    left = 0.0
    for stage in schema.STAGES:
        rows = nodes[nodes["stage"] == stage].sort_values(["country", "name", "id"])
        if rows.empty:
            continue
        n_columns = math.ceil(len(rows) / ROWS_PER_COLUMN)
        per_column = math.ceil(len(rows) / n_columns)
        for c in range(n_columns):
            chunk = rows.iloc[c * per_column:(c + 1) * per_column]
            breaks = np.cumsum(chunk["country"].ne(chunk["country"].shift()).to_numpy()) - 1
            offsets = np.arange(len(chunk)) * ROW_PX + breaks * COUNTRY_GAP_PX
            x[chunk.index] = left + c * SUBCOLUMN_PX
            y[chunk.index] = offsets - offsets[-1] / 2
        left += (n_columns - 1) * SUBCOLUMN_PX + STAGE_GAP_PX
    return x, y


def _stage_headers(nodes: pd.DataFrame) -> list[dict[str, Any]]:
    x, y = _layout(nodes)
    top = float(y.min()) - 50 if len(y) else 0.0
    headers = []
    for stage in schema.STAGES:
        mask = (nodes["stage"] == stage).to_numpy()
        if mask.any():
            headers.append({"label": stage, "x": float(x[mask].min() + x[mask].max()) / 2,
                            "y": top})  # fmt: skip
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
    return 8 + 22 * np.sqrt(np.clip(t, 0, None) / largest) if largest > 0 else np.full(len(t), 8.0)


def _edge_width(t: np.ndarray, largest: float) -> np.ndarray:
    return 1 + 7 * np.sqrt(np.clip(t, 0, None) / largest) if largest > 0 else np.ones(len(t))


def _legend(nodes: pd.DataFrame, edges: pd.DataFrame, exposure: bool) -> dict[str, Any]:
    if exposure:
        colours, lower = [{"colour": UNAFFECTED, "label": "unaffected (0%)"}], 0.0
        for bound, colour in EXPOSURE_SCALE:
            label = f"> {lower:g}% shortfall" if math.isinf(bound) else f"{lower:g}-{bound:g}%"
            colours.append({"colour": colour, "label": label})
            lower = bound
        statuses = list(EDGE_STYLES)
    else:
        by_country = _country_colours(nodes)
        colours = [{"colour": c, "label": k} for k, c in by_country.items()
                   if c != OTHER_COUNTRIES]  # fmt: skip
        if OTHER_COUNTRIES in by_country.values():
            colours.append({"colour": OTHER_COUNTRIES, "label": "other countries"})
        statuses = ["ok"]
    largest_node = float(nodes["baseline_t"].max()) if len(nodes) else 0.0
    largest_edge = float(edges["baseline_t"].max()) if len(edges) else 0.0
    shares = np.array([1.0, 0.25, 0.01])
    return {
        "title": "Shortfall after the scenario" if exposure else "Country",
        "colours": colours,
        "edges": [{"colour": EDGE_STYLES[s][0], "dashes": EDGE_STYLES[s][1],
                   "label": EDGE_STYLES[s][2]} for s in statuses],  # fmt: skip
        "sizes": [{"size": round(float(s), 1), "label": f"{_tonnes(t)} t/yr"} for s, t in
                  zip(_node_size(shares * largest_node, largest_node), shares * largest_node)],
        "widths": [{"width": round(float(w), 1), "label": f"{_tonnes(t)} t/yr"} for w, t in
                   zip(_edge_width(shares * largest_edge, largest_edge), shares * largest_edge)],
    }  # fmt: skip


# ---------------------------------------------------------------- vis-network data


def _vis_elements(nodes: pd.DataFrame, edges: pd.DataFrame, exposure: bool
                  ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:  # fmt: skip
    """Return the vis-network node and edge dicts, collected through a pyvis Network."""
    from pyvis.network import Network

    net = Network(directed=True)
    x, y = _layout(nodes)
    sizes = _node_size(nodes["baseline_t"].to_numpy(), float(nodes["baseline_t"].max() or 0))
    by_country = {} if exposure else _country_colours(nodes)
    names = dict(zip(nodes["id"], nodes["name"]))
    serves = _served_sectors(nodes, edges)
    for i, row in enumerate(nodes.to_dict("records")):
        fill = _exposure_colour(row["shortfall_pct"]) if exposure else by_country[row["country"]]
        net.add_node(row["id"], label=_short(row["name"], 32), shape="dot", title=_node_tip(row, exposure),
                     x=round(float(x[i]), 1), y=round(float(y[i]), 1),
                     size=round(float(sizes[i]), 2),
                     color={"background": fill, "border": NODE_BORDER,
                            "highlight": {"background": fill, "border": "#000000"},
                            "hover": {"background": fill, "border": "#000000"}},
                     stage=row["stage"], country=row["country"], name=row["name"],
                     serves=serves[i], shortfall_pct=_number(row["shortfall_pct"]))  # fmt: skip
    widths = _edge_width(edges["baseline_t"].to_numpy(), float(edges["baseline_t"].max() or 0))
    widths = np.where(edges["status"].isin(["cut", "throttled"]), np.maximum(widths, 2.5), widths)
    parallel: dict[tuple[str, str], int] = {}
    for j, row in enumerate(edges.to_dict("records")):
        pair = (row["supplier"], row["customer"])
        rank = parallel[pair] = parallel.get(pair, -1) + 1
        colour, dashes, _ = EDGE_STYLES.get(row["status"], EDGE_STYLES["ok"])
        smooth = ({"enabled": True, "type": "cubicBezier", "forceDirection": "horizontal",
                   "roundness": 0.5} if rank == 0 else  # parallel edges fan out
                  {"enabled": True, "type": "curvedCW" if rank % 2 else "curvedCCW",
                   "roundness": 0.12 * ((rank + 1) // 2)})  # fmt: skip
        net.add_edge(row["supplier"], row["customer"], id=f"e{j}", width=round(float(widths[j]), 2),
                     title=_edge_tip(row, names, exposure), dashes=dashes, smooth=smooth,
                     color={"color": colour, "highlight": colour, "hover": colour,
                            "inherit": False},
                     status=row["status"], material=row["material"])  # fmt: skip
    return net.nodes, net.edges


def _vis_options() -> dict[str, Any]:
    return {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "multiselect": False,
                        "navigationButtons": False, "keyboard": False},
        "nodes": {"shape": "dot", "borderWidth": 1.5, "font": {"size": 13, "face": "sans-serif"}},
        "edges": {"arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                  "arrowStrikethrough": False, "selectionWidth": 2},
    }  # fmt: skip


def _node_tip(row: dict[str, Any], exposure: bool) -> str:
    """Plain-text tooltip (vis-network shows string titles with innerText, never as HTML)."""
    lines = [row["name"], f"id: {row['id']}", f"company: {row['company'] or '-'}",
             f"country: {row['country']}    stage: {row['stage']}",
             f"sector: {row['sector'] or '-'}", f"baseline: {_tonnes(row['baseline_t'])} t/yr"]
    if exposure:
        lines.append(f"after: {_tonnes(row['after_t'])} t/yr "
                     f"(shortfall {_percent(row['shortfall_pct'])})")  # fmt: skip
        if "shortfall_reroute_pct" in row:
            lines.append(f"shortfall after rerouting: {_percent(row['shortfall_reroute_pct'])}")
        lines.append(f"days to impact: {_days(row['days_to_impact'])}")
    if not _missing(row["stock_days"]):
        lines.append(f"stock: {row['stock_days']:g} days")
    lines.append(f"Chinese-origin content: {_percent(row['china_content_pct'])}")
    lines.append(f"source: {row['source'] or '-'}")
    return "\n".join(lines)


def _edge_tip(row: dict[str, Any], names: dict[str, str], exposure: bool) -> str:
    lines = [f"{names[row['supplier']]} -> {names[row['customer']]}",
             f"material: {row['material']}", f"elements: {row['elements'] or '-'}",
             f"baseline: {_tonnes(row['baseline_t'])} t/yr"]  # fmt: skip
    if exposure:
        lines += [f"after: {_tonnes(row['after_t'])} t/yr", f"status: {row['status']}",
                  f"regimes: {row['regimes'] or '-'}"]
    return "\n".join(lines)


# ---------------------------------------------------------------- side panel


def _default_title(result: Result | None) -> str:
    if result is None:
        return "Baseline supply graph"
    return result.scenario.title or result.scenario.name


def _scenario_panel(result: Result | None) -> dict[str, Any] | None:
    if result is None:
        return None
    scenario, sectors = result.scenario, result.sectors
    reroute = "shortfall_reroute_pct" in sectors
    header = ["sector", "makers", "shortfall", "days to impact"] + (
        ["after rerouting"] if reroute else [])
    rows = []
    for row in sectors.to_dict("records"):
        cells = [str(row["sector"]), str(row["makers"]), _percent(row["shortfall_pct"]),
                 _days(row["days_to_impact"])]  # fmt: skip
        rows.append(cells + ([_percent(row["shortfall_reroute_pct"])] if reroute else []))
    return {"name": scenario.name, "title": scenario.title,
            "as_of": f"as of {scenario.as_of.isoformat()}" if scenario.as_of else "as announced",
            "description": " ".join(scenario.description.split()),
            "sources": list(scenario.sources), "header": header, "rows": rows}  # fmt: skip


def _summary(nodes: pd.DataFrame, edges: pd.DataFrame, exposure: bool, n_nodes: int,
             n_edges: int) -> list[str]:  # fmt: skip
    lines = [f"{n_nodes:,} nodes, {n_edges:,} edges"]
    if exposure:
        status = edges["status"].value_counts()
        affected = int((nodes["shortfall_pct"] >= AFFECTED_PCT).sum())
        lines += [f"{status.get('cut', 0)} edge(s) cut, {status.get('throttled', 0)} throttled",
                  f"{affected} of {len(nodes)} drawn nodes lose output"]
    return lines


# ---------------------------------------------------------------- formatting and resources


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number(value: Any) -> float | None:
    return None if _missing(value) else round(float(value), 3)


def _tonnes(value: float) -> str:
    return "-" if _missing(value) else f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.1f}"


def _percent(value: float) -> str:
    return "-" if _missing(value) else f"{value:.1f}%"


def _days(value: float) -> str:
    return "never" if _missing(value) else f"{value:.0f}"


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


@lru_cache(maxsize=1)
def _template() -> Any:
    from jinja2 import Environment

    env = Environment(autoescape=True, keep_trailing_newline=True)
    # Sorted keys keep the output byte-identical; NaN would break JSON.parse, so refuse it.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "allow_nan": False}
    return env.from_string(_resource("page.html"))


def _resource(name: str) -> str:
    return (resources.files("supplygraph") / "templates" / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _page_js() -> str:
    return _safe_script(_resource("page.js"))


@lru_cache(maxsize=1)
def _vis_js() -> str:
    """The vis-network 9.1.2 bundle that pyvis ships (Apache-2.0 OR MIT)."""
    path = resources.files("pyvis") / "templates" / "lib" / "vis-9.1.2" / "vis-network.min.js"
    code = path.read_text(encoding="utf-8")
    return _safe_script(re.sub(r"^//# sourceMappingURL=.*$", "", code, flags=re.M))


def _safe_script(code: str) -> str:
    if "</script" in code.lower() or "<!--" in code:
        raise ValueError("script text would end its <script> element early")
    return code
