"""Selectors: ``key=value|value,key=value`` picks edges, ``node:...`` picks nodes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ._errors import ScenarioError

if TYPE_CHECKING:
    from .graph import SupplyGraph

EDGE_KEYS = {
    "from": "supplier id",
    "to": "customer id",
    "country": "supplier country",
    "dest": "customer country",
    "stage": "supplier stage",
    "to_stage": "customer stage",
    "element": "element carried",
    "material": "material",
    "company": "supplier company",
    "sector": "customer sector",
}
NODE_KEYS = {
    "id": "node id",
    "country": "country",
    "stage": "stage",
    "company": "company",
    "sector": "sector",
}


@dataclass(frozen=True)
class Selector:
    """A parsed selector: ``key=value|value,key=value`` on edges, or ``node:...`` on nodes."""

    text: str
    on: str  # "edges" or "nodes"
    terms: tuple[tuple[str, tuple[str, ...]], ...]


def parse_selector(text: str) -> Selector:
    """Parse a selector string.

    Examples
    --------
    >>> parse_selector("country=CN,element=Dy|Tb").terms
    (('country', ('CN',)), ('element', ('Dy', 'Tb')))
    >>> parse_selector("node:country=MM,stage=mine").on
    'nodes'
    """
    body, on = text.strip(), "edges"
    if body.startswith("node:"):
        body, on = body[len("node:") :], "nodes"
    keys = NODE_KEYS if on == "nodes" else EDGE_KEYS
    terms = []
    for term in body.split(","):
        key, sep, value = term.partition("=")
        key = key.strip()
        values = tuple(v.strip() for v in value.split("|") if v.strip())
        if not sep or not key or not values:
            raise ScenarioError(f"selector {text!r}: term {term!r} is not key=value")
        if key not in keys:
            raise ScenarioError(
                f"selector {text!r}: unknown key {key!r} for {on}; expected "
                f"one of {', '.join(keys)}"
            )
        terms.append((key, values))
    return Selector(text, on, tuple(terms))


def select(graph: SupplyGraph, selector: Selector) -> np.ndarray:
    """Return the boolean mask of the edges (or nodes) a selector matches.

    Raises
    ------
    ScenarioError
        When a value matches nothing in the data (a typo, most likely).
    """
    nodes, edges, index = graph.nodes, graph.edges, graph.index
    if selector.on == "nodes":
        columns = {k: nodes[k if k != "id" else "id"].to_numpy() for k in NODE_KEYS}
        size = graph.n_nodes
    else:
        columns = {
            "from": edges["supplier"].to_numpy(),
            "to": edges["customer"].to_numpy(),
            "country": nodes["country"].to_numpy()[index.src],
            "dest": nodes["country"].to_numpy()[index.dst],
            "stage": nodes["stage"].to_numpy()[index.src],
            "to_stage": nodes["stage"].to_numpy()[index.dst],
            "material": edges["material"].to_numpy(),
            "company": nodes["company"].to_numpy()[index.src],
            "sector": nodes["sector"].to_numpy()[index.dst],
        }
        size = graph.n_edges
    mask = np.ones(size, dtype=bool)
    for key, values in selector.terms:
        if key == "element":
            term = graph.carries(values)
            known = set().union(*graph.edge_elements)
        else:
            term = np.isin(columns[key], values)
            known = set(columns[key])
        missing = [v for v in values if v not in known]
        if missing:
            raise ScenarioError(
                f"selector {selector.text!r}: {key}={'|'.join(missing)} "
                f"matches no {selector.on[:-1]} in the data"
            )
        mask &= term
    return mask
