"""Licence regimes: dated export controls, when they are in force, and their licence edges."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from . import schema
from ._errors import Issue

if TYPE_CHECKING:
    from .graph import SupplyGraph

# ---------------------------------------------------------------- regimes table


def check_regimes(regimes: pd.DataFrame, file: str, issues: list[Issue]) -> None:
    """Append an Issue for every invalid cell of a regimes table."""
    seen: set[str] = set()
    for row in regimes.itertuples(index=False):
        where = (file, row.line)
        if not schema.ID_PATTERN.match(row.id or "?"):
            issues.append(Issue(*where, "id", f"invalid regime id {row.id!r}"))
        if row.id in seen:
            issues.append(Issue(*where, "id", f"duplicate regime id {row.id!r}"))
        seen.add(row.id)
        if row.issuer not in schema.ISO_COUNTRIES:
            issues.append(Issue(*where, "issuer", f"invalid ISO country {row.issuer!r}"))
        for element in schema.split_list(row.elements):
            if element not in schema.ELEMENTS:
                issues.append(Issue(*where, "elements", f"unknown element {element!r}"))
        for column in ("effective", "suspended_from", "suspended_until"):
            value = getattr(row, column)
            if value and parse_date(value) is None:
                issues.append(Issue(*where, column, f"not a date (YYYY-MM-DD): {value!r}"))
        if bool(row.suspended_from) != bool(row.suspended_until):
            issues.append(Issue(*where, "suspended_until", "give both ends of a suspension"))
        if row.destinations != "all":
            for country in schema.split_list(row.destinations):
                if country not in schema.ISO_COUNTRIES:
                    issues.append(
                        Issue(
                            *where,
                            "destinations",
                            f"invalid ISO country {country!r} (or use 'all')",
                        )
                    )
        if row.hypothetical not in ("yes", "no", ""):
            issues.append(Issue(*where, "hypothetical", "expected yes or no"))


def parse_date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def regime_state(
    regime: pd.Series, as_of: dt.date | None, *, ignore_suspensions: bool = False
) -> tuple[bool, str]:
    """Return whether a regime is in force on ``as_of`` and why.

    A hypothetical regime bites whenever a scenario names it; ``as_of=None`` means
    "as announced": in force, suspensions aside.
    """
    if regime["hypothetical"] == "yes":
        return True, "hypothetical: applies whenever named"
    effective = dt.date.fromisoformat(regime["effective"])
    if as_of is not None and as_of < effective:
        return False, f"not yet in force on {as_of} (effective {effective})"
    if regime["suspended_from"] and not ignore_suspensions and as_of is not None:
        start = dt.date.fromisoformat(regime["suspended_from"])
        end = dt.date.fromisoformat(regime["suspended_until"])
        if start <= as_of <= end:
            return False, f"suspended from {start} to {end}"
    return True, f"in force on {as_of}" if as_of else "in force (as announced)"


def licence_edges(
    graph: SupplyGraph, regime: pd.Series, destinations: tuple[str, ...] | None = None
) -> np.ndarray:
    """Return a boolean mask of the edges that need a licence under a regime.

    An edge is a licence edge when its supplier is in the issuing country, its customer
    outside it (in a covered destination), and it carries a controlled element (and,
    where the regime lists materials, is one of them). Under a regime with an
    extraterritorial threshold (No. 61: 0.1%) it is instead an edge leaving a node outside
    the issuing country, towards another country, whose issuer-origin content
    (:func:`supplygraph.origin.origin_share`, in %) is at or above the threshold: the
    cascade runs to the end of the chain. The edges' ``licence`` column can exempt an
    edge (``exempt``) or add it to named regimes (``+ID;ID``).
    """
    index = graph.index
    country = graph.nodes["country"].to_numpy()
    supplier, customer = country[index.src], country[index.dst]
    issuer = regime["issuer"]
    if pd.isna(regime["extraterritorial_pct"]):
        mask = (supplier == issuer) & (customer != issuer)
    else:
        from .origin import origin_share

        content_pct = origin_share(graph, issuer)[index.src] * 100
        mask = (supplier != issuer) & (supplier != customer)
        mask &= content_pct >= float(regime["extraterritorial_pct"])
    if regime["destinations"] != "all":
        mask &= np.isin(customer, schema.split_list(regime["destinations"]))
    if destinations is not None:
        mask &= np.isin(customer, destinations)
    mask &= graph.carries(schema.split_list(regime["elements"]))
    if regime["materials"]:
        mask &= graph.edges["material"].isin(schema.split_list(regime["materials"])).to_numpy()
    licence = graph.edges["licence"].to_numpy()
    added = np.array(
        [regime["id"] in schema.split_list(cell.lstrip("+")) for cell in licence], dtype=bool
    )
    return (mask & (licence != "exempt")) | added
