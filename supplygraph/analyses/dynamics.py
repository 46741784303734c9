"""The dated run's adaptation after a shock: orders, restocking, order shifting, ramp-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from ..dataset.graph import EngineIndex
from ..engine.propagate import SNAP
from ..scenario.parse import Dynamics


class Orders:
    """The orders of a dated run with adaptation (:class:`supplygraph.scenario.parse.Dynamics`).

    Each part edge carries an order, a multiple of its baseline flow; all orders start at 1.
    A supplier's demand is its orders' baseline-weighted mean: it makes at most that, and
    above its baseline at most its capacity, reached linearly over the ramp-up days. It
    fills its orders pro rata (its output over its demand, per unit ordered). A buyer's
    order for an input is its production target for the material (its own demand, capped
    by what it may make) plus ``rebuild_rate`` times its stock gap; with
    ``demand_follows_output``, an input that is not short is ordered only for the output
    the line made; with ``shift_orders``, what a supplier cannot ship (licence or
    shortage) is ordered in addition from the buyer's other suppliers of the material with
    spare capacity, in proportion to their baseline flow times their spare share.

    The state is held in flat arrays (one run); every operation is elementwise or a
    group sum, so a leading axis of draws can be added row by row.
    """

    def __init__(
        self,
        index: EngineIndex,
        dynamics: Dynamics,
        capacity_ratio: Callable[[int], np.ndarray],
        window: int,
        stock_max: np.ndarray,
        need: np.ndarray,
    ) -> None:
        groups = index.whole
        self.dynamics = dynamics
        self.capacity_ratio = capacity_ratio  # per day number: capacity / baseline, per line
        self.edges, self.part_src = groups.edges, groups.src
        self.part_group = groups.group_local
        self.n_lines, self.n_groups = index.n_nodes, len(index.group_base)
        n_edges = len(self.edges)
        self.part_flow = index.flow[self.edges]
        self.has_base = (index.group_base > 0).astype(float)
        self.base_out = np.bincount(self.part_src, self.part_flow, minlength=self.n_lines)
        self.sells = self.base_out > 0
        self.buys_nothing = ~self.sells  # what it makes is not ordered: demand 1
        self.base_out_safe = np.where(self.sells, self.base_out, 1.0)
        self.weight = np.divide(
            self.part_flow,
            index.group_base[self.part_group],
            out=np.zeros(n_edges),
            where=index.group_base[self.part_group] > 0,
        )
        self.group_node = index.group_node
        has_inputs = np.zeros(self.n_lines, dtype=bool)
        has_inputs[groups.nodes] = True
        self.source = np.flatnonzero(~has_inputs)  # lines without inputs
        self.stock_max, self.need = stock_max, need
        self.no_need = ~(need > 0)
        self.need_safe = np.where(self.no_need, 1.0, need)
        # every order at 1 (the baseline): then nothing below needs computing, and these
        # constants are what the computation would give, to the bit
        self.ones_edges, self.ones_lines = np.ones(n_edges), np.ones(self.n_lines)
        self.ones_groups = np.ones(self.n_groups)
        self.unit_expected = np.bincount(self.part_group, self.weight, minlength=self.n_groups)
        self.unit = True  # every order placed for the next day is 1
        self.order = self.ones_edges  # per part edge, placed for the next day
        self.expected = self.ones_groups  # per group, what was ordered for the day
        self.flat_index = np.empty(n_edges, dtype=np.int64)
        self.positions = np.arange(n_edges)
        self.placed = np.ones((window, n_edges))  # day t's filled orders in t % window
        self.placed_flat = self.placed.reshape(-1)  # the same memory, for one gather a day
        self.placed_unit = np.ones(window, dtype=bool)  # which rows of the ring are all 1
        self.today_order = self.order  # the orders the day's shipments fill
        self.headroom = np.zeros(self.n_lines)  # share of spare capacity ramped up
        self.ramping = False  # any headroom above 0
        self.demand = self.ones_lines
        self.ceiling = self.ones_lines
        self.lost_orders = np.zeros(self.n_lines)  # summed shares of a day's baseline
        self.above = np.zeros(self.n_lines)  # summed output above baseline
        self.highest = np.ones(self.n_lines)
        self.spare_of: np.ndarray | None = None  # the capacity ratios spare_weight is for
        self.spare = self.spare_weight = np.zeros(n_edges)

    def start_day(self, t: int) -> np.ndarray:
        """Take the orders placed for day ``t``; return each line's ceiling: what it is asked
        to make (its demand), above its baseline at most its ramped capacity.

        Parameters
        ----------
        t
            The day's number.

        Returns
        -------
        numpy.ndarray
            Per line, a share of its baseline.
        """
        row = t % len(self.placed)
        self.today_order = self.order
        if self.unit:  # every order 1: a seller's demand is its baseline
            self.demand = self.ones_lines
            if not self.placed_unit[row]:
                self.placed[row] = 1.0
                self.placed_unit[row] = True
        else:
            ordered = np.bincount(
                self.part_src, self.part_flow * self.order, minlength=self.n_lines
            )
            self.demand = ordered / self.base_out_safe
            np.copyto(self.demand, 1.0, where=self.buys_nothing)
            self.placed[row] = self.order
            self.placed_unit[row] = False
        up = self.demand > 1
        if self.unit and not self.ramping:  # nothing above baseline, nothing ramped up
            self.ceiling = self.demand
            return self.ceiling
        ramp = self.dynamics.ramp_up_days
        if ramp > 0:
            self.headroom = np.clip(self.headroom + np.where(up, 1.0, -1.0) / ramp, 0.0, 1.0)
        else:
            self.headroom = up.astype(float)
        self.ramping = bool(self.headroom.any())
        if up.any():
            room = 1 + self.headroom * (self.capacity_ratio(t) - 1)
            self.ceiling = np.where(up, np.minimum(self.demand, room), self.demand)
        else:
            self.ceiling = self.demand
        return self.ceiling

    def arriving(self, slot: np.ndarray, sent: np.ndarray) -> np.ndarray:
        """Per part edge, what its arriving shipment brings per unit of baseline: what its
        supplier made per unit ordered (``sent``) times the orders it filled; keeps, per
        group, what was ordered for the day.

        Shipments under way before the run filled orders of 1: they read the ring's row of
        day 0 (their lag is cut at 0), which holds the first day's orders, all 1, until the
        day ``window``, which no shipment from before the run reaches.

        Parameters
        ----------
        slot
            Per part edge, the row of the ring of days its arriving shipment left on (the
            day modulo the window; row 0 for days before the run).
        sent
            Per part edge, its supplier's output per unit ordered on the day it left.

        Returns
        -------
        numpy.ndarray
        """
        if self.placed_unit.all():  # every order in the ring is 1
            self.expected = self.unit_expected
            return sent
        np.multiply(slot, len(self.edges), out=self.flat_index)
        self.flat_index += self.positions
        filled = self.placed_flat.take(self.flat_index)
        if self.dynamics.demand_follows_output:  # what was ordered, to tell a short input
            self.expected = np.bincount(
                self.part_group, self.weight * filled, minlength=self.n_groups
            )
        return sent * filled

    def fill(self, today: np.ndarray) -> np.ndarray:
        """Return each line's output per unit ordered (what its ring buffer keeps).

        Parameters
        ----------
        today
            Per line, the day's output ratio.

        Returns
        -------
        numpy.ndarray
        """
        if self.demand is self.ones_lines:
            return today
        return np.divide(today, self.demand, out=np.ones_like(today), where=self.demand > 0)

    def end_day(
        self,
        t: int,
        today: np.ndarray,
        supply: np.ndarray | None,
        total: np.ndarray,
        stock: np.ndarray,
        licensed: np.ndarray,
    ) -> None:
        """Count the day and place the orders for the next.

        Parameters
        ----------
        t
            The day's number.
        today
            Per line, its output ratio.
        supply
            Per line, what its inputs (and its own share) allowed, at most its baseline
            (what its buyers may expect of it when they shift orders; needed only then).
        total
            Per group, its deliveries and stock, as a share of its baseline.
        stock
            Per group, its stock (t) at the end of the day.
        licensed
            Per part edge, today's licensed share.
        """
        dyn = self.dynamics
        if self.demand is not self.ones_lines:
            # lost orders: the part of the baseline nobody ordered (the rest is shortage)
            unordered = np.maximum(1.0 - self.demand, 0.0)
            self.lost_orders += np.minimum(unordered, np.maximum(1.0 - today, 0.0))
        self.above += np.maximum(today - 1.0, 0.0)
        np.maximum(self.highest, today, out=self.highest)
        ceiling = (
            self.ones_groups
            if self.ceiling is self.ones_lines
            else self.ceiling.take(self.group_node)
        )
        target = ceiling
        if dyn.demand_follows_output:
            # short: the input that limits the line (deliveries and stock below the orders)
            short = total < np.minimum(ceiling, self.expected) - SNAP
            target = np.where(short, ceiling, np.minimum(ceiling, today.take(self.group_node)))
        wanted = target
        if dyn.rebuild_rate:
            gap = (self.stock_max - stock) / self.need_safe
            np.copyto(gap, 0.0, where=self.no_need)
            wanted = target + dyn.rebuild_rate * np.maximum(gap, 0.0)  # per group, of need
        self.unit = False
        if dyn.shift_orders and supply is not None:
            self.order = self._shifted(wanted, supply, licensed, t)
        elif (wanted == 1.0).all():
            self.unit, self.order = True, self.ones_edges
        else:
            self.order = wanted.take(self.part_group)

    def _shifted(
        self, wanted: np.ndarray, supply: np.ndarray, licensed: np.ndarray, t: int
    ) -> np.ndarray:
        """Move what suppliers cannot ship to the buyer's other suppliers with spare."""
        fillable = np.minimum(supply, 1.0).take(self.part_src)
        fillable *= licensed
        # the share of each group's order its suppliers cannot ship (weights sum to 1)
        shipped = np.bincount(self.part_group, self.weight * fillable, minlength=self.n_groups)
        lost = wanted * np.maximum(self.has_base - shipped, 0.0)
        if not (lost > SNAP).any():
            if (wanted == 1.0).all():
                self.unit = True
                return self.ones_edges
            return wanted.take(self.part_group)
        ratio = self.capacity_ratio(t)
        if ratio is not self.spare_of:  # capacity changes by stretch: once per stretch
            self.spare_of = ratio
            self.spare = np.maximum(ratio - 1.0, 0.0).take(self.part_src)
            self.spare_weight = self.weight * self.spare
        eligible = fillable >= 1 - SNAP  # ships in full
        scored = np.bincount(self.part_group, self.spare_weight * eligible, minlength=self.n_groups)
        moves = (scored > 0) & (lost > SNAP)
        # the lost share goes to eligible edges by weight x spare: per unit of an edge's own
        # baseline, (lost / scored) x spare
        per_spare = np.where(moves, lost, 0.0) / np.where(moves, scored, 1.0)
        # the short links keep their orders: a licence or a shortage cuts what they ship,
        # and they ship in full again as soon as it ends
        extra = per_spare.take(self.part_group)
        extra *= self.spare * eligible
        extra += wanted.take(self.part_group)
        return extra


def capacity_ratios(
    dates: list[dt.date],
    capacity_by_day: Callable[[dt.date], np.ndarray],
    change_days: list[dt.date],
) -> Callable[[int], np.ndarray]:
    """Return, per day number, each line's capacity as a multiple of its baseline (>= 1).

    Parameters
    ----------
    dates
        The run's days.
    capacity_by_day
        Per day, each line's capacity over its baseline (NaN: none known, taken as 1).
    change_days
        The days on which any capacity changes.

    Returns
    -------
    callable
        Day number to ratios (computed once per stretch).
    """
    first = dates[0]
    turns = sorted({first} | {d for d in change_days if first < d <= dates[-1]})
    ratios = [np.fmax(np.nan_to_num(capacity_by_day(d), nan=1.0), 1.0) for d in turns]
    offsets = [(d - first).days for d in turns]

    def on(t: int) -> np.ndarray:
        return ratios[int(np.searchsorted(offsets, t, side="right")) - 1]

    return on
