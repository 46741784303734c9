"""Plants within aggregates: an aggregate node split into its plants (or lines) for a draw.

An aggregate (``us-automakers-agg``) pools many plants' supply and stock, so one plant's
stoppage is diluted into the whole. ``plants.csv`` gives an aggregate's count of plants; the
dated run's draws (:mod:`supplygraph.analyses.timeline`) split it into that many plant
nodes by the rule of :func:`split_plants`, so that each plant keeps its own stock and its
own place in the queue of licence applications.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from .graph import SupplyGraph

PLANT_MARK = "#"  # a plant's id: the aggregate's id, "#" and the plant's number from 1


def split_plants(graph: SupplyGraph, plants: dict[str, int]) -> SupplyGraph:
    """Return the graph with each listed aggregate split into equal plants.

    The rule (data/SOURCES.md, "Plants within aggregates"): an aggregate of ``n`` plants
    becomes ``n`` nodes ``ID#1`` ... ``ID#n`` with its attributes (capacity divided by
    ``n``; the same days of stock each), its product lines each ``1 / n`` of the
    aggregate's ``baseline_units``. An edge between a supplier of ``n`` plants and a
    customer of ``m`` (1 for a node that is not split) becomes ``k = max(n, m)`` edges of
    ``flow_t / k`` (and its ``flow_t_low`` / ``flow_t_high`` / ``k``), edge ``i`` from
    plant ``i mod n`` to plant ``i mod m``: every plant buys an equal part of each of the
    aggregate's inputs, each part from one plant of its supplier (a plant depends on its
    own supplier, not on a pool), and each part is an applicant of its own when the edge
    needs a licence. Totals are kept: a sector's baseline tonnes and units are those of
    the unsplit graph.

    Parameters
    ----------
    graph
        The supply graph (not modified).
    plants
        Aggregate id -> number of plants (ids not in the graph and counts of 1 are left
        alone).

    Returns
    -------
    SupplyGraph
        A new graph; its nodes carry ``aggregate``, the id of the node each came from, and
        its edges ``edge_of``, the position of the data's edge each is a piece of (the
        pieces of an edge follow each other, in the data's order).

    """
    ids = graph.nodes["id"].to_numpy()
    count = np.array([max(int(plants.get(v, 1)), 1) for v in ids])
    nodes = graph.nodes.assign(aggregate=graph.nodes["id"])
    if (count == 1).all():
        edges = graph.edges.assign(edge_of=np.arange(graph.n_edges))
        return replace(graph, nodes=nodes, edges=edges)
    repeat = nodes.loc[nodes.index.repeat(count)].reset_index(drop=True)
    plant_no = np.concatenate([np.arange(1, c + 1) for c in count])
    split = np.repeat(count, count) > 1
    repeat.loc[split, "id"] = [
        f"{v}{PLANT_MARK}{k}" for v, k in zip(repeat.loc[split, "aggregate"], plant_no[split])
    ]
    if "capacity_t" in repeat:
        repeat["capacity_t"] = repeat["capacity_t"] / np.repeat(count, count)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])  # each old node's first new row
    edges = graph.edges
    src, dst = edges["src"].to_numpy(np.int64), edges["dst"].to_numpy(np.int64)
    n, m = count[src], count[dst]
    k = np.maximum(n, m)
    row = np.repeat(np.arange(len(edges)), k)
    i = np.concatenate([np.arange(c) for c in k]) if len(k) else np.zeros(0, np.int64)
    out = edges.iloc[row].reset_index(drop=True)
    new_src = first[src[row]] + i % n[row]
    new_dst = first[dst[row]] + i % m[row]
    out["src"], out["dst"], out["edge_of"] = new_src, new_dst, row
    new_ids = repeat["id"].to_numpy()
    out["supplier"], out["customer"] = new_ids[new_src], new_ids[new_dst]
    for column in ("flow_t", "flow_t_low", "flow_t_high"):
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce") / k[row]
    lines = graph.lines
    if not lines.empty:
        times = lines["node"].map(dict(zip(ids, count))).fillna(1).astype(int).to_numpy()
        lines = lines.loc[lines.index.repeat(times)].reset_index(drop=True)
        no = np.concatenate([np.arange(1, t + 1) for t in times])
        many = np.repeat(times, times) > 1
        lines.loc[many, "node"] = [
            f"{v}{PLANT_MARK}{j}" for v, j in zip(lines.loc[many, "node"], no[many])
        ]
        if "baseline_units" in lines:
            units = pd.to_numeric(lines["baseline_units"], errors="coerce")
            lines["baseline_units"] = units / np.repeat(times, times)
    return replace(graph, nodes=repeat, edges=out, lines=lines)
