"""Export the graph, with a scenario's results as attributes, to GraphML, GEXF or JSON."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from .io import write_atomic

if TYPE_CHECKING:
    from .graph import SupplyGraph
    from .simulation import Result

RESULT_NODE_COLUMNS = (
    "baseline_t",
    "after_t",
    "shortfall_t",
    "shortfall_pct",
    "days_to_impact",
    "after_reroute_t",
    "china_content_pct",
)
RESULT_EDGE_COLUMNS = ("after_t", "licensed_share", "status", "regimes", "after_reroute_t")


def _clean(attrs: dict[str, Any]) -> dict[str, Any]:
    """Drop empty and NaN values (GraphML and GEXF need one type per attribute)."""
    out = {}
    for key, value in attrs.items():
        if hasattr(value, "item"):
            value = value.item()
        if value == "" or value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        out[key] = value
    return out


def export_network(graph: SupplyGraph, result: Result | None = None) -> nx.MultiDiGraph:
    """Return a new MultiDiGraph with the data's attributes and, optionally, the results."""
    nodes = graph.nodes.drop(columns="line")
    if result is not None:
        nodes = nodes.merge(
            result.nodes[["id", *[c for c in RESULT_NODE_COLUMNS if c in result.nodes]]], on="id"
        )
    edges = graph.edges.drop(columns=["line", "src", "dst"])
    if result is not None:
        extra = result.edges[[c for c in RESULT_EDGE_COLUMNS if c in result.edges]]
        # the data's own "status" (reported/estimate/...) keeps its name
        edges = edges.join(extra.rename(columns={"status": "flow_status"}))
    network = nx.MultiDiGraph(name=f"supplygraph {result.scenario.name if result else 'baseline'}")
    for row in nodes.to_dict("records"):
        network.add_node(row.pop("id"), **_clean(row))
    for row in edges.to_dict("records"):
        supplier, customer = row.pop("supplier"), row.pop("customer")
        network.add_edge(supplier, customer, key=row["material"], **_clean(row))
    return network


def export_graph(
    graph: SupplyGraph, path: str | Path, *, fmt: str, result: Result | None = None
) -> Path:
    """Write the graph as ``graphml``, ``gexf`` or ``json`` (node-link) to ``path``."""
    network = export_network(graph, result)
    if fmt == "json":
        data = nx.node_link_data(network, edges="edges")
        payload = (json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True) + "\n").encode()
    else:
        buffer = io.BytesIO()
        writer = nx.write_graphml if fmt == "graphml" else nx.write_gexf
        writer(network, buffer)
        payload = buffer.getvalue()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, payload)
    return path
