"""The dated run's day with orders compiled (numba), the numpy arithmetic to the bit.

:class:`supplygraph.analyses.dynamics.Orders` runs a day with orders in two or three calls
(:func:`start_day`, :func:`make_day`: the engine's step with each group's ceiling, the
stocks and tomorrow's wishes, :func:`end_day`: tomorrow's orders) instead of the numpy step
and some eighty numpy calls: each loops over the edges, groups or lines once, does each
element's arithmetic in the order the numpy rule did (no fused multiply-add: numba compiles
without ``fastmath``) and sums edge after edge in index order, as ``numpy.bincount`` does,
so every figure is the same to the bit (with every order at 1, the run without dynamics').
Imported only when a run has dynamics (numba's import is not free); compiled on first use
and cached on disk.

The ring of orders reaches the kernels as one tuple, ``book``: ``(class_len, class_off,
class_n, rows, part_class, part_pos, ring)`` (:class:`~supplygraph.analyses.dynamics.Orders`).
"""

from __future__ import annotations

import numba
import numpy as np

from ..engine.propagate import SNAP

FULL = 1 - SNAP  # a share this close to 1 ships in full
COMPILE = {"cache": True, "nogil": True, "error_model": "numpy"}  # IEEE division, as numpy


@numba.njit(**COMPILE)
def _max(a, b):  # numpy.maximum's rule: the first unless the second is larger (NaN wins)
    return a if (a >= b or a != a) else b


@numba.njit(**COMPILE)
def _min(a, b):  # numpy.minimum's rule
    return a if (a <= b or a != a) else b


@numba.njit(**COMPILE)
def start_day(
    order_moved,
    ordered,
    new,
    base_out_safe,
    sells,
    demand,
    headroom,
    ramp_step,
    ramped,
    rise,
    group_node,
    ceiling,
    group_ceiling,
):  # pragma: no cover
    """Each seller's demand (when ``order_moved``; else 1): what it was ordered, with the
    orders over new links when ``new`` is not empty, over its baseline (1 for a line
    nobody buys from); then each line's headroom ramped and its ceiling: its demand,
    above its baseline at most its ramped capacity; per group its line's. Returns
    whether any headroom is above 0."""
    any_up = False
    ramping = False
    for k in range(len(headroom)):
        if order_moved:
            total = ordered[k] + new[k] if len(new) else ordered[k]
            demand[k] = total / base_out_safe[k] if sells[k] else 1.0
        up = order_moved and demand[k] > 1
        any_up = any_up or up
        if ramped:  # +-1/ramp a day, within [0, 1]
            h = (ramp_step if up else -ramp_step) + headroom[k]
            h = _min(_max(h, 0.0), 1.0)
        else:
            h = 1.0 if up else 0.0
        headroom[k] = h
        ramping = ramping or h != 0.0
    for k in range(len(headroom)):
        wish = demand[k] if order_moved else 1.0
        if any_up:  # at most the demand where it is not above the baseline
            room = headroom[k] * rise[k]
            room += 1
            wish = _min(wish, room)
        ceiling[k] = wish
    for g in range(len(group_node)):
        group_ceiling[g] = ceiling[group_node[g]]
    return ramping


@numba.njit(**COMPILE)
def _rows(day, back, moved, class_len, class_off, class_n, out):  # pragma: no cover
    """Per class of transit time, where the orders for ``day - back`` start in the ring
    (-1: every such order is 1, placed before the run or on a day nothing moved)."""
    for c in range(len(class_len)):
        d = day - back[c]
        placed = d >= 0 and moved[d % len(moved)]
        out[c] = class_off[c] + (d % class_len[c]) * class_n[c] if placed else -1


@numba.njit(**COMPILE)
def orders_on(day, back, moved, book, out):  # pragma: no cover
    """Per part edge, the orders for ``day - back`` of its class (1 where none was placed)."""
    class_len, class_off, class_n, rows, part_class, part_pos, ring = book
    _rows(day, back, moved, class_len, class_off, class_n, rows)
    for e in range(len(part_class)):
        at = rows[part_class[e]]
        out[e] = 1.0 if at < 0 else ring[at + part_pos[e]]


@numba.njit(**COMPILE)
def make_day(
    day,
    own,
    segment_of_day,
    licence,
    weight,
    part_src,
    group_first,
    node_first,
    customers,
    source,
    need,
    no_baseline,
    stock_max,
    stock,
    group_ceiling,
    ceiling,
    class_tau,
    moved,
    book,
    follow,
    expected,
    demand_unit,
    demand,
    sent,
    today,
    total,
    filled,
    rebuild_rate,
    need_safe,
    no_need,
    shift,
    supply,
    wanted,
    lost_orders,
    above,
    highest,
    depart,
):  # pragma: no cover
    """The day's step (``engine.propagate.step`` with the orders' ceilings, then the stocks)
    and what each buyer wants for tomorrow, in one pass over the customers.

    Per part edge, what arrives per unit of baseline is its weight x its licensed share
    when it left x what it carried per unit of baseline (``sent``, a ring laid out as the
    orders': what its supplier made per unit ordered that day x the orders it filled; 1
    for a shipment from before the run); per group, with
    its stock as a share of its need, its availability up to its ceiling; per customer the
    least of its groups' times its own share (``own``); lines without inputs make their
    own share times their ceiling. Writes ``today``, per group ``total`` (deliveries and
    stock as a share of the need) and with ``follow`` ``expected`` (what was ordered), the
    stocks at the end of the day, each line's output per unit ordered into ``filled`` and
    what each part edge carries from today into ``sent``. Then, per group, its order for
    tomorrow per unit of baseline (``wanted``: its line's ceiling; with ``follow``, what
    the line made unless the input is short; plus ``rebuild_rate`` x its stock gap in
    days of need), with
    ``shift`` each line's ``supply`` (its scarcest input, at most 1, times its own share),
    and per line its lost orders, output above baseline and highest output so far.
    With ``depart``, what leaves today goes into ``sent`` here (else :func:`end_day`
    writes it in its pass over the edges). Returns whether every group wants exactly 1."""
    class_len, class_off, class_n, rows, part_class, part_pos, ring = book
    _rows(day, class_tau, moved, class_len, class_off, class_n, rows)
    n_lines = len(own)
    n_groups = len(need)
    n_parts = len(part_src)
    # per class of transit time: the day its shipments left, that day's stretch and row
    n_classes = len(class_tau)
    left_before = np.empty(n_classes, dtype=np.bool_)
    stretch = np.zeros(n_classes, dtype=np.int64)
    row = np.zeros(n_classes, dtype=np.int64)
    for cls in range(n_classes):
        lag = day - class_tau[cls]
        left_before[cls] = lag < 0
        if lag >= 0:
            stretch[cls] = segment_of_day[lag]
            row[cls] = class_off[cls] + (lag % class_len[cls]) * class_n[cls]
    for k in source:
        today[k] = own[k] * ceiling[k]
        if shift:
            supply[k] = 1.0  # a line without inputs
    all_one = True
    for c in range(len(customers)):
        k = customers[c]
        first = node_first[c]
        stop = node_first[c + 1] if c + 1 < len(node_first) else n_groups
        low = 0.0
        for g in range(first, stop):
            # edge after edge from 0.0, as numpy.bincount sums
            arrived = 0.0
            ordered = 0.0
            last = group_first[g + 1] if g + 1 < n_groups else n_parts
            for e in range(group_first[g], last):
                cls = part_class[e]
                if left_before[cls]:  # left before the run: everything at baseline
                    licensed = 1.0
                    supplier = 1.0
                else:
                    licensed = licence[stretch[cls], e]
                    supplier = sent[row[cls] + part_pos[e]]
                arrived += (weight[e] * licensed) * supplier
                if follow:  # the orders it filled (1 where none were placed)
                    at = rows[cls]
                    order = 1.0 if at < 0 else ring[at + part_pos[e]]
                    ordered += weight[e] * order
            if follow:
                expected[g] = ordered
            share = 0.0 if no_baseline[g] else stock[g] / need[g]
            whole = arrived + share
            total[g] = whole
            up = group_ceiling[g]
            avail = up if (whole > up - SNAP or no_baseline[g]) else whole
            low = avail if g == first else _min(low, avail)
            stock[g] = stock[g] + arrived * need[g]  # what arrives is stocked; used goes below
        now = low * own[k]
        today[k] = now
        for g in range(first, stop):
            left = stock[g] - now * need[g]
            left = left if left > 0.0 else 0.0  # numpy.clip's rule (a tie: the bound)
            stock[g] = left if left < stock_max[g] else stock_max[g]
            if shift:  # its line's scarcest input (a group without baseline does not limit)
                avail = 1.0 if no_need[g] else _min(total[g], 1.0)
                supply[k] = avail if g == first else _min(supply[k], avail)
            target = group_ceiling[g]
            if follow:  # short: the input that limits the line (below the orders); else made
                output = _min(target, now)  # both sides, then pick: no branch
                target = target if total[g] < _min(target, expected[g]) - SNAP else output
            if rebuild_rate:
                gap = 0.0
                if not no_need[g]:
                    gap = _max((stock_max[g] - stock[g]) / need_safe[g], 0.0)
                gap *= rebuild_rate
                target = target + gap
            wanted[g] = target
            all_one = all_one and target == 1.0
    for k in range(n_lines):
        now = today[k]
        out = now
        if not demand_unit:  # per unit ordered (1 where nothing is ordered)
            out = now / demand[k] if demand[k] > 0 else 1.0
            # lost orders: the part of the baseline nobody ordered
            unordered = _max(1.0 - demand[k], 0.0)
            lost_orders[k] += _min(unordered, _max(1.0 - now, 0.0))
        filled[k] = out
        above[k] += _max(now - 1.0, 0.0)
        highest[k] = _max(highest[k], now)
        if shift:
            supply[k] = supply[k] * own[k]
    if depart:
        _row_starts(day, class_len, class_off, class_n, row)
        placed = moved[day % len(moved)]
        for e in range(n_parts):
            _depart(row[part_class[e]] + part_pos[e], placed, ring, filled[part_src[e]], sent)
    return all_one


@numba.njit(**COMPILE)
def _depart(at, placed, ring, filled, sent):  # pragma: no cover
    """What a part edge carries from today (at ``at`` in the ring): its supplier's output
    per unit ordered x the orders it fills (1 where none were placed)."""
    sent[at] = filled * (ring[at] if placed else 1.0)


@numba.njit(**COMPILE)
def end_day(
    all_one,
    shift,
    links,
    part_src,
    part_group,
    part_flow,
    weight,
    licensed,
    has_base,
    spare,
    supply,
    lost,
    scored,
    eligible,
    spare_eligible,
    wanted,
    ordered,
    day,
    book,
    moved,
    filled,
    sent,
):  # pragma: no cover
    """Write tomorrow's orders (each group's ``wanted``, from :func:`make_day`) into the
    ring and what they order of each seller into ``ordered``; with ``shift`` and without
    new ``links``, also what leaves today into ``sent`` (:func:`make_day` does otherwise).

    Returns 0 when every order is 1 (nothing written), 1 when they differ, 2 when, with
    new ``links``, a group loses what its suppliers cannot ship: ``lost``, ``scored``,
    ``spare_eligible`` and ``supply`` then hold what the new links need, and
    :func:`shifted` writes the orders. ``spare`` is per line (its capacity ratio - 1, at
    least 0); ``eligible`` per part edge, whether it ships in full."""
    if not shift:
        if all_one:
            return 0
        shifted(
            lost, scored, wanted, spare, eligible, part_src, part_group, part_flow, False,
            ordered, day, book,
        )  # fmt: skip
        return 1
    # what each edge's supplier can ship; per group the share lost; without new links,
    # the group's orders written at once (its edges still in cache) as if some buyer
    # were losing, and written again below if none is
    class_len, class_off, class_n, rows, part_class, part_pos, ring = book
    _row_starts(day + 1, class_len, class_off, class_n, rows)
    today = np.empty(len(class_len), dtype=np.int64)  # today's rows: what leaves today
    _row_starts(day, class_len, class_off, class_n, today)
    placed = moved[day % len(moved)]
    ordered[:] = 0.0
    losing = False
    n_parts = len(part_src)
    first = 0
    while first < n_parts:
        g = part_group[first]
        # edge after edge from 0.0, as numpy.bincount sums (the edges run group by group)
        shipped = 0.0
        spared = 0.0
        stop = first
        while stop < n_parts and part_group[stop] == g:
            src = part_src[stop]
            can = _min(supply[src], 1.0) * licensed[stop]
            w = weight[stop]
            shipped += w * can
            full = can >= FULL  # ships in full
            eligible[stop] = full
            spared += (w * spare[src]) * (1.0 if full else 0.0)
            if links:
                spare_eligible[stop] = spare[src] * (1.0 if full else 0.0)
            stop += 1
        share = _max(has_base[g] - shipped, 0.0) * wanted[g]
        lost[g], scored[g] = share, spared
        losing = losing or share > SNAP
        if not links:
            per = _moved(share, spared)
            for e in range(first, stop):
                src, cls, pos = part_src[e], part_class[e], part_pos[e]
                order = _order(per, spare[src], eligible[e], wanted[g])
                ring[rows[cls] + pos] = order
                ordered[src] += part_flow[e] * order  # edge after edge
                _depart(today[cls] + pos, placed, ring, filled[src], sent)
        first = stop
    if losing:
        return 2 if links else 1
    if all_one:
        return 0
    shifted(
        lost,
        scored,
        wanted,
        spare,
        eligible,
        part_src,
        part_group,
        part_flow,
        False,
        ordered,
        day,
        book,
    )
    return 1


@numba.njit(**COMPILE)
def _row_starts(day, class_len, class_off, class_n, rows):  # pragma: no cover
    """Per class of transit time, where the ring's row of ``day`` starts."""
    for c in range(len(class_len)):
        rows[c] = class_off[c] + (day % class_len[c]) * class_n[c]


@numba.njit(**COMPILE)
def _moved(lost, scored):  # pragma: no cover
    """A group's lost share per unit of its suppliers' spare where it moves, else 0 (the
    numpy rule's arithmetic)."""
    moves = 1.0 if (scored > 0 and lost > SNAP) else 0.0
    return lost / (scored + (1.0 - moves)) * moves


@numba.njit(**COMPILE)
def _order(moved, spare, eligible, wanted):  # pragma: no cover
    """An edge's order when some buyer is losing: what moved to it, then its group's wish."""
    order = moved * (spare * (1.0 if eligible else 0.0))
    order += wanted
    return order


@numba.njit(**COMPILE)
def shifted(
    lost,
    scored,
    wanted,
    spare,
    eligible,
    part_src,
    part_group,
    part_flow,
    losing,
    ordered,
    day,
    book,
):  # pragma: no cover
    """Write the orders for the day after ``day`` into the ring: each group's wanted
    share, and when some buyer is ``losing``, what its suppliers cannot ship moved to its
    eligible edges by weight x spare: per unit of an edge's own baseline, (lost / scored)
    x spare; and per seller what they order of it."""
    class_len, class_off, class_n, rows, part_class, part_pos, ring = book
    if losing:  # lost / scored where it moves, else 0
        for g in range(len(lost)):
            lost[g] = _moved(lost[g], scored[g])
    _row_starts(day + 1, class_len, class_off, class_n, rows)
    ordered[:] = 0.0
    for e in range(len(part_group)):
        g = part_group[e]
        order = wanted[g]
        if losing:
            order = _order(lost[g], spare[part_src[e]], eligible[e], wanted[g])
        ring[rows[part_class[e]] + part_pos[e]] = order
        ordered[part_src[e]] += part_flow[e] * order  # edge after edge, as numpy.bincount
