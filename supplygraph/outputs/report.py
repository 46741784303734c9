"""A scenario run's reports: CSV text (one rounding rule per column, spreadsheet-safe text)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..analyses import columns
from ..analyses.focus import focus_table
from . import record
from .charts import sector_chart
from .files import FileContent
from .html import render_html

if TYPE_CHECKING:
    from ..analyses.exposure import Result
    from .fork import Forked

# Decimals per unit: tonnes to the kilogram, percentages and days to a hundredth.
DECIMALS = {
    "_t": 3,
    "_pct": 2,
    "_days": 2,
    "_units": 1,
    "days_to_impact": 2,
    "licensed_share": 4,
    "_usd": 0,  # trade values, in whole dollars
    "days_off": 0,  # the backtest's, in whole days
    "last_applicant_days_off": 0,
}
# Counts, written as whole numbers where they are numbers (sectors.csv's countries lists them).
INTEGER_COLUMNS = {
    "csv_line",
    "makers",
    "nodes",
    "rows",
    "rank",
    "nodes_down",
    "sectors_hit",
    "countries",
    "draws",
    "band_draws",
    "draw",
    "graph_edges",
    "reporter_code",
    "partner_code",
}
# Rounded to these places first, then written to their unit's decimals: the HHI to a tenth.
ROUNDED_FIRST = {"hhi": 1}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
CHUNK_ROWS = 20_000  # rows rendered at a time: bounds the memory their cell strings take


def excel_safe(text: list[str]) -> list[str]:
    """Neutralise text cells a spreadsheet would run as formulas (OWASP ASVS 1.2.10).

    Parameters
    ----------
    text
        The cells.

    Returns
    -------
    list of str

    Examples
    --------
    >>> excel_safe(['=HYPERLINK("x")', "-5 t", "Lynas"])
    ['\\'=HYPERLINK("x")', "'-5 t", 'Lynas']
    """
    return ["'" + cell if cell.startswith(FORMULA_PREFIXES) else cell for cell in text]


def _decimals(column: str) -> int:
    for suffix in ("_a", "_b", "_diff"):  # the columns of a comparison
        column = column.removesuffix(suffix)
    if column in DECIMALS:
        return DECIMALS[column]
    for suffix, places in DECIMALS.items():
        if suffix.startswith("_") and column.endswith(suffix):
            return places
    return 3


def _format_numbers(values: np.ndarray, places: int) -> list[str]:
    """Format numbers to ``places`` decimals: NaN as an empty cell, -0 as 0.

    Python's format rounds the exact binary value to the nearest decimal, as ``round``
    does, so the text is the same as rounding first. Each distinct value is formatted once.

    Examples
    --------
    >>> _format_numbers(np.array([2.675, -0.0004, np.nan, 1e6, 2.675]), 2)
    ['2.67', '0.00', '', '1000000.00', '2.67']
    """
    which, distinct = pd.factorize(values, use_na_sentinel=False)
    zero = f"{0:.{places}f}"
    text = np.array([f"{value:.{places}f}" for value in distinct.tolist()], dtype=object)
    text[text == "-" + zero] = zero
    text[np.isnan(distinct)] = ""
    return text[which].tolist()


def _cells(series: pd.Series, column: str, raw: bool) -> list[str]:
    """Return a column's cells as report text."""
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if numeric and column in INTEGER_COLUMNS:
        return series.to_numpy(np.int64).astype(str).tolist()
    if numeric:
        values = series.to_numpy(np.float64, na_value=np.nan)
        if column in ROUNDED_FIRST:
            values = np.round(values, ROUNDED_FIRST[column])
        return _format_numbers(values, _decimals(column))
    which, distinct = pd.factorize(series.fillna("").astype(str))
    text = distinct.tolist() if raw else excel_safe(distinct.tolist())
    return np.array(text, dtype=object)[which].tolist()  # each distinct cell checked once


def to_csv_text(table: pd.DataFrame, columns: list[str], *, raw: bool = False) -> str:
    """Render a report table as CSV text: numbers rounded per unit, text cells made safe.

    Parameters
    ----------
    table
        A report table.
    columns
        The columns to write, in order (those the table lacks are left out).
    raw
        Leave text cells as they are.

    Returns
    -------
    str
        The CSV text.
    """
    return "".join(_csv_pieces(table, columns, raw))


def _csv_bytes(table: pd.DataFrame, columns: list[str], raw: bool) -> Iterator[bytes]:
    """:func:`to_csv_text` as UTF-8 pieces, for writing a large report without holding it."""
    return (piece.encode("utf-8") for piece in _csv_pieces(table, columns, raw))


def _csv_pieces(table: pd.DataFrame, columns: list[str], raw: bool) -> Iterator[str]:
    """The CSV text of a report table, the header and then ``CHUNK_ROWS`` rows at a time."""
    present = [c for c in columns if c in table.columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(present)
    for start in range(0, len(table), CHUNK_ROWS):
        chunk = table.iloc[start : start + CHUNK_ROWS]
        writer.writerows(zip(*(_cells(chunk[column], column, raw) for column in present)))
        yield out.getvalue()
        out.seek(0)
        out.truncate()
    yield out.getvalue()


def scenario_record(result: Result, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return exactly what was run, so the reports can be reproduced.

    Parameters
    ----------
    result
        A scenario result.
    options
        The run's options.

    Returns
    -------
    dict
        What ``scenario.json`` holds.
    """
    fields = {
        "regimes_resolved": [
            {
                "regime": entry.regime.id,
                "applied": entry.applied,
                "reason": entry.reason,
                "action": entry.policy.action,
                "share": entry.policy.share,
                "destinations": list(entry.policy.destinations or []) or None,
                "extraterritorial": entry.regime.extraterritorial,
                "licence_edges": entry.licence_edges,
            }
            for entry in result.disruption.regimes
        ],
        "warnings": result.warnings,
        "options": options or {},
    }
    return record.run_record(result.scenario, result.graph, fields, in_full=True)


def report_files(
    result: Result, *, raw: bool = False, options: dict[str, Any] | None = None
) -> dict[str, Callable[[], str | Iterable[bytes]]]:
    """Return a result's CSV reports and ``scenario.json``, each as the function that renders it.

    :func:`supplygraph.outputs.files.write_file_set` calls each function as it stages the
    file, so that only one large report is in memory at a time.

    Parameters
    ----------
    result
        A scenario result.
    raw
        Leave text cells that a spreadsheet would run as formulas as they are.
    options
        The run's options, recorded in ``scenario.json``.

    Returns
    -------
    dict of str to callable
        ``sectors.csv``, ``nodes.csv``, ``countries.csv``, ``edges.csv``, ``scenario.json``,
        ``lines.csv`` (where the data declares product lines) and ``reroute.csv`` (where the
        result was rerouted); each function returns the file's text, or its bytes in pieces.
    """
    files: dict[str, Callable[[], str | Iterable[bytes]]] = {
        "sectors.csv": partial(_csv_bytes, result.sectors, columns.SECTOR_COLUMNS, raw),
        "nodes.csv": partial(_csv_bytes, result.nodes, columns.NODE_COLUMNS, raw),
        "countries.csv": partial(_csv_bytes, result.countries, columns.COUNTRY_COLUMNS, raw),
        "edges.csv": partial(_csv_bytes, result.edges, columns.EDGE_COLUMNS, raw),
        "scenario.json": lambda: record.record_json(scenario_record(result, options)),
    }
    if result.production is not None and result.production.has_lines:
        # without declared lines, each node is one line: nodes.csv says it all
        files["lines.csv"] = partial(_csv_bytes, result.lines, columns.LINE_COLUMNS, raw)
    if result.rerouting is not None:
        flows = result.rerouting.flows
        files["reroute.csv"] = partial(_csv_bytes, flows, list(flows.columns), raw)
    return files


def render_simulation(
    result: Result,
    *,
    raw: bool = False,
    options: dict[str, Any] | None = None,
    html: bool = True,
    focus: str | Iterable[str] | None = None,
    drawer: Forked | None = None,
) -> dict[str, FileContent]:
    """Return the files of a scenario run, as ``supplygraph simulate`` writes them.

    The CSV reports and ``scenario.json`` come as the functions that render them
    (:func:`report_files`), so that writing the set
    (:func:`supplygraph.outputs.files.write_file_set`) holds one large report at a time;
    the page and the charts as they are.

    Parameters
    ----------
    result
        A scenario result (:func:`supplygraph.analyses.exposure.simulate`).
    raw
        Leave text cells that a spreadsheet would run as formulas as they are.
    options
        The run's options, recorded in ``scenario.json``.
    html
        Also render the page, ``graph.html``.
    focus
        Also write ``focus.csv``, the lines of these nodes
        (:func:`supplygraph.analyses.focus.focus_table`: ``overlay`` or node ids).
    drawer
        Draw the chart in this process (:func:`supplygraph.outputs.charts.chart_drawer`),
        beside the page and the CSVs: its files then come as functions, like the CSVs.

    Returns
    -------
    dict of str to str, bytes or callable
        :func:`report_files`, ``graph.html``
        (:func:`supplygraph.outputs.html.render_html`) and ``sectors.png`` and
        ``sectors.svg`` (:func:`supplygraph.outputs.charts.sector_chart`), in that order.

    Examples
    --------
    >>> import supplygraph as sg
    >>> result = sg.simulate(sg.load(), "2025-10-package", reroute=False)
    >>> files = render_simulation(result, html=False)
    >>> list(files)[:5], list(files)[-2:]
    (['sectors.csv', 'nodes.csv', 'countries.csv', 'edges.csv', 'scenario.json'], \
['sectors.png', 'sectors.svg'])
    >>> b"".join(files["sectors.csv"]()).startswith(b"sector,makers,countries,")
    True
    """
    files: dict[str, FileContent] = dict(report_files(result, raw=raw, options=options))
    if focus is not None:
        table = focus_table(result, focus)
        files["focus.csv"] = partial(_csv_bytes, table, columns.FOCUS_COLUMNS, raw)
    if html:
        files["graph.html"] = render_html(result)
    files.update(sector_chart(result, drawer=drawer))
    return files
