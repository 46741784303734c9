"""Export the graph, with a scenario's results as attributes, to GraphML, GEXF or JSON."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np

from ..analyses import columns
from ..analyses.timeline import node_output_pct
from .files import write_atomic

if TYPE_CHECKING:
    from ..analyses.exposure import Result
    from ..analyses.timeline import Timeline
    from ..dataset.graph import SupplyGraph


def export_network(graph: SupplyGraph, result: Result | None = None) -> nx.MultiDiGraph:
    """Return a new MultiDiGraph with the data's attributes and, optionally, the results.

    Parameters
    ----------
    graph
        The supply graph.
    result
        A scenario result on ``graph``, whose figures become node and edge attributes
        (``flow_status``: cut, throttled, ...; the data's own ``status`` keeps its name).

    Returns
    -------
    networkx.MultiDiGraph
    """
    if result is None:
        return graph.to_networkx(name="supplygraph baseline")
    nodes = result.nodes[[c for c in columns.EXPORT_NODE_COLUMNS if c in result.nodes]]
    edges = result.edges[[c for c in columns.EXPORT_EDGE_COLUMNS if c in result.edges]]
    return graph.to_networkx(
        name=f"supplygraph {result.scenario.name}", node_attrs=nodes, edge_attrs=edges
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
    elif fmt == "gexf":
        payload = gexf_bytes(network)
    else:
        buffer = io.BytesIO()
        nx.write_graphml(network, buffer)
        payload = buffer.getvalue()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, payload)
    return path


def gexf_bytes(network: nx.Graph) -> bytes:
    """Return a graph as GEXF, the same bytes on any day (networkx stamps today's date),
    each node labelled with its name.

    Parameters
    ----------
    network
        The graph.

    Returns
    -------
    bytes
    """
    # Gephi shows a node's GEXF label: its name, not its id (networkx writes the id unless
    # a node has a "label"); on a copy, the caller's graph is left alone
    network = network.copy()
    for _, data in network.nodes(data=True):
        if data.get("name"):
            data["label"] = data["name"]
    buffer = io.BytesIO()
    nx.write_gexf(network, buffer)
    return re.sub(rb' lastmodifieddate="[0-9-]+"', b"", buffer.getvalue(), count=1)


def timeline_network(timeline: Timeline) -> nx.MultiDiGraph:
    """Return the graph with each node's output over a dated run as a GEXF time series.

    Each node gets ``output_pct``, its output as a share of baseline (tonnes, summed over
    its product lines), as spells: one (value, start, end) per stretch of days on which the
    value, to 0.1%, stays the same. Gephi's timeline plays them.

    Parameters
    ----------
    timeline
        A dated run (:func:`supplygraph.analyses.timeline.simulate_days`).

    Returns
    -------
    networkx.MultiDiGraph
    """
    graph = timeline.graph
    pct = np.round(node_output_pct(timeline), 1)
    days = [d.isoformat() for d in timeline.dates]
    end = (timeline.dates[-1] + dt.timedelta(days=1)).isoformat()
    network = graph.to_networkx(name=f"supplygraph {timeline.scenario.name} timeline")
    network.graph.update(mode="dynamic", timeformat="date")
    ids = graph.nodes["id"].to_numpy()
    for i, node in enumerate(ids):
        series = pct[:, i]
        changes = np.flatnonzero(np.diff(series)) + 1
        starts = np.concatenate([[0], changes])
        stops = [*(days[k] for k in changes), end]
        network.nodes[node]["output_pct"] = [
            (float(series[k]), days[k], stop) for k, stop in zip(starts, stops)
        ]
    return network
