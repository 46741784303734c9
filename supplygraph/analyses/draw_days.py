"""The draws' day loop compiled (numba): each draw's days in one pass, the same figures bit for bit.

:func:`supplygraph.analyses.timeline.simulate_days` runs draws (``rows``) through the days
with numpy, a block of rows at a time, one array operation after another; that path stays
the reference. This module runs the same arithmetic in the same order, a block of draws in
step through all their days, with no temporary arrays, leaving out only what cannot change
a figure (:func:`run_draw_days`); ``tests/test_bands.py`` checks that both give the same
bits. It is used when numba is installed (:func:`available`).
"""

from __future__ import annotations

import importlib.util
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise

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
    supplier line (``part_src``), transit days (``part_tau``: per part, or per row and part
    when the draws drew them), group (``group_local``),
    per row its weight (``weight``) and its applications' places in the queue (row
    ``place_edge`` of ``place``, rows x edges x applications, of which the row's first
    ``applications`` count: it ships the share of them approved),
    and per stretch its
    share under the rules alone (``rule``) and the share approved (``licence``). Per
    group its customer line (``group_node``), per row its daily need, whether it has no
    baseline and its most stock; per customer its first group (``node_first``) and line
    (``customer``); per stretch each line's own share (``line_share``); per day its
    stretch and month.
    """

    weight: np.ndarray  # rows x parts
    place: np.ndarray  # rows x edges x applications (the draws' queue, not copied)
    applications: np.ndarray  # per row, how many of an edge's places count
    place_edge: np.ndarray  # per part, its edge in place
    rule: np.ndarray  # stretches x parts
    licence: np.ndarray  # stretches x parts
    part_src: np.ndarray
    part_tau: np.ndarray  # parts, or rows x parts
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


def moving_lines(loop: DayLoop) -> np.ndarray:
    """Return which lines may make less than their baseline on some day of some draw.

    A line moves when it has an outage in some stretch, takes an input whose rules or
    licences ever hold it below 1 (or whose weights, in some draw, do not add up to more
    than ``1 - SNAP``), or takes an input from a line that moves. Every other
    line makes exactly its baseline (ratio 1.0) every day of every draw: its inputs all
    arrive in full, their weights add up to 1 (within rounding far below ``SNAP``) and its
    stock only adds to that, so its scarcest input is capped at 1 and its own share is 1.

    Parameters
    ----------
    loop
        The day loop's inputs.

    Returns
    -------
    numpy.ndarray
        Per line, whether it moves.
    """
    moving = (loop.line_share < 1).any(axis=0)
    customer = loop.group_node[loop.group_local]  # per part: the line it feeds
    held = (loop.rule < 1).any(axis=0) | (loop.licence < 1).any(axis=0)
    moving[customer[held]] = True
    n_rows, n_groups = loop.need.shape
    cell = loop.group_local + n_groups * np.arange(n_rows)[:, None]  # summed as the loop does
    whole = np.bincount(cell.ravel(), loop.weight.ravel(), minlength=n_rows * n_groups)
    short = ~((whole.reshape(n_rows, n_groups) > 1 - SNAP) | loop.no_baseline).all(axis=0)
    moving[loop.group_node[short]] = True  # weights that do not add up to 1: computed
    while True:  # downstream of a moving line, through loops too
        fed = customer[moving[loop.part_src] & ~moving[customer]]
        if not len(fed):
            return moving
        moving[fed] = True


def run_draw_days(
    loop: DayLoop,
    makers: np.ndarray,
    units: np.ndarray,
    intake: np.ndarray,
    n_months: int,
    watched: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Run every draw through every day and return what the draws' record needs.

    Only the lines that move (:func:`moving_lines`) are computed; the others stay at 1.0,
    the figure the full loop gives them. Before the first day on which a rule, a licence
    or an outage holds anything, only the stocks are counted (every line makes 1.0); a
    draw stops once no rule, licence or outage holds anything any more and every line has
    made 1.0 for as long as the longest transit time, as every later day would repeat it.

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
    moving = moving_lines(loop)
    customers = np.flatnonzero(moving[loop.customer])
    groups_of = np.zeros(len(loop.node_first), dtype=bool)
    groups_of[customers] = True
    n_groups = loop.need.shape[1]
    sizes = np.diff(np.append(loop.node_first, n_groups))
    group_moving = np.repeat(groups_of, sizes)
    parts = np.flatnonzero(group_moving[loop.group_local])  # in edge order: the same sums
    quiet, free = _quiet_days(loop, moving, parts)
    # each row's transit days per part (the same in every row unless the draws drew them)
    part_tau = np.ascontiguousarray(
        np.broadcast_to(loop.part_tau, loop.weight.shape)[:, parts], dtype=np.int64
    )
    # a part's longest delay over the rows: the last day a short shipment may still arrive
    delay = np.where(part_tau > 0, part_tau, loop.window).max(axis=0, initial=0)
    drawn = part_tau if loop.part_tau.ndim == 2 else part_tau[:1]  # the distinct rows
    event_first, event_part = _stretch_events(loop.segment_of_day, drawn, quiet)
    arguments = (
        np.ascontiguousarray(loop.weight[:, parts]),
        np.ascontiguousarray(loop.place),  # read at the parts' edges: not copied
        np.ascontiguousarray(loop.applications, dtype=np.int64),
        loop.place_edge[parts],
        np.ascontiguousarray(loop.rule[:, parts]),
        np.ascontiguousarray(loop.licence[:, parts]),
        loop.part_src[parts],
        part_tau,
        event_first,
        event_part,
        loop.group_local[parts],
        np.searchsorted(loop.group_local[parts], np.arange(n_groups + 1)),
        *_out_parts(loop.part_src[parts], loop.group_local[parts], delay, n_lines, loop.window),
        loop.node_first,
        customers,
        loop.customer,
        np.flatnonzero(group_moving),
        loop.need,
        loop.no_baseline,
        loop.stock_max,
        loop.line_share,
        np.flatnonzero(moving),
        loop.segment_of_day,
        loop.month_of_day,
        loop.window,
        quiet,
        free,
        loop.loss,
        1 - SNAP,
        makers,
        np.flatnonzero(moving[makers]),
        units,
        intake,
        watched,
        first_loss,
        recovery,
        lost_units,
        lost_t,
        watched_output,
    )
    kernel = _kernel()
    # draws are independent and each writes only its own rows: threads (the kernel runs
    # without the GIL) split them without changing a bit
    bounds = np.linspace(0, n_rows, min(threads(), n_rows) + 1).astype(int)
    with ThreadPoolExecutor(len(bounds) - 1) as pool:
        done = [pool.submit(kernel, lo, hi, BLOCK, *arguments) for lo, hi in pairwise(bounds)]
        for future in done:
            future.result()
    return first_loss, recovery, lost_units, lost_t, watched_output


def threads() -> int:
    """Return how many threads run the draws: the processors this process may use.

    Returns
    -------
    int
    """
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def _out_parts(
    part_src: np.ndarray, part_group: np.ndarray, part_tau: np.ndarray, n_lines: int, window: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per line, the groups its parts feed and the days until what it makes today is read
    there (the transit time; a part of no transit time reads the day a window back), as
    offsets per line, groups and delays."""
    order = np.argsort(part_src, kind="stable")
    first = np.searchsorted(part_src[order], np.arange(n_lines + 1))
    delay = np.where(part_tau > 0, part_tau, window)
    return first, part_group[order], delay[order]


def _stretch_events(
    segment_of_day: np.ndarray, part_tau: np.ndarray, quiet: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per day after ``quiet``, the parts whose shipments arriving that day left in
    another stretch than the day before's (or were the first to leave in the run) in some
    row (``part_tau``: rows x parts): the days a part's licensed share may change, as
    offsets per day and parts (in part order within a day, each part once)."""
    n_days = len(segment_of_day)
    n_parts = part_tau.shape[1]
    changes = np.flatnonzero(np.diff(segment_of_day, prepend=-1) != 0)  # day 0 and each change
    tau, part = np.divmod(np.unique(part_tau * n_parts + np.arange(n_parts)), n_parts)
    day = (changes[None, :] + tau[:, None]).ravel()
    part = np.repeat(part, len(changes))
    keep = (day > quiet) & (day < n_days)
    day, part = np.divmod(np.unique(day[keep] * n_parts + part[keep]), n_parts)
    first = np.searchsorted(day, np.arange(n_days + 1))
    return first.astype(np.int64), part.astype(np.int64)


def _quiet_days(loop: DayLoop, moving: np.ndarray, parts: np.ndarray) -> tuple[int, int]:
    """The days before anything is held (each line makes 1.0), and the first day from
    which nothing is held (every input's stretch when it left, every line's own share)."""
    n_days = len(loop.segment_of_day)
    held = (loop.rule[:, parts] < 1).any(axis=1) | (loop.licence[:, parts] < 1).any(axis=1)
    held |= (loop.line_share[:, moving] < 1).any(axis=1)
    held_day = np.flatnonzero(held[loop.segment_of_day])
    if not len(held_day):
        return n_days, 0
    after = np.flatnonzero(loop.segment_of_day > np.flatnonzero(held).max())
    first_free = int(after[0]) if len(after) else n_days
    longest = int(loop.part_tau[..., parts].max()) if len(parts) else 0
    return int(held_day[0]), first_free + longest if first_free > 0 else 0


BLOCK = 16  # draws that run in step in the compiled loop (measured: 8 and 32 no faster)
_COMPILED: list = []  # the compiled kernel, once per process


def _kernel():  # pragma: no cover - the body runs compiled
    """The compiled kernel (compiled on first use, cached on disk by numba)."""
    if _COMPILED:
        return _COMPILED[0]
    import numba  # imported here: only a run of draws pays for it

    @numba.njit(cache=True, nogil=True)
    def kernel(
        row_first,
        row_stop,
        block,
        weight,
        place,
        applications,
        place_edge,
        rule,
        licence,
        part_src,
        part_tau,
        event_first,
        event_part,
        group_local,
        part_first,
        out_first,
        out_group,
        out_delay,
        node_first,
        customers,
        customer,
        moving_groups,
        need,
        no_baseline,
        stock_max,
        line_share,
        moving,
        segment_of_day,
        month_of_day,
        window,
        quiet,
        free,
        loss,
        full,
        makers,
        moving_makers,
        units,
        intake,
        watched,
        first_loss,
        recovery,
        lost_units,
        lost_t,
        watched_output,
    ):
        n_parts = weight.shape[1]
        n_groups = need.shape[1]
        n_customers = len(node_first)
        n_lines = line_share.shape[1]
        n_days = len(segment_of_day)
        n_stretches = rule.shape[0]
        # a block of draws runs in step, the draw the innermost axis: one pass over the
        # graph's indices serves them all, and each draw's figures are its own
        recent = np.ones((window, n_lines, block))
        stock = np.empty((n_groups, block))
        row_need = np.empty((n_groups, block))
        row_stock_max = np.empty((n_groups, block))
        row_no_baseline = np.zeros((n_groups, block), dtype=np.bool_)
        whole = np.zeros((n_groups, block))  # what arrives with every part at baseline
        held = np.zeros(n_groups, dtype=np.int64)  # parts held by a rule or licence today
        until = np.zeros(n_groups, dtype=np.int64)  # the last day a short shipment arrives
        today = np.ones((n_lines, block))
        weighted = np.empty((n_stretches, n_parts, block))  # weight x licensed share
        base = np.empty((n_parts, block))  # weight x 1.0
        current = np.empty((n_parts, block))  # today's, per part
        arrived = np.empty(block)
        lowest = np.empty(block)
        tau = np.empty(n_parts, dtype=np.int64)  # a part's transit days in every row of a block
        for r0 in range(row_first, row_stop, block):
            n = min(block, row_stop - r0)
            for p in range(n_parts):  # -1: the block's rows take different times
                tau[p] = part_tau[r0, p]
                for b in range(1, n):
                    if part_tau[r0 + b, p] != tau[p]:
                        tau[p] = -1
            # the numpy loop multiplies the row's weight by the licensed share, then by the
            # supplier's ratio: the same two products here, in that order
            for s in range(n_stretches):
                for p in range(n_parts):
                    approved = licence[s, p]
                    for b in range(n):
                        if approved >= 1.0:  # every place is at most 1: all approved
                            ships = 1.0
                        else:
                            approvals = 0  # of the part's applications, those approved
                            if approved > 0:
                                for j in range(applications[r0 + b]):
                                    if place[r0 + b, place_edge[p], j] <= approved:
                                        approvals += 1
                            ships = approvals / applications[r0 + b]
                        weighted[s, p, b] = weight[r0 + b, p] * min(rule[s, p], ships)
            for p in range(n_parts):
                for b in range(n):
                    base[p, b] = weight[r0 + b, p] * 1.0
            recent[:, :, :] = 1.0  # lines that do not move stay at 1.0 in every column
            for g in moving_groups:
                held[g] = 0
                until[g] = -1
                for b in range(n):
                    row_need[g, b] = need[r0 + b, g]
                    row_stock_max[g, b] = stock_max[r0 + b, g]
                    row_no_baseline[g, b] = no_baseline[r0 + b, g]
                    stock[g, b] = stock_max[r0 + b, g]
                    whole[g, b] = 0.0
            for p in range(n_parts):  # in edge order, as numpy.bincount sums
                g = group_local[p]
                for b in range(n):
                    whole[g, b] += base[p, b]
            for _day in range(quiet):  # every input in full, every line at 1.0: stocks only
                for g in moving_groups:
                    for b in range(n):
                        used = 1.0 * row_need[g, b]
                        left = stock[g, b] + whole[g, b] * row_need[g, b] - used
                        stock[g, b] = min(max(left, 0.0), row_stock_max[g, b])
            last_short = -1  # the last day a line made other than 1.0
            for p in range(n_parts):  # what each part carries per unit of its supplier's ratio
                for b in range(n):
                    lag = quiet - part_tau[r0 + b, p]
                    current[p, b] = base[p, b] if lag < 0 else weighted[segment_of_day[lag], p, b]
                    if current[p, b] != base[p, b]:
                        held[group_local[p]] += 1
            for t in range(quiet, n_days):
                segment = segment_of_day[t]
                at = t % window
                for e in range(event_first[t], event_first[t + 1]):
                    p = event_part[e]
                    for b in range(n):
                        lag = t - part_tau[r0 + b, p]  # a row's shipment from before the start
                        share = base[p, b] if lag < 0 else weighted[segment_of_day[lag], p, b]
                        held[group_local[p]] += int(share != base[p, b])
                        held[group_local[p]] -= int(current[p, b] != base[p, b])
                        current[p, b] = share
                for k in moving:
                    for b in range(n):
                        today[k, b] = line_share[segment, k]
                for c in customers:
                    first = node_first[c]
                    stop = node_first[c + 1] if c + 1 < n_customers else n_groups
                    for b in range(n):
                        lowest[b] = np.inf
                    for g in range(first, stop):
                        if held[g] == 0 and until[g] < t:
                            for b in range(n):  # every part at baseline: the same sum
                                arrived[b] = whole[g, b]
                        else:
                            # in edge order, as numpy.bincount sums; a shipment that left
                            # before the first day reads a column still at 1.0 (baseline)
                            for b in range(n):
                                arrived[b] = 0.0
                            for p in range(part_first[g], part_first[g + 1]):
                                src = part_src[p]
                                if tau[p] >= 0:  # one slot for the block: a contiguous run
                                    slot = at - tau[p]
                                    if slot < 0:
                                        slot += window
                                    for b in range(n):
                                        arrived[b] += current[p, b] * recent[slot, src, b]
                                    continue
                                for b in range(n):
                                    slot = at - part_tau[r0 + b, p]
                                    if slot < 0:
                                        slot += window
                                    arrived[b] += current[p, b] * recent[slot, src, b]
                        for b in range(n):
                            if row_no_baseline[g, b] or arrived[b] > full:
                                avail = 1.0  # stock only adds to a total already above 1
                            else:
                                total = arrived[b] + stock[g, b] / row_need[g, b]
                                avail = 1.0 if total > full else total
                            lowest[b] = min(lowest[b], avail)
                            # what arrives is stocked; what is used goes out below
                            stock[g, b] = stock[g, b] + arrived[b] * row_need[g, b]
                    k = customer[c]
                    for b in range(n):
                        today[k, b] = lowest[b] * today[k, b]
                    for g in range(first, stop):
                        for b in range(n):
                            left = stock[g, b] - today[k, b] * row_need[g, b]
                            stock[g, b] = min(max(left, 0.0), row_stock_max[g, b])
                month = month_of_day[t]
                for k in moving:
                    short = False
                    for b in range(n):
                        ratio = today[k, b]
                        recent[at, k, b] = ratio
                        below = ratio < loss
                        r = r0 + b
                        if first_loss[r, k] >= 0 and not below and recovery[r, k] < 0:
                            recovery[r, k] = t
                        if below and first_loss[r, k] < 0:
                            first_loss[r, k] = t
                        short = short or ratio != 1.0
                    if short:
                        last_short = t
                        for o in range(out_first[k], out_first[k + 1]):
                            until[out_group[o]] = max(until[out_group[o]], t + out_delay[o])
                for m in moving_makers:
                    for b in range(n):
                        ratio = today[makers[m], b]
                        if ratio != 1.0:  # at 1.0 nothing is lost (adding 0.0)
                            lost_units[month, r0 + b, m] += (1 - ratio) * units[m]
                            lost_t[month, r0 + b, m] += (1 - ratio) * intake[r0 + b, m]
                for w in range(len(watched)):
                    for b in range(n):
                        watched_output[t, r0 + b, w] = today[watched[w], b]
                # nothing held from tomorrow, and every shipment still to arrive left a line
                # at 1.0: every later day is this one again (nothing lost, outputs at 1.0)
                if t + 1 >= free and last_short <= t - window and last_short < t:
                    break

    _COMPILED.append(kernel)
    return kernel
