"""The files of a trade reconciliation, and of a dataset with the statistics applied."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from .._version import __version__
from ..analyses.trade import AREA_COLUMNS, RECONCILE_COLUMNS, Reconciliation
from ..analyses.trade_apply import CHANGE_COLUMNS, Application
from ..dataset.io import DATA_FILES, DATED_FILES, QUALITY_FILES, dataset_file
from .files import FileContent
from .report import to_csv_text

# the dataset's tables a new folder keeps (a missing one is taken from the bundled data)
COPIED = (*DATA_FILES, *DATED_FILES, *QUALITY_FILES, "events.csv", "hs.csv")
OBSERVED = "observed.csv"


def render_reconcile(reconciliation: Reconciliation, *, raw: bool = False) -> dict[str, str]:
    """Return a reconciliation's files: the table, the World and area rows, the summary.

    Parameters
    ----------
    reconciliation
        :func:`supplygraph.analyses.trade.reconcile`.
    raw
        Write text cells as they are (no spreadsheet-safe quote).

    Returns
    -------
    dict of str to str
        ``trade-reconcile.csv``, ``trade-areas.csv`` and ``trade-reconcile.json``.
    """
    summary = {"version": __version__, **_plain(reconciliation.summary)}
    return {
        "trade-reconcile.csv": to_csv_text(reconciliation.table, list(RECONCILE_COLUMNS), raw=raw),
        "trade-areas.csv": to_csv_text(reconciliation.areas, list(AREA_COLUMNS), raw=raw),
        "trade-reconcile.json": json.dumps(summary, indent=2, sort_keys=True) + "\n",
    }


def _plain(value: Any) -> Any:
    """JSON-ready: NaN as null, floats rounded to the kilogram's decimals."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)
    return value


def render_trade_dataset(
    folder: Path, application: Application, reconciliation: Reconciliation
) -> dict[str, FileContent]:
    """Return the files of a new dataset folder: ``folder``'s tables with the statistic applied.

    ``edges.csv`` keeps every row it had, byte for byte, but the changed ones; ``observed.csv``
    gains the monthly observations (replacing an earlier row of the same series and
    month); the other tables are copied as they are; ``trade-changes.csv`` lists what
    moved and ``trade-reconcile.csv`` the comparison it came from.

    Parameters
    ----------
    folder
        The dataset folder read (the bundled one for the bundled data).
    application
        :func:`supplygraph.analyses.trade_apply.apply_statistics`.
    reconciliation
        The reconciliation it applied.

    Returns
    -------
    dict of str to str or bytes
    """
    files: dict[str, FileContent] = {}
    for name in COPIED:
        path = folder / name
        if name == "edges.csv":
            files[name] = _edited(path.read_bytes(), application.edges)
        elif path.is_file():
            files[name] = path.read_bytes()
    observed = dataset_file(folder, OBSERVED)
    files[OBSERVED] = _observed(observed.read_bytes(), application.observed)
    files["trade-changes.csv"] = to_csv_text(application.changes, list(CHANGE_COLUMNS), raw=True)
    files["trade-reconcile.csv"] = to_csv_text(
        reconciliation.table, list(RECONCILE_COLUMNS), raw=True
    )
    return files


def _rows(data: bytes) -> tuple[list[str], list[tuple[int, list[str]]], str]:
    """A CSV's header, its rows with the line each starts on, and its line ending."""
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    rows, last = [], reader.line_num
    for row in reader:  # a blank line is a row of no cells, kept as it is
        rows.append((last + 1, row))
        last = reader.line_num
    return header, rows, "\r\n" if "\r\n" in text else "\n"


def _line(cells: list[str], newline: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerow(cells)
    return buffer.getvalue()


def _number(value: float) -> str:
    """A plain decimal to the gram, without trailing zeros; empty for NaN (no range)."""
    if value != value:
        return ""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text if text != "-0" else "0"


def _edited(data: bytes, changed: pd.DataFrame) -> str:
    """``edges.csv`` with the changed rows rewritten and every other row as it was."""
    text = data.decode("utf-8-sig")
    lines = text.splitlines(keepends=True)
    header, rows, newline = _rows(data)
    index = {name: n for n, name in enumerate(header)}
    by_line = {int(row.csv_line): row for row in changed.itertuples(index=False)}
    starts = [first for first, _ in rows] + [len(lines) + 1]
    out = ["".join(lines[: starts[0] - 1])]
    for n, (first, cells) in enumerate(rows):
        span = "".join(lines[first - 1 : starts[n + 1] - 1])
        if first in by_line:
            change = by_line[first]
            cells = list(cells)
            for column, value in (
                ("flow_t", _number(change.flow_t)),
                ("status", change.status),
                ("source", change.source),
                ("note", change.note),
                ("flow_t_low", _number(change.flow_t_low)),
                ("flow_t_high", _number(change.flow_t_high)),
            ):
                if column in index:  # a dataset without ranges has no range columns
                    cells[index[column]] = value
            span = _line(cells, newline)
        out.append(span)
    return "".join(out)


def _observed(data: bytes, new: pd.DataFrame) -> str:
    """``observed.csv`` without the rows the statistic replaces, then the statistic's rows."""
    text = data.decode("utf-8-sig")
    lines = text.splitlines(keepends=True)
    header, rows, newline = _rows(data)
    replaced = set(zip(new["series"], new["month"]))
    at = {name: n for n, name in enumerate(header)}
    starts = [first for first, _ in rows] + [len(lines) + 1]
    out = ["".join(lines[: starts[0] - 1])]
    for n, (first, cells) in enumerate(rows):
        if not cells or (cells[at["series"]], cells[at["month"]]) not in replaced:
            out.append("".join(lines[first - 1 : starts[n + 1] - 1]))
    if out and not out[-1].endswith("\n"):
        out[-1] += newline
    for row in new.itertuples(index=False):
        cells = {**row._asdict(), "value": _number(row.value)}
        out.append(_line([str(cells.get(name, "")) for name in header], newline))
    return "".join(out)
