"""Export the graph, with a scenario's results as attributes, to GraphML, GEXF or JSON."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from .io import write_atomic

if TYPE_CHECKING:
    from .exposure import Result
    from .graph import SupplyGraph

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


def export_network(graph: SupplyGraph, result: Result | None = None) -> nx.MultiDiGraph:
    """Return a new MultiDiGraph with the data's attributes and, optionally, the results.

    Parameters
    ----------
    graph
        The supply graph.
    result
        A scenario result on ``graph``, whose figures become node and edge attributes
        (the edges' ``status`` as ``flow_status``: the data's own ``status`` keeps its name).

    Returns
    -------
    networkx.MultiDiGraph
    """
    if result is None:
        return graph.to_networkx(name="supplygraph baseline")
    nodes = result.nodes[[c for c in RESULT_NODE_COLUMNS if c in result.nodes]]
    edges = result.edges[[c for c in RESULT_EDGE_COLUMNS if c in result.edges]]
    return graph.to_networkx(
        name=f"supplygraph {result.scenario.name}",
        node_attrs=nodes,
        edge_attrs=edges.rename(columns={"status": "flow_status"}),
    )


def export_graph(
    graph: SupplyGraph, path: str | Path, *, fmt: str, result: Result | None = None
) -> Path:
    """Write the graph as ``graphml``, ``gexf`` or ``json`` (node-link) to ``path``.

    Parameters
    ----------
    graph
        The supply graph.
    path
        The file to write (its folder is created; written atomically).
    fmt
        ``graphml`` (Cytoscape, yEd), ``gexf`` (Gephi) or ``json`` (networkx node-link).
    result
        A scenario result whose figures become attributes (:func:`export_network`).

    Returns
    -------
    Path
        ``path``.
    """
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
