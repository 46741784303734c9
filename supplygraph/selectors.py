"""Selectors: ``key=value|value,key=value`` picks edges, ``node:...`` picks nodes."""

from __future__ import annotations

from dataclasses import dataclass

from ._errors import ScenarioError

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

    Parameters
    ----------
    text
        The selector.

    Returns
    -------
    Selector

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
