"""Citation kinds: whether a row's sources are on primary publishers' domains (publishers.csv)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from .._errors import Issue

# A URL runs to the next space or separator; citations are "<title> – <URL> ; <title> – <URL>".
URL_PATTERN = re.compile(r"https?://[^\s;,<>\"')\]]+")
# The kinds of a row's citation: every URL on a primary publisher's domain, one or more on
# another's, no URL at all, or a domain publishers.csv does not list (warned about).
CITATION_KINDS = ("primary", "secondary", "none", "unclassified")


def cited_domains(cell: str) -> list[str]:
    """Return the host names of the URLs a cell cites: lower case, without ``www.``.

    Parameters
    ----------
    cell
        A ``source`` (or ``note``) cell.

    Returns
    -------
    list of str
        In the order cited, repeats included.

    Examples
    --------
    >>> cited_domains("MCS 2025 – https://pubs.usgs.gov/a.pdf ; Reuters – https://www.Reuters.com/b")
    ['pubs.usgs.gov', 'reuters.com']
    >>> cited_domains("assumed: one tenth of the plant's capacity")
    []
    """
    hosts = (urlsplit(url).hostname or "" for url in URL_PATTERN.findall(cell))
    return [host.rstrip(".").removeprefix("www.") for host in hosts if host]


def domain_kind(domain: str, kinds: Mapping[str, str]) -> str | None:
    """Return the kind of a domain: that of the longest listed domain it is or lies under.

    Parameters
    ----------
    domain
        A host name, as :func:`cited_domains` gives it.
    kinds
        ``primary`` or ``secondary`` per listed domain (``publishers.csv``).

    Returns
    -------
    str or None
        None when neither the domain nor any domain above it is listed.

    Examples
    --------
    >>> kinds = {"usgs.gov": "primary", "cen.acs.org": "secondary"}
    >>> domain_kind("pubs.usgs.gov", kinds), domain_kind("acs.org", kinds)
    ('primary', None)
    """
    parts = domain.split(".")
    for start in range(len(parts) - 1):  # a bare top-level domain is never listed
        kind = kinds.get(".".join(parts[start:]))
        if kind is not None:
            return kind
    return None


def citation_kind(cell: str, kinds: Mapping[str, str]) -> str:
    """Return the kind of a row's citation (one of ``CITATION_KINDS``).

    ``primary`` when every URL the cell cites is on a primary publisher's domain,
    ``secondary`` when one is on a secondary publisher's, ``none`` without a URL, and
    ``unclassified`` when the rest are primary but a domain is not listed.

    Parameters
    ----------
    cell
        A ``source`` cell.
    kinds
        ``primary`` or ``secondary`` per listed domain (``publishers.csv``).

    Returns
    -------
    str

    Examples
    --------
    >>> kinds = {"usgs.gov": "primary", "reuters.com": "secondary"}
    >>> citation_kind("USGS – https://pubs.usgs.gov/a.pdf", kinds)
    'primary'
    >>> citation_kind("USGS – https://pubs.usgs.gov/a ; Reuters – https://reuters.com/b", kinds)
    'secondary'
    >>> citation_kind("assumed", kinds), citation_kind("x – https://example.org", kinds)
    ('none', 'unclassified')
    """
    found = {domain_kind(domain, kinds) for domain in cited_domains(cell)}
    if not found:
        return "none"
    if "secondary" in found:
        return "secondary"
    return "primary" if found == {"primary"} else "unclassified"


def unlisted_domains(tables: Mapping[str, pd.DataFrame], kinds: Mapping[str, str]) -> list[Issue]:
    """Return a warning for each domain cited in a file that ``publishers.csv`` lacks.

    One warning per domain and file, at the first row citing it in ``source`` or
    ``note``, saying on how many rows it is cited.

    Parameters
    ----------
    tables
        Tables with ``csv_line`` and ``source`` (and maybe ``note``) columns, by file name.
    kinds
        ``primary`` or ``secondary`` per listed domain (``publishers.csv``).

    Returns
    -------
    list of Issue
        Warnings, by file and line.
    """
    warnings = []
    for file, table in tables.items():
        columns = [c for c in ("source", "note") if c in table.columns]
        cited = []  # (row position, column, domain) for each unlisted domain a row cites
        for column in columns:
            which, distinct = pd.factorize(table[column], use_na_sentinel=False)
            unlisted = [
                [d for d in dict.fromkeys(cited_domains(cell)) if domain_kind(d, kinds) is None]
                for cell in distinct.tolist()
            ]  # each distinct cell judged once: a million rows share a few sources
            bad = [code for code, domains in enumerate(unlisted) if domains]
            for position in np.flatnonzero(np.isin(which, bad)).tolist():
                cited += [(position, column, d) for d in unlisted[which[position]]]
        first: dict[str, tuple[int, str]] = {}
        rows: dict[str, set[int]] = {}
        for position, column, domain in sorted(cited, key=lambda c: (c[0], columns.index(c[1]))):
            first.setdefault(domain, (position, column))
            rows.setdefault(domain, set()).add(position)
        lines = table["csv_line"].to_numpy()
        for domain, (position, column) in first.items():
            count = len(rows[domain])
            more = f"; cited on {count} rows, this is the first" if count > 1 else ""
            message = (
                f"domain {domain!r} is not in publishers.csv: add it as primary or secondary{more}"
            )
            warnings.append(Issue(file, int(lines[position]), column, message, "warning"))
    return sorted(warnings)
