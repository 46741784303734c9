"""The draws' day loop compiled (numba): each draw's days in one pass, the same figures bit for bit.

:func:`supplygraph.analyses.timeline.simulate_days` runs draws (``rows``) through the days
with numpy, a block of rows at a time, one array operation after another; that path stays
the reference. This module runs the same arithmetic in the same order, one draw at a time
through all its days, with no temporary arrays (``tests/test_bands.py`` checks that both
give the same bits). It is used when numba is installed (:func:`available`).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

import numpy as np

from ..engine.propagate import SNAP


def available() -> bool:
    """Return whether the compiled day loop can run (numba is installed).

    Returns
    -------
    bool
    """
    return importlib.util.find_spec("numba") is not None


@dataclass(frozen=True, eq=False)
class DayLoop:
    """What the compiled loop reads, per draw (rows) or for every draw.

    Parts are the inputs in the whole graph's group order (``Groups.edges``): per part its
    supplier line (``part_src``), transit days (``part_tau``), group (``group_local``),
    per row its weight (``weight``) and queue place (``place``), and per stretch its
    share under the rules alone (``rule``) and the share approved (``licence``). Per
    group its customer line (``group_node``), per row its daily need, whether it has no
    baseline and its most stock; per customer its first group (``node_first``) and line
    (``customer``); per stretch each line's own share (``line_share``); per day its
    stretch and month.
    """

    weight: np.ndarray  # rows x parts
    place: np.ndarray  # rows x parts
    rule: np.ndarray  # stretches x parts
    licence: np.ndarray  # stretches x parts
    part_src: np.ndarray
    part_tau: np.ndarray
    group_local: np.ndarray
    node_first: np.ndarray
    customer: np.ndarray
    group_node: np.ndarray
    need: np.ndarray  # rows x groups
    no_baseline: np.ndarray  # rows x groups
    stock_max: np.ndarray  # rows x groups
    line_share: np.ndarray  # stretches x lines
    segment_of_day: np.ndarray
    month_of_day: np.ndarray
    window: int
    loss: float


def run_draw_days(
    loop: DayLoop,
    makers: np.ndarray,
    units: np.ndarray,
    intake: np.ndarray,
    n_months: int,
    watched: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run every draw through every day and return what the draws' record needs.

    Parameters
    ----------
    loop
        The day loop's inputs.
    makers
        The maker lines (positions among the lines).
    units
        Per maker line, its units a day.
    intake
        Per row and maker line, its drawn intake (t a day).
    n_months
        Months of the run.
    watched
        Lines whose output each day is returned (the suppliers of tracked shipments).

    Returns
    -------
    tuple of numpy.ndarray
        Per row and line, the first loss and recovery (day index, -1: none); per month,
        row and maker line, units and tonnes lost; per day, row and watched line, its
        output ratio.
    """
    n_rows, n_lines, n_days = len(loop.weight), loop.line_share.shape[1], len(loop.segment_of_day)
    first_loss = np.full((n_rows, n_lines), -1, dtype=np.int64)
    recovery = np.full((n_rows, n_lines), -1, dtype=np.int64)
    lost_units = np.zeros((n_months, n_rows, len(makers)))
    lost_t = np.zeros((n_months, n_rows, len(makers)))
    watched_output = np.ones((n_days, n_rows, len(watched)))
    _kernel()(
        loop.weight,
        loop.place,
        loop.rule,
        loop.licence,
        loop.part_src,
        loop.part_tau,
        loop.group_local,
        loop.node_first,
        loop.customer,
        loop.group_node,
        loop.need,
        loop.no_baseline,
        loop.stock_max,
        loop.line_share,
        loop.segment_of_day,
        loop.month_of_day,
        loop.window,
        loop.loss,
        1 - SNAP,
        makers,
        units,
        intake,
        watched,
        first_loss,
        recovery,
        lost_units,
        lost_t,
        watched_output,
    )
    return first_loss, recovery, lost_units, lost_t, watched_output


_COMPILED: list = []  # the compiled kernel, once per process


def _kernel():  # pragma: no cover - the body runs compiled
    """The compiled kernel (compiled on first use, cached on disk by numba)."""
    if _COMPILED:
        return _COMPILED[0]
    import numba  # imported here: only a run of draws pays for it

    @numba.njit(cache=True, nogil=True)
    def kernel(
        weight,
        place,
        rule,
        licence,
        part_src,
        part_tau,
        group_local,
        node_first,
        customer,
        group_node,
        need,
        no_baseline,
        stock_max,
        line_share,
        segment_of_day,
        month_of_day,
        window,
        loss,
        full,
        makers,
        units,
        intake,
        watched,
        first_loss,
        recovery,
        lost_units,
        lost_t,
        watched_output,
    ):
        n_rows, n_parts = weight.shape
        n_groups = need.shape[1]
        n_customers = len(node_first)
        n_lines = line_share.shape[1]
        n_days = len(segment_of_day)
        n_stretches = rule.shape[0]
        recent = np.empty((window, n_lines))
        stock = np.empty(n_groups)
        arrived = np.empty(n_groups)
        today = np.empty(n_lines)
        weighted = np.empty((n_stretches, n_parts))  # per stretch: weight x licensed share
        for r in range(n_rows):
            # the numpy path multiplies the row's weight by the licensed share, then by the
            # supplier's ratio: the same two products here, in that order
            for s in range(n_stretches):
                for p in range(n_parts):
                    approved = licence[s, p]
                    ships = 1.0 if (place[r, p] <= approved and approved > 0) else 0.0
                    weighted[s, p] = weight[r, p] * min(rule[s, p], ships)
            recent[:, :] = 1.0
            for g in range(n_groups):
                stock[g] = stock_max[r, g]
            for t in range(n_days):
                segment = segment_of_day[t]
                for k in range(n_lines):
                    today[k] = line_share[segment, k]
                for g in range(n_groups):
                    arrived[g] = 0.0
                for p in range(n_parts):  # in edge order, as numpy.bincount sums
                    lag = t - part_tau[p]
                    if lag < 0:  # left before the first day: at baseline
                        value = weight[r, p] * 1.0
                    else:
                        value = weighted[segment_of_day[lag], p] * recent[lag % window, part_src[p]]
                    arrived[group_local[p]] += value
                for c in range(n_customers):
                    stop = node_first[c + 1] if c + 1 < n_customers else n_groups
                    lowest = np.inf
                    for g in range(node_first[c], stop):
                        share = 0.0 if no_baseline[r, g] else stock[g] / need[r, g]
                        total = arrived[g] + share
                        avail = 1.0 if (total > full or no_baseline[r, g]) else total
                        if avail < lowest:
                            lowest = avail
                    today[customer[c]] = lowest * today[customer[c]]
                for g in range(n_groups):
                    used = today[group_node[g]] * need[r, g]
                    left = stock[g] + arrived[g] * need[r, g] - used
                    stock[g] = min(max(left, 0.0), stock_max[r, g])
                at = t % window
                month = month_of_day[t]
                for k in range(n_lines):
                    recent[at, k] = today[k]
                    below = today[k] < loss
                    if first_loss[r, k] >= 0 and not below and recovery[r, k] < 0:
                        recovery[r, k] = t
                    if below and first_loss[r, k] < 0:
                        first_loss[r, k] = t
                for m in range(len(makers)):
                    short = 1 - today[makers[m]]
                    lost_units[month, r, m] += short * units[m]
                    lost_t[month, r, m] += short * intake[r, m]
                for w in range(len(watched)):
                    watched_output[t, r, w] = today[watched[w]]

    _COMPILED.append(kernel)
    return kernel
