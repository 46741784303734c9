"""Shortfall propagation without adaptation, and the day each node's output starts to fall."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csc_matrix, identity
from scipy.sparse.linalg import spsolve

from ..dataset.graph import EngineIndex

# Fixed-point tolerance and cap for levels that hold a recycling loop.
TOLERANCE = 1e-12
MAX_ITERATIONS = 10_000
# An availability within this of 1 is 1: sums of shares carry rounding noise.
SNAP = 1e-12


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


def propagate(
    index: EngineIndex, edge_share: np.ndarray, node_share: np.ndarray, stock_days: np.ndarray
) -> Propagation:
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
    >>> from supplygraph.dataset.graph import EngineIndex
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
    for level, edges in enumerate(index.level_edges):
        if not len(edges):
            continue
        g0, g1 = index.level_groups[level]
        starts = index.level_node_starts[level]
        level_nodes = index.group_node[g0:g1][starts]
        group_local = index.group[edges] - g0
        weight = _weights(index, edges, group_local, g0, edge_share)
        no_baseline = index.group_base[g0:g1] <= 0
        cyclic = index.cyclic_level[level]
        if cyclic:
            _solve_loops(
                index,
                edges,
                group_local,
                no_baseline,
                starts,
                level_nodes,
                weight,
                node_share,
                ratio,
            )
        for _ in range(MAX_ITERATIONS if cyclic else 1):
            src = index.src[edges]
            group_avail = _availability(group_local, no_baseline, weight, ratio[src])
            node_avail = np.minimum.reduceat(group_avail, starts)
            new_ratio = node_avail * node_share[level_nodes]
            # Day the shortage reaches each node: earliest start among its constrained inputs.
            starts_e = np.minimum(edge_start[edges], np.where(ratio[src] < 1, days[src], np.inf))
            starts_e = np.where(group_avail[group_local] < 1, starts_e, np.inf)
            reach = np.full(g1 - g0, np.inf)
            np.minimum.at(reach, group_local, starts_e)
            node_reach = np.minimum.reduceat(reach, starts)
            with np.errstate(divide="ignore", invalid="ignore"):
                buffer = np.where(
                    node_avail < 1, stock_days[level_nodes] / (1 - node_avail), np.inf
                )
            new_days = np.where(node_share[level_nodes] < 1, 0.0, node_reach + buffer)
            change = np.max(np.abs(new_ratio - ratio[level_nodes]), initial=0.0)
            days_changed = not np.array_equal(new_days, days[level_nodes])
            ratio[level_nodes], avail[level_nodes] = new_ratio, node_avail
            days[level_nodes] = new_days
            if change <= TOLERANCE and not days_changed:
                break
    edge_after = index.flow * edge_share * ratio[index.src]
    return Propagation(ratio, avail, edge_after, days)


def _weights(
    index: EngineIndex, edges: np.ndarray, group_local: np.ndarray, g0: int, edge_share: np.ndarray
) -> np.ndarray:
    """Each edge's licensed flow as a share of its group's baseline inflow."""
    base = index.group_base[g0 + group_local]
    return np.divide(
        index.flow[edges] * edge_share[edges], base, out=np.zeros(len(edges)), where=base > 0
    )


def _availability(
    group_local: np.ndarray, no_baseline: np.ndarray, weight: np.ndarray, supplier_ratio: np.ndarray
) -> np.ndarray:
    """Share of each group's baseline that arrives, capped at 1 (rounding noise snapped to 1).

    A group with no baseline inflow (only zero flows) is not constrained.
    """
    arrived = np.bincount(group_local, weight * supplier_ratio, minlength=len(no_baseline))
    return np.where((arrived > 1 - SNAP) | no_baseline, 1.0, arrived)


def _solve_loops(
    index: EngineIndex,
    edges: np.ndarray,
    group_local: np.ndarray,
    no_baseline: np.ndarray,
    starts: np.ndarray,
    level_nodes: np.ndarray,
    weight: np.ndarray,
    node_share: np.ndarray,
    ratio: np.ndarray,
) -> None:
    """Move ``ratio`` of a level with recycling loops to its greatest fixed point, in place.

    Plain iteration converges slowly when a loop feeds a node most of its input, so this
    uses policy iteration: fix, per node, the input group that is scarcest at the current
    ratios (or the cap at 1), solve that linear system exactly, and repeat until the
    scarcest groups stop changing. Each step lands on or above the greatest fixed point
    and below the previous step, so it ends there. Where a chosen system is singular (a
    loop that loses nothing), plain iteration in the caller finishes the job.
    """
    n_groups, n_local = len(no_baseline), len(level_nodes)
    local = np.full(index.n_nodes, -1)
    local[level_nodes] = np.arange(n_local)
    node_of_group = np.repeat(np.arange(n_local), np.diff(np.append(starts, n_groups)))
    src = index.src[edges]
    src_local = local[src]
    share = node_share[level_nodes]
    for _ in range(100):
        group_avail = _availability(group_local, no_baseline, weight, ratio[src])
        node_avail = np.minimum.reduceat(group_avail, starts)
        if np.max(np.abs(node_avail * share - ratio[level_nodes]), initial=0.0) <= TOLERANCE:
            return
        # the first scarcest group of each node; a node at availability 1 is capped
        candidate = np.where(
            group_avail <= node_avail[node_of_group], np.arange(n_groups), n_groups
        )
        chosen = np.minimum.reduceat(candidate, starts)
        capped = node_avail >= 1
        row = node_of_group[group_local]
        on = (chosen[row] == group_local) & ~capped[row]
        inside = on & (src_local >= 0)
        outside = on & (src_local < 0)
        constant = np.bincount(row[outside], weight[outside] * ratio[src[outside]], n_local)
        rhs = share * np.where(capped, 1.0, constant)
        loop = csc_matrix(
            (share[row[inside]] * weight[inside], (row[inside], src_local[inside])),
            shape=(n_local, n_local),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            solution = spsolve(identity(n_local, format="csc") - loop, rhs)
        if not np.all(np.isfinite(solution)):
            return
        ratio[level_nodes] = np.clip(solution, 0.0, 1.0)
