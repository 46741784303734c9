"""Rerouting, the best case: a linear program sending spare capacity to buyers who lost supply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import coo_array, csr_array, hstack, vstack

from . import schema
from ._errors import SupplyGraphError

if TYPE_CHECKING:
    from .graph import SupplyGraph
    from .propagate import Propagation
    from .scenario import Disruption

# Objective weights per tonne; a delivered tonne is worth 1 (see docs/rerouting.md).
EXTRA_PENALTY = 1e-4  # flow above the no-adaptation flow of an existing link
NEW_LINK_PENALTY = 1e-3  # flow on a new link
# The no-adaptation point is feasible up to rounding in propagation, and the stage-1 optimum up
# to solver tolerance: loosen those bounds by this share.
LOWER_SLACK = 1e-9
DECIMALS = 6  # changes from the no-adaptation figures are rounded to the gram (1e-6 t)
ZERO_T = 1e-9  # tonnes below this count as none
SHORT = 1e-9  # a share below 1 - SHORT counts as a loss
DEFAULT_MAX_NEW_SUPPLIERS = 8


@dataclass(frozen=True, eq=False)
class Rerouting:
    """The best case after rerouting, per node and per edge (t REO-equivalent per year).

    ``node_after_t`` follows the definition of baseline_t (what a node ships; for makers
    what they take in); ``edge_after_t`` is per existing edge, in ``graph.edges`` order;
    ``flows`` lists the existing edges whose flow rose and the new links that carry flow.
    """

    node_after_t: np.ndarray
    edge_after_t: np.ndarray
    flows: pd.DataFrame
    status: str


FLOW_COLUMNS = ["supplier", "customer", "material", "baseline_t", "no_adaptation_t", "after_t",
                "extra_t", "new_link"]  # fmt: skip


def reroute(graph: SupplyGraph, disruption: Disruption, propagation: Propagation, *,
            max_new_suppliers: int | None = DEFAULT_MAX_NEW_SUPPLIERS) -> Rerouting:  # fmt: skip
    """Send spare capacity to the buyers who lost supply, as far as inputs allow.

    A linear program over edge flows and node outputs: node capacities, fixed input
    recipes (Leontief) and output mixes, cut and throttled links as upper bounds, and
    new links only from an undisrupted seller of a material to a buyer of it who lost
    supply. Nothing falls below the no-adaptation flows (a Pareto improvement). The
    objective first maximises the worst sector's delivered share of baseline, then total
    delivered tonnes, with small penalties that prefer existing links to new ones.

    Parameters
    ----------
    graph
        The supply graph.
    disruption
        The resolved scenario (edge and node shares, licence regimes).
    propagation
        The no-adaptation outcome of the same disruption.
    max_new_suppliers
        New links considered per buyer and material: the sellers with the most spare
        capacity (ties by node order). None considers every eligible seller.

    Returns
    -------
    Rerouting

    Raises
    ------
    SupplyGraphError
        When the solver fails (which would be a bug: the no-adaptation flows are feasible).

    Examples
    --------
    A maker buys 100 t from mine A (cut) and 50 t from mine B, which could make 120 t:

    >>> import numpy as np
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from supplygraph.io import Dataset
    >>> from supplygraph.graph import build_graph
    >>> from supplygraph.propagate import propagate
    >>> from supplygraph.scenario import Disruption
    >>> nodes = pd.DataFrame({"line": [2, 3, 4], "id": ["a", "b", "k"],
    ...     "stage": ["mine", "mine", "manufacturer"], "country": ["CN", "AU", "DE"],
    ...     "sector": ["", "", "ev"], "capacity_t": [100.0, 120.0, float("nan")]})
    >>> edges = pd.DataFrame({"line": [2, 3], "supplier": ["a", "b"], "customer": ["k", "k"],
    ...     "material": ["oxide"] * 2, "elements": ["Dy"] * 2, "flow_t": [100.0, 50.0]})
    >>> graph = build_graph(Dataset(nodes, edges, pd.DataFrame(), Path("."), ""))
    >>> cut = Disruption(np.array([0.0, 1.0]), np.ones(3), [["rule"], []], [])
    >>> prop = propagate(graph.index, cut.edge_share, cut.node_share, np.zeros(3))
    >>> rerouting = reroute(graph, cut, prop)
    >>> rerouting.edge_after_t.tolist(), rerouting.node_after_t.tolist()
    ([0.0, 120.0], [100.0, 120.0, 120.0])
    """
    model = _Model(graph, disruption, propagation, max_new_suppliers)
    if not model.short_makers:
        return model.result(model.f0, np.zeros(0), model.y0,
                            "no maker is short: nothing to reroute")  # fmt: skip
    x, status = model.solve()
    n_edges, n_new = graph.n_edges, len(model.new_src)
    return model.result(x[:n_edges], x[n_edges:n_edges + n_new], x[n_edges + n_new:], status)


class _Model:
    """The rerouting LP's data: bounds, constraint rows and candidate new links."""

    def __init__(self, graph: SupplyGraph, disruption: Disruption, prop: Propagation,
                 max_new_suppliers: int | None) -> None:  # fmt: skip
        index, nodes = graph.index, graph.nodes
        self.graph = graph
        self.n = graph.n_nodes
        self.src, self.dst, self.flow = index.src, index.dst, index.flow
        self.materials, self.material = np.unique(graph.edges["material"].to_numpy(str),
                                                  return_inverse=True)  # fmt: skip
        base = graph.baseline_t
        self.base = base
        self.maker = nodes["stage"].to_numpy() == "manufacturer"
        capacity = (nodes["capacity_t"].to_numpy(np.float64) if "capacity_t" in nodes
                    else np.full(self.n, np.nan))  # fmt: skip
        # no capacity figure (or one below baseline) means no spare capacity
        cap = np.where(capacity >= base, capacity, base)
        cap = np.where(self.maker | (base <= 0), base, cap)
        self.y_max = cap * disruption.node_share
        self.y0 = prop.output_ratio * base
        self.f0 = prop.edge_after_t
        self.f_max = np.where(disruption.edge_share < 1, disruption.edge_share * self.flow, np.inf)
        self.short_makers = bool((self.maker & (self.y0 < base * (1 - SHORT))).any())
        # input groups (customer, material) and output groups (supplier, material)
        self.in_group, self.in_node, in_base = index.group, index.group_node, index.group_base
        self.in_ratio = np.divide(in_base, base[self.in_node], out=np.zeros_like(in_base),
                                  where=base[self.in_node] > 0)  # fmt: skip
        n_mat = len(self.materials)
        out_key, self.out_group = np.unique(self.src * n_mat + self.material, return_inverse=True)
        self.out_node, self.out_material = out_key // n_mat, out_key % n_mat
        out_base = np.bincount(self.out_group, self.flow, minlength=len(out_key))
        self.out_ratio = np.divide(out_base, base[self.out_node], out=np.zeros_like(out_base),
                                   where=base[self.out_node] > 0)  # fmt: skip
        # a material a node never shipped (zero baseline) stays unshipped
        self.f_max = np.where(out_base[self.out_group] > 0, self.f_max, 0.0)
        self.arrived0 = np.bincount(self.in_group, self.f0, minlength=len(in_base))
        shipped0 = np.bincount(self.out_group, self.f0, minlength=len(out_base))
        self.unsold = self.out_ratio * self.y0[self.out_node] > shipped0 + ZERO_T
        if self.short_makers:
            self._candidates(disruption, prop, max_new_suppliers, in_base, out_base)
        else:
            self.new_src = self.new_dst = self.new_in = self.new_out = np.zeros(0, np.int64)
            self.can_grow = np.zeros(self.n, dtype=bool)

    # ------------------------------------------------------------ candidate new links

    def _candidates(self, disruption: Disruption, prop: Propagation, limit: int | None,
                    in_base: np.ndarray, out_base: np.ndarray) -> None:  # fmt: skip
        """Pick new links: undisrupted sellers with spare capacity to buyers who lost supply."""
        n, n_mat = self.n, len(self.materials)
        in_material = np.zeros(len(in_base), np.int64)
        in_material[self.in_group] = self.material
        lost = (in_base > 0) & (self.arrived0 < in_base * (1 - SHORT))
        lost &= disruption.node_share[self.in_node] > 0
        disrupted = (disruption.node_share < 1) | (prop.output_ratio < 1 - SHORT)
        disrupted[self.src[disruption.edge_share < 1]] = True
        spare = (self.y_max - self.base)[self.out_node] * self.out_ratio
        selling = (out_base > 0) & (spare > ZERO_T) & ~disrupted[self.out_node]
        # sellers whose extra output cannot get the extra input it needs are no use; new links
        # may feed any lost group of a material someone sells (an over-estimate, so safe)
        offered = np.bincount(self.out_material[selling], minlength=n_mat) > 0
        self.can_grow = self._grow(lost & offered[in_material])
        selling &= self.can_grow[self.out_node]
        existing = np.unique((self.src * n + self.dst) * n_mat + self.material)
        blocked = _new_link_licence(self.graph, disruption, self.out_group, len(out_base))
        pieces: list[tuple[np.ndarray, np.ndarray]] = []
        for m in range(n_mat):
            sellers = np.flatnonzero(selling & (self.out_material == m))
            buyers = np.flatnonzero(lost & (in_material == m))
            if not len(sellers) or not len(buyers):
                continue
            sellers = sellers[np.lexsort((self.out_node[sellers], -spare[sellers]))]
            # enough ranked sellers that k remain after dropping self, existing and blocked
            indegree = np.bincount(self.in_group, minlength=len(in_base))[buyers]
            at_risk = blocked.count(sellers, self.out_node[sellers])
            width = len(sellers) if limit is None else min(
                len(sellers), limit + int(indegree.max()) + 1 + at_risk)
            seller_grid = np.tile(sellers[:width], len(buyers))
            buyer_grid = np.repeat(buyers, width)
            s_node, b_node = self.out_node[seller_grid], self.in_node[buyer_grid]
            keys = (s_node * n + b_node) * n_mat + m
            pos = np.minimum(np.searchsorted(existing, keys), len(existing) - 1)
            ok = (s_node != b_node) & (existing[pos] != keys)
            ok &= ~blocked.mask(seller_grid, s_node, b_node)
            if limit is not None:
                rank = np.cumsum(ok.reshape(len(buyers), width), axis=1).ravel()
                ok &= rank <= limit
            pieces.append((seller_grid[ok], buyer_grid[ok]))
        out_groups = np.concatenate([p[0] for p in pieces]) if pieces else np.zeros(0, np.int64)
        in_groups = np.concatenate([p[1] for p in pieces]) if pieces else np.zeros(0, np.int64)
        self.new_out, self.new_in = out_groups, in_groups
        self.new_src, self.new_dst = self.out_node[out_groups], self.in_node[in_groups]

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
        """Return which LP columns (edges, new links, node outputs) may leave no-adaptation.

        Everything else stays at its no-adaptation value in some optimal solution: it cannot
        rise, or its rise reaches no maker who is short (and would only cost penalties).
        """
        n_in = len(self.in_ratio)
        new_rise = self.unsold[self.new_out] | self.can_grow[self.new_src]
        grow = self._grow(np.bincount(self.new_in, new_rise, n_in) > 0)
        rise = (self.f_max > self.f0 + ZERO_T) & (self.unsold[self.out_group] | grow[self.src])
        new_rise = self.unsold[self.new_out] | grow[self.new_src]
        useful = self.maker & (self.y_max > self.y0 + ZERO_T)
        while True:
            more = useful.copy()
            more[self.src[rise & useful[self.dst]]] = True
            more[self.new_src[new_rise & useful[self.new_dst]]] = True
            if np.array_equal(more, useful):
                break
            useful = more
        return np.concatenate([rise & useful[self.dst], new_rise & useful[self.new_dst],
                               grow & useful])  # fmt: skip

    # ------------------------------------------------------------ linear program

    def solve(self) -> tuple[np.ndarray, str]:
        """Solve max-min over sectors, then max delivered minus penalties; return x and status.

        Only the columns that may change enter the LP; the rest stay at no-adaptation and
        move to the right-hand side.
        """
        n_e, n_c = len(self.src), len(self.new_src)
        fixed = np.concatenate([self.f0, np.zeros(n_c), self.y0])
        active = self._active()
        x = fixed.copy()
        if not active.any():
            return x, "no spare capacity can reach a maker who is short"
        cols = np.flatnonzero(active)
        main = self._rows(n_e, n_c)
        sectors = self._sectors()
        sector_base = np.array([self.base[members].sum() for members in sectors])
        both = vstack([main, _sector_rows(sectors, n_e + n_c, len(fixed))], format="csc")
        a = both[:, cols].tocsr()
        rhs = -(both[:, ~active] @ fixed[~active])
        in_use = np.diff(a.indptr) > 0
        n_main = main.shape[0]
        a_main, rhs_main = a[:n_main][in_use[:n_main]], rhs[:n_main][in_use[:n_main]]
        a_sector, rhs_sector, moves = a[n_main:], rhs[n_main:], in_use[n_main:]
        lower = fixed[cols] * (1 - LOWER_SLACK)
        upper = np.concatenate([self.f_max, np.full(n_c, np.inf), self.y_max])[cols]
        a_ub, b_ub = a_main, rhs_main
        ratio0 = np.array([self.y0[members].sum() for members in sectors]) / np.maximum(
            sector_base, ZERO_T)
        # max-min matters only when the worst-off sector at no adaptation can improve
        if len(sectors) > 1 and moves[ratio0 <= ratio0.min()].all():
            # stage 1: maximise t (last column), the worst sector's delivered share
            a_1 = vstack([hstack([a_main, csr_array((a_main.shape[0], 1))]),
                          hstack([a_sector, csr_array(sector_base.reshape(-1, 1))])],
                         format="csr")  # fmt: skip
            cost = np.zeros(len(cols) + 1)
            cost[-1] = -1.0
            res = _linprog(cost, a_1, np.concatenate([rhs_main, rhs_sector]),
                           np.append(lower, 0.0), np.append(upper, 1.0), "max-min share")
            t_star = max(float(res.x[-1]) - LOWER_SLACK, 0.0)
            # stage 2 holds every sector that can move at or above t*
            a_ub = vstack([a_main, a_sector[moves]], format="csr")
            b_ub = np.concatenate([rhs_main, (rhs_sector - t_star * sector_base)[moves]])
        cost = np.concatenate([np.full(n_e, EXTRA_PENALTY), np.full(n_c, NEW_LINK_PENALTY),
                               np.where(self.maker, -1.0, 0.0)])[cols]  # fmt: skip
        res = _linprog(cost, a_ub, b_ub, lower, upper, "max delivered")
        x[cols] = res.x
        return x, str(res.message)

    def _sectors(self) -> list[np.ndarray]:
        """Maker positions per sector (sorted by name), for sectors with a baseline."""
        nodes = self.graph.nodes
        sector = nodes["sector"].to_numpy(str) if "sector" in nodes else np.full(self.n, "")
        groups = [np.flatnonzero(self.maker & (sector == name))
                  for name in sorted(set(sector[self.maker]))]  # fmt: skip
        return [members for members in groups if self.base[members].sum() > 0]

    def _rows(self, n_e: int, n_c: int) -> csr_array:
        """Leontief input rows and output-mix rows, all ``<= 0``."""
        n_g, n_o = len(self.in_ratio), len(self.out_ratio)
        y_col = n_e + n_c
        needs = np.flatnonzero(self.in_ratio > 0)
        row = np.concatenate([
            self.in_group, self.new_in,  # inputs arriving: -f
            needs,  # ratio x y
            n_g + self.out_group, n_g + self.new_out,  # outputs shipped: +f
            n_g + np.arange(n_o),  # -ratio x y
        ])  # fmt: skip
        col = np.concatenate([
            np.arange(n_e), n_e + np.arange(n_c), y_col + self.in_node[needs],
            np.arange(n_e), n_e + np.arange(n_c), y_col + self.out_node,
        ])  # fmt: skip
        val = np.concatenate([
            -np.ones(n_e), -np.ones(n_c), self.in_ratio[needs],
            np.ones(n_e), np.ones(n_c), -self.out_ratio,
        ])  # fmt: skip
        return coo_array((val, (row, col)), shape=(n_g + n_o, y_col + self.n)).tocsr()

    # ------------------------------------------------------------ result

    def result(self, f: np.ndarray, g: np.ndarray, y: np.ndarray, status: str) -> Rerouting:
        """Clean solver noise and build the Rerouting."""
        # changes are rounded to the gram: HiGHS meets constraints to about 1e-7
        f = np.clip(self.f0 + np.round(f - self.f0, DECIMALS), self.f0, self.f_max)
        g = np.maximum(np.round(g, DECIMALS), 0.0)
        y = np.minimum(self.y0 + np.round(y - self.y0, DECIMALS), self.y_max)
        # nor report more output than the rounded inputs support
        arrived = (np.bincount(self.in_group, f, minlength=len(self.in_ratio))
                   + np.bincount(self.new_in, g, minlength=len(self.in_ratio)))  # fmt: skip
        supported = np.divide(arrived, self.in_ratio, out=np.full_like(arrived, np.inf),
                              where=self.in_ratio > 0)  # fmt: skip
        np.minimum.at(y, self.in_node, supported)
        y = np.maximum(y, self.y0)
        # the output each node needs for what it ships, given its fixed output mix
        shipped = (np.bincount(self.out_group, f, minlength=len(self.out_ratio))
                   + np.bincount(self.new_out, g, minlength=len(self.out_ratio)))  # fmt: skip
        needed = np.divide(shipped, self.out_ratio, out=np.zeros_like(shipped),
                           where=self.out_ratio > 0)  # fmt: skip
        output = self.y0.copy()
        np.maximum.at(output, self.out_node, needed)
        # a maker's output is its objective term; elsewhere output above that is solver slack
        node_after = np.where(self.maker, y, np.minimum(output, self.y_max))
        ids = self.graph.nodes["id"].to_numpy()
        rose = np.flatnonzero(f > self.f0)
        new = np.flatnonzero(g > 0)
        flows = pd.DataFrame({
            "supplier": np.concatenate([ids[self.src[rose]], ids[self.new_src[new]]]),
            "customer": np.concatenate([ids[self.dst[rose]], ids[self.new_dst[new]]]),
            "material": np.concatenate([self.materials[self.material[rose]],
                                        self.materials[self.out_material[self.new_out[new]]]]),
            "baseline_t": np.concatenate([self.flow[rose], np.zeros(len(new))]),
            "no_adaptation_t": np.concatenate([self.f0[rose], np.zeros(len(new))]),
            "after_t": np.concatenate([f[rose], g[new]]),
        })  # fmt: skip
        flows["extra_t"] = flows["after_t"] - flows["no_adaptation_t"]
        flows["new_link"] = np.arange(len(flows)) >= len(rose)
        flows = flows.astype({"supplier": object, "customer": object, "material": object})
        flows = flows.sort_values(["supplier", "customer", "material"], kind="stable")
        return Rerouting(node_after, f, flows[FLOW_COLUMNS].reset_index(drop=True), status)


def _sector_rows(sectors: list[np.ndarray], y_col: int, n_cols: int) -> csr_array:
    """Rows of minus the makers' output summed per sector."""
    row = np.repeat(np.arange(len(sectors)), [len(members) for members in sectors])
    col = y_col + (np.concatenate(sectors) if sectors else np.zeros(0, np.int64))
    return coo_array((-np.ones(len(row)), (row, col)), shape=(len(sectors), n_cols)).tocsr()


def _linprog(cost: np.ndarray, a_ub: csr_array, b_ub: np.ndarray, lower: np.ndarray,
             upper: np.ndarray, stage: str) -> Any:  # fmt: skip
    res = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=np.column_stack([lower, upper]),
                  method="highs-ipm")
    if res.status != 0 or res.x is None:
        raise SupplyGraphError(f"rerouting LP ({stage}) failed: {res.message}")
    return res


# ---------------------------------------------------------------- licences on new links


class _NewLinkLicence:
    """Which candidate new links would be licence edges (bound 0: nothing to licence)."""

    def __init__(self, country: np.ndarray, rules: list[tuple[str, list[str] | None, np.ndarray,
                                                               np.ndarray | None]]) -> None:
        self.country = country
        # per regime: issuer, destinations, controlled per output group, foreign sellers caught
        self.rules = rules

    def mask(self, out_groups: np.ndarray, s_node: np.ndarray, b_node: np.ndarray) -> np.ndarray:
        """Return which (seller output group, buyer node) pairs are blocked."""
        blocked = np.zeros(len(out_groups), dtype=bool)
        seller, buyer = self.country[s_node], self.country[b_node]
        for issuer, destinations, controlled, caught in self.rules:
            hit = controlled[out_groups]
            if destinations is not None:
                hit &= np.isin(buyer, destinations)
            if caught is None:  # direct exports from the issuing country
                hit &= (seller == issuer) & (buyer != issuer)
            else:  # extraterritorial: foreign sellers at or above the content threshold
                hit &= (seller != issuer) & (seller != buyer) & caught[s_node]
            blocked |= hit
        return blocked

    def count(self, out_groups: np.ndarray, s_node: np.ndarray) -> int:
        """Return how many of these sellers some regime may block (for some buyer)."""
        hit = np.zeros(len(out_groups), dtype=bool)
        seller = self.country[s_node]
        for issuer, _, controlled, caught in self.rules:
            at_risk = seller == issuer if caught is None else (seller != issuer) & caught[s_node]
            hit |= controlled[out_groups] & at_risk
        return int(hit.sum())


def _new_link_licence(graph: SupplyGraph, disruption: Disruption, out_group: np.ndarray,
                      n_out: int) -> _NewLinkLicence:  # fmt: skip
    """Turn the regimes in force in a disruption into tests on candidate new links."""
    from .origin import origin_share

    rules = []
    regimes = graph.regimes.set_index("id", drop=False) if len(graph.regimes) else None
    for entry in disruption.regime_log:
        if not entry.get("applied") or regimes is None or entry["regime"] not in regimes.index:
            continue
        regime = regimes.loc[entry["regime"]]
        edge_controlled = graph.carries(schema.split_list(regime["elements"]))
        if regime["materials"]:
            edge_controlled &= graph.edges["material"].isin(
                schema.split_list(regime["materials"])).to_numpy()
        controlled = np.bincount(out_group, edge_controlled, minlength=n_out) > 0
        caught = None
        if entry["extraterritorial"]:
            content_pct = origin_share(graph, regime["issuer"]) * 100
            caught = content_pct >= float(regime["extraterritorial_pct"])
        destinations = None  # all
        if regime["destinations"] != "all":
            destinations = schema.split_list(regime["destinations"])
        if entry["destinations"]:
            destinations = [d for d in entry["destinations"]
                            if destinations is None or d in destinations]  # fmt: skip
        rules.append((regime["issuer"], destinations, controlled, caught))
    return _NewLinkLicence(graph.nodes["country"].to_numpy(), rules)
