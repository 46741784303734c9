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
    if column in schema.NUMBER_SMALLEST:
        lower, why = schema.NUMBER_SMALLEST[column]
        report(
            issues,
            file,
            table,
            (values > 0) & (values < lower),
            column,
            lambda cell: f"{cell} is below the smallest credible value {lower:g} above 0 ({why})",
        )


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
    check_ranges(nodes, schema.RANGED["nodes"], file, issues)
    check_common(nodes, file, issues)


def check_ranges(table: pd.DataFrame, names: Iterable[str], file: str, issues: list[Issue]) -> None:
    """Check the optional ranges of figures: ``<name>_low`` and ``<name>_high`` both given or
    both empty, and ``low <= figure <= high`` (the cells' grammar and signs are checked as
    numbers); a ``range_group`` only on a row with a range.

    Parameters
    ----------
    table
        A table as read (text cells and a ``csv_line`` column).
    names
        The figures that may carry a range (``schema.RANGED``).
    file
        The file name for the messages.
    issues
        Where the problems go.
    """
    ranged = np.zeros(len(table), dtype=bool)
    for name in names:
        low_cells, high_cells = table[f"{name}_low"], table[f"{name}_high"]
        has_low, has_high = (low_cells != "").to_numpy(), (high_cells != "").to_numpy()
        if not (has_low.any() or has_high.any()):
            continue  # no range given: nothing to parse (a million rows cost a second)
        ranged |= has_low | has_high
        chosen = has_low | has_high  # only the rows with a range are parsed
        low, high, value = (np.full(len(table), np.nan) for _ in range(3))
        for out, cells in ((low, low_cells), (high, high_cells), (value, table[name])):
            part = cells[chosen]
            out[chosen] = (
                pd.to_numeric(part.where(part.str.fullmatch(schema.NUMBER_CHARACTERS)))
                .astype("float64")
                .to_numpy()
            )
        report(
            issues,
            file,
            table,
            has_low & ~has_high,
            f"{name}_high",
            "missing value: a range has both ends",
        )
        report(
            issues,
            file,
            table,
            has_high & ~has_low,
            f"{name}_low",
            "missing value: a range has both ends",
        )
        with np.errstate(invalid="ignore"):
            report(
                issues,
                file,
                table,
                low > high,
                f"{name}_low",
                lambda cell, name=name: f"{cell} is above the range's high end ({name}_high)",
            )
            report(
                issues,
                file,
                table,
                (low <= high) & (value < low),
                f"{name}_low",
                lambda cell, name=name: (
                    f"{cell} is above the central figure ({name}): the range must hold it"
                ),
            )
            report(
                issues,
                file,
                table,
                (low <= high) & (value > high),
                f"{name}_high",
                lambda cell, name=name: (
                    f"{cell} is below the central figure ({name}): the range must hold it"
                ),
            )
    if "range_group" in table and (table["range_group"] != "").any():
        group = table["range_group"]
        report(
            issues,
            file,
            table,
            (group != "") & ~ranged,
            "range_group",
            lambda cell: f"range group {cell!r} on a row without a range",
        )
        report(
            issues,
            file,
            table,
            (group != "") & ~group.str.fullmatch(schema.ID_CHARACTERS).to_numpy(dtype=bool),
            "range_group",
            lambda cell: f"invalid range group {cell!r}; expected letters, digits, '_.:-'",
        )


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
    check_ranges(edges, schema.RANGED["edges"], file, issues)
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
    check_ranges(lines, schema.RANGED["lines"], file, issues)
    check_common(lines, file, issues)


def check_dated(
    table: pd.DataFrame,
    name: str,
    file: str,
    issues: list[Issue],
    *,
    nodes: pd.DataFrame | None = None,
) -> None:
    """Append an Issue for every invalid cell of ``approvals.csv``, ``transit.csv`` or
    ``capacity.csv``.

    Required cells are given, dates are ``YYYY-MM-DD``, countries ISO codes; an approval
    row names one destination (empty: every other), a transit row's origin is ISO codes or
    ``*`` and its destination ISO codes, ``*`` or ``same``, its days (and its optional range,
    ``days_low`` <= ``days`` <= ``days_high``) at least 1; no key repeats (a path's
    destination and date, a node's date), and the table has rows.

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
    nodes
        The dataset's nodes, against which ``capacity.csv``'s nodes are checked; None to
        skip that test (a dataset that borrows the bundled table).
    """
    columns, required = {
        "approvals.csv": (schema.APPROVAL_COLUMNS, schema.APPROVAL_REQUIRED),
        "transit.csv": (schema.TRANSIT_COLUMNS, schema.TRANSIT_REQUIRED),
        "capacity.csv": (schema.CAPACITY_COLUMNS, schema.CAPACITY_REQUIRED),
    }[name]
    thing = {
        "approvals.csv": "approval share",
        "transit.csv": "transit time",
        "capacity.csv": "capacity by date",
    }[name]
    if _no_rows(table, file, thing, issues):
        return
    _required_text(table, required, file, issues)
    if "from" in columns:
        _dates(table, "from", file, issues)
    if name == "approvals.csv":
        _by_value(issues, file, table, "destination", _destination_problem)
        _duplicates(
            issues,
            file,
            table,
            (table["path"] != "") & (table["from"] != ""),
            ["path", "destination", "from"],
            lambda row: (
                f"a second share of path {row['path']!r}"
                + (f" to {row['destination']}" if row["destination"] else "")
                + f" from {row['from']}"
            ),
            "from",
        )
    elif name == "transit.csv":
        for column in ("days", "days_low", "days_high"):  # a shipment takes at least a day
            days = table[column].map(schema.parse_number)
            report(
                issues,
                file,
                table,
                days.map(lambda value: value is not None and 0 < value < 1),
                column,
                lambda cell: f"expected days from 1 to 3650: {cell!r}",
            )
        check_ranges(table, schema.RANGED["transit"], file, issues)
        _by_value(issues, file, table, "origin", lambda cell: _route_problem(cell, ("*",)))
        _by_value(
            issues, file, table, "destination", lambda cell: _route_problem(cell, ("*", "same"))
        )
    else:
        if nodes is not None:
            report(
                issues,
                file,
                table,
                (table["node"] != "") & ~_within(table["node"], nodes["id"]),
                "node",
                lambda cell: f"unknown node {cell!r} (not in nodes.csv)",
            )
        _duplicates(
            issues,
            file,
            table,
            (table["node"] != "") & (table["from"] != ""),
            ["node", "from"],
            lambda row: f"a second capacity of {row['node']} from {row['from']}",
            "from",
        )
    check_common(table, file, issues)


def _no_rows(table: pd.DataFrame, file: str, thing: str, issues: list[Issue]) -> bool:
    """Report a table of a header only (like nodes.csv and edges.csv); say whether it is."""
    if not table.empty:
        return False
    issues.append(Issue(file, 2, "-", f"no rows: expected at least one {thing}"))
    return True


def _required_text(
    table: pd.DataFrame, required: tuple[str, ...], file: str, issues: list[Issue]
) -> None:
    """Report empty required cells; number columns are left to :func:`check_numbers`."""
    for column in required:
        if column not in schema.NUMBER_BOUNDS:
            report(issues, file, table, table[column] == "", column, "missing value")


def _dates(table: pd.DataFrame, column: str, file: str, issues: list[Issue]) -> None:
    """Report the cells of a date column that are given and not ``YYYY-MM-DD`` dates."""
    report(
        issues,
        file,
        table,
        table[column].map(lambda cell: bool(cell) and schema.parse_date(cell) is None),
        column,
        lambda cell: f"not a date (YYYY-MM-DD): {cell!r}",
    )


def _destination_problem(cell: str) -> str | None:
    """An approval row's destination: empty (every other country) or one ISO code."""
    if cell == "":
        return None
    countries = schema.split_list(cell)
    if len(countries) > 1:
        return f"one destination country per row (a row for each): {cell!r}"
    if not countries or countries[0] not in schema.ISO_COUNTRIES:
        return f"invalid ISO country {cell!r} (or leave empty: every other destination)"
    return None


def _route_problem(cell: str, words: tuple[str, ...]) -> str | None:
    """A transit row's origin or destination: ISO codes, or one of ``words`` alone."""
    if cell == "":  # reported as missing
        return None
    countries = schema.split_list(cell)
    if not countries:
        return f"no country in {cell!r}; expected ISO codes such as CN;JP or {' or '.join(words)}"
    alone = [c for c in countries if c in words]
    if alone and len(countries) > 1:
        return f"{alone[0]!r} stands alone, not in a list: {cell!r}"
    wrong = [c for c in countries if c not in words and c not in schema.ISO_COUNTRIES]
    if wrong:
        return f"invalid ISO country {wrong[0]!r} (or {' or '.join(words)})"
    return None


def check_observed(observed: pd.DataFrame, file: str, issues: list[Issue]) -> None:
    """Append an Issue for every invalid cell of ``observed.csv`` (the backtest's series).

    A month is ``YYYY-MM``, or ``YYYY-avg`` for the series' baseline, the figure its months
    are divided by: every series has one baseline, above 0; no (series, month) repeats.

    Parameters
    ----------
    observed
        The table as read (text cells and a ``csv_line`` column).
    file
        The file name, for the messages.
    issues
        Where the problems go.
    """
    if _no_rows(observed, file, "observed month", issues):
        return
    _required_text(observed, schema.OBSERVED_REQUIRED, file, issues)
    month = observed["month"]
    baseline = month.str.fullmatch(r"[0-9]{4}-avg").to_numpy(dtype=bool)
    report(
        issues,
        file,
        observed,
        (month != "") & ~baseline & month.map(lambda cell: schema.parse_month(cell) is None),
        "month",
        lambda cell: f"not a month (YYYY-MM, or YYYY-avg for the baseline): {cell!r}",
    )
    named = observed["series"] != ""
    _duplicates(
        issues,
        file,
        observed,
        named & (month != ""),
        ["series", "month"],
        lambda row: f"a second figure of {row['series']} for {row['month']}",
        "month",
    )
    value = observed["value"].map(schema.parse_number)
    report(
        issues,
        file,
        observed,
        baseline & value.map(lambda number: number == 0).to_numpy(dtype=bool),
        "value",
        "a baseline of 0: the months are shares of it",
    )
    repeated = observed.duplicated(["series", "month"])  # reported above
    _duplicates(
        issues,
        file,
        observed.assign(baseline=baseline),
        named & baseline & ~repeated,
        ["series", "baseline"],
        lambda row: f"a second baseline of {row['series']} ({row['month']})",
        "month",
    )
    with_baseline = set(observed.loc[baseline, "series"])
    for series, group in observed[named].groupby("series", sort=False):
        if series not in with_baseline:
            issues.append(
                Issue(
                    file,
                    int(group["csv_line"].iloc[0]),
                    "series",
                    f"{series} has no baseline row (month YYYY-avg), which its months are "
                    "shares of",
                )
            )
    check_common(observed, file, issues)


def check_events(
    events: pd.DataFrame,
    file: str,
    issues: list[Issue],
    *,
    nodes: pd.DataFrame | None = None,
    lines: pd.DataFrame | None = None,
) -> None:
    """Append an Issue for every invalid cell of ``events.csv`` (the backtest's events).

    An event names a node and its line (empty for a node without lines in lines.csv), a
    kind (``first_loss`` or ``recovery``) and three dates, ``earliest <= date <= latest``.

    Parameters
    ----------
    events
        The table as read (text cells and a ``csv_line`` column).
    file
        The file name, for the messages.
    issues
        Where the problems go.
    nodes, lines
        The dataset's nodes and product lines, against which the events' nodes and lines
        are checked; None to skip that test (a dataset that borrows the bundled table).
    """
    if _no_rows(events, file, "event", issues):
        return
    _required_text(events, schema.EVENT_REQUIRED, file, issues)
    kind = events["kind"]
    report(
        issues,
        file,
        events,
        (kind != "") & ~_within(kind, schema.EVENT_KINDS),
        "kind",
        lambda cell: f"unknown kind {cell!r}; expected one of {', '.join(schema.EVENT_KINDS)}",
    )
    for column in ("date", "earliest", "latest"):
        _dates(events, column, file, issues)
    for row in events.itertuples(index=False):
        date, earliest, latest = (
            schema.parse_date(cell) for cell in (row.date, row.earliest, row.latest)
        )
        if earliest and latest and latest < earliest:
            issues.append(
                Issue(file, row.csv_line, "latest", f"{latest} is before earliest {earliest}")
            )
        elif date and earliest and latest and not earliest <= date <= latest:
            issues.append(
                Issue(
                    file,
                    row.csv_line,
                    "date",
                    f"{date} is outside its window, {earliest} to {latest}",
                )
            )
    if nodes is not None:
        known = set(nodes["id"])
        declared: dict[str, set[str]] = {}
        if lines is not None:
            for node, line in zip(lines["node"], lines["line"]):
                declared.setdefault(node, set()).add(line)
        for row in events.itertuples(index=False):
            if row.node and row.node not in known:
                issues.append(
                    Issue(
                        file, row.csv_line, "node", f"unknown node {row.node!r} (not in nodes.csv)"
                    )
                )
            elif row.node:
                _check_event_line(row, declared.get(row.node, set()), file, issues)
    report(issues, file, events, events["source"] == "", "source", "no source given", "warning")


def check_plants(
    plants: pd.DataFrame, file: str, issues: list[Issue], *, nodes: pd.DataFrame | None = None
) -> None:
    """Append an Issue for every invalid cell of ``plants.csv`` (plants within aggregates).

    A row names an aggregate node (once; its id ends in ``schema.AGGREGATE_SUFFIX``), a
    whole number of plants from 1, a source and a status.

    Parameters
    ----------
    plants
        The table as read (text cells and a ``csv_line`` column).
    file
        The file name, for the messages.
    issues
        Where the problems go.
    nodes
        The dataset's nodes, against which the rows' nodes are checked; None to skip.
    """
    if _no_rows(plants, file, "aggregate's count of plants", issues):
        return
    _required_text(plants, schema.PLANT_REQUIRED, file, issues)
    check_numbers(plants, "plants", True, file, issues)
    count = plants["plants"].map(schema.parse_number)
    report(
        issues,
        file,
        plants,
        count.map(lambda value: value is not None and (value < 1 or value != int(value))),
        "plants",
        lambda cell: f"expected a whole number of plants from 1: {cell!r}",
    )
    report(
        issues,
        file,
        plants,
        (plants["status"] != "") & ~_within(plants["status"], schema.STATUSES),
        "status",
        lambda cell: f"unknown status {cell!r}; expected one of {', '.join(schema.STATUSES)}",
    )
    _duplicates(
        issues,
        file,
        plants,
        plants["node"] != "",
        ["node"],
        lambda row: f"a second count of plants for {row['node']!r}",
        "node",
    )
    named = plants["node"] != ""
    if nodes is not None:
        unknown = named & ~plants["node"].isin(set(nodes["id"]))
        report(
            issues,
            file,
            plants,
            unknown,
            "node",
            lambda cell: f"unknown node {cell!r} (not in nodes.csv)",
        )
        named &= ~unknown
    report(
        issues,
        file,
        plants,
        named & ~plants["node"].str.endswith(schema.AGGREGATE_SUFFIX),
        "node",
        lambda cell: (
            f"{cell!r} is not an aggregate (an aggregate's id ends in "
            f"{schema.AGGREGATE_SUFFIX!r}); only an aggregate splits into plants"
        ),
    )


def check_destination_months(months: pd.DataFrame, file: str, issues: list[Issue]) -> None:
    """Append an Issue for every invalid cell of ``destination_months.csv``.

    A row names one destination country (ISO code) and a month (``YYYY-MM``), once each
    pair; its exports in tonnes, its normal month's tonnes (above 0), the total's share of
    its month, a source and a status.

    Parameters
    ----------
    months
        The table as read (text cells and a ``csv_line`` column).
    file
        The file name, for the messages.
    issues
        Where the problems go.
    """
    if _no_rows(months, file, "destination month", issues):
        return
    _required_text(months, ("destination", "month", "source", "status"), file, issues)
    for column in ("exports_t", "normal_t", "total_share"):
        check_numbers(months, column, True, file, issues)
    destination = months["destination"]
    report(
        issues,
        file,
        months,
        (destination != "") & ~_within(destination, schema.ISO_COUNTRIES),
        "destination",
        lambda cell: f"invalid ISO country {cell!r} (one destination per row)",
    )
    month = months["month"]
    report(
        issues,
        file,
        months,
        (month != "") & month.map(lambda cell: schema.parse_month(cell) is None),
        "month",
        lambda cell: f"not a month (YYYY-MM): {cell!r}",
    )
    report(
        issues,
        file,
        months,
        (months["status"] != "") & ~_within(months["status"], schema.STATUSES),
        "status",
        lambda cell: f"unknown status {cell!r}; expected one of {', '.join(schema.STATUSES)}",
    )
    _duplicates(
        issues,
        file,
        months,
        (destination != "") & (month != ""),
        ["destination", "month"],
        lambda row: f"a second figure of {row['destination']} for {row['month']}",
        "month",
    )


def _check_event_line(row: Any, declared: set[str], file: str, issues: list[Issue]) -> None:
    """An event's line is one of its node's lines, or empty for a node of one line."""
    if declared and row.line not in declared:
        issues.append(
            Issue(
                file,
                row.csv_line,
                "line",
                f"{row.node} has lines {', '.join(sorted(declared))}: name one"
                if not row.line
                else f"{row.node} has no line {row.line!r} ({', '.join(sorted(declared))})",
            )
        )
    elif not declared and row.line:
        issues.append(
            Issue(
                file,
                row.csv_line,
                "line",
                f"{row.node} has no line {row.line!r} (none declared in lines.csv: leave empty)",
            )
        )


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
