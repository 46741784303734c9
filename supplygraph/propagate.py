"""Shortfall propagation without adaptation, and the day each node's output starts to fall."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .graph import EngineIndex

# Fixed-point tolerance and cap for levels that hold a recycling loop.
TOLERANCE = 1e-12
MAX_ITERATIONS = 10_000


@dataclass(frozen=True)
class Propagation:
    """Steady state and timing of a disruption, per node and per edge.

    ``output_ratio[i]`` is the share of node i's baseline output it can still make;
    ``availability[i]`` the share of its scarcest input material that still arrives;
    ``edge_after_t[j]`` the flow edge j still carries; ``days_to_impact[i]`` the day
    node i's output starts to fall (``inf`` when it never does).
    """

    output_ratio: np.ndarray
    availability: np.ndarray
    edge_after_t: np.ndarray
    days_to_impact: np.ndarray


def propagate(index: EngineIndex, edge_share: np.ndarray, node_share: np.ndarray,
              stock_days: np.ndarray) -> Propagation:  # fmt: skip
    """Propagate edge and node multipliers through the graph, one vectorised step per level.

    A node's availability of a material is the share of its baseline inflow of that
    material still arriving; its output ratio is the minimum over its materials (inputs
    are complements), times its own share (an outage). Each outgoing edge then carries
    ``baseline x edge_share x output_ratio(supplier)``: customers are rationed pro rata.

    A node with S days of stock and availability a < 1 keeps full output for
    S / (1 - a) days after the shortage reaches it, which is the day its first
    constrained input's supplier starts to fall short (day 0 for a cut or throttled edge).

    Parameters
    ----------
    index
        The graph's EngineIndex.
    edge_share, node_share
        Multipliers in [0, 1] per edge and per node.
    stock_days
        Days of stock cover per node (no NaN).

    Returns
    -------
    Propagation

    Examples
    --------
    A mine ships 100 t to a magnet plant; the edge is throttled to 25%:

    >>> import numpy as np
    >>> from supplygraph.graph import EngineIndex
    >>> index = EngineIndex.build(2, np.array([0]), np.array([1]), np.array(["ore"]),
    ...                           np.array([100.0]))
    >>> p = propagate(index, np.array([0.25]), np.ones(2), np.array([0.0, 30.0]))
    >>> p.output_ratio.tolist(), p.edge_after_t.tolist(), p.days_to_impact.tolist()
    ([1.0, 0.25], [25.0], [inf, 40.0])
    """
    n = index.n_nodes
    ratio = node_share.astype(np.float64).copy()
    avail = np.ones(n)
    days = np.where(node_share < 1, 0.0, np.inf)
    edge_start = np.where(edge_share < 1, 0.0, np.inf)  # a licence bites on day 0
    base = index.group_base
    for level, edges in enumerate(index.level_edges):
        if not len(edges):
            continue
        g0, g1 = index.level_groups[level]
        starts = index.level_node_starts[level]
        level_nodes = index.group_node[g0:g1][starts]
        group_local = index.group[edges] - g0
        for _ in range(MAX_ITERATIONS if index.cyclic_level[level] else 1):
            src = index.src[edges]
            arrived = np.bincount(group_local, index.flow[edges] * edge_share[edges] * ratio[src],
                                  minlength=g1 - g0)  # fmt: skip
            group_avail = np.divide(arrived, base[g0:g1], out=np.ones(g1 - g0),
                                    where=base[g0:g1] > 0)  # fmt: skip
            group_avail = np.minimum(group_avail, 1.0)
            node_avail = np.minimum.reduceat(group_avail, starts)
            new_ratio = node_avail * node_share[level_nodes]
            # Day the shortage reaches each node: earliest start among its constrained inputs.
            starts_e = np.minimum(edge_start[edges], np.where(ratio[src] < 1, days[src], np.inf))
            starts_e = np.where(group_avail[group_local] < 1, starts_e, np.inf)
            reach = np.full(g1 - g0, np.inf)
            np.minimum.at(reach, group_local, starts_e)
            node_reach = np.minimum.reduceat(reach, starts)
            with np.errstate(divide="ignore", invalid="ignore"):
                buffer = np.where(node_avail < 1, stock_days[level_nodes] / (1 - node_avail),
                                  np.inf)  # fmt: skip
            new_days = np.where(node_share[level_nodes] < 1, 0.0, node_reach + buffer)
            change = np.max(np.abs(new_ratio - ratio[level_nodes]), initial=0.0)
            days_changed = not np.array_equal(new_days, days[level_nodes])
            ratio[level_nodes], avail[level_nodes] = new_ratio, node_avail
            days[level_nodes] = new_days
            if change <= TOLERANCE and not days_changed:
                break
    edge_after = index.flow * edge_share * ratio[index.src]
    return Propagation(ratio, avail, edge_after, days)
