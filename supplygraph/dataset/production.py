"""Product lines: each node's outputs with their own recipes, as a graph of production lines."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import schema
from .graph import SupplyGraph, throughput


@dataclass(frozen=True, eq=False)
class Production:
    """The graph the engine runs on: one node per product line, one edge per part of a flow.

    Line ``k`` of ``graph`` belongs to node ``node[k]`` of the data's graph; part ``p``
    carries a share of edge ``edge[p]``. Without declared lines, ``graph`` is the data's
    graph itself (one line per node, one part per edge).
    """

    graph: SupplyGraph
    node: np.ndarray  # per line: the node's position
    edge: np.ndarray  # per part: the edge's position
    has_lines: bool = False  # whether lines were declared (else ``graph`` is the data's own)

    def per_node(self, values: np.ndarray, n_nodes: int) -> np.ndarray:
        """Return per-line values summed per node.

        Parameters
        ----------
        values
            One value per line.
        n_nodes
            Number of nodes of the data's graph.

        Returns
        -------
        numpy.ndarray
        """
        return self._summed(self.node, values, n_nodes)

    def per_edge(self, values: np.ndarray, n_edges: int) -> np.ndarray:
        """Return per-part values summed per edge.

        Parameters
        ----------
        values
            One value per part.
        n_edges
            Number of edges of the data's graph.

        Returns
        -------
        numpy.ndarray
        """
        return self._summed(self.edge, values, n_edges)

    def _summed(self, into: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
        """Sum values into positions (as they are when no node has lines: one to one)."""
        if not self.has_lines:
            return np.asarray(values, dtype=np.float64)
        return np.bincount(into, values, minlength=size)


def production_lines(graph: SupplyGraph) -> Production:
    """Split the nodes that declare product lines into one node per line.

    A line's recipe is the set of inputs that feed it: an edge's ``line`` names the
    customer's lines it feeds (empty: all of them), its ``from_line`` the supplier's line
    it leaves from (empty: all of them). An edge that feeds or leaves several lines is
    split among them in proportion to each line's weight: the tonnes the line ships on
    edges of its own (``from_line``); for a node whose lines ship nothing of their own (a
    maker), their ``baseline_units`` when all share one unit; else equally. Each line
    keeps its node's attributes, with its own sector, ``unit`` and ``baseline_units``;
    its capacity is the node's in proportion to its baseline.

    Parameters
    ----------
    graph
        The data's graph (not modified).

    Returns
    -------
    Production
    """
    n_nodes = graph.n_nodes
    if graph.lines.empty:
        return Production(graph, np.arange(n_nodes), np.arange(graph.n_edges))
    nodes, edges = graph.nodes, graph.edges
    position = pd.Series(np.arange(n_nodes), index=nodes["id"])
    table = _line_table(graph, position)
    key = {(v, name): k for k, (v, name) in enumerate(zip(table["node_pos"], table["line"]))}
    lines_of: list[list[int]] = [[] for _ in range(n_nodes)]
    for k, v in enumerate(table["node_pos"]):
        lines_of[v].append(k)
    src, dst = edges["src"].to_numpy(), edges["dst"].to_numpy()
    flow = edges["flow_t"].to_numpy(np.float64)
    from_line = _column(edges, "from_line")
    to_line = _column(edges, "line")
    weight = _weights(table, lines_of, key, src, from_line, flow, nodes)
    part_edge, part_src, part_dst, part_flow = [], [], [], []
    for e in range(graph.n_edges):
        sources = [key[(src[e], from_line[e])]] if from_line[e] else lines_of[src[e]]
        targets = (
            [key[(dst[e], name)] for name in schema.split_list(to_line[e])]
            if to_line[e]
            else lines_of[dst[e]]
        )
        for s, a in zip(sources, _shares(weight[sources])):
            for t, b in zip(targets, _shares(weight[targets])):
                if a * b > 0:
                    part_edge.append(e)
                    part_src.append(s)
                    part_dst.append(t)
                    part_flow.append(flow[e] * a * b)
    node_of = table["node_pos"].to_numpy()
    part_edge_arr = np.array(part_edge, dtype=np.int64)
    line_nodes = nodes.iloc[node_of].reset_index(drop=True)
    ids = np.where(
        table["line"].to_numpy() == "",
        line_nodes["id"].to_numpy(),
        line_nodes["id"].to_numpy() + "/" + table["line"].to_numpy(),
    )
    line_nodes = line_nodes.assign(
        id=ids,
        sector=table["sector"].to_numpy(),
        node=nodes["id"].to_numpy()[node_of],
        line=table["line"].to_numpy(),
        unit=table["unit"].to_numpy(),
        baseline_units=table["baseline_units"].to_numpy(),
    )
    # a line's capacity is its node's, in proportion to its baseline
    n_lines, part_flow_arr = len(table), np.array(part_flow, dtype=np.float64)
    out_t = np.bincount(part_src, part_flow_arr, minlength=n_lines)
    in_t = np.bincount(part_dst, part_flow_arr, minlength=n_lines)
    base = throughput(line_nodes["stage"].to_numpy(), in_t, out_t)
    node_base = np.bincount(node_of, base, minlength=n_nodes)[node_of]
    share = np.divide(base, node_base, out=np.zeros_like(base), where=node_base > 0)
    line_nodes["capacity_t"] = line_nodes["capacity_t"].to_numpy(np.float64) * share
    parts = edges.iloc[part_edge_arr].reset_index(drop=True)
    parts = parts.assign(
        supplier=ids[part_src],
        customer=ids[part_dst],
        flow_t=part_flow_arr,
        src=np.array(part_src, dtype=np.int64),
        dst=np.array(part_dst, dtype=np.int64),
        edge=part_edge_arr,
    )
    lines_graph = SupplyGraph(line_nodes, parts, graph.regimes, graph.folder, graph.checksum)
    return Production(lines_graph, node_of, part_edge_arr, has_lines=True)


def _column(table: pd.DataFrame, name: str) -> np.ndarray:
    """A text column as an array of str, empty strings where the table lacks it."""
    if name not in table:
        return np.full(len(table), "", dtype=object)
    return table[name].fillna("").astype(str).to_numpy()


def _line_table(graph: SupplyGraph, position: pd.Series) -> pd.DataFrame:
    """One row per line, by node position: declared lines in file order, else one line ""."""
    nodes, lines = graph.nodes, graph.lines
    declared = pd.DataFrame(
        {
            "node_pos": position.loc[lines["node"]].to_numpy(),
            "line": lines["line"].to_numpy(),
            "sector": np.where(
                lines["sector"].to_numpy() != "",
                lines["sector"].to_numpy(),
                nodes["sector"].to_numpy()[position.loc[lines["node"]].to_numpy()],
            ),
            "unit": lines["unit"].to_numpy(),
            "baseline_units": lines["baseline_units"].to_numpy(np.float64),
        }
    )
    plain = np.setdiff1d(np.arange(graph.n_nodes), declared["node_pos"].to_numpy())
    implicit = pd.DataFrame(
        {
            "node_pos": plain,
            "line": "",
            "sector": nodes["sector"].to_numpy()[plain],
            "unit": "",
            "baseline_units": np.nan,
        }
    )
    table = pd.concat([declared, implicit], ignore_index=True)
    return table.sort_values("node_pos", kind="stable").reset_index(drop=True)


def _weights(
    table: pd.DataFrame,
    lines_of: list[list[int]],
    key: dict[tuple[int, str], int],
    src: np.ndarray,
    from_line: np.ndarray,
    flow: np.ndarray,
    nodes: pd.DataFrame,
) -> np.ndarray:
    """Each line's weight when a shared edge is split among its node's lines."""
    own = np.zeros(len(table))
    for e in np.flatnonzero(from_line != ""):
        own[key[(src[e], from_line[e])]] += flow[e]
    units = table["baseline_units"].to_numpy(np.float64)
    unit = table["unit"].to_numpy()
    maker = nodes["stage"].to_numpy() == "manufacturer"
    weight = np.ones(len(table))
    for v, ks in enumerate(lines_of):
        if len(ks) < 2:
            continue
        if own[ks].sum() > 0:
            weight[ks] = own[ks]
        elif maker[v] and len(set(unit[ks])) == 1 and unit[ks[0]] and (units[ks] > 0).all():
            weight[ks] = units[ks]
    return weight


def _shares(weight: np.ndarray) -> np.ndarray:
    """Weights as shares of their sum (equal shares when they sum to 0)."""
    total = weight.sum()
    return weight / total if total > 0 else np.full(len(weight), 1 / len(weight))
