"""Row checks of the dataset tables: each problem becomes a located Issue.

The checks run on whole columns (a million-edge table takes seconds); only the offending
rows are visited one by one, to word their messages.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._errors import Issue
from . import schema

Message = str | Callable[[str], str]


def report(
    issues: list[Issue],
    file: str,
    table: pd.DataFrame,
    mask: pd.Series | np.ndarray,
    column: str,
    message: Message,
    severity: str = "error",
) -> None:
    """Append one Issue per row of ``table`` where ``mask`` holds, about ``column``.

    Parameters
    ----------
    issues
        Where the problems go.
    file
        The file name for the messages.
    table
        A table as read (text cells and a ``csv_line`` column).
    mask
        One bool per row: the rows at fault.
    column
        The column at fault.
    message
        The message, or a function of the cell that words it.
    severity
        ``error`` or ``warning``.
    """
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return
    rows = table.loc[mask, ["csv_line", column]]
    for line, cell in zip(rows["csv_line"].tolist(), rows[column].tolist()):
        text = message(cell) if callable(message) else message
        issues.append(Issue(file, line, column, text, severity))


def check_numbers(
    table: pd.DataFrame, column: str, required: bool, file: str, issues: list[Issue]
) -> None:
    """Check a number column: the grammar of ``schema.NUMBER_CHARACTERS`` and its bounds."""
    cells = table[column]
    empty = (cells == "").to_numpy()
    if required:
        report(issues, file, table, empty, column, "missing value (expected a number)")
    plain = cells.str.fullmatch(schema.NUMBER_CHARACTERS).to_numpy(dtype=bool)
    report(issues, file, table, ~empty & ~plain, column, _not_a_number)
    values = cells.where(plain).astype("float64")  # the grammar is float()'s, less its extras
    report(issues, file, table, values < 0, column, lambda cell: f"negative value: {cell}")
    upper, reason = schema.NUMBER_BOUNDS[column]
    report(
        issues,
        file,
        table,
        values > upper,
        column,
        lambda cell: f"{cell} is above the largest credible value {upper:g} ({reason})",
    )
    if column in schema.POSITIVE_COLUMNS:
        report(issues, file, table, values == 0, column, "must be above 0")


def _within(cells: pd.Series, allowed: Iterable[str]) -> np.ndarray:
    """Return whether each cell is one of ``allowed``, as a bool array.

    Arrow's ``is_in``: pandas' ``isin`` on Arrow-backed text walks the values in Python.
    """
    values = allowed if isinstance(allowed, pd.Series) else list(allowed)
    found = pc.is_in(
        pa.array(cells, type=pa.string()), value_set=pa.array(values, type=pa.string())
    )
    return found.to_numpy(zero_copy_only=False)


def _not_a_number(cell: str) -> str:
    try:
        value = float(cell)
    except ValueError:
        return f"not a number: {cell!r}"
    if not math.isfinite(value):
        return f"not a finite number: {cell!r}"
    return f"not a plain number: {cell!r} (write ASCII digits, e.g. 1200, 0.5 or 1.2e3)"


def check_nodes(nodes: pd.DataFrame, file: str, issues: list[Issue]) -> None:
    """Append an Issue for every invalid cell of a nodes table (text cells, ``line``)."""
    for column in schema.NODE_REQUIRED:
        report(issues, file, nodes, nodes[column] == "", column, "missing value")
    ids = nodes["id"]
    report(
        issues,
        file,
        nodes,
        (ids != "") & ~ids.str.fullmatch(schema.ID_CHARACTERS),
        "id",
        lambda cell: f"invalid id {cell!r}: use only letters, digits and _ . : -",
    )
    _duplicates(
        issues, file, nodes, ids != "", ["id"], lambda row: f"duplicate id {row['id']!r}", "id"
    )
    _stage_and_country(nodes, file, issues)
    report(
        issues,
        file,
        nodes,
        (nodes["stage"] == "manufacturer") & (nodes["sector"] == ""),
        "sector",
        "a manufacturer needs a sector",
    )
    check_common(nodes, file, issues)


def check_common(table: pd.DataFrame, file: str, issues: list[Issue]) -> None:
    """Check the columns every table has: ``status`` from the vocabulary, ``source`` given."""
    status = table["status"]
    report(
        issues,
        file,
        table,
        (status != "") & ~_within(status, schema.STATUSES),
        "status",
        lambda cell: f"unknown status {cell!r}; expected one of {', '.join(schema.STATUSES)}",
    )
    report(issues, file, table, table["source"] == "", "source", "no source given", "warning")


def check_edges(
    edges: pd.DataFrame,
    nodes: pd.DataFrame,
    regime_ids: Iterable[str] | None,
    file: str,
    issues: list[Issue],
    *,
    lines: pd.DataFrame | None = None,
) -> None:
    """Append an Issue for every invalid cell of an edges table.

    Parameters
    ----------
    edges, nodes
        The tables as read (text cells and a ``csv_line`` column).
    regime_ids
        The regimes a ``licence`` cell may name; None when regimes.csv failed, to skip that test.
    file
        The file name for the messages.
    issues
        Where the problems go.
    lines
        The product lines table, against which ``line`` and ``from_line`` are checked.
    """
    for column in schema.EDGE_REQUIRED:
        if column != "flow_t":  # checked as a number
            report(issues, file, edges, edges[column] == "", column, "missing value")
    for column in ("supplier", "customer"):
        ends = edges[column]
        report(
            issues,
            file,
            edges,
            (ends != "") & ~_within(ends, nodes["id"]),
            column,
            lambda cell: f"unknown node {cell!r}",
        )
    report(
        issues,
        file,
        edges,
        (edges["supplier"] != "") & (edges["supplier"] == edges["customer"]),
        "customer",
        lambda cell: f"self-loop on {cell!r}",
    )
    check_elements(edges, file, issues)
    _duplicates(
        issues,
        file,
        edges,
        pd.Series(True, index=edges.index),
        ["supplier", "customer", "material", "from_line", "line"],
        lambda row: (
            f"duplicate edge {row['supplier']} -> {row['customer']} of {row['material']!r}"
            + (f" ({row['from_line']} -> {row['line']})" if row["from_line"] or row["line"] else "")
        ),
        "material",
    )
    if lines is not None:
        _check_edge_lines(edges, lines, file, issues)
    known = None if regime_ids is None else set(regime_ids)
    _by_value(issues, file, edges, "licence", lambda cell: _licence_problem(cell, known))
    check_common(edges, file, issues)


def check_elements(table: pd.DataFrame, file: str, issues: list[Issue]) -> None:
    """Check an ``elements`` cell: rare-earth symbols separated by ``;`` (empty: not given)."""

    def problem(cell: str) -> str | None:
        items = schema.split_list(cell)
        if cell and not items:
            return f"no element in {cell!r}; expected symbols such as Nd;Dy"
        unknown = [item for item in items if item not in schema.ELEMENTS]
        if unknown:
            return (
                f"unknown element symbol {unknown[0]!r}; expected rare earths such as Nd, Dy"
                if len(unknown) == 1
                else f"unknown element symbols {', '.join(map(repr, unknown))}; "
                "expected rare earths such as Nd, Dy"
            )
        return None

    _by_value(issues, file, table, "elements", problem)


def _licence_problem(cell: str, known: set[str] | None) -> str | None:
    if cell in ("", "exempt"):
        return None
    expected = "expected empty, 'exempt' or '+REGIME_ID;...'"
    if not cell.startswith("+"):
        return f"invalid licence {cell!r}; {expected}"
    named = schema.split_list(cell[1:])
    if not named:
        return f"invalid licence {cell!r}: no regime named; {expected}"
    unknown = [regime for regime in named if known is not None and regime not in known]
    if unknown:
        return (
            f"licence {cell!r} names {', '.join(map(repr, unknown))}, not a regime of "
            f"regimes.csv ({', '.join(sorted(known or ()))})"
        )
    return None


def _by_value(
    issues: list[Issue],
    file: str,
    table: pd.DataFrame,
    column: str,
    problem: Callable[[str], str | None],
) -> None:
    """Judge each distinct value of a column once (few distinct values in many rows)."""
    column_values = table[column]
    verdicts = {cell: problem(cell) for cell in column_values.unique().tolist()}
    bad = {cell: text for cell, text in verdicts.items() if text is not None}
    if bad:
        report(issues, file, table, _within(column_values, bad), column, bad.__getitem__)


def _duplicates(
    issues: list[Issue],
    file: str,
    table: pd.DataFrame,
    considered: pd.Series,
    keys: list[str],
    describe: Callable[[pd.Series], str],
    column: str,
) -> None:
    """Report every considered row whose ``keys`` repeat an earlier row's, naming that line."""
    repeated = table.duplicated(keys, keep="first") & considered
    if not repeated.any():
        return
    first_line = table.groupby(keys, sort=False)["csv_line"].transform("min")
    for (_, row), first in zip(table[repeated].iterrows(), first_line[repeated]):
        where = (file, int(row["csv_line"]), column)
        issues.append(Issue(*where, f"{describe(row)} (first on line {first})"))


def check_regimes(regimes: pd.DataFrame, file: str, issues: list[Issue]) -> None:
    """Append an Issue for every invalid cell of a regimes table.

    Parameters
    ----------
    regimes
        The regimes table as read (text cells and a ``csv_line`` column).
    file
        The file name for the messages.
    issues
        Where the problems go.
    """
    for column in schema.REGIME_REQUIRED:
        report(issues, file, regimes, regimes[column] == "", column, "missing value")
    ids = regimes["id"]
    report(
        issues,
        file,
        regimes,
        (ids != "") & ~ids.str.fullmatch(schema.ID_CHARACTERS),
        "id",
        lambda cell: f"invalid regime id {cell!r}",
    )
    _duplicates(
        issues,
        file,
        regimes,
        ids != "",
        ["id"],
        lambda row: f"duplicate regime id {row['id']!r}",
        "id",
    )
    issuer = regimes["issuer"]
    report(
        issues,
        file,
        regimes,
        (issuer != "") & ~_within(issuer, schema.ISO_COUNTRIES),
        "issuer",
        lambda cell: f"invalid ISO country {cell!r}",
    )
    check_elements(regimes, file, issues)
    for column in ("effective", "suspended_from", "suspended_until", "ends"):
        report(
            issues,
            file,
            regimes,
            regimes[column].map(lambda cell: bool(cell) and schema.parse_date(cell) is None),
            column,
            lambda cell: f"not a date (YYYY-MM-DD): {cell!r}",
        )
    for row in regimes.itertuples(index=False):
        start, end = schema.parse_date(row.suspended_from), schema.parse_date(row.suspended_until)
        if bool(row.suspended_from) != bool(row.suspended_until):
            issues.append(
                Issue(file, row.csv_line, "suspended_until", "give both ends of a suspension")
            )
        elif start and end and end < start:
            issues.append(
                Issue(
                    file,
                    row.csv_line,
                    "suspended_until",
                    f"suspension ends ({end}) before it starts ({start})",
                )
            )
        effective, ends = schema.parse_date(row.effective), schema.parse_date(row.ends)
        if effective and ends and ends < effective:
            issues.append(
                Issue(file, row.csv_line, "ends", f"ends ({ends}) before effective ({effective})")
            )
    _by_value(issues, file, regimes, "destinations", _destinations_problem)
    report(
        issues,
        file,
        regimes,
        ~_within(regimes["hypothetical"], ("yes", "no", "")),
        "hypothetical",
        "expected yes or no",
    )
    check_common(regimes, file, issues)


def _destinations_problem(cell: str) -> str | None:
    if cell in ("", "all"):  # empty: reported as missing
        return None
    countries = schema.split_list(cell)
    wrong = [country for country in countries if country not in schema.ISO_COUNTRIES]
    if not countries or wrong:
        return f"invalid ISO country {(wrong or [cell])[0]!r} (or use 'all')"
    return None


def _check_edge_lines(
    edges: pd.DataFrame, lines: pd.DataFrame, file: str, issues: list[Issue]
) -> None:
    """An edge's ``line`` names lines of its customer; its ``from_line`` one of its supplier."""
    lines_of: dict[str, set[str]] = {}
    for node, line in zip(lines["node"], lines["line"]):
        lines_of.setdefault(node, set()).add(line)
    named = edges[(edges["line"] != "") | (edges["from_line"] != "")]
    for row in named.itertuples(index=False):
        _check_edge_row_lines(row, lines_of, file, issues)


def _check_edge_row_lines(
    row: Any, lines_of: dict[str, set[str]], file: str, issues: list[Issue]
) -> None:
    for column, node, names in (
        ("line", row.customer, schema.split_list(row.line)),
        ("from_line", row.supplier, [row.from_line] if row.from_line else []),
    ):
        declared = lines_of.get(node, set())
        for name in names:
            if name not in declared:
                known = ", ".join(sorted(declared)) or "none declared in lines.csv"
                issues.append(
                    Issue(file, row.csv_line, column, f"{node} has no line {name!r} ({known})")
                )
    if ";" in row.from_line:
        issues.append(Issue(file, row.csv_line, "from_line", "give one supplier line"))


def check_lines(lines: pd.DataFrame, nodes: pd.DataFrame, file: str, issues: list[Issue]) -> None:
    """Append an Issue for every invalid cell of a product lines table.

    A line belongs to a node; (node, line) is unique; a maker's line has a sector (its
    own or the node's); ``unit`` and ``baseline_units`` come together; one unit per sector.

    Parameters
    ----------
    lines, nodes
        The tables as read (text cells and a ``csv_line`` column).
    file
        The lines file name, for the messages.
    issues
        Where the problems go.
    """
    if lines.empty:
        return
    stage = dict(zip(nodes["id"], nodes["stage"]))
    node_sector = dict(zip(nodes["id"], nodes["sector"]))
    seen: dict[tuple[str, str], int] = {}
    unit_of: dict[str, tuple[str, int]] = {}
    for row in lines.itertuples(index=False):
        where = (file, row.csv_line)
        for column in schema.LINE_REQUIRED:
            if getattr(row, column) == "":
                issues.append(Issue(*where, column, "missing value"))
        if row.node and row.node not in stage:
            issues.append(Issue(*where, "node", f"unknown node {row.node!r}"))
        if row.line and not schema.ID_PATTERN.fullmatch(row.line):
            issues.append(
                Issue(*where, "line", f"invalid line {row.line!r}: use letters, digits and _ . : -")
            )
        key = (row.node, row.line)
        if key in seen:
            issues.append(
                Issue(
                    *where,
                    "line",
                    f"duplicate line {row.line!r} of {row.node} (first on line {seen[key]})",
                )
            )
        seen.setdefault(key, row.csv_line)
        if bool(row.unit) != bool(row.baseline_units):
            issues.append(
                Issue(
                    *where,
                    "unit" if not row.unit else "baseline_units",
                    "give both a unit and baseline_units, or neither",
                )
            )
        sector = row.sector or node_sector.get(row.node, "")
        if stage.get(row.node) == "manufacturer" and not sector:
            issues.append(Issue(*where, "sector", "a maker's line needs a sector"))
        if sector and row.unit:
            first = unit_of.setdefault(sector, (row.unit, row.csv_line))
            if first[0] != row.unit:
                issues.append(
                    Issue(
                        *where,
                        "unit",
                        f"sector {sector!r} is counted in {first[0]!r} "
                        f"(line {first[1]}); one unit per sector",
                    )
                )
    check_common(lines, file, issues)


def check_dated(table: pd.DataFrame, name: str, file: str, issues: list[Issue]) -> None:
    """Append an Issue for every invalid cell of ``approvals.csv``, ``transit.csv`` or
    ``capacity.csv``.

    Parameters
    ----------
    table
        The table as read (text cells and a ``csv_line`` column).
    name
        ``approvals.csv``, ``transit.csv`` or ``capacity.csv``.
    file
        The file name, for the messages.
    issues
        Where the problems go.
    """
    for row in table.itertuples(index=False):
        where = (file, row.csv_line)
        if name == "capacity.csv":
            if row._2 and schema.parse_date(row._2) is None:  # "from" is a keyword
                issues.append(Issue(*where, "from", f"not a date (YYYY-MM-DD): {row._2!r}"))
            continue
        if name == "approvals.csv":
            if row._3 and schema.parse_date(row._3) is None:  # "from" is a keyword
                issues.append(Issue(*where, "from", f"not a date (YYYY-MM-DD): {row._3!r}"))
            if row.share and not _is_number(row.share, 0, 1):
                issues.append(
                    Issue(*where, "share", f"expected a share from 0 to 1: {row.share!r}")
                )
            countries = schema.split_list(row.destination)
        else:
            if row.days and not _is_number(row.days, 1, 3650):
                issues.append(Issue(*where, "days", f"expected days from 1 to 3650: {row.days!r}"))
            countries = [
                c
                for c in schema.split_list(row.origin) + schema.split_list(row.destination)
                if c not in ("*", "same")
            ]
        for country in countries:
            if country not in schema.ISO_COUNTRIES:
                issues.append(Issue(*where, "destination", f"invalid ISO country {country!r}"))
    check_common(table, file, issues)


def _is_number(text: str, low: float, high: float) -> bool:
    try:
        value = float(text)
    except ValueError:
        return False
    return low <= value <= high


def check_publishers(publishers: pd.DataFrame, file: str, issues: list[Issue]) -> None:
    """Append an Issue for every invalid cell of ``publishers.csv`` (domain, kind, publisher)."""
    for column in schema.PUBLISHER_REQUIRED:
        report(issues, file, publishers, publishers[column] == "", column, "missing value")
    domains = publishers["domain"]
    report(
        issues,
        file,
        publishers,
        (domains != "") & ~domains.str.fullmatch(schema.DOMAIN_CHARACTERS),
        "domain",
        lambda cell: f"invalid domain {cell!r}: write a host name in lower case, e.g. usgs.gov",
    )
    report(
        issues,
        file,
        publishers,
        domains.str.startswith("www."),
        "domain",
        lambda cell: f"write {cell!r} without 'www.': a domain covers its subdomains",
    )
    kinds = publishers["kind"]
    report(
        issues,
        file,
        publishers,
        (kinds != "") & ~_within(kinds, schema.PUBLISHER_KINDS),
        "kind",
        lambda cell: f"unknown kind {cell!r}; expected one of {', '.join(schema.PUBLISHER_KINDS)}",
    )
    _duplicates(
        issues,
        file,
        publishers,
        domains != "",
        ["domain"],
        lambda row: f"duplicate domain {row['domain']!r}",
        "domain",
    )


def _stage_and_country(table: pd.DataFrame, file: str, issues: list[Issue]) -> None:
    """Append an Issue for every unknown ``stage`` and invalid ``country`` cell (empty is
    left to the required-column checks)."""
    stage, country = table["stage"], table["country"]
    report(
        issues,
        file,
        table,
        (stage != "") & ~_within(stage, schema.STAGES),
        "stage",
        lambda cell: f"unknown stage {cell!r}; expected one of {', '.join(schema.STAGES)}",
    )
    report(
        issues,
        file,
        table,
        (country != "") & ~_within(country, schema.ISO_COUNTRIES),
        "country",
        lambda cell: f"invalid ISO 3166-1 alpha-2 code {cell!r}",
    )


def check_published(published: pd.DataFrame, file: str, issues: list[Issue]) -> None:
    """Append an Issue for every invalid cell of ``published.csv`` (published shares)."""
    for column in schema.PUBLISHED_REQUIRED:
        if column != "share_pct":  # checked as a number
            report(issues, file, published, published[column] == "", column, "missing value")
    _stage_and_country(published, file, issues)
    _duplicates(
        issues,
        file,
        published,
        pd.Series(True, index=published.index),
        ["stage", "material", "country"],
        lambda row: (
            f"duplicate share of {row['country']} in {row['stage']}"
            + (f" ({row['material']})" if row["material"] else "")
        ),
        "country",
    )
    # a missing source is an error above: check_common would warn about it again
    check_common(published[published["source"] != ""], file, issues)
