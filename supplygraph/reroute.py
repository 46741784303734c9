"""Rerouting, the best case: a linear program that sends spare capacity to the buyers who lost supply."""

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
    from .regimes import Disruption

# Objective weights per tonne; a delivered tonne is worth 1 (see docs/rerouting.md).
EXTRA_PENALTY = 1e-4  # flow above the no-adaptation flow of an existing link
NEW_LINK_PENALTY = 1e-3  # flow on a new link
# The no-adaptation point is feasible up to rounding in propagation; loosen its bounds by this.
LOWER_SLACK = 1e-9
# Solver noise: flows this close (relative to max(1 t, baseline)) to no-adaptation snap to it.
SNAP = 1e-7
ZERO_T = 1e-9  # tonnes below this are reported as 0
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
    >>> from supplygraph.regimes import Disruption
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
        return model.result(model.f0, np.zeros(0), model.y0, "no maker is short: nothing to reroute")
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
        if self.short_makers:
            self._candidates(disruption, prop, max_new_suppliers, in_base, out_base)
        else:
            self.new_src = self.new_dst = self.new_in = self.new_out = np.zeros(0, np.int64)

    # ------------------------------------------------------------ candidate new links

    def _candidates(self, disruption: Disruption, prop: Propagation, limit: int | None,
                    in_base: np.ndarray, out_base: np.ndarray) -> None:  # fmt: skip
        """Pick new links: undisrupted sellers with spare capacity to buyers who lost supply."""
        n, n_mat = self.n, len(self.materials)
        arrived = np.bincount(self.in_group, self.f0, minlength=len(in_base))
        in_material = np.zeros(len(in_base), np.int64)
        in_material[self.in_group] = self.material
        lost = (in_base > 0) & (arrived < in_base * (1 - SHORT))
        lost &= disruption.node_share[self.in_node] > 0
        disrupted = (disruption.node_share < 1) | (prop.output_ratio < 1 - SHORT)
        disrupted[self.src[disruption.edge_share < 1]] = True
        spare = (self.y_max - self.base)[self.out_node] * self.out_ratio
        selling = (out_base > 0) & (spare > ZERO_T) & ~disrupted[self.out_node]
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
            width = len(sellers) if limit is None else min(
                len(sellers), limit + int(indegree.max()) + 1 + blocked.count(sellers))
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

    # ------------------------------------------------------------ linear program

    def solve(self) -> tuple[np.ndarray, str]:
        """Solve max-min over sectors, then max delivered minus penalties; return x and status."""
        n_e, n_c = len(self.src), len(self.new_src)
        n_x = n_e + n_c + self.n
        rows = self._rows(n_e, n_c)
        lower = np.concatenate([self.f0, np.zeros(n_c), self.y0]) * (1 - LOWER_SLACK)
        upper = np.concatenate([self.f_max, np.full(n_c, np.inf), self.y_max])
        sectors = self._sectors()
        sector_base = np.array([self.base[members].sum() for members in sectors])
        delivered = _sector_rows(sectors, n_e + n_c, n_x)  # -sum of y per sector
        a_ub, b_ub = rows, np.zeros(rows.shape[0])
        if len(sectors) > 1:
            # stage 1: maximise t (last column), the worst sector's delivered share
            t_col = csr_array(sector_base.reshape(-1, 1))
            a_1 = vstack([hstack([rows, csr_array((rows.shape[0], 1))]),
                          hstack([delivered, t_col])], format="csr")
            cost = np.zeros(n_x + 1)
            cost[-1] = -1.0
            res = _linprog(cost, a_1, np.zeros(a_1.shape[0]), np.append(lower, 0.0),
                           np.append(upper, 1.0), "max-min share")
            t_star = max(float(res.x[-1]) - SNAP, 0.0)
            # stage 2 holds every sector at or above t*
            a_ub = vstack([rows, delivered], format="csr")
            b_ub = np.concatenate([b_ub, -t_star * sector_base])
        cost = np.concatenate([np.full(n_e, EXTRA_PENALTY), np.full(n_c, NEW_LINK_PENALTY),
                               np.where(self.maker, -1.0, 0.0)])  # fmt: skip
        res = _linprog(cost, a_ub, b_ub, lower, upper, "max delivered")
        return res.x, str(res.message)

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
        f = np.where(np.abs(f - self.f0) <= SNAP * np.maximum(1.0, self.flow), self.f0, f)
        f = np.where(f < ZERO_T, 0.0, f)
        g = np.where(g < ZERO_T, 0.0, g)
        y = np.where(np.abs(y - self.y0) <= SNAP * np.maximum(1.0, self.base), self.y0, y)
        # the output each node needs for what it ships, given its fixed output mix
        shipped = (np.bincount(self.out_group, f, minlength=len(self.out_ratio))
                   + np.bincount(self.new_out, g, minlength=len(self.out_ratio)))  # fmt: skip
        needed = np.divide(shipped, self.out_ratio, out=np.zeros_like(shipped),
                           where=self.out_ratio > 0)  # fmt: skip
        output = self.y0.copy()
        np.maximum.at(output, self.out_node, needed)
        # a maker's output is its objective term; elsewhere output above that is solver slack
        node_after = np.where(self.maker, y, output)
        node_after = np.where(node_after < ZERO_T, 0.0, node_after)
        edges = self.graph.edges
        ids = self.graph.nodes["id"].to_numpy()
        rose = np.flatnonzero(f > self.f0)
        new = np.flatnonzero(g > 0)
        flows = pd.DataFrame({
            "supplier": np.concatenate([edges["supplier"].to_numpy()[rose], ids[self.new_src[new]]]),
            "customer": np.concatenate([edges["customer"].to_numpy()[rose], ids[self.new_dst[new]]]),
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
                  method="highs")
    if res.status != 0 or res.x is None:
        raise SupplyGraphError(f"rerouting LP ({stage}) failed: {res.message}")
    return res


# ---------------------------------------------------------------- licences on new links


class _NewLinkLicence:
    """Which candidate new links would be licence edges (bound 0: nothing to licence)."""

    def __init__(self, country: np.ndarray,
                 rules: list[tuple[str, str, np.ndarray, np.ndarray | None]]) -> None:  # fmt: skip
        self.country = country
        # per regime: issuer, destinations, controlled per output group, foreign sellers caught
        self.rules = rules

    def mask(self, out_groups: np.ndarray, s_node: np.ndarray, b_node: np.ndarray) -> np.ndarray:
        """Return which (seller output group, buyer node) pairs are blocked."""
        blocked = np.zeros(len(out_groups), dtype=bool)
        seller, buyer = self.country[s_node], self.country[b_node]
        for issuer, destinations, controlled, caught in self.rules:
            hit = controlled[out_groups]
            if destinations != "all":
                hit &= np.isin(buyer, schema.split_list(destinations))
            if caught is None:  # direct exports from the issuing country
                hit &= (seller == issuer) & (buyer != issuer)
            else:  # extraterritorial: foreign sellers at or above the content threshold
                hit &= (seller != issuer) & (seller != buyer) & caught[s_node]
            blocked |= hit
        return blocked

    def count(self, out_groups: np.ndarray) -> int:
        """Return how many of ``out_groups`` some regime may block (for some buyer)."""
        hit = np.zeros(len(out_groups), dtype=bool)
        for _, _, controlled, _ in self.rules:
            hit |= controlled[out_groups]
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
        elements = set(schema.split_list(regime["elements"]))
        edge_controlled = graph.edges["elements"].map(
            lambda cell, elements=elements: bool(elements & set(cell.split(";")))).to_numpy(bool)
        if regime["materials"]:
            edge_controlled &= graph.edges["material"].isin(
                schema.split_list(regime["materials"])).to_numpy()
        controlled = np.bincount(out_group, edge_controlled, minlength=n_out) > 0
        caught = None
        if not pd.isna(regime["extraterritorial_pct"]):
            # resolve() logs this reason when the scenario switches the rule off
            if "switched off" in str(entry.get("reason", "")):
                continue
            content_pct = origin_share(graph, regime["issuer"]) * 100
            caught = content_pct >= float(regime["extraterritorial_pct"])
        rules.append((regime["issuer"], regime["destinations"], controlled, caught))
    return _NewLinkLicence(graph.nodes["country"].to_numpy(), rules)
