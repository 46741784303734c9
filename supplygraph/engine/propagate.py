"""The engine's one propagation step, and the steady state it leads to for one or many scenarios."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csc_matrix, csr_matrix, identity
from scipy.sparse.linalg import spsolve

from ..dataset.graph import EngineIndex, Groups

# Fixed-point tolerance and cap for levels that hold a recycling loop.
TOLERANCE = 1e-12
MAX_ITERATIONS = 10_000
# An availability within this of 1 is 1: sums of shares carry rounding noise.
SNAP = 1e-12
# Rows (scenarios) propagated together: bounds memory at about this many cells per array.
MAX_CELLS = 4_000_000
# Plain iterations on a level with loops before a row falls back to the exact loop solve.
PLAIN_STEPS = 200
# Days on a loop level that move by less than this (relative) have settled: near an
# availability of 1, a rounding step in the ratio moves S / (1 - a) by far more than that.
DAYS_RTOL = 1e-9
# Loop levels up to this many nodes are solved for all rows at once (dense systems).
DENSE_LOOP_NODES = 64


@dataclass(frozen=True)
class Step:
    """What one step gives, per row: ``arrived`` per group (a share of its baseline, stock
    not included), ``group_avail`` and ``node_avail`` (capped at 1) and each customer's
    output ``ratio``."""

    arrived: np.ndarray
    group_avail: np.ndarray
    node_avail: np.ndarray
    ratio: np.ndarray


def step(
    groups: Groups,
    weight: np.ndarray,
    supplier_ratio: np.ndarray,
    node_share: np.ndarray,
    no_baseline: np.ndarray,
    stock: np.ndarray | float = 0.0,
) -> Step:
    """Apply the engine's map once: what arrives of each input, and what each customer makes.

    A group's availability is the share of its baseline inflow that arrives (each edge's
    weight times its supplier's output ratio, summed), plus its stock as a share of the
    same baseline, capped at 1 (a group with no baseline is not constrained). A customer's
    output ratio is the minimum over its groups (inputs of different materials are
    complements) times its own share (an outage). The steady state
    (:func:`propagate`) applies it level by level, the dated run once a day; either way
    the leading axis holds rows (scenarios or draws), the last edges, groups or customers.

    Parameters
    ----------
    groups
        The groups the step runs over.
    weight
        Per row and edge (in ``groups.edges`` order), its licensed flow as a share of its
        group's baseline inflow.
    supplier_ratio
        Per row and edge, the supplier's output ratio when the shipment left.
    node_share
        Per row and customer, its own multiplier.
    no_baseline
        Per row and group, whether it has no baseline inflow.
    stock
        Per row and group, stock that may be drawn, as a share of the group's baseline.

    Returns
    -------
    Step

    Examples
    --------
    A magnet plant takes oxide from two mines (60 t and 40 t, the second cut) and 10 t of
    Dy from a third, half of it licensed:

    >>> import numpy as np
    >>> from supplygraph.dataset.graph import EngineIndex
    >>> index = EngineIndex.build(4, np.array([0, 1, 2]), np.array([3, 3, 3]),
    ...                           np.array(["oxide", "oxide", "dy"]), np.array([60.0, 40.0, 10.0]))
    >>> groups = index.whole
    >>> flow, base = index.flow[groups.edges], index.group_base[index.group[groups.edges]]
    >>> share = np.array([[1.0, 0.0, 0.5]])[:, groups.edges]
    >>> s = step(groups, flow * share / base, np.ones((1, 3)), np.ones((1, 1)),
    ...          np.zeros((1, 2), dtype=bool))
    >>> s.group_avail.tolist(), s.ratio.tolist()  # groups by material: dy, then oxide
    ([[0.5, 0.6]], [[0.5]])
    """
    arrived = group_sum(weight * supplier_ratio, groups)
    total = arrived + stock
    group_avail = np.where((total > 1 - SNAP) | no_baseline, 1.0, total)
    node_avail = np.minimum.reduceat(group_avail, groups.node_first, axis=-1)
    return Step(arrived, group_avail, node_avail, node_avail * node_share)


def group_sum(values: np.ndarray, groups: Groups) -> np.ndarray:
    """Sum per-edge values over each group, for every row, edge after edge.

    The sum runs in edge order (as ``numpy.bincount`` does), not pairwise, so a row's
    figures do not depend on the shape it is computed in.

    Parameters
    ----------
    values
        Per row and edge (in ``groups.edges`` order).
    groups
        The groups.

    Returns
    -------
    numpy.ndarray
        Per row and group.
    """
    rows, n_groups = len(values), len(groups.group_first)
    if rows == 1:  # one scenario, or a day: no row offsets to add
        return np.bincount(groups.group_local, values[0], minlength=n_groups)[None, :]
    cell = groups.group_local + n_groups * np.arange(rows)[:, None]
    total = np.bincount(cell.ravel(), values.ravel(), minlength=rows * n_groups)
    return total.reshape(rows, n_groups)


@dataclass(frozen=True)
class Propagation:
    """Steady state and timing of a disruption, per node and per edge.

    ``output_ratio[..., i]`` is the share of node i's baseline output it can still make;
    ``availability[..., i]`` the share of its scarcest input material that still arrives;
    ``edge_after_t[..., j]`` the flow edge j still carries; ``days_to_impact[..., i]`` the
    day node i's output starts to fall (``inf`` when it never does). One scenario gives
    one-dimensional arrays, a batch of S scenarios arrays with S rows.
    """

    output_ratio: np.ndarray
    availability: np.ndarray
    edge_after_t: np.ndarray
    days_to_impact: np.ndarray


def propagate(
    index: EngineIndex,
    edge_share: np.ndarray,
    node_share: np.ndarray,
    stock_days: np.ndarray,
    *,
    flow: np.ndarray | None = None,
) -> Propagation:
    """Propagate edge and node multipliers to the steady state, one step per level.

    Each level applies :func:`step`: a node's availability of a material is the share of
    its baseline inflow of that material still arriving; its output ratio is the minimum
    over its materials, times its own share (an outage). Each outgoing edge then carries
    ``baseline x edge_share x output_ratio(supplier)``: customers are rationed pro rata.
    Levels that hold a recycling loop are taken to their greatest fixed point.

    A node with S days of stock and availability a < 1 keeps full output for
    S / (1 - a) days after the shortage reaches it, which is the day its first
    constrained input's supplier starts to fall short (day 0 for a cut or throttled edge).

    Many scenarios run as one computation: give the multipliers a leading axis of S
    rows. Each row is independent of the others (its result does not depend on which
    rows share its batch), so a batch may be split into chunks anywhere.

    Parameters
    ----------
    index
        The graph's EngineIndex.
    edge_share, node_share
        Multipliers in [0, 1], per edge and per node; shape (edges,) and (nodes,) for one
        scenario, (S, edges) and (S, nodes) for S.
    stock_days
        Days of stock cover per node (no NaN), shaped like ``node_share``.
    flow
        Baseline flow per scenario and edge, shaped like ``edge_share``; default the
        index's flows in every row (the data's uncertainty is drawn here).

    Returns
    -------
    Propagation
        Arrays with the rows of the input (none for one scenario).

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

    The same edge at 25% and at 50%, as two rows:

    >>> p = propagate(index, np.array([[0.25], [0.5]]), np.ones((2, 2)), np.full((2, 2), 30.0))
    >>> p.output_ratio.tolist(), p.days_to_impact[:, 1].tolist()
    ([[1.0, 0.25], [1.0, 0.5]], [40.0, 60.0])
    """
    single = np.ndim(edge_share) == 1
    edge_share = np.atleast_2d(np.asarray(edge_share, dtype=np.float64))
    node_share = np.atleast_2d(np.asarray(node_share, dtype=np.float64))
    stock_days = np.atleast_2d(np.asarray(stock_days, dtype=np.float64))
    if flow is not None:
        flow = np.atleast_2d(np.asarray(flow, dtype=np.float64))
    levels = index.levels
    rows = max(1, MAX_CELLS // max(1, index.n_nodes + len(index.src)))
    parts = []
    for first in range(0, len(edge_share), rows):
        chunk = slice(first, first + rows)
        parts.append(
            _propagate_rows(
                index,
                levels,
                edge_share[chunk],
                node_share[chunk],
                stock_days[chunk],
                None if flow is None else flow[chunk],
            )
        )
    fields = [np.concatenate(arrays) for arrays in zip(*parts)]
    return Propagation(*(field[0] if single else field for field in fields))


@dataclass(frozen=True)
class _Level:
    """The arrays of one level, for every row of a batch."""

    groups: Groups
    weight: np.ndarray  # (S, edges): licensed flow as a share of the group's baseline
    no_baseline: np.ndarray  # (S, groups): groups with no baseline inflow
    share: np.ndarray  # (S, nodes of the level): outage multipliers
    stock: np.ndarray  # (S, nodes of the level): days of stock


def _propagate_rows(
    index: EngineIndex,
    levels: list[Groups],
    edge_share: np.ndarray,
    node_share: np.ndarray,
    stock_days: np.ndarray,
    flow: np.ndarray | None,
) -> tuple[np.ndarray, ...]:
    """One batch that fits in memory: ratio, availability, edge flows and days."""
    n_rows = len(edge_share)
    ratio = node_share.copy()
    avail = np.ones_like(ratio)
    days = np.where(node_share < 1, 0.0, np.inf)
    edge_start = np.where(edge_share < 1, 0.0, np.inf)  # a licence bites on day 0
    for level_no, groups in enumerate(levels):
        edges, nodes = groups.edges, groups.nodes
        if not len(edges):
            continue
        g0, g1 = groups.group_range
        if flow is None:
            base = np.broadcast_to(index.group_base[g0:g1], (n_rows, g1 - g0))
            edge_flow = index.flow[edges]
        else:
            edge_flow = flow[:, edges]
            base = group_sum(edge_flow, groups)
        edge_base = base[:, groups.group_local]
        weight = np.divide(
            edge_flow * edge_share[:, edges],
            edge_base,
            out=np.zeros((n_rows, len(edges))),
            where=edge_base > 0,
        )
        level = _Level(groups, weight, base <= 0, node_share[:, nodes], stock_days[:, nodes])
        starts = edge_start[:, edges]
        if not index.cyclic_level[level_no]:
            avail[:, nodes], ratio[:, nodes], days[:, nodes] = _timed_step(
                level, ratio, days, starts, None
            )
            continue
        active = np.arange(n_rows)
        if len(nodes) <= DENSE_LOOP_NODES:
            _solve_loops_dense(level, index.n_nodes, ratio)
        for iteration in range(MAX_ITERATIONS):
            if iteration == PLAIN_STEPS:
                for s in active:  # slow loops: the exact solve; plain steps then confirm it
                    _solve_loops(level, s, index.n_nodes, ratio)
            new_avail, new_ratio, new_days = _timed_step(level, ratio, days, starts, active)
            cells = np.ix_(active, nodes)
            # ratios may flip by a rounding step at the fixed point; days then move by as little
            with np.errstate(invalid="ignore"):
                days_moved = ~np.isclose(new_days, days[cells], rtol=DAYS_RTOL, atol=0.0)
            moved = (np.max(np.abs(new_ratio - ratio[cells]), axis=1) > TOLERANCE) | np.any(
                days_moved, axis=1
            )
            avail[cells], ratio[cells], days[cells] = new_avail, new_ratio, new_days
            active = active[moved]
            if not len(active):
                break
    edge_after = (index.flow if flow is None else flow) * edge_share * ratio[:, index.src]
    return ratio, avail, edge_after, days


def _timed_step(
    level: _Level,
    ratio: np.ndarray,
    days: np.ndarray,
    edge_start: np.ndarray,
    rows: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`step` on a level for some rows (None: all), with the day each customer's
    output falls.

    The shortage reaches a customer on the earliest start among its constrained inputs
    (a throttled edge's day 0, or the day a short supplier started to fall); its stock
    then lasts S / (1 - availability) days.
    """
    groups = level.groups
    if rows is None:
        rows = slice(None)
        supplier_ratio, supplier_days = ratio[:, groups.src], days[:, groups.src]
    else:
        cells = np.ix_(rows, groups.src)
        supplier_ratio, supplier_days = ratio[cells], days[cells]
    share = level.share[rows]
    done = step(groups, level.weight[rows], supplier_ratio, share, level.no_baseline[rows])
    supplier_days = np.where(supplier_ratio < 1, supplier_days, np.inf)
    starts = np.minimum(edge_start[rows], supplier_days)
    starts = np.where(done.group_avail[:, groups.group_local] < 1, starts, np.inf)
    reach = np.minimum.reduceat(starts, groups.group_first, axis=1)
    node_reach = np.minimum.reduceat(reach, groups.node_first, axis=1)
    node_avail = done.node_avail
    with np.errstate(divide="ignore", invalid="ignore"):
        buffer = np.where(node_avail < 1, level.stock[rows] / (1 - node_avail), np.inf)
    new_days = np.where(share < 1, 0.0, node_reach + buffer)
    return node_avail, done.ratio, new_days


def _loop_system(level: _Level, n_nodes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per edge of a loop level: its customer and supplier as positions among the level's
    nodes (-1: a supplier outside the level); per group: its customer."""
    groups = level.groups
    local = np.full(n_nodes, -1)
    local[groups.nodes] = np.arange(len(groups.nodes))
    n_groups = level.no_baseline.shape[1]
    node_of_group = np.repeat(
        np.arange(len(groups.nodes)), np.diff(np.append(groups.node_first, n_groups))
    )
    return node_of_group[groups.group_local], local[groups.src], node_of_group


def _scarcest(done: Step, groups: Groups, node_of_group: np.ndarray) -> np.ndarray:
    """Per row and customer, the first of its groups that is scarcest."""
    n_groups = done.group_avail.shape[1]
    candidate = np.where(
        done.group_avail <= done.node_avail[:, node_of_group], np.arange(n_groups), n_groups
    )
    return np.minimum.reduceat(candidate, groups.node_first, axis=1)


def _solve_loops(level: _Level, row: int, n_nodes: int, ratio: np.ndarray) -> None:
    """Move one row's ratios on a level with recycling loops to its greatest fixed point.

    Plain iteration converges slowly when a loop feeds a node most of its input, so this
    uses policy iteration: fix, per node, the input group that is scarcest at the current
    ratios (or the cap at 1), solve that linear system exactly (sparse), and repeat until
    the scarcest groups stop changing. Each step lands on or above the greatest fixed
    point and below the previous step, so it ends there. Where a chosen system is
    singular (a loop that loses nothing), plain iteration in the caller finishes the job.
    ``ratio`` is changed in place.
    """
    groups = level.groups
    nodes = groups.nodes
    customer, src_local, node_of_group = _loop_system(level, n_nodes)
    n_local = len(nodes)
    weight, share = level.weight[row : row + 1], level.share[row : row + 1]
    no_baseline = level.no_baseline[row : row + 1]
    for _ in range(100):
        supplier_ratio = ratio[row, groups.src][None, :]
        done = step(groups, weight, supplier_ratio, share, no_baseline)
        if np.max(np.abs(done.ratio[0] - ratio[row, nodes]), initial=0.0) <= TOLERANCE:
            return
        chosen = _scarcest(done, groups, node_of_group)[0]
        capped = done.node_avail[0] >= 1
        on = (chosen[customer] == groups.group_local) & ~capped[customer]
        inside, outside = on & (src_local >= 0), on & (src_local < 0)
        constant = np.bincount(
            customer[outside], weight[0, outside] * supplier_ratio[0, outside], n_local
        )
        rhs = share[0] * np.where(capped, 1.0, constant)
        loop = csc_matrix(
            (share[0, customer[inside]] * weight[0, inside], (customer[inside], src_local[inside])),
            shape=(n_local, n_local),
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            solution = spsolve(identity(n_local, format="csc") - loop, rhs)
        if not np.all(np.isfinite(solution)):
            return
        ratio[row, nodes] = np.clip(solution, 0.0, 1.0)


def _solve_loops_dense(level: _Level, n_nodes: int, ratio: np.ndarray) -> None:
    """Move each row's ratios on a level with loops to its greatest fixed point, in place.

    The policy iteration of :func:`_solve_loops`, for every row at once: fix each node's
    scarcest input group (or the cap at 1), solve the rows' small dense systems together,
    repeat while the choice changes. Rows whose system is singular (a loop that loses
    nothing) are left to the plain iteration that follows.
    """
    groups = level.groups
    nodes = groups.nodes
    customer, src_local, node_of_group = _loop_system(level, n_nodes)
    n_local = len(nodes)
    node_first_edge = groups.group_first[groups.node_first]
    inside = src_local >= 0
    cell = customer[inside] * n_local + src_local[inside]  # an inside edge's place in the system
    to_cell = csr_matrix(
        (np.ones(len(cell)), (np.arange(len(cell)), cell)), shape=(len(cell), n_local**2)
    )
    rows = np.arange(len(ratio))
    for _ in range(100):
        supplier_ratio = ratio[:, groups.src]
        done = step(groups, level.weight, supplier_ratio, level.share, level.no_baseline)
        gap = np.abs(done.ratio - ratio[:, nodes]).max(axis=1)
        rows = rows[gap[rows] > TOLERANCE]
        if not len(rows):
            return
        chosen = _scarcest(done, groups, node_of_group)[rows]
        capped = done.node_avail[rows] >= 1
        on = (chosen[:, customer] == groups.group_local) & ~capped[:, customer]
        flows = level.weight[rows] * on
        outside = np.add.reduceat(
            np.where(inside, 0.0, flows * supplier_ratio[rows]), node_first_edge, axis=1
        )
        share = level.share[rows]
        rhs = share * np.where(capped, 1.0, outside)
        loop = (to_cell.T @ (flows[:, inside] * share[:, customer[inside]]).T).T
        system = np.eye(n_local) - loop.reshape(len(rows), n_local, n_local)
        solvable = np.abs(np.linalg.det(system)) > 1e-12
        if not solvable.any():
            return
        solution = np.linalg.solve(system[solvable], rhs[solvable][:, :, None])[:, :, 0]
        ratio[np.ix_(rows[solvable], nodes)] = np.clip(solution, 0.0, 1.0)
        rows = rows[solvable]
