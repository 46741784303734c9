"""Selectors: ``key=value|value,key=value`` picks edges, ``node:...`` picks nodes."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .._errors import ScenarioError

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
            close = difflib.get_close_matches(key, keys, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise ScenarioError(
                f"selector {text!r}: unknown key {key!r} for {on}; {hint}expected "
                f"one of {', '.join(keys)}"
            )
        terms.append((key, tuple(_normalised(key, value) for value in values)))
    return Selector(text, on, tuple(terms))


def _normalised(key: str, value: str) -> str:
    """Write a value the way the data does where case carries no meaning: country codes in
    capitals (``cn`` is CN), element symbols capitalised (``dy`` is Dy), stages in lower case.

    Examples
    --------
    >>> _normalised("dest", "us"), _normalised("element", "DY"), _normalised("stage", "Mine")
    ('US', 'Dy', 'mine')
    """
    if key in ("country", "dest"):
        return value.upper()
    if key == "element":
        return value[:1].upper() + value[1:].lower()
    if key in ("stage", "to_stage"):
        return value.lower()
    return value
