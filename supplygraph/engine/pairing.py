"""Pairing: the rerouting LP's market trades turned into seller-to-buyer links."""

from __future__ import annotations

import numpy as np


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

    Parameters
    ----------
    sell_market, buy_market
        Each sale's and each purchase's market.
    sold, bought
        Tonnes per sale and per purchase.
    s_country, b_country
        The seller's and the buyer's country.

    Returns
    -------
    tuple of numpy.ndarray
        Sale positions, purchase positions and tonnes, one row per link.
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

    Parameters
    ----------
    s, b
        A market's sellers and buyers.
    supply, demand
        What each has left; used up in place.
    s_mask, b_mask
        The sellers and buyers taking part.

    Returns
    -------
    tuple of numpy.ndarray
        Sellers, buyers and tonnes, one row per piece.

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
