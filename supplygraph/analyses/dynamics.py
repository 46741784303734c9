"""The dated run's adaptation after a shock: orders, restocking, order shifting, ramp-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np

from ..dataset.graph import EngineIndex, SupplyGraph
from ..engine.propagate import SNAP
from ..scenario.licence import controlled_edges, needs_licence
from ..scenario.parse import Dynamics
from ..scenario.resolve import Disruption


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

    The state is held in flat arrays (one run). The day, the engine's step with the orders
    included, runs compiled (``analyses._order_kernels``, numba, imported here: a run
    without dynamics never loads it), each element's arithmetic in the order of the rule
    above and every sum edge after edge, so the figures do not depend on how it is run.
    """

    def __init__(
        self,
        index: EngineIndex,
        dynamics: Dynamics,
        capacity_ratio: Callable[[int], np.ndarray],
        part_tau: np.ndarray,
        stock_max: np.ndarray,
        need: np.ndarray,
        links: NewLinks | None = None,
        *,
        licence: np.ndarray,
        segment_of_day: np.ndarray,
    ) -> None:
        from . import _order_kernels  # numba: only a run with dynamics pays for its import

        self.kernels = _order_kernels
        groups = index.whole
        self.dynamics = dynamics
        self.links = links  # orders over new links (dynamics.new_links), else None
        self.day = 0
        self.capacity_ratio = capacity_ratio  # per day number: capacity / baseline, per line
        self.edges = groups.edges
        # per part edge (int32: the day's passes over the edges are bound by memory)
        self.part_src = np.ascontiguousarray(groups.src, dtype=np.int32)
        self.part_group = np.ascontiguousarray(groups.group_local, dtype=np.int32)
        self.n_lines, self.n_groups = index.n_nodes, len(index.group_base)
        n_edges = len(self.edges)
        self.part_flow = np.ascontiguousarray(index.flow[self.edges], dtype=float)
        self.has_base = (index.group_base > 0).astype(float)
        # what every order at 1 orders of each seller, summed as end_day sums the orders
        self.base_out = np.bincount(self.part_src, self.part_flow, minlength=self.n_lines)
        self.sells = self.base_out > 0  # nobody orders what the others make: demand 1
        self.base_out_safe = np.where(self.sells, self.base_out, 1.0)
        self.weight = np.divide(
            self.part_flow,
            index.group_base[self.part_group],
            out=np.zeros(n_edges),
            where=index.group_base[self.part_group] > 0,
        )
        self.group_node = np.ascontiguousarray(index.group_node, dtype=np.int64)
        # a line's first group (its groups run from there; a line without inputs: none)
        self.first_group = np.full(self.n_lines, self.n_groups, dtype=np.int64)
        self.first_group[groups.nodes] = groups.node_first
        self.source = np.flatnonzero(self.first_group == self.n_groups)  # without inputs
        self.stock_max, self.need = stock_max, need
        # the day's step (make): per customer its first group, per group its first edge;
        # per stretch each part's licensed share, per day its stretch
        self.customers = np.ascontiguousarray(groups.nodes, dtype=np.int64)
        self.node_first = np.ascontiguousarray(groups.node_first, dtype=np.int64)
        self.group_first = np.ascontiguousarray(groups.group_first, dtype=np.int64)
        self.no_baseline = need <= 0
        self.licence = np.ascontiguousarray(licence, dtype=float)
        self.segment_of_day = np.ascontiguousarray(segment_of_day, dtype=np.int64)
        self.today, self.total = np.ones(self.n_lines), np.ones(self.n_groups)
        self.no_need = ~(need > 0)  # groups without baseline
        self.need_safe = np.where(self.no_need, 1.0, need)
        # every order at 1 (the baseline): then nothing below needs computing, and these
        # constants are what the computation would give, to the bit
        self.ones_lines = np.ones(self.n_lines)
        self.ones_groups = np.ones(self.n_groups)
        # every order placed for the next day is 1; else end_day wrote them into the ring's
        # row of the next day, and what they order of each seller into ordered
        self.unit = True
        # The orders for each day, kept until they are filled: the part edges in classes of
        # one transit time tau, a ring of max(tau + 1, 2) rows per class (the day's orders,
        # which its exports read, are never the next day's row), an edge at its class
        # position in each row; the orders for day d in row d % rows. A day's arrivals read
        # one row per class and the end of the day writes one: runs in memory order.
        tau = np.asarray(part_tau, dtype=np.int64)
        self.class_tau, part_class = np.unique(tau, return_inverse=True)
        self.part_class = part_class.astype(np.int32)
        self.class_n = np.bincount(self.part_class, minlength=len(self.class_tau))
        self.class_len = np.maximum(self.class_tau + 1, 2)
        size = self.class_len * self.class_n
        self.class_off = np.cumsum(size) - size
        by_class = np.argsort(self.part_class, kind="stable")
        self.part_pos = np.empty(n_edges, dtype=np.int32)
        self.part_pos[by_class] = np.arange(n_edges) - np.repeat(
            np.cumsum(self.class_n) - self.class_n, self.class_n
        )
        self.ring = np.ones(int(size.sum()))
        # laid out as the ring: what each part edge carried when it left (per unit of its
        # baseline: its supplier's output per unit ordered x the orders it filled)
        self.sent = np.ones(int(size.sum()))
        # per day d (modulo the longest transit time + 1), whether orders other than 1 were
        # placed for it (written in the ring); days before the run placed orders of 1
        self.moved = np.zeros(max(int(tau.max(initial=0)) + 1, 2), dtype=bool)
        self.rows = np.zeros(len(self.class_tau), dtype=np.int64)
        self.no_back = np.zeros(len(self.class_tau), dtype=np.int64)
        # the ring as the kernels take it (numba passes no objects): one tuple
        self.book = (
            self.class_len,
            self.class_off,
            self.class_n,
            self.rows,
            self.part_class,
            self.part_pos,
            self.ring,
        )
        self.headroom = np.zeros(self.n_lines)  # share of spare capacity ramped up
        self.ramping = False  # any headroom above 0
        self.all_one = True  # every group wants 1 for tomorrow (make)
        self.ramp_step = 1.0 / dynamics.ramp_up_days if dynamics.ramp_up_days > 0 else 0.0
        self.rise_of: np.ndarray | None = None  # the capacity ratios rise is for
        self.rise = np.zeros(self.n_lines)  # capacity ratio - 1
        self.demand_unit = True  # every seller's demand is its baseline (no order moved)
        self.ceiling, self.group_ceiling = self.ones_lines, self.ones_groups
        self.lost_orders = np.zeros(self.n_lines)  # summed shares of a day's baseline
        self.above = np.zeros(self.n_lines)  # summed output above baseline
        self.highest = np.ones(self.n_lines)
        self.spare_of: np.ndarray | None = None  # the capacity ratios spare is for
        self.spare = np.zeros(self.n_lines)  # per line: capacity ratio - 1, at least 0
        self.no_new = np.zeros(0)
        # the kernels' outputs and scratch, written in place every day
        self.demand = np.ones(self.n_lines)
        self.ceiling_now, self.group_ceiling_now = np.ones(self.n_lines), np.ones(self.n_groups)
        self.expected = np.ones(self.n_groups)  # per group, what was ordered for the day
        self.placed_now = np.ones(n_edges)
        self.filled, self.supply = np.ones(self.n_lines), np.ones(self.n_lines)
        self.wanted, self.ordered = np.ones(self.n_groups), np.zeros(self.n_lines)
        self.lost, self.scored = np.zeros(self.n_groups), np.zeros(self.n_groups)
        # per part edge: whether it ships in full; with new links, its supplier's spare if so
        self.eligible = np.zeros(n_edges, dtype=bool)
        self.spare_eligible = np.zeros(n_edges if links is not None else 0)

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
        self.day = t
        new = None if self.links is None or self.links.pending is None else self.links.ordered
        self.demand_unit = self.unit and new is None  # a seller's demand is its baseline
        if self.demand_unit and not self.ramping:  # nothing above baseline
            self.ceiling, self.group_ceiling = self.ones_lines, self.ones_groups
            return self.ceiling
        ratio = self.capacity_ratio(t)
        if ratio is not self.rise_of:  # capacity changes by stretch: once per stretch
            self.rise_of, self.rise = ratio, ratio - 1
        self.ramping = self.kernels.start_day(
            not self.demand_unit,
            self.base_out if self.unit else self.ordered,  # per seller, what the orders ask
            self.no_new if new is None else new,  # orders over new links (t/yr), on top
            self.base_out_safe,
            self.sells,
            self.demand,
            self.headroom,
            self.ramp_step,
            self.dynamics.ramp_up_days > 0,
            self.rise,
            self.group_node,
            self.ceiling_now,
            self.group_ceiling_now,
        )
        self.ceiling, self.group_ceiling = self.ceiling_now, self.group_ceiling_now
        return self.ceiling

    def make(self, t: int, own: np.ndarray, stock: np.ndarray) -> tuple[np.ndarray, ...]:
        """Run day ``t``'s step with the orders (after :meth:`start_day`): what arrives,
        each line's output up to its ceiling, the stocks; count the day (lost orders,
        output above baseline, the highest) and keep what each group wants for tomorrow
        (:meth:`end_day` places it).

        What arrives on a part edge per unit of baseline is its weight, times its licensed
        share on the day it left, times what its supplier made that day per unit ordered,
        times the orders it filled (those placed for that day; 1 before the run): the
        engine's step (:func:`supplygraph.engine.propagate.step`) with each group's ceiling,
        compiled with the stocks' update in one pass over the customers.

        Parameters
        ----------
        t
            The day's number.
        own
            Per line, its own share that day (an outage).
        stock
            Per group, its stock (t) at the start of the day; updated in place to the end
            of the day's.

        Returns
        -------
        tuple of numpy.ndarray
            Per line its output ratio; per group its deliveries and stock as a share of its
            baseline; per line its output per unit ordered (what its buyers' shipments
            carry). Buffers the next day overwrites.
        """
        dyn = self.dynamics
        self.all_one = self.kernels.make_day(
            t,
            own,
            self.segment_of_day,
            self.licence,
            self.weight,
            self.part_src,
            self.group_first,
            self.node_first,
            self.customers,
            self.source,
            self.need,
            self.no_baseline,
            self.stock_max,
            stock,
            self.group_ceiling,
            self.ceiling,
            self.class_tau,
            self.moved,
            self.book,
            dyn.demand_follows_output,  # what was ordered, to tell a short input
            self.expected,
            self.demand_unit,
            self.demand,
            self.sent,
            self.today,
            self.total,
            self.filled,
            dyn.rebuild_rate,
            self.need_safe,
            self.no_need,
            dyn.shift_orders,
            self.supply,
            self.wanted,
            self.lost_orders,
            self.above,
            self.highest,
            not dyn.shift_orders or self.links is not None,  # else end_day: what leaves
        )
        if self.links is not None:  # yesterday's orders over new links leave today
            self.links.ship(self.day, self.filled)
        return self.today, self.total, self.filled

    def placed_on(self, t: int) -> np.ndarray:
        """Per part edge, the orders placed for day ``t`` (what its shipment fills that day).

        Parameters
        ----------
        t
            The day's number (today or a day still in the ring).

        Returns
        -------
        numpy.ndarray
        """
        self.kernels.orders_on(t, self.no_back, self.moved, self.book, self.placed_now)
        return self.placed_now

    def end_day(self, t: int, licensed: np.ndarray) -> None:
        """Place the orders for the day after ``t`` (after :meth:`make`).

        When orders shift, a line's supply (what its inputs, deliveries and stock, and its
        own share allow, at most its baseline) is what its buyers may expect of it.

        Parameters
        ----------
        t
            The day's number.
        licensed
            Per part edge, today's licensed share.
        """
        dyn = self.dynamics
        shift = dyn.shift_orders
        if shift:
            ratio = self.capacity_ratio(t)
            if ratio is not self.spare_of:  # capacity changes by stretch: once per stretch
                self.spare_of = ratio
                self.spare = np.maximum(ratio - 1.0, 0.0)  # per line
        placed = self.kernels.end_day(
            self.all_one,
            shift,
            self.links is not None,
            self.part_src,
            self.part_group,
            self.part_flow,
            self.weight,
            np.ascontiguousarray(licensed, dtype=float),
            self.has_base,
            self.spare,
            self.supply,
            self.lost,
            self.scored,
            self.eligible,
            self.spare_eligible,
            self.wanted,
            self.ordered,
            *self.ring_args(t),
            self.moved,
            self.filled,
            self.sent,
        )
        self.unit = placed == 0
        self.moved[(t + 1) % len(self.moved)] = not self.unit
        if placed == 2:  # what existing links cannot take goes to new ones
            assert self.links is not None
            lost = self.links.route(
                t, self.lost, self.scored, self.supply, licensed, ratio, self.spare_eligible
            )
            self.kernels.shifted(
                lost,
                self.scored,
                self.wanted,
                self.spare,
                self.eligible,
                self.part_src,
                self.part_group,
                self.part_flow,
                True,
                self.ordered,
                *self.ring_args(t),
            )

    def ring_args(self, t: int) -> tuple:
        """The day and the ring of orders, as the kernels that write it take them.

        Parameters
        ----------
        t
            The day's number.

        Returns
        -------
        tuple
        """
        return (t, self.book)


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
    stretch = np.searchsorted(offsets, np.arange(len(dates)), side="right") - 1

    def on(t: int) -> np.ndarray:
        return ratios[stretch[t]]

    return on


class NewLinks:
    """Orders over new links in the dated run: what a buyer's existing suppliers cannot
    take goes to sellers of the material it has no link with, where rerouting would allow
    a new link (docs/rerouting.md, "New links"; docs/model.md, "Dynamics after the shock").

    Sellers of a material are pooled into cells: same material, same country and, per
    buyer country, the same answer of the licence rule under the regimes in force (a cell
    per stretch of dates). A buyer orders from the cells open to it in proportion to their
    spare capacity; a cell's sellers share its orders in proportion to theirs, fill them
    pro rata by orders as they do their own customers', and ship them after the transit
    time from the cell's country to the buyer's.
    """

    def __init__(
        self,
        index: EngineIndex,
        lines_graph: SupplyGraph,
        line_node: np.ndarray,
        disruptions: list[Disruption],
        line_share: np.ndarray,
        segment_of_day: np.ndarray,
        transit: Callable[[np.ndarray, np.ndarray], np.ndarray],
        days_per_year: float,
    ) -> None:
        groups = index.whole
        self.days_per_year = days_per_year
        material = lines_graph.edges["material"].to_numpy(str)[groups.edges]
        materials, code = np.unique(material, return_inverse=True)
        n_mat = len(materials)
        key, self.out_of_edge = np.unique(groups.src * n_mat + code, return_inverse=True)
        self.out_line, out_material = key // n_mat, key % n_mat
        n_out = len(key)
        self.out_base = np.bincount(self.out_of_edge, index.flow[groups.edges], minlength=n_out)
        self.group_material = code[groups.group_first]
        self.group_node, self.group_base = index.group_node, index.group_base
        self.n_lines, self.n_groups = index.n_nodes, len(index.group_base)
        country = lines_graph.nodes["country"].to_numpy(str)
        countries, country_code = np.unique(country, return_inverse=True)
        self.buyer_country = country_code[index.group_node]
        self.n_countries = len(countries)
        # a buyer's cells depend on its material and country only: one row of cells per pair
        self.group_key = self.group_material * self.n_countries + self.buyer_country
        self.n_keys = n_mat * self.n_countries
        self.stretch: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # per stretch: buying, able
        seller_country = country_code[self.out_line]
        self.part_src, self.part_group = groups.src, groups.group_local
        self.part_flow = index.flow[groups.edges]
        line_out = np.bincount(self.out_line, self.out_base, minlength=index.n_nodes)
        self.out_part = np.divide(  # an output group's share of its line's sales
            self.out_base,
            line_out[self.out_line],
            out=np.zeros(n_out),
            where=line_out[self.out_line] > 0,
        )
        self.line_share, self.segment_of_day = line_share, segment_of_day
        # per stretch: each output group's cell; per cell its material, country, closed list
        self.cells = []
        for disruption in disruptions:
            closed = np.zeros((n_out, len(countries)), dtype=bool)
            for entry in disruption.applied:
                regime = entry.regime
                cargo = controlled_edges(lines_graph, regime)[groups.edges]
                controlled = np.bincount(self.out_of_edge, cargo, minlength=n_out) > 0
                content = None
                if regime.extraterritorial:
                    content = disruption.content_pct[regime.issuer][line_node[self.out_line]]
                for j, buyer in enumerate(countries):
                    closed[:, j] |= needs_licence(
                        regime,
                        countries[seller_country],
                        np.full(n_out, buyer),
                        controlled,
                        content,
                        destinations=entry.policy.destinations,
                    )
            profile = np.column_stack([out_material, seller_country, closed])
            _, first, cell = np.unique(profile, axis=0, return_index=True, return_inverse=True)
            self.cells.append(
                (cell.ravel(), out_material[first], seller_country[first], closed[first])
            )
        pairs = np.arange(len(countries))
        seller_of, buyer_of = np.repeat(pairs, len(pairs)), np.tile(pairs, len(pairs))
        self.transit = transit(countries[seller_of], countries[buyer_of])  # seller x buyer
        self.arrivals = np.zeros((int(self.transit.max()) + 1, self.n_groups))  # t, by day
        self.arrivals_flat = self.arrivals.reshape(-1)  # the same memory
        self.received = np.zeros(self.n_groups)  # t over the run
        self.ordered = np.zeros(self.n_lines)  # per seller line, t/yr ordered for tomorrow
        self.pending: tuple | None = None  # tomorrow's orders, to ship once filled

    def receive(self, t: int, stock: np.ndarray) -> np.ndarray:
        """Return the stock (t, per group) with what new links deliver on day ``t``.

        Parameters
        ----------
        t
            The day's number.
        stock
            Per group, its stock (t) at the start of the day.

        Returns
        -------
        numpy.ndarray
        """
        row = self.arrivals[t % len(self.arrivals)]
        if not row.any():
            return stock
        self.received += row
        stock = stock + row
        row[:] = 0.0
        return stock

    def ship(self, t: int, filled: np.ndarray) -> None:
        """Ship yesterday's orders over new links, filled as each seller filled its orders.

        Parameters
        ----------
        t
            The day's number.
        filled
            Per line, its output per unit ordered.
        """
        if self.pending is None:
            return
        group, cell, tonnes, cell_of_out, spare_out, cell_spare, cell_country = self.pending
        self.pending = None
        made = spare_out * filled[self.out_line]
        made = np.bincount(cell_of_out, made, minlength=len(cell_spare))
        share = np.divide(made, cell_spare, out=np.zeros_like(made), where=cell_spare > 0)
        days = self.transit.take(cell_country[cell] * self.n_countries + self.buyer_country[group])
        slot = (t + days) % len(self.arrivals)
        np.add.at(  # in order: several orders may reach a buyer on one day
            self.arrivals_flat,
            slot * self.n_groups + group,
            tonnes * share[cell] / self.days_per_year,
        )

    def route(
        self,
        t: int,
        lost: np.ndarray,
        scored: np.ndarray,
        supply: np.ndarray,
        licensed: np.ndarray,
        ratio: np.ndarray,
        spare_eligible: np.ndarray,
    ) -> np.ndarray:
        """Place tomorrow's orders over new links; return the lost share left to the
        existing links.

        A buyer with a cell open to it moves to new links what its existing suppliers'
        spare cannot take (its lost share above ``scored``); one without keeps the rule
        of existing links alone. A cell offers what its sellers' spare leaves once their
        existing buyers' shifted orders (at most ``scored`` each) are served.

        Parameters
        ----------
        t
            The day's number.
        lost
            Per group, the share of its baseline its suppliers cannot ship.
        scored
            Per group, the spare of its existing suppliers that ship in full, as a share
            of its baseline.
        supply
            Per line, what its inputs and its own share allow (at most 1).
        licensed
            Per part edge, today's licensed share (the same on every day of a stretch).
        ratio
            Per line, its capacity over its baseline.
        spare_eligible
            Per part edge, its supplier's spare share if the edge ships in full, else 0.

        Returns
        -------
        numpy.ndarray
            Per group, the lost share the existing links take.
        """
        self.ordered = np.zeros(self.n_lines)
        segment = self.segment_of_day[t]
        if segment not in self.stretch:  # what the stretch fixes, once
            own = self.line_share[segment]
            # sellers: no cut or throttled link of theirs (and, below, spare, full supply)
            throttled = np.bincount(self.part_src, licensed < 1, minlength=self.n_lines) > 0
            self.stretch[segment] = (own[self.group_node] > 0, (own >= 1) & ~throttled)
        buying, unthrottled = self.stretch[segment]
        buyers = np.flatnonzero((lost > SNAP) & buying)
        if not len(buyers):
            return lost
        cell_of_out, cell_material, cell_country, closed = self.cells[segment]
        able = (supply >= 1 - SNAP) & unthrottled & (ratio > 1)
        # what existing links claim of their suppliers' spare (t/yr): at most scored a group
        taken = np.divide(
            np.minimum(lost, scored), scored, out=np.zeros_like(lost), where=scored > 0
        )
        claimed = taken.take(self.part_group) * spare_eligible * self.part_flow
        claimed = np.bincount(self.part_src, claimed, minlength=self.n_lines)
        line = self.out_line
        spare_out = (ratio[line] - 1) * self.out_base - claimed[line] * self.out_part
        spare_out = np.where(able[line], np.maximum(spare_out, 0.0), 0.0)
        cell_spare = np.bincount(cell_of_out, spare_out, minlength=len(cell_material))
        # the cells open to each (material, country) of the buyers, then to each buyer
        key_of = self.group_key[buyers]
        present = np.zeros(self.n_keys, dtype=bool)
        present[key_of] = True
        keys = np.flatnonzero(present)
        key_of = (np.cumsum(present) - 1)[key_of]
        open_ = (cell_material[None, :] == (keys // self.n_countries)[:, None]) & (
            cell_spare[None, :] > 0
        )
        open_ &= ~closed[:, keys % self.n_countries].T
        reach = open_.any(axis=1)
        if not reach.any():
            return lost
        kept = np.cumsum(reach) - 1  # a reached key's row among the reached
        buyers, key_of = buyers[reach[key_of]], kept[key_of[reach[key_of]]]
        over = np.maximum(lost[buyers] - scored[buyers], 0.0)
        left = lost.copy()
        left[buyers] -= over
        weight = open_[reach] * cell_spare[None, :]
        split = weight / weight.sum(axis=1, keepdims=True)  # per key x cell
        # t/yr per buyer and cell with a share, buyer after buyer (cells in order)
        key_cells = split > 0
        per_key = key_cells.sum(axis=1)
        key_cell = np.flatnonzero(key_cells) % len(cell_material)
        n_pairs = per_key[key_of]
        ends = np.cumsum(n_pairs)
        row = np.repeat(np.arange(len(buyers)), n_pairs)
        at = np.arange(ends[-1]) - np.repeat(ends - n_pairs, n_pairs)
        at += np.repeat((np.cumsum(per_key) - per_key)[key_of], n_pairs)
        cell = key_cell[at]
        tonnes = (over * self.group_base[buyers])[row] * split[key_of[row], cell]
        positive = tonnes > 0
        row, cell, tonnes = row[positive], cell[positive], tonnes[positive]
        if not len(row):
            return left
        per_cell = np.bincount(cell, tonnes, minlength=len(cell_material))
        share = np.divide(per_cell, cell_spare, out=np.zeros_like(per_cell), where=cell_spare > 0)
        self.ordered = np.bincount(line, spare_out * share[cell_of_out], minlength=self.n_lines)
        self.pending = (buyers[row], cell, tonnes, cell_of_out, spare_out, cell_spare, cell_country)
        return left
