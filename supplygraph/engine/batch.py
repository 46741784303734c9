"""Many scenarios at once: shortfall propagation with scenarios as a second array axis."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix

from ..dataset.graph import EngineIndex
from .propagate import MAX_ITERATIONS, SNAP, TOLERANCE, _solve_loops

# Rows of a batch propagated together: bounds memory at about this many cells per array.
MAX_CELLS = 4_000_000
# Plain iterations on a level with loops before a row falls back to the exact loop solve.
PLAIN_STEPS = 200
# Days on a loop level that move by less than this (relative) have settled: near an
# availability of 1, a rounding step in the ratio moves S / (1 - a) by far more than that.
DAYS_RTOL = 1e-9
# Loop levels up to this many nodes are solved for all rows at once (dense systems).
DENSE_LOOP_NODES = 64


@dataclass(frozen=True)
class BatchPropagation:
    """Steady state and timing of S scenarios: row s is scenario s.

    ``output_ratio`` and ``days_to_impact`` have shape (S, nodes), ``edge_after_t``
    shape (S, edges); each row is what :func:`supplygraph.engine.propagate.propagate` gives.
    """

    output_ratio: np.ndarray
    days_to_impact: np.ndarray
    edge_after_t: np.ndarray


def propagate_batch(
    index: EngineIndex,
    edge_share: np.ndarray,
    node_share: np.ndarray,
    stock_days: np.ndarray,
    *,
    flow: np.ndarray | None = None,
) -> BatchPropagation:
    """Propagate S scenarios through the same levels, one array step per level.

    Each row is independent of the others (its result does not depend on which rows
    share its batch), so a batch may be split into chunks anywhere. Levels that hold a
    recycling loop are iterated per row to the greatest fixed point; a row still
    moving after a few hundred steps is finished by the single engine's exact solve.

    Parameters
    ----------
    index
        The graph's EngineIndex.
    edge_share, node_share
        Multipliers in [0, 1], shape (S, edges) and (S, nodes).
    stock_days
        Days of stock cover, shape (S, nodes) (no NaN).
    flow
        Baseline flow per scenario and edge, shape (S, edges); default the index's flows
        in every row (the data's uncertainty is drawn here).

    Returns
    -------
    BatchPropagation

    Examples
    --------
    A mine ships 100 t to a magnet plant; the edge at 25% and at 50%:

    >>> import numpy as np
    >>> from supplygraph.dataset.graph import EngineIndex
    >>> index = EngineIndex.build(2, np.array([0]), np.array([1]), np.array(["ore"]),
    ...                           np.array([100.0]))
    >>> p = propagate_batch(index, np.array([[0.25], [0.5]]), np.ones((2, 2)),
    ...                     np.full((2, 2), 30.0))
    >>> p.output_ratio.tolist(), p.days_to_impact[:, 1].tolist()
    ([[1.0, 0.25], [1.0, 0.5]], [40.0, 60.0])
    """
    edge_share = np.atleast_2d(np.asarray(edge_share, dtype=np.float64))
    n_rows = len(edge_share)
    rows = max(1, MAX_CELLS // max(1, index.n_nodes + len(index.src)))
    parts = []
    for first in range(0, n_rows, rows):
        chunk = slice(first, first + rows)
        parts.append(
            _propagate_rows(
                index,
                edge_share[chunk],
                np.asarray(node_share, dtype=np.float64)[chunk],
                np.asarray(stock_days, dtype=np.float64)[chunk],
                None if flow is None else np.asarray(flow, dtype=np.float64)[chunk],
            )
        )
    if len(parts) == 1:
        return parts[0]
    return BatchPropagation(
        *(np.concatenate([getattr(p, name) for p in parts]) for name in _FIELDS)
    )


_FIELDS = ("output_ratio", "days_to_impact", "edge_after_t")


def _propagate_rows(
    index: EngineIndex,
    edge_share: np.ndarray,
    node_share: np.ndarray,
    stock_days: np.ndarray,
    flow: np.ndarray | None,
) -> BatchPropagation:
    """One batch that fits in memory (see :func:`propagate_batch`)."""
    n_rows = len(edge_share)
    ratio = node_share.copy()
    days = np.where(node_share < 1, 0.0, np.inf)
    edge_start = np.where(edge_share < 1, 0.0, np.inf)  # a licence bites on day 0
    for level_no, edges in enumerate(index.level_edges):
        if not len(edges):
            continue
        g0, g1 = index.level_groups[level_no]
        starts = index.level_node_starts[level_no]
        level_nodes = index.group_node[g0:g1][starts]
        group_local = index.group[edges] - g0
        # edges of a level come sorted by group, so each group is one run of columns
        group_first = np.flatnonzero(np.diff(group_local, prepend=-1))
        src = index.src[edges]
        if flow is None:
            base = np.broadcast_to(index.group_base[g0:g1], (n_rows, g1 - g0))
            edge_flow = index.flow[edges]
        else:
            edge_flow = flow[:, edges]
            base = np.add.reduceat(edge_flow, group_first, axis=1)
        weight = np.divide(
            edge_flow * edge_share[:, edges],
            base[:, group_local],
            out=np.zeros((n_rows, len(edges))),
            where=base[:, group_local] > 0,
        )
        no_baseline = base <= 0
        share = node_share[:, level_nodes]
        stock = stock_days[:, level_nodes]
        level = _Level(group_local, group_first, starts, src, weight, no_baseline, share, stock)
        if not index.cyclic_level[level_no]:
            everyone = np.arange(n_rows)
            ratio[:, level_nodes], days[:, level_nodes] = _step(
                level, ratio, days, edge_start[:, edges], everyone
            )
            continue
        active = np.arange(n_rows)
        if len(level_nodes) <= DENSE_LOOP_NODES:
            _solve_loops_dense(level, index.n_nodes, level_nodes, ratio)
        for iteration in range(MAX_ITERATIONS):
            if iteration == PLAIN_STEPS:
                for s in active:  # slow loops: the exact solve; plain steps then confirm it
                    row_ratio = ratio[s].copy()
                    _solve_loops(
                        index,
                        edges,
                        group_local,
                        no_baseline[s],
                        starts,
                        level_nodes,
                        weight[s],
                        node_share[s],
                        row_ratio,
                    )
                    ratio[s] = row_ratio
            new_ratio, new_days = _step(level, ratio, days, edge_start[:, edges], active)
            cells = np.ix_(active, level_nodes)
            old_days = days[cells]
            # ratios may flip by a rounding step at the fixed point; days then move by as little
            with np.errstate(invalid="ignore"):
                days_moved = ~np.isclose(new_days, old_days, rtol=DAYS_RTOL, atol=0.0)
            moved = (np.max(np.abs(new_ratio - ratio[cells]), axis=1) > TOLERANCE) | np.any(
                days_moved, axis=1
            )
            ratio[cells], days[cells] = new_ratio, new_days
            active = active[moved]
            if not len(active):
                break
    edge_after = (index.flow if flow is None else flow) * edge_share * ratio[:, index.src]
    return BatchPropagation(ratio, days, edge_after)


@dataclass(frozen=True)
class _Level:
    """The arrays of one level, for every row of the batch."""

    group_local: np.ndarray  # per edge of the level: its group, from 0
    group_first: np.ndarray  # first edge of each group
    starts: np.ndarray  # first group of each node
    src: np.ndarray  # per edge: supplier
    weight: np.ndarray  # (S, edges): licensed flow as a share of the group's baseline
    no_baseline: np.ndarray  # (S, groups): groups with no baseline inflow
    share: np.ndarray  # (S, nodes of the level): outage multipliers
    stock: np.ndarray  # (S, nodes of the level): days of stock


def _step(
    level: _Level, ratio: np.ndarray, days: np.ndarray, edge_start: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One application of the engine's map to a level, for some rows: new ratios and days.

    The same formulas as :func:`supplygraph.engine.propagate.propagate`, along a second axis.
    """
    src = level.src
    supplier_ratio = ratio[np.ix_(rows, src)]
    arrived = np.add.reduceat(level.weight[rows] * supplier_ratio, level.group_first, axis=1)
    group_avail = np.where((arrived > 1 - SNAP) | level.no_baseline[rows], 1.0, arrived)
    node_avail = np.minimum.reduceat(group_avail, level.starts, axis=1)
    share = level.share[rows]
    new_ratio = node_avail * share
    # day the shortage reaches each node: earliest start among its constrained inputs
    supplier_days = np.where(supplier_ratio < 1, days[np.ix_(rows, src)], np.inf)
    starts_e = np.minimum(edge_start[rows], supplier_days)
    starts_e = np.where(group_avail[:, level.group_local] < 1, starts_e, np.inf)
    reach = np.minimum.reduceat(starts_e, level.group_first, axis=1)
    node_reach = np.minimum.reduceat(reach, level.starts, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        buffer = np.where(node_avail < 1, level.stock[rows] / (1 - node_avail), np.inf)
    new_days = np.where(share < 1, 0.0, node_reach + buffer)
    return new_ratio, new_days


def _solve_loops_dense(
    level: _Level, n_nodes: int, level_nodes: np.ndarray, ratio: np.ndarray
) -> None:
    """Move each row's ratios on a level with loops to its greatest fixed point, in place.

    The policy iteration of :func:`supplygraph.engine.propagate._solve_loops`, for every row at
    once: fix each node's scarcest input group (or the cap at 1), solve the rows' small
    dense systems together, repeat while the choice changes. Rows whose system is
    singular (a loop that loses nothing) are left to the plain iteration that follows.
    """
    n_rows, n_local = len(ratio), len(level_nodes)
    local = np.full(n_nodes, -1)
    local[level_nodes] = np.arange(n_local)
    n_groups = level.no_baseline.shape[1]
    node_of_group = np.repeat(np.arange(n_local), np.diff(np.append(level.starts, n_groups)))
    row = node_of_group[level.group_local]  # per edge: its customer, local
    node_first = level.group_first[level.starts]  # first edge of each node
    src_local = local[level.src]
    inside = src_local >= 0
    cell = row[inside] * n_local + src_local[inside]  # where an inside edge sits in the system
    to_cell = csr_matrix(
        (np.ones(len(cell)), (np.arange(len(cell)), cell)), shape=(len(cell), n_local**2)
    )
    rows = np.arange(n_rows)
    for _ in range(100):
        supplier_ratio = ratio[:, level.src]
        arrived = np.add.reduceat(level.weight * supplier_ratio, level.group_first, axis=1)
        group_avail = np.where((arrived > 1 - SNAP) | level.no_baseline, 1.0, arrived)
        node_avail = np.minimum.reduceat(group_avail, level.starts, axis=1)
        gap = np.abs(node_avail * level.share - ratio[:, level_nodes]).max(axis=1)
        rows = rows[gap[rows] > TOLERANCE]
        if not len(rows):
            return
        candidate = np.where(
            group_avail[rows] <= node_avail[rows][:, node_of_group], np.arange(n_groups), n_groups
        )
        chosen = np.minimum.reduceat(candidate, level.starts, axis=1)
        capped = node_avail[rows] >= 1
        on = (chosen[:, row] == level.group_local) & ~capped[:, row]
        flows = level.weight[rows] * on
        outside = np.add.reduceat(
            np.where(inside, 0.0, flows * supplier_ratio[rows]), node_first, axis=1
        )
        share = level.share[rows]
        rhs = share * np.where(capped, 1.0, outside)
        loop = (to_cell.T @ (flows[:, inside] * share[:, row[inside]]).T).T
        system = np.eye(n_local) - loop.reshape(len(rows), n_local, n_local)
        solvable = np.abs(np.linalg.det(system)) > 1e-12
        if not solvable.any():
            return
        solution = np.linalg.solve(system[solvable], rhs[solvable][:, :, None])[:, :, 0]
        ratio[np.ix_(rows[solvable], level_nodes)] = np.clip(solution, 0.0, 1.0)
        rows = rows[solvable]
