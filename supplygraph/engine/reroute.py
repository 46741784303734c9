"""Rerouting, the best case: a linear program sending spare capacity to buyers who lost supply."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy.sparse import coo_array, csr_array, hstack, vstack

from ..scenario.licence import controlled_edges, needs_licence
from .lp import Lp, Stopped
from .pairing import pair

if TYPE_CHECKING:
    from ..dataset.graph import SupplyGraph
    from ..scenario.resolve import Disruption
    from .propagate import Propagation

# Objective weights per tonne; a delivered tonne is worth 1 (see docs/rerouting.md).
EXTRA_PENALTY = 1e-4  # flow above the no-adaptation flow of an existing link
NEW_LINK_PENALTY = 1e-3  # flow on a new link
# The no-adaptation point is feasible up to rounding in propagation, and the stage-1 optimum up
# to solver tolerance: loosen those bounds by this share.
LOWER_SLACK = 1e-9
DECIMALS = 6  # changes from the no-adaptation figures are rounded to the gram (1e-6 t)
ZERO_T = 1e-9  # tonnes below this count as none
SHORT = 1e-9  # a share below 1 - SHORT counts as a loss
MAX_TRIM_PASSES = 1000  # passes up the chain to take back unused rises (one per level)
TIME_LIMIT = 60.0  # seconds rerouting may take by default
# The size rule: an LP with more columns than this (after pruning) is not attempted. HiGHS'
# interior point, the only method fast enough here, grows faster than the LP: 13 s at 70,738
# columns (10^5 edges), not done in 60 s at 291,813 (3 x 10^5 edges), not done in 15 minutes,
# holding 2.1 GB, at 1,050,382 (10^6 edges); see docs/rerouting.md.
MAX_COLUMNS = 300_000


@dataclass(frozen=True, eq=False)
class Rerouting:
    """The best case after rerouting, per node and per edge (t REO-equivalent per year).

    ``node_after_t`` follows the definition of baseline_t (what a node ships; for makers
    what they take in); ``edge_after_t`` is per existing edge, in ``graph.edges`` order;
    ``flows`` lists the existing edges whose flow rose and the new links that carry flow;
    ``spare_t`` is each node's capacity above its baseline output (from its capacity_t or
    the scenario's assumption; 0 without either, and for makers). When rerouting stopped
    (time limit, size rule or solver failure), ``stopped`` says why and the after figures
    are NaN: unknown, not zero.
    """

    node_after_t: np.ndarray
    edge_after_t: np.ndarray
    flows: pd.DataFrame
    status: str
    spare_t: np.ndarray  # per node: capacity above baseline output that rerouting may use
    unused_spare: tuple[str, ...] = ()  # why spare capacity a scenario assumed went unused
    stopped: str = ""
    notes: tuple[str, ...] = ()  # what to know about the figures (a stage cut short)


FLOW_COLUMNS = [
    "supplier",
    "customer",
    "material",
    "baseline_t",
    "no_adaptation_t",
    "after_t",
    "extra_t",
    "new_link",
]


def reroute(
    graph: SupplyGraph,
    disruption: Disruption,
    propagation: Propagation,
    *,
    time_limit: float = TIME_LIMIT,
    max_columns: int = MAX_COLUMNS,
) -> Rerouting:
    """Send spare capacity to the buyers who lost supply, as far as inputs allow.

    A linear program over edge flows and node outputs: node capacities, fixed input
    recipes (Leontief) and output mixes, cut and throttled links as upper bounds, and
    new links from any undisrupted seller of a material to any buyer of it who lost
    supply, unless a licence regime in force would control the new link. Nothing falls
    below the no-adaptation flows (a Pareto improvement). The objective first maximises
    the worst sector's delivered share of baseline, then total delivered tonnes, with
    small penalties that prefer existing links to new ones.

    Parameters
    ----------
    graph
        The supply graph.
    disruption
        The resolved scenario (edge and node shares, licence regimes).
    propagation
        The no-adaptation outcome of the same disruption.
    time_limit
        Seconds rerouting may take, model building included.
    max_columns
        The size rule: an LP with more columns than this, after pruning, is not solved.

    Returns
    -------
    Rerouting
        On reaching the time limit or the size rule, or if the solver fails (which would
        be a bug: the no-adaptation flows are feasible), one whose ``stopped`` says so and
        whose after figures are NaN.

    Examples
    --------
    A maker buys 100 t from mine A (cut) and 50 t from mine B, which could make 120 t:

    >>> import numpy as np
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from supplygraph.dataset.io import Dataset
    >>> from supplygraph.dataset.graph import build_graph
    >>> from supplygraph.engine.propagate import propagate
    >>> from supplygraph.scenario.resolve import Disruption
    >>> nodes = pd.DataFrame({"csv_line": [2, 3, 4], "id": ["a", "b", "k"],
    ...     "stage": ["mine", "mine", "manufacturer"], "country": ["CN", "AU", "DE"],
    ...     "sector": ["", "", "ev"], "capacity_t": [100.0, 120.0, float("nan")]})
    >>> edges = pd.DataFrame({"csv_line": [2, 3], "supplier": ["a", "b"], "customer": ["k", "k"],
    ...     "material": ["oxide"] * 2, "elements": ["Dy"] * 2, "flow_t": [100.0, 50.0]})
    >>> graph = build_graph(Dataset(nodes, edges, pd.DataFrame(), Path("."), ""))
    >>> cut = Disruption(np.array([0.0, 1.0]), np.ones(3), [["rule"], []], [])
    >>> prop = propagate(graph.index, cut.edge_share, cut.node_share, np.zeros(3))
    >>> rerouting = reroute(graph, cut, prop)
    >>> rerouting.edge_after_t.tolist(), rerouting.node_after_t.tolist()
    ([0.0, 120.0], [100.0, 120.0, 120.0])
    """
    deadline = time.monotonic() + time_limit
    model = _Model(graph, disruption, propagation)
    if not model.short_makers:
        return model.result(model.no_adaptation(), "no maker is short: nothing to reroute")
    try:
        x, status, notes = model.solve(deadline, max_columns)
        return replace(model.result(x, status), notes=notes)
    except _TooLarge as large:
        reason = (
            f"rerouting skipped: its LP has {large.columns:,} columns after pruning, above the "
            f"size rule's {max_columns:,} (too large to solve in minutes; docs/rerouting.md)"
        )
        return model.stopped(reason, "not solved: too large")
    except Stopped as stop:
        if stop.timed_out:
            reason = f"rerouting stopped after {time_limit:g} s, its time limit"
            reason += f" ({stop.stage} stage)"
        else:
            reason = (
                f"rerouting failed: the solver ended the {stop.stage} stage with status "
                f"'{stop.status}' ({_failure_cause(model.flow)})"
            )
        return model.stopped(reason, stop.status)


def _failure_cause(flow: np.ndarray) -> str:
    """Why the solver may have failed: flows too small for it (a graph built without the
    data files' checks, which refuse them), else a bug in supplygraph."""
    tiny = int(((flow > 0) & (flow < ZERO_T)).sum())
    if tiny:
        return (
            f"{tiny} flow{'s' if tiny > 1 else ''} below {ZERO_T:g} t, too small for it to "
            f"resolve: give {'them' if tiny > 1 else 'it'} as 0 or at least {ZERO_T:g} t"
        )
    return "a bug in supplygraph: please report it"


class _TooLarge(Exception):
    """The rerouting LP has more columns than the size rule allows."""

    def __init__(self, columns: int) -> None:
        super().__init__(f"{columns} columns")
        self.columns = columns


class _Model:
    """The rerouting LP's data: bounds, constraint rows and markets for new links.

    Columns, in order: a flow per existing edge, a sale per seller into its market, a
    purchase per buyer from a market, an output per node. Sales and purchases stand for
    the new links: a market per material (and licence position of its sellers) lets
    every seller reach every buyer it may serve with one column each, not one per pair.
    """

    def __init__(self, graph: SupplyGraph, disruption: Disruption, prop: Propagation) -> None:
        index, nodes = graph.index, graph.nodes
        self.graph = graph
        self.n = graph.n_nodes
        self.src, self.dst, self.flow = index.src, index.dst, index.flow
        self.materials, self.material = np.unique(
            graph.edges["material"].to_numpy(str), return_inverse=True
        )
        base = graph.baseline_t
        self.base = base
        self.maker = nodes["stage"].to_numpy() == "manufacturer"
        capacity = (
            nodes["capacity_t"].to_numpy(np.float64)
            if "capacity_t" in nodes
            else np.full(self.n, np.nan)
        )
        if disruption.capacity_t is not None:  # the scenario's assumptions replace the data's
            capacity = np.where(np.isnan(disruption.capacity_t), capacity, disruption.capacity_t)
        # no capacity figure (or one below baseline) means no spare capacity
        cap = np.where(capacity >= base, capacity, base)
        cap = np.where(self.maker | (base <= 0), base, cap)
        self.spare_t = cap - base
        assumed = (
            disruption.capacity_t if disruption.capacity_t is not None else np.full(self.n, np.nan)
        )
        self.assumed = ~np.isnan(assumed) & (self.spare_t > ZERO_T)
        self.y_max = cap * disruption.node_share
        self.y0 = prop.output_ratio * base
        self.f0 = prop.edge_after_t
        self.f_max = np.where(disruption.edge_share < 1, disruption.edge_share * self.flow, np.inf)
        self.short_makers = bool((self.maker & (self.y0 < base * (1 - SHORT))).any())
        # input groups (customer, material) and output groups (supplier, material)
        self.in_group, self.in_node, in_base = index.group, index.group_node, index.group_base
        self.in_base = in_base
        self.in_ratio = np.divide(
            in_base, base[self.in_node], out=np.zeros_like(in_base), where=base[self.in_node] > 0
        )
        n_mat = len(self.materials)
        out_key, self.out_group = np.unique(self.src * n_mat + self.material, return_inverse=True)
        self.out_node, self.out_material = out_key // n_mat, out_key % n_mat
        self.in_material = np.zeros(len(in_base), np.int64)
        self.in_material[self.in_group] = self.material
        out_base = np.bincount(self.out_group, self.flow, minlength=len(out_key))
        self.out_ratio = np.divide(
            out_base,
            base[self.out_node],
            out=np.zeros_like(out_base),
            where=base[self.out_node] > 0,
        )
        # a material a node never shipped (zero baseline) stays unshipped
        self.f_max = np.where(out_base[self.out_group] > 0, self.f_max, 0.0)
        self.arrived0 = np.bincount(self.in_group, self.f0, minlength=len(in_base))
        shipped0 = np.bincount(self.out_group, self.f0, minlength=len(out_base))
        self.unsold = self.out_ratio * self.y0[self.out_node] > shipped0 + ZERO_T
        empty = np.zeros(0, np.int64)
        self.sell_out, self.sell_market, self.buy_in, self.buy_market = empty, empty, empty, empty
        self.can_grow = np.zeros(self.n, dtype=bool)
        self.n_markets = 0
        if self.short_makers:
            self._markets(disruption, prop, in_base, out_base)

    def no_adaptation(self) -> np.ndarray:
        """Return the LP columns at no adaptation: nothing traded in markets."""
        return np.concatenate([self.f0, np.zeros(len(self.sell_out) + len(self.buy_in)), self.y0])

    # ------------------------------------------------------------ markets for new links

    def _markets(
        self, disruption: Disruption, prop: Propagation, in_base: np.ndarray, out_base: np.ndarray
    ) -> None:
        """Open markets: undisrupted sellers with spare capacity, buyers who lost supply.

        Sellers of a material whose new links the licence regimes treat alike share a
        market; each market is open to the buyers of that material none of its sellers'
        regimes would control. No node is both: a node that lost an input is disrupted, so
        no market sells to itself.
        """
        n_mat = len(self.materials)
        lost = (in_base > 0) & (self.arrived0 < in_base * (1 - SHORT))
        lost &= disruption.node_share[self.in_node] > 0
        disrupted = (disruption.node_share < 1) | (prop.output_ratio < 1 - SHORT)
        disrupted[self.src[disruption.edge_share < 1]] = True
        spare = (self.y_max - self.base)[self.out_node] * self.out_ratio
        selling = (out_base > 0) & (spare > ZERO_T) & ~disrupted[self.out_node]
        # sellers whose extra output cannot get the extra input it needs are no use; new links
        # may feed any lost group of a material someone sells (an over-estimate, so safe)
        offered = np.bincount(self.out_material[selling], minlength=n_mat) > 0
        self.can_grow = self._grow(lost & offered[self.in_material])
        sellers = np.flatnonzero(selling & self.can_grow[self.out_node])
        buyers = np.flatnonzero(lost)
        if not len(sellers) or not len(buyers):
            return
        country = self.graph.nodes["country"].to_numpy()
        buyer_country = country[self.in_node[buyers]]
        countries = np.unique(buyer_country)
        blocked = _new_link_licence(self.graph, disruption, self.out_group, len(out_base))
        # per seller, the buyer countries a licence regime closes to it
        s_node = self.out_node[sellers]
        closed = np.column_stack(
            [blocked(sellers, s_node, np.full(len(sellers), c)) for c in countries]
        )
        profile = np.column_stack([self.out_material[sellers], closed])
        _, first, market = np.unique(profile, axis=0, return_index=True, return_inverse=True)
        buy_in, buy_market = [], []
        for k, rep in enumerate(first):
            of_material = self.in_material[buyers] == self.out_material[sellers[rep]]
            ok = of_material & ~closed[rep][np.searchsorted(countries, buyer_country)]
            buy_in.append(buyers[ok])
            buy_market.append(np.full(int(ok.sum()), k))
        buy_market_all = np.concatenate(buy_market)
        # markets nobody may buy from are closed; number the others densely
        open_, dense = np.unique(buy_market_all, return_inverse=True)
        trading = np.isin(market.ravel(), open_)
        self.sell_out = sellers[trading]
        self.sell_market = np.searchsorted(open_, market.ravel()[trading])
        self.buy_in, self.buy_market = np.concatenate(buy_in), dense
        self.n_markets = len(open_)

    # ------------------------------------------------------------ what can change

    def _grow(self, fed_by_new: np.ndarray) -> np.ndarray:
        """Return which nodes could make more than their no-adaptation output.

        A node can grow if it has room under its capacity and every input it needs either
        arrives with slack or can rise: on a link whose supplier can ship more, or on a new
        link (``fed_by_new``, per input group). The greatest fixed point holds every node
        that grows in any feasible solution, recycling loops included.
        """
        n_in = len(self.in_ratio)
        fed = fed_by_new | (self.in_ratio == 0)
        fed |= self.arrived0 > self.in_ratio * self.y0[self.in_node] + ZERO_T
        room = self.y_max > self.y0 + ZERO_T
        edge_room = self.f_max > self.f0 + ZERO_T
        grow = room
        while True:
            rise = edge_room & (self.unsold[self.out_group] | grow[self.src])
            starved = np.zeros(self.n, dtype=bool)
            starved[self.in_node[~(fed | (np.bincount(self.in_group, rise, n_in) > 0))]] = True
            grown = room & ~starved
            if np.array_equal(grown, grow):
                return grow
            grow = grown

    def _active(self) -> np.ndarray:
        """Return which LP columns may leave their no-adaptation value.

        Everything else stays there in some optimal solution: it cannot rise, or its rise
        reaches no maker who is short (and would only cost penalties).
        """
        n_in, n_k = len(self.in_ratio), self.n_markets
        sell_node, buy_node = self.out_node[self.sell_out], self.in_node[self.buy_in]
        live = (
            np.bincount(
                self.sell_market,
                self.unsold[self.sell_out] | self.can_grow[sell_node],
                minlength=n_k,
            )
            > 0
        )
        grow = self._grow(np.bincount(self.buy_in, live[self.buy_market], n_in) > 0)
        rise = (self.f_max > self.f0 + ZERO_T) & (self.unsold[self.out_group] | grow[self.src])
        sell = self.unsold[self.sell_out] | grow[sell_node]
        buy = (np.bincount(self.sell_market, sell, minlength=n_k) > 0)[self.buy_market]
        useful = self.maker & (self.y_max > self.y0 + ZERO_T)
        while True:
            wanted = np.bincount(self.buy_market, buy & useful[buy_node], minlength=n_k) > 0
            more = useful.copy()
            more[self.src[rise & useful[self.dst]]] = True
            more[sell_node[sell & wanted[self.sell_market]]] = True
            if np.array_equal(more, useful):
                break
            useful = more
        return np.concatenate(
            [
                rise & useful[self.dst],
                sell & wanted[self.sell_market],
                buy & useful[buy_node],
                grow & useful,
            ]
        )

    # ------------------------------------------------------------ linear program

    def solve(self, deadline: float, max_columns: int) -> tuple[np.ndarray, str, tuple[str, ...]]:
        """Solve max-min over sectors, then max delivered minus penalties; return x, the
        status and notes on the figures.

        Only the columns that may change enter the LP; the rest stay at no-adaptation and
        move to the right-hand side. Both stages share one HiGHS model: the second starts
        from the first's optimal basis, which stays feasible, so it takes a few primal
        simplex steps where a fresh solve would take as long as the first. Each stage gets
        what is left until ``deadline`` (``time.monotonic()``); an LP of more than
        ``max_columns`` columns raises _TooLarge.
        """
        n_trade = len(self.sell_out) + len(self.buy_in)
        fixed = self.no_adaptation()
        active = self._active()
        x = fixed.copy()
        if not active.any():
            return x, "no spare capacity can reach a maker who is short", ()
        cols = np.flatnonzero(active)
        if len(cols) > max_columns:
            raise _TooLarge(len(cols))
        main = self._rows()
        sectors = self._sectors()
        sector_base = np.array([self.base[members].sum() for members in sectors])
        both = vstack([main, _sector_rows(sectors, len(fixed) - self.n, len(fixed))], format="csc")
        a = both[:, cols].tocsr()
        rhs = -(both[:, ~active] @ fixed[~active])
        n_main = main.shape[0]
        in_use = np.diff(a.indptr) > 0
        in_use[n_main:] = True  # sector rows hold t as well
        lower = fixed[cols] * (1 - LOWER_SLACK)
        upper = np.concatenate([self.f_max, np.full(n_trade, np.inf), self.y_max])[cols]
        # each column's typical tonnes, the unit the solver sees it in: what it could carry
        # (a link from a supplier that could make 10^9 t to a customer who needs 10^9 t is
        # sized 10^9 t, though its baseline may be a microgram)
        sold = self.sell_out
        supply = self.y_max[self.src] * self.out_ratio[self.out_group]
        demand = self.y_max[self.dst] * self.in_ratio[self.in_group]
        size = np.concatenate(
            [
                np.maximum(self.flow, np.minimum(np.minimum(supply, demand), self.f_max)),
                (self.y_max - self.base)[self.out_node[sold]] * self.out_ratio[sold],
                self.in_base[self.buy_in],
                self.y_max,
            ]
        )[cols]
        cost = np.concatenate(
            [
                np.full(len(self.src), EXTRA_PENALTY),
                np.full(n_trade, NEW_LINK_PENALTY / 2),
                np.where(self.maker, -1.0, 0.0),
            ]
        )[cols]
        ratio0 = np.array([self.y0[members].sum() for members in sectors]) / np.maximum(
            sector_base, ZERO_T
        )
        moves = np.diff(a.indptr)[n_main:] > 0
        # max-min matters only when the worst-off sector at no adaptation can improve
        if len(sectors) > 1 and moves[ratio0 <= ratio0.min()].all():
            # t (last column) is the worst sector's delivered share: t x base <= delivered
            t_col = csr_array(np.concatenate([np.zeros(n_main), sector_base]).reshape(-1, 1))
            lp = Lp(
                hstack([a, t_col], format="csr")[in_use],
                rhs[in_use],
                np.append(lower, 0.0),
                np.append(upper, 1.0),
                np.append(size, 1.0),
            )
            t_cost = np.zeros(len(cols) + 1)
            t_cost[-1] = -1.0
            left = deadline - time.monotonic()
            solution = lp.solve(t_cost, "max-min share", "ipm", left)
            # stage 2 holds t at its optimum (less solver tolerance), from stage 1's basis
            t_star = max(float(solution[-1]) - LOWER_SLACK, 0.0)
            lp.set_bounds(len(cols), t_star, 1.0)
            left = deadline - time.monotonic()
            try:
                solution = lp.solve(np.append(cost, 0.0), "max delivered", "primal simplex", left)
            except Stopped as stop:
                if not stop.timed_out:
                    raise
                # stage 1's optimum is a feasible rerouting: keep it rather than nothing
                x[cols] = solution[:-1]
                note = (
                    "rerouting reached its time limit in its second stage: the after-rerouting "
                    "figures are the first stage's (the worst-off sector's share is the best "
                    "possible; other sectors might do better)"
                )
                return x, lp.status, (note,)
            x[cols] = solution[:-1]
        else:
            lp = Lp(a[:n_main][in_use[:n_main]], rhs[:n_main][in_use[:n_main]], lower, upper, size)
            x[cols] = lp.solve(cost, "max delivered", "ipm", deadline - time.monotonic())
        return x, lp.status, ()

    def _sectors(self) -> list[np.ndarray]:
        """Maker positions per sector (sorted by name), for sectors with a baseline."""
        nodes = self.graph.nodes
        sector = nodes["sector"].to_numpy(str) if "sector" in nodes else np.full(self.n, "")
        groups = [
            np.flatnonzero(self.maker & (sector == name))
            for name in sorted(set(sector[self.maker]))
        ]
        return [members for members in groups if self.base[members].sum() > 0]

    def _rows(self) -> csr_array:
        """Leontief input rows, output-mix rows and market rows, all ``<= 0``."""
        n_e, n_s, n_b = len(self.src), len(self.sell_out), len(self.buy_in)
        n_g, n_o = len(self.in_ratio), len(self.out_ratio)
        s_col, b_col, y_col = n_e, n_e + n_s, n_e + n_s + n_b
        needs = np.flatnonzero(self.in_ratio > 0)
        market_row = n_g + n_o
        row = np.concatenate(
            [
                self.in_group,
                self.buy_in,  # inputs arriving: -f
                needs,  # ratio x y
                n_g + self.out_group,
                n_g + self.sell_out,  # outputs shipped: +f
                n_g + np.arange(n_o),  # -ratio x y
                market_row + self.buy_market,
                market_row + self.sell_market,  # bought - sold
            ]
        )
        col = np.concatenate(
            [
                np.arange(n_e),
                b_col + np.arange(n_b),
                y_col + self.in_node[needs],
                np.arange(n_e),
                s_col + np.arange(n_s),
                y_col + self.out_node,
                b_col + np.arange(n_b),
                s_col + np.arange(n_s),
            ]
        )
        val = np.concatenate(
            [
                -np.ones(n_e),
                -np.ones(n_b),
                self.in_ratio[needs],
                np.ones(n_e),
                np.ones(n_s),
                -self.out_ratio,
                np.ones(n_b),
                -np.ones(n_s),
            ]
        )
        shape = (market_row + self.n_markets, y_col + self.n)
        return coo_array((val, (row, col)), shape=shape).tocsr()

    # ------------------------------------------------------------ result

    def _output(self, f: np.ndarray, new_out: np.ndarray, g: np.ndarray) -> np.ndarray:
        """Return the output each node needs for what it ships (given its fixed output mix),
        and at least its no-adaptation output."""
        shipped = np.bincount(self.out_group, f, minlength=len(self.out_ratio)) + np.bincount(
            new_out, g, minlength=len(self.out_ratio)
        )
        needed = np.divide(
            shipped, self.out_ratio, out=np.zeros_like(shipped), where=self.out_ratio > 0
        )
        output = self.y0.copy()
        np.maximum.at(output, self.out_node, needed)
        return output

    def _trim(
        self, f: np.ndarray, new_out: np.ndarray, new_in: np.ndarray, g: np.ndarray, y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Take back rises that arrive where no output needs them; return flows and new links.

        The LP's penalties rule such surplus out, but only to the solver's tolerance, which
        is relative to the largest term of the objective: next to flows of 10^15 t, tens of
        tonnes sent nowhere useful cost nothing it can see. A node's needed input follows
        from its output (makers: their LP output; others: what they ship), so trimming the
        customers first trims their suppliers' shipments in the next pass, up the chain.
        Rises are cut pro rata within an input group; Pareto floors stay.
        """
        n_in = len(self.in_ratio)
        for _ in range(MAX_TRIM_PASSES):
            output = np.where(self.maker, y, self._output(f, new_out, g))
            rise = np.bincount(self.in_group, f - self.f0, n_in) + np.bincount(new_in, g, n_in)
            arrived = np.bincount(self.in_group, f, n_in) + np.bincount(new_in, g, n_in)
            cut = np.clip(arrived - self.in_ratio * output[self.in_node], 0.0, rise)
            # a gram, or a share of the inflow the solver cannot resolve, is rounding
            cut = np.where(cut > np.maximum(10.0**-DECIMALS, LOWER_SLACK * arrived), cut, 0.0)
            if not cut.any():
                break
            keep = 1 - cut / np.where(rise > 0, rise, 1.0)
            f = self.f0 + (f - self.f0) * keep[self.in_group]
            g = g * keep[new_in]
        return self.f0 + np.round(f - self.f0, DECIMALS), np.round(g, DECIMALS)

    def stopped(self, reason: str, status: str) -> Rerouting:
        """Return a Rerouting that says why it stopped, with NaN (unknown) after figures."""
        return Rerouting(
            np.full(self.n, np.nan),
            np.full(len(self.src), np.nan),
            pd.DataFrame({column: [] for column in FLOW_COLUMNS}),
            status,
            self.spare_t,
            stopped=f"{reason}: the after-rerouting columns are blank",
        )

    def result(self, x: np.ndarray, status: str) -> Rerouting:
        """Pair market trades into new links, clean solver noise and build the Rerouting."""
        n_e, n_s = len(self.src), len(self.sell_out)
        f, y = x[:n_e], x[len(x) - self.n :]
        # changes are rounded to the gram: HiGHS meets constraints to about 1e-7
        f = np.clip(self.f0 + np.round(f - self.f0, DECIMALS), self.f0, self.f_max)
        sold = np.maximum(np.round(x[n_e : n_e + n_s], DECIMALS), 0.0)
        bought = np.maximum(np.round(x[n_e + n_s : len(x) - self.n], DECIMALS), 0.0)
        country = self.graph.nodes["country"].to_numpy(str)
        s_arc, b_arc, g = pair(
            self.sell_market,
            self.buy_market,
            sold,
            bought,
            country[self.out_node[self.sell_out]],
            country[self.in_node[self.buy_in]],
        )
        g = np.round(g, DECIMALS)
        keep = g > 0
        new_out, new_in, g = self.sell_out[s_arc[keep]], self.buy_in[b_arc[keep]], g[keep]
        # a pair that already trades on an existing (uncapped) link is a rise on that link
        n_mat = len(self.materials)
        key = (self.src * self.n + self.dst) * n_mat + self.material
        order = np.argsort(key, kind="stable")
        new_key = (
            self.out_node[new_out] * self.n + self.in_node[new_in]
        ) * n_mat + self.out_material[new_out]
        pos = order[np.minimum(np.searchsorted(key[order], new_key), len(key) - 1)]
        on_edge = key[pos] == new_key if len(key) else np.zeros(len(new_key), dtype=bool)
        np.add.at(f, pos[on_edge], g[on_edge])
        new_out, new_in, g = new_out[~on_edge], new_in[~on_edge], g[~on_edge]
        y = np.minimum(self.y0 + np.round(y - self.y0, DECIMALS), self.y_max)
        # nor report more output than the rounded inputs support
        arrived = np.bincount(self.in_group, f, minlength=len(self.in_ratio)) + np.bincount(
            new_in, g, minlength=len(self.in_ratio)
        )
        supported = np.divide(
            arrived, self.in_ratio, out=np.full_like(arrived, np.inf), where=self.in_ratio > 0
        )
        np.minimum.at(y, self.in_node, supported)
        y = np.maximum(y, self.y0)
        f, g = self._trim(f, new_out, new_in, g, y)
        new_out, new_in, g = new_out[g > 0], new_in[g > 0], g[g > 0]
        output = self._output(f, new_out, g)
        # a maker's output is its objective term; elsewhere output above that is solver slack
        node_after = np.where(self.maker, y, np.minimum(output, self.y_max))
        ids = self.graph.nodes["id"].to_numpy()
        rose = np.flatnonzero(f > self.f0)
        flows = pd.DataFrame(
            {
                "supplier": np.concatenate([ids[self.src[rose]], ids[self.out_node[new_out]]]),
                "customer": np.concatenate([ids[self.dst[rose]], ids[self.in_node[new_in]]]),
                "material": np.concatenate(
                    [
                        self.materials[self.material[rose]],
                        self.materials[self.out_material[new_out]],
                    ]
                ),
                "baseline_t": np.concatenate([self.flow[rose], np.zeros(len(g))]),
                "no_adaptation_t": np.concatenate([self.f0[rose], np.zeros(len(g))]),
                "after_t": np.concatenate([f[rose], g]),
            }
        )
        flows["extra_t"] = flows["after_t"] - flows["no_adaptation_t"]
        flows["new_link"] = np.arange(len(flows)) >= len(rose)
        flows = flows.astype({"supplier": object, "customer": object, "material": object})
        flows = flows.sort_values(["supplier", "customer", "material"], kind="stable")
        return Rerouting(
            node_after,
            f,
            flows[FLOW_COLUMNS].reset_index(drop=True),
            status,
            self.spare_t,
            self._unused_spare(node_after, arrived),
        )

    def _unused_spare(self, node_after: np.ndarray, arrived: np.ndarray) -> tuple[str, ...]:
        """Say, for each node whose assumed spare capacity went unused, which inputs bind:
        those that arrive only just enough for its output (no slack to make more)."""
        idle = np.flatnonzero(self.assumed & (node_after <= self.y0 + ZERO_T))
        ids = self.graph.nodes["id"].to_numpy()
        messages = []
        for v in idle:
            groups = np.flatnonzero((self.in_node == v) & (self.in_ratio > 0))
            tight = groups[arrived[groups] <= self.in_ratio[groups] * node_after[v] + ZERO_T]
            materials = sorted({str(self.materials[self.in_material[g]]) for g in tight})
            why = (
                f"its input{'s' if len(materials) > 1 else ''} {', '.join(materials)} cannot "
                "rise (the suppliers are cut, at capacity or short themselves)"
                if materials
                else "no buyer who lost supply can take more of what it makes"
            )
            messages.append(f"spare capacity assumed for {ids[v]} was not used: {why}")
        return tuple(messages)


def _sector_rows(sectors: list[np.ndarray], y_col: int, n_cols: int) -> csr_array:
    """Rows of minus the makers' output summed per sector."""
    row = np.repeat(np.arange(len(sectors)), [len(members) for members in sectors])
    col = y_col + (np.concatenate(sectors) if sectors else np.zeros(0, np.int64))
    return coo_array((-np.ones(len(row)), (row, col)), shape=(len(sectors), n_cols)).tocsr()


def _new_link_licence(
    graph: SupplyGraph, disruption: Disruption, out_group: np.ndarray, n_out: int
) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """Return a test of candidate new links against the regimes that applied.

    The test takes, per candidate, the seller's output group, the seller node and the
    buyer's country, and says whether :func:`supplygraph.scenario.licence.needs_licence` would
    control the link under any applied regime (then it gets no flow: nothing is licensed).
    """
    country = graph.nodes["country"].to_numpy()
    rules = []
    for entry in disruption.applied:
        regime = entry.regime
        controlled = np.bincount(out_group, controlled_edges(graph, regime), minlength=n_out) > 0
        content = disruption.content_pct.get(regime.issuer) if regime.extraterritorial else None
        rules.append((entry, controlled, content))

    def blocked(out_groups: np.ndarray, s_node: np.ndarray, buyer: np.ndarray) -> np.ndarray:
        mask = np.zeros(len(out_groups), dtype=bool)
        for entry, controlled, content in rules:
            mask |= needs_licence(
                entry.regime,
                country[s_node],
                buyer,
                controlled[out_groups],
                None if content is None else content[s_node],
                destinations=entry.policy.destinations,
            )
        return mask

    return blocked
