"""Row checks of the dataset tables: each problem becomes a located Issue."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from . import schema
from ._errors import Issue


def check_numbers(
    table: pd.DataFrame, column: str, required: bool, file: str, issues: list[Issue]
) -> None:
    for line, cell in zip(table["csv_line"], table[column]):
        if cell == "":
            if required:
                issues.append(Issue(file, line, column, "missing value (expected a number)"))
            continue
        try:
            value = float(cell)
        except ValueError:
            issues.append(Issue(file, line, column, f"not a number: {cell!r}"))
            continue
        if math.isnan(value) or math.isinf(value):
            issues.append(Issue(file, line, column, f"not a finite number: {cell!r}"))
        elif value < 0:
            issues.append(Issue(file, line, column, f"negative value: {cell}"))


def check_nodes(nodes: pd.DataFrame, file: str, issues: list[Issue]) -> None:
    seen: dict[str, int] = {}
    for row in nodes.itertuples(index=False):
        where = (file, row.csv_line)
        for column in schema.NODE_REQUIRED:
            if getattr(row, column) == "":
                issues.append(Issue(*where, column, "missing value"))
        if row.id:
            if not schema.ID_PATTERN.match(row.id):
                issues.append(
                    Issue(
                        *where, "id", f"invalid id {row.id!r}: use only letters, digits and _ . : -"
                    )
                )
            if row.id in seen:
                issues.append(
                    Issue(*where, "id", f"duplicate id {row.id!r} (first on line {seen[row.id]})")
                )
            else:
                seen[row.id] = row.csv_line
        if row.stage and row.stage not in schema.STAGES:
            issues.append(
                Issue(
                    *where,
                    "stage",
                    f"unknown stage {row.stage!r}; expected one of {', '.join(schema.STAGES)}",
                )
            )
        if row.country and row.country not in schema.ISO_COUNTRIES:
            issues.append(
                Issue(*where, "country", f"invalid ISO 3166-1 alpha-2 code {row.country!r}")
            )
        if row.stage == "manufacturer" and not row.sector:
            issues.append(Issue(*where, "sector", "a manufacturer needs a sector"))
        check_common(row, file, issues)


def check_common(row: object, file: str, issues: list[Issue]) -> None:
    line = row.csv_line
    status = row.status
    if status and status not in schema.STATUSES:
        issues.append(
            Issue(
                file,
                line,
                "status",
                f"unknown status {status!r}; expected one of {', '.join(schema.STATUSES)}",
            )
        )
    if not row.source:
        issues.append(Issue(file, line, "source", "no source given", "warning"))


def check_edges(
    edges: pd.DataFrame,
    nodes: pd.DataFrame,
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
    file
        The edges file name, for the messages.
    issues
        Where the problems go.
    lines
        The product lines table, against which ``line`` and ``from_line`` are checked.
    """
    node_ids = set(nodes["id"])
    seen: dict[tuple[str, ...], int] = {}
    lines_of: dict[str, set[str]] = {}
    if lines is not None:
        for node, line in zip(lines["node"], lines["line"]):
            lines_of.setdefault(node, set()).add(line)
    for row in edges.itertuples(index=False):
        where = (file, row.csv_line)
        for column in schema.EDGE_REQUIRED:
            if getattr(row, column) == "" and column != "flow_t":
                issues.append(Issue(*where, column, "missing value"))
        for column in ("supplier", "customer"):
            node = getattr(row, column)
            if node and node not in node_ids:
                issues.append(Issue(*where, column, f"unknown node {node!r}"))
        if row.supplier and row.supplier == row.customer:
            issues.append(Issue(*where, "customer", f"self-loop on {row.supplier!r}"))
        for element in schema.split_list(row.elements):
            if element not in schema.ELEMENTS:
                issues.append(
                    Issue(
                        *where,
                        "elements",
                        f"unknown element symbol {element!r}; expected rare earths such as Nd, Dy",
                    )
                )
        key = (row.supplier, row.customer, row.material, row.from_line, row.line)
        if key in seen:
            lines_named = f" ({row.from_line} -> {row.line})" if row.from_line or row.line else ""
            issues.append(
                Issue(
                    *where,
                    "material",
                    f"duplicate edge {row.supplier} -> "
                    f"{row.customer} of {row.material!r}{lines_named} (first on line "
                    f"{seen[key]})",
                )
            )
        else:
            seen[key] = row.csv_line
        if row.licence and row.licence != "exempt" and not row.licence.startswith("+"):
            issues.append(
                Issue(
                    *where,
                    "licence",
                    f"invalid licence {row.licence!r}; "
                    "expected empty, 'exempt' or '+REGIME_ID;...'",
                )
            )
        if lines is not None:
            _check_edge_lines(row, lines_of, file, issues)
        check_common(row, file, issues)


def check_regimes(regimes: pd.DataFrame, file: str, issues: list[Issue]) -> None:
    """Append an Issue for every invalid cell of a regimes table.

    Parameters
    ----------
    regimes
        The regimes table as read (text cells and a ``line`` column).
    file
        The file name for the messages.
    issues
        Where the problems go.
    """
    seen: set[str] = set()
    for row in regimes.itertuples(index=False):
        where = (file, row.csv_line)
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
            if value and schema.parse_date(value) is None:
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


def _check_edge_lines(
    row: Any, lines_of: dict[str, set[str]], file: str, issues: list[Issue]
) -> None:
    """An edge's ``line`` names lines of its customer; its ``from_line`` one of its supplier."""
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
        if row.line and not schema.ID_PATTERN.match(row.line):
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
        check_common(row, file, issues)


def check_dated(table: pd.DataFrame, name: str, file: str, issues: list[Issue]) -> None:
    """Append an Issue for every invalid cell of ``approvals.csv`` or ``transit.csv``.

    Parameters
    ----------
    table
        The table as read (text cells and a ``csv_line`` column).
    name
        ``approvals.csv`` or ``transit.csv``.
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
            check_common(row, file, issues)
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
        check_common(row, file, issues)


def _is_number(text: str, low: float, high: float) -> bool:
    try:
        value = float(text)
    except ValueError:
        return False
    return low <= value <= high
