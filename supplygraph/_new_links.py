"""New links in rerouting: which ones the licence regimes control; market trades as links."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import schema

if TYPE_CHECKING:
    from .graph import SupplyGraph
    from .scenario import Disruption


class NewLinkLicence:
    """Which candidate new links would be licence edges (bound 0: nothing to licence)."""

    def __init__(
        self,
        country: np.ndarray,
        rules: list[tuple[str, list[str] | None, np.ndarray, np.ndarray | None]],
    ) -> None:
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

    def profile(self, out_groups: np.ndarray, s_node: np.ndarray) -> np.ndarray:
        """Return per seller a row of integers, equal for sellers the regimes treat alike.

        A regime treats a seller by whether it controls the seller's new links at all
        and, for an extraterritorial regime (whose test compares buyer and seller
        countries), by the seller's country.
        """
        seller = self.country[s_node]
        _, code = np.unique(seller, return_inverse=True)
        columns = [np.zeros(len(out_groups), np.int64)]  # a column even with no regime
        for issuer, _, controlled, caught in self.rules:
            if caught is None:
                columns.append(controlled[out_groups] & (seller == issuer))
            else:
                subject = controlled[out_groups] & (seller != issuer) & caught[s_node]
                columns.append(np.where(subject, code.ravel(), -1))
        return np.column_stack(columns).astype(np.int64)


def new_link_licence(
    graph: SupplyGraph, disruption: Disruption, out_group: np.ndarray, n_out: int
) -> NewLinkLicence:
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
            edge_controlled &= (
                graph.edges["material"].isin(schema.split_list(regime["materials"])).to_numpy()
            )
        controlled = np.bincount(out_group, edge_controlled, minlength=n_out) > 0
        caught = None
        if entry["extraterritorial"]:
            content_pct = origin_share(graph, regime["issuer"]) * 100
            caught = content_pct >= float(regime["extraterritorial_pct"])
        destinations = None  # all
        if regime["destinations"] != "all":
            destinations = schema.split_list(regime["destinations"])
        if entry["destinations"]:
            destinations = [
                d for d in entry["destinations"] if destinations is None or d in destinations
            ]
        rules.append((regime["issuer"], destinations, controlled, caught))
    return NewLinkLicence(graph.nodes["country"].to_numpy(), rules)


def pair(
    sell_market: np.ndarray,
    buy_market: np.ndarray,
    sold: np.ndarray,
    bought: np.ndarray,
    s_country: np.ndarray,
    b_country: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split each market's trade into links: (sale, purchase, tonnes), one row per pair.

    The LP fixes what each seller sells and each buyer buys; any pairing of the two is as
    good. This one serves buyers from sellers in their own country first, then in node
    order, which gives at most sellers + buyers - 1 links per market.
    """
    pieces = []
    for k in np.unique(sell_market):
        s = np.flatnonzero((sell_market == k) & (sold > 0))
        b = np.flatnonzero((buy_market == k) & (bought > 0))
        if not len(s) or not len(b):
            continue
        supply, demand = sold[s].copy(), bought[b].copy()
        for c in np.intersect1d(s_country[s], b_country[b]):
            pieces.append(fill(s, b, supply, demand, s_country[s] == c, b_country[b] == c))
        pieces.append(fill(s, b, supply, demand, np.ones(len(s), bool), np.ones(len(b), bool)))
    if not pieces:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    s_arc, b_arc, amount = (np.concatenate(part) for part in zip(*pieces))
    pairs, which = np.unique(np.column_stack([s_arc, b_arc]), axis=0, return_inverse=True)
    return pairs[:, 0], pairs[:, 1], np.bincount(which.ravel(), amount, len(pairs))


def fill(
    s: np.ndarray,
    b: np.ndarray,
    supply: np.ndarray,
    demand: np.ndarray,
    s_mask: np.ndarray,
    b_mask: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fill the masked demand from the masked supply in order (north-west corner).

    ``s`` and ``b`` are a market's sellers and buyers, ``supply`` and ``demand`` what
    each has left (used up in place). Return the (seller, buyer, tonnes) pieces.

    Examples
    --------
    >>> supply, demand = np.array([3.0, 5.0]), np.array([4.0, 4.0])
    >>> everyone = np.ones(2, dtype=bool)
    >>> [x.tolist() for x in fill(np.array([10, 11]), np.array([20, 21]), supply, demand,
    ...                           everyone, everyone)]
    [[10, 11, 11], [20, 20, 21], [3.0, 1.0, 4.0]]
    >>> supply.tolist(), demand.tolist()
    ([0.0, 0.0], [0.0, 0.0])
    """
    sellers, buyers = s[s_mask], b[b_mask]
    left_s, left_d = supply[s_mask], demand[b_mask]
    total = min(left_s.sum(), left_d.sum())
    cum_s, cum_d = np.cumsum(left_s), np.cumsum(left_d)
    cuts = np.unique(np.concatenate([[0.0], cum_s[cum_s < total], cum_d[cum_d < total], [total]]))
    mid = (cuts[:-1] + cuts[1:]) / 2
    i = np.minimum(np.searchsorted(cum_s, mid, side="right"), len(sellers) - 1)
    j = np.minimum(np.searchsorted(cum_d, mid, side="right"), len(buyers) - 1)
    amount = np.diff(cuts)
    np.subtract.at(left_s, i, amount)
    np.subtract.at(left_d, j, amount)
    supply[s_mask], demand[b_mask] = np.maximum(left_s, 0.0), np.maximum(left_d, 0.0)
    return sellers[i], buyers[j], amount
