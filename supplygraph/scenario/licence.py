"""The licence rule: which regimes are in force on a date, and which shipments need a licence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..dataset import schema

if TYPE_CHECKING:
    from ..dataset.graph import SupplyGraph


@dataclass(frozen=True)
class Regime:
    """A dated export control, one row of ``regimes.csv`` with typed fields.

    ``destinations`` is None for "all"; ``extraterritorial_pct`` is None for a regime on
    direct exports and the content threshold in percent for a rule like No. 61; ``ends`` is
    the last day in force of a measure that ended (None: open-ended).
    """

    id: str
    title: str
    issuer: str
    elements: frozenset[str]
    materials: frozenset[str]
    effective: dt.date
    suspended_from: dt.date | None
    suspended_until: dt.date | None
    destinations: tuple[str, ...] | None
    extraterritorial_pct: float | None
    hypothetical: bool
    ends: dt.date | None = None

    @property
    def extraterritorial(self) -> bool:
        """Whether the regime reaches foreign-made goods by their issuer-origin content."""
        return self.extraterritorial_pct is not None


def regimes_by_id(table: pd.DataFrame) -> dict[str, Regime]:
    """Return the typed regimes of a validated regimes table, keyed by id, in table order.

    Parameters
    ----------
    table
        A regimes table as loaded by :func:`supplygraph.dataset.io.load_dataset` (dates checked).

    Returns
    -------
    dict of str to Regime
    """

    def date(text: str) -> dt.date | None:
        return dt.date.fromisoformat(text) if text else None

    regimes = {}
    for row in table.to_dict("records"):
        pct = row["extraterritorial_pct"]
        destinations = str(row["destinations"])
        regimes[row["id"]] = Regime(
            id=row["id"],
            title=row["title"],
            issuer=row["issuer"],
            elements=frozenset(schema.split_list(row["elements"])),
            materials=frozenset(schema.split_list(row["materials"])),
            effective=dt.date.fromisoformat(row["effective"]),
            suspended_from=date(row["suspended_from"]),
            suspended_until=date(row["suspended_until"]),
            destinations=None if destinations == "all" else tuple(schema.split_list(destinations)),
            extraterritorial_pct=None if pd.isna(pct) else float(pct),
            hypothetical=row["hypothetical"] == "yes",
            ends=date(row["ends"]),
        )
    return regimes


def regime_state(
    regime: Regime, as_of: dt.date | None, *, ignore_suspensions: bool = False
) -> tuple[bool, str]:
    """Return whether a regime is in force on ``as_of``, and why.

    A hypothetical regime bites whenever a scenario names it; ``as_of=None`` means
    "as announced": in force, suspensions aside (a suspension is a later measure that
    leaves the regime standing), unless the regime has ended (its own row says it stopped).

    Parameters
    ----------
    regime
        The regime.
    as_of
        The date, or None for the measures as announced.
    ignore_suspensions
        Treat a suspended regime as in force.

    Returns
    -------
    tuple of (bool, str)
        In force or not, and the reason in words.

    Examples
    --------
    >>> import datetime as dt
    >>> no18 = Regime("CN-2025-18", "No. 18", "CN", frozenset({"Dy"}), frozenset(),
    ...               dt.date(2025, 4, 4), None, None, None, None, False)
    >>> regime_state(no18, dt.date(2025, 3, 1))
    (False, 'not yet in force on 2025-03-01 (effective 2025-04-04)')
    """
    if regime.hypothetical:
        return True, "hypothetical: applies whenever named"
    if as_of is not None and as_of < regime.effective:
        return False, f"not yet in force on {as_of} (effective {regime.effective})"
    if regime.ends is not None and (as_of is None or as_of > regime.ends):
        when = "" if as_of is None else f" on {as_of}"
        return False, f"no longer in force{when} (ended {regime.ends})"
    start, end = regime.suspended_from, regime.suspended_until
    if start and end and not ignore_suspensions and as_of is not None and start <= as_of <= end:
        return False, f"suspended from {start} to {end}"
    return True, f"in force on {as_of}" if as_of else "in force as announced"


def controlled_edges(graph: SupplyGraph, regime: Regime) -> np.ndarray:
    """Return the mask of edges whose cargo a regime controls: a controlled element, and
    (where the regime lists materials) one of its materials.

    Parameters
    ----------
    graph
        The supply graph.
    regime
        The regime.

    Returns
    -------
    numpy.ndarray
        One bool per edge.
    """
    mask = graph.carries(regime.elements)
    if regime.materials:
        mask &= graph.edges["material"].isin(regime.materials).to_numpy()
    return mask


def needs_licence(
    regime: Regime,
    seller_country: np.ndarray,
    buyer_country: np.ndarray,
    controlled: np.ndarray,
    seller_content_pct: np.ndarray | None,
    *,
    destinations: tuple[str, ...] | None = None,
) -> np.ndarray:
    """Return which shipments need a licence under a regime: the licence rule, in one place.

    A shipment of a controlled cargo needs a licence when it leaves the issuing country
    for a covered destination; under a regime with an extraterritorial threshold (No. 61:
    0.1%) it is instead one from a seller outside the issuing country to another country,
    whose issuer-origin content is at or above the threshold. Scenario resolution asks
    this of existing edges, rerouting of candidate new links.

    Parameters
    ----------
    regime
        The regime (in force: the caller checks the date with :func:`regime_state`).
    seller_country, buyer_country
        ISO codes per shipment.
    controlled
        Per shipment, whether its cargo is controlled (:func:`controlled_edges`).
    seller_content_pct
        Per shipment, the seller's issuer-origin content in percent; needed only for an
        extraterritorial regime.
    destinations
        Restrict further to these buyer countries (a scenario's policy).

    Returns
    -------
    numpy.ndarray
        One bool per shipment.

    Examples
    --------
    >>> import datetime as dt
    >>> import numpy as np
    >>> no61 = Regime("CN-2025-61", "No. 61", "CN", frozenset({"Dy"}), frozenset(),
    ...               dt.date(2025, 12, 1), None, None, None, 0.1, False)
    >>> needs_licence(no61, np.array(["JP", "JP", "CN"]), np.array(["DE", "DE", "DE"]),
    ...               np.array([True, True, True]), np.array([0.2, 0.05, 100.0])).tolist()
    [True, False, False]
    """
    issuer = regime.issuer
    if regime.extraterritorial_pct is None:
        mask = (seller_country == issuer) & (buyer_country != issuer)
    else:
        assert seller_content_pct is not None, "an extraterritorial regime needs content"
        mask = (seller_country != issuer) & (seller_country != buyer_country)
        mask &= seller_content_pct >= regime.extraterritorial_pct
    if regime.destinations is not None:
        mask &= np.isin(buyer_country, regime.destinations)
    if destinations is not None:
        mask &= np.isin(buyer_country, destinations)
    return mask & controlled


def licence_edges(
    graph: SupplyGraph,
    regime: Regime,
    seller_content_pct: np.ndarray | None = None,
    destinations: tuple[str, ...] | None = None,
) -> np.ndarray:
    """Return the mask of the graph's edges that need a licence under a regime.

    :func:`needs_licence` on every edge; then the edges' ``licence`` column can exempt an
    edge (``exempt``) or add it to named regimes (``+ID;ID``).

    Parameters
    ----------
    graph
        The supply graph.
    regime
        The regime.
    seller_content_pct
        Per edge, the issuer-origin content in percent of what its supplier ships on it
        (:func:`supplygraph.dataset.origin.origin_share` x 100 of the supplier, or of its product
        line); needed for an extraterritorial regime.
    destinations
        Restrict to these customer countries (a scenario's policy).

    Returns
    -------
    numpy.ndarray
        One bool per edge.
    """
    index = graph.index
    country = graph.nodes["country"].to_numpy()
    mask = needs_licence(
        regime,
        country[index.src],
        country[index.dst],
        controlled_edges(graph, regime),
        seller_content_pct,
        destinations=destinations,
    )
    licence = graph.edges["licence"].to_numpy()
    which, cells = pd.factorize(licence)  # parsed once per distinct cell
    added = np.array([regime.id in schema.split_list(c.lstrip("+")) for c in cells], bool)[which]
    return (mask & (licence != "exempt")) | added
