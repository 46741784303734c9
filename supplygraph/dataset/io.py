"""Read the CSV dataset into validated tables (the dataset, the dated and backtest tables)."""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from .._errors import DataError, Issue
from . import _validate, schema


@dataclass(frozen=True)
class Dataset:
    """Validated tables of one dataset folder, with the warnings found on loading."""

    nodes: pd.DataFrame
    edges: pd.DataFrame
    regimes: pd.DataFrame
    folder: Path
    checksum: str
    warnings: list[Issue] = field(default_factory=list)
    lines: pd.DataFrame = field(default_factory=lambda: empty_table(schema.LINE_COLUMNS))
    overlays: tuple[Path, ...] = ()  # overlay folders applied on top (dataset.overlay)


def empty_table(columns: tuple[str, ...]) -> pd.DataFrame:
    """Return a table with these text columns, a ``csv_line`` column and no rows.

    Parameters
    ----------
    columns
        The column names.

    Returns
    -------
    pandas.DataFrame
    """
    table = pd.DataFrame({name: pd.Series(dtype="str") for name in columns})
    table.insert(0, "csv_line", pd.Series(dtype="int64"))
    return table


# The files of a dataset folder (tests/test_property.py breaks each one); lines.csv may be
# absent, regimes.csv then comes from the bundled data.
DATA_FILES = ("nodes.csv", "edges.csv", "regimes.csv", "lines.csv")
NUMERIC_COLUMNS = {
    "flow_t",
    "capacity_t",
    "stock_days",
    "extraterritorial_pct",
    "baseline_units",
    "share",
    "days",
    "value",
    "share_pct",
    *(
        f"{name}_{end}"
        for names in schema.RANGED.values()
        for name in names
        for end in ("low", "high")
    ),
}
_LAYOUT = {
    "nodes": (schema.NODE_COLUMNS, schema.NODE_REQUIRED),
    "edges": (schema.EDGE_COLUMNS, schema.EDGE_REQUIRED),
    "lines": (schema.LINE_COLUMNS, schema.LINE_REQUIRED),
}


def bundled_data_dir() -> Path:
    """Return the folder of the bundled default dataset (``supplygraph.data``).

    Returns
    -------
    Path
    """
    try:
        return Path(str(resources.files("supplygraph.data")))
    except ModuleNotFoundError:  # imported from a source checkout: data/ sits beside the package
        return Path(__file__).resolve().parents[2] / "data"


def load_dataset(folder: str | os.PathLike[str] | None = None) -> Dataset:
    """Read and validate ``nodes.csv``, ``edges.csv``, ``regimes.csv`` and ``lines.csv``.

    A folder without ``regimes.csv`` uses the bundled regimes; ``lines.csv`` is optional.

    Parameters
    ----------
    folder
        The dataset folder; the bundled data when None.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        Listing every error found, each with file, line and column.
    """
    folder = Path(folder) if folder is not None else bundled_data_dir()
    issues: list[Issue] = []
    if not folder.is_dir():
        raise DataError([Issue(str(folder), 0, "-", "no such folder")])
    if not (folder / "nodes.csv").is_file() and not (folder / "edges.csv").is_file():
        raise DataError(
            [
                Issue(
                    str(folder),
                    0,
                    "-",
                    "no dataset here: a dataset folder holds nodes.csv and edges.csv "
                    "(and may hold lines.csv, regimes.csv and scenarios/)",
                )
            ]
        )
    paths = {Path(name).stem: folder / name for name in DATA_FILES}
    if not paths["regimes"].is_file():
        paths["regimes"] = bundled_data_dir() / "regimes.csv"
    digest = hashlib.sha256()
    tables: dict[str, pd.DataFrame | None] = {"lines": empty_table(schema.LINE_COLUMNS)}
    for name, path in paths.items():  # one file's bytes at a time: they are large
        if name == "lines" and not path.is_file():
            continue
        data = _read_bytes(path, issues)
        digest.update(data or b"")
        if name == "regimes":
            tables[name] = _regimes_table(path, data, issues)
        else:
            columns, required = _LAYOUT[name]
            tables[name] = _read_table(path, data, columns, required, issues)
    nodes, edges, regimes = tables["nodes"], tables["edges"], tables["regimes"]
    lines = tables["lines"]
    for name, table in (("node", nodes), ("edge", edges)):
        if table is not None and table.empty:
            issues.append(
                Issue(table.attrs["file"], 2, "-", f"no rows: expected at least one {name}")
            )
    ready = nodes is not None and edges is not None and lines is not None
    if ready and not (nodes.empty or edges.empty):
        _validate.check_nodes(nodes, str(paths["nodes"]), issues)
        _validate.check_lines(lines, nodes, str(paths["lines"]), issues)
        regime_ids = None if regimes is None else regimes["id"]
        _validate.check_edges(edges, nodes, regime_ids, str(paths["edges"]), issues, lines=lines)
    errors = sorted(i for i in issues if i.severity == "error")
    if errors:
        raise DataError(errors)
    assert nodes is not None and edges is not None and regimes is not None and lines is not None
    warnings = [i for i in issues if i.severity == "warning"]
    return Dataset(
        nodes=_typed(nodes, schema.NODE_NUMERIC),
        edges=_typed(edges, schema.EDGE_NUMERIC),
        regimes=_typed(regimes, ("extraterritorial_pct",)),
        folder=folder,
        checksum="sha256:" + digest.hexdigest(),
        warnings=warnings,
        lines=_typed(lines, schema.LINE_NUMERIC),
    )


def load_regimes(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and validate a regimes table (the bundled ``regimes.csv`` when None).

    Parameters
    ----------
    path
        A regimes table; the bundled one when None.

    Returns
    -------
    pandas.DataFrame
        The regimes, typed.

    Raises
    ------
    DataError
        Listing every error found.
    """
    path = Path(path) if path is not None else bundled_data_dir() / "regimes.csv"
    issues: list[Issue] = []
    table = _regimes_table(path, _read_bytes(path, issues), issues)
    errors = sorted(i for i in issues if i.severity == "error")
    if errors or table is None:
        raise DataError(errors)
    return _typed(table, ("extraterritorial_pct",))


def read_table(
    path: Path, columns: tuple[str, ...], required: tuple[str, ...], issues: list[Issue]
) -> pd.DataFrame | None:
    """Read one CSV table as text cells with a ``csv_line`` column, as the loader does.

    Unknown columns are warned about and left out; number columns are checked.

    Parameters
    ----------
    path
        The CSV file.
    columns, required
        The columns the table may have, and those it must.
    issues
        Where the problems go.

    Returns
    -------
    pandas.DataFrame or None
        None when the file cannot be read or parsed (the reason is in ``issues``).
    """
    return _read_table(path, _read_bytes(path, issues), columns, required, issues)


def typed(table: pd.DataFrame, numeric: tuple[str, ...]) -> pd.DataFrame:
    """Return a checked text table with its number columns as floats (empty: NaN).

    Parameters
    ----------
    table
        A table from :func:`read_table` whose checks passed (not modified).
    numeric
        Its number columns.

    Returns
    -------
    pandas.DataFrame
    """
    return _typed(table, numeric)


def _regimes_table(path: Path, data: bytes | None, issues: list[Issue]) -> pd.DataFrame | None:
    """Parse and check a regimes table, appending its problems to ``issues``."""
    table = _read_table(path, data, schema.REGIME_COLUMNS, schema.REGIME_REQUIRED, issues)
    if table is not None:
        _validate.check_regimes(table, str(path), issues)
    return table


def _read_bytes(path: Path, issues: list[Issue]) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        issues.append(Issue(str(path), 0, "-", "file not found"))
    except OSError as exc:
        issues.append(Issue(str(path), 0, "-", f"cannot read file: {exc.strerror}"))
    return None


def _read_table(
    path: Path,
    data: bytes | None,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    issues: list[Issue],
) -> pd.DataFrame | None:
    """Parse CSV bytes into a table of stripped text cells with a ``line`` column, or None on
    fatal errors."""
    if data is None:
        return None
    file = str(path)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")  # to check; the text of a large file is not kept
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        issues.append(
            Issue(file, line, "-", f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}")
        )
        return None
    first_line = data[: data.find(b"\n") + 1 or len(data)].decode("utf-8")
    if not first_line.strip() and not data.decode("utf-8").strip():
        issues.append(Issue(file, 1, "-", "file is empty (expected a header row)"))
        return None
    try:
        header = [name.strip() for name in next(csv.reader(io.StringIO(first_line, newline="")))]
    except (csv.Error, StopIteration) as exc:
        issues.append(Issue(file, 1, "-", f"malformed CSV: {exc}"))
        return None
    fatal = False
    seen: set[str] = set()
    for name in header:
        if name in seen:
            issues.append(Issue(file, 1, name, "duplicate column in header"))
            fatal = True
        seen.add(name)
    for name in required:
        if name not in seen:
            issues.append(Issue(file, 1, name, "required column missing from header"))
            fatal = True
    for name in header:
        if name not in columns:
            issues.append(
                Issue(
                    file,
                    1,
                    name,
                    f"unknown column (ignored); expected one of {', '.join(columns)}",
                    "warning",
                )
            )
    if fatal:
        return None
    table = _rows_one_per_line(data, header)
    if table is None:
        table = _rows_any_layout(data.decode("utf-8"), header, file, issues)
    if table is None:
        return None
    table = table.reindex(columns=["csv_line", *columns], fill_value="")
    table.attrs["file"] = file
    for column in set(columns) & NUMERIC_COLUMNS:
        _validate.check_numbers(table, column, column in required, file, issues)
    return table


def _rows_one_per_line(data: bytes, header: list[str]) -> pd.DataFrame | None:
    """Parse the rows with pyarrow when every line after the header is one row; else None.

    Arrow's reader is fast and keeps text compactly, but does not tell line numbers: they
    follow from the row numbers only when no row spans lines (a newline in quotes) and no
    line was skipped (a blank line) or malformed.
    """
    malformed: list[object] = []
    try:
        rows = pa_csv.read_csv(
            pa.py_buffer(data),
            read_options=pa_csv.ReadOptions(column_names=header, skip_rows=1),
            parse_options=pa_csv.ParseOptions(
                invalid_row_handler=lambda row: malformed.append(row) or "skip"
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(header, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    lines_after_header = data.count(b"\n") + (not data.endswith(b"\n")) - 1
    if malformed or rows.num_rows != lines_after_header:
        return None
    cells = [_stripped(rows.column(name)) for name in header]
    del rows  # its columns live on in cells, stripped copies only where needed
    blank = None
    for column in cells:
        empty = pc.equal(column, "")
        blank = empty if blank is None else pc.and_(blank, empty)
    table = pa.table(cells, names=header).to_pandas()
    table.insert(0, "csv_line", np.arange(2, len(table) + 2, dtype=np.int64))
    if blank is not None and pc.any(blank).as_py():  # a line of empty cells is no row
        table = table[~blank.to_numpy(zero_copy_only=False)].reset_index(drop=True)
    pa.default_memory_pool().release_unused()  # the parser's buffers: hundreds of MB
    return table


def _stripped(cells: pa.ChunkedArray) -> pa.ChunkedArray:
    """Return the cells without surrounding whitespace; the copy is kept only if it differs."""
    trimmed = pc.utf8_trim_whitespace(cells)
    return cells if pc.all(pc.equal(trimmed, cells)).as_py() else trimmed


def _rows_any_layout(
    text: str, header: list[str], file: str, issues: list[Issue]
) -> pd.DataFrame | None:
    """Parse the rows with the csv module, which tracks lines through quoted newlines and
    blank lines; slower, for the files :func:`_rows_one_per_line` turns down."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    lines: list[int] = []
    last_line = 0
    try:
        next(reader)
        last_line = reader.line_num
        for row in reader:
            start, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                issues.append(
                    Issue(file, start, "-", f"expected {len(header)} fields, found {len(row)}")
                )
                continue
            rows.append([cell.strip() for cell in row])
            lines.append(start)
    except csv.Error as exc:
        issues.append(Issue(file, last_line + 1, "-", f"malformed CSV: {exc}"))
        return None
    table = pd.DataFrame(rows, columns=header, dtype="str")
    table.insert(0, "csv_line", pd.Series(lines, dtype="int64"))
    return table


def _typed(table: pd.DataFrame, numeric: tuple[str, ...]) -> pd.DataFrame:
    table = table.copy()
    for column in numeric:  # checked: plain decimals or empty, which is NaN
        given = table[column] != ""
        table[column] = (
            pd.to_numeric(table[column].where(given)).astype("float64")
            if given.any()
            else np.nan  # an optional column left empty (the ranges, mostly): no parsing
        )
    if "range_group" in table:  # a text attribute that may be absent: None, not ""
        given = table["range_group"] != ""
        table["range_group"] = (
            table["range_group"].astype(object).where(given, None) if given.any() else None
        )
    table.attrs = {}
    return table.reset_index(drop=True)


def dataset_file(folder: str | os.PathLike[str] | None, name: str) -> Path:
    """Return the dataset folder's file ``name`` if it has one, else the bundled one.

    Parameters
    ----------
    folder
        The dataset folder; the bundled data when None.
    name
        The file name, e.g. ``approvals.csv``.

    Returns
    -------
    Path
    """
    if folder is not None and (Path(folder) / name).is_file():
        return Path(folder) / name
    return bundled_data_dir() / name


# The dated run's tables and the backtest's (tests/test_property.py breaks each one).
DATED_FILES = ("approvals.csv", "transit.csv", "capacity.csv")
BACKTEST_FILES = ("observed.csv", "events.csv")


class DatedTables(NamedTuple):
    """The dated run's tables: approval paths, transit times and capacity by date."""

    approvals: pd.DataFrame
    transit: pd.DataFrame
    capacity: pd.DataFrame


class BacktestTables(NamedTuple):
    """The backtest's checks: observed monthly series and dated events."""

    observed: pd.DataFrame
    events: pd.DataFrame


def load_dated_tables(
    folder: str | os.PathLike[str] | None = None, *, nodes: pd.DataFrame | None = None
) -> DatedTables:
    """Read and validate the dated run's tables: approval paths, transit times, capacity.

    Each comes from the dataset folder when it has the file, else from the bundled data.

    Parameters
    ----------
    folder
        The dataset folder; the bundled data when None.
    nodes
        The dataset's nodes: ``capacity.csv`` may name only these (when it is the
        folder's own; the bundled table a folder borrows names the bundled nodes).

    Returns
    -------
    DatedTables
        ``approvals.csv`` (path, destination, from, share, ...), ``transit.csv`` (origin,
        destination, days, days_low, days_high, ...) and ``capacity.csv`` (node, from,
        capacity_t, ...).

    Raises
    ------
    DataError
        Listing every error found, each with file, line and column.
    """
    return DatedTables(*_read_checked(folder, _dated_specs(folder, nodes)))


def load_backtest_tables(
    folder: str | os.PathLike[str] | None = None,
    *,
    nodes: pd.DataFrame | None = None,
    lines: pd.DataFrame | None = None,
) -> BacktestTables:
    """Read and validate the backtest's checks: observed monthly series and dated events.

    Parameters
    ----------
    folder
        The dataset folder; the bundled data when None (or when it lacks the files).
    nodes, lines
        The dataset's nodes and product lines: ``events.csv`` may name only these (when
        it is the folder's own).

    Returns
    -------
    BacktestTables
        ``observed.csv`` (series, month, value, ...) and ``events.csv`` (event, node,
        line, kind, date, earliest, latest, ...).

    Raises
    ------
    DataError
        Listing every error found, each with file, line and column.
    """
    return BacktestTables(*_read_checked(folder, _backtest_specs(folder, nodes, lines)))


def load_run_tables(
    folder: str | os.PathLike[str] | None = None,
    *,
    nodes: pd.DataFrame | None = None,
    lines: pd.DataFrame | None = None,
) -> tuple[DatedTables, BacktestTables]:
    """Read and validate the dated run's and the backtest's tables, all errors at once.

    Parameters
    ----------
    folder
        The dataset folder; the bundled data when None.
    nodes, lines
        The dataset's nodes and product lines (see :func:`load_dated_tables` and
        :func:`load_backtest_tables`).

    Returns
    -------
    tuple of (DatedTables, BacktestTables)

    Raises
    ------
    DataError
        Listing every error found in the five tables.
    """
    specs = _dated_specs(folder, nodes) + _backtest_specs(folder, nodes, lines)
    tables = _read_checked(folder, specs)
    return DatedTables(*tables[:3]), BacktestTables(*tables[3:])


# name, columns, required columns, row check, number columns
_Spec = tuple[str, tuple[str, ...], tuple[str, ...], Callable[..., None] | None, tuple[str, ...]]


def _own(folder: str | os.PathLike[str] | None, name: str) -> bool:
    """Whether the table ``name`` is the dataset's own (not the bundled one it borrows)."""
    return folder is None or (Path(folder) / name).is_file()


def _dated_specs(folder: str | os.PathLike[str] | None, nodes: pd.DataFrame | None) -> list[_Spec]:
    """The dated tables' specs for :func:`_read_checked`."""
    known = nodes if _own(folder, "capacity.csv") else None

    def dated(name: str) -> Callable[[pd.DataFrame, str, list[Issue]], None]:
        return lambda table, file, issues: _validate.check_dated(
            table, name, file, issues, nodes=known
        )

    return [
        (
            "approvals.csv",
            schema.APPROVAL_COLUMNS,
            schema.APPROVAL_REQUIRED,
            dated("approvals.csv"),
            ("share",),
        ),
        (
            "transit.csv",
            schema.TRANSIT_COLUMNS,
            schema.TRANSIT_REQUIRED,
            dated("transit.csv"),
            ("days", "days_low", "days_high"),
        ),
        (
            "capacity.csv",
            schema.CAPACITY_COLUMNS,
            schema.CAPACITY_REQUIRED,
            dated("capacity.csv"),
            ("capacity_t",),
        ),
    ]


def _backtest_specs(
    folder: str | os.PathLike[str] | None, nodes: pd.DataFrame | None, lines: pd.DataFrame | None
) -> list[_Spec]:
    """The backtest tables' specs for :func:`_read_checked`."""
    own = _own(folder, "events.csv")

    def events(table: pd.DataFrame, file: str, issues: list[Issue]) -> None:
        _validate.check_events(
            table, file, issues, nodes=nodes if own else None, lines=lines if own else None
        )

    return [
        (
            "observed.csv",
            schema.OBSERVED_COLUMNS,
            schema.OBSERVED_REQUIRED,
            _validate.check_observed,
            ("value",),
        ),
        ("events.csv", schema.EVENT_COLUMNS, schema.EVENT_REQUIRED, events, ()),
    ]


def load_plants(
    folder: str | os.PathLike[str] | None = None, *, nodes: pd.DataFrame | None = None
) -> dict[str, int]:
    """Read and validate ``plants.csv``: how many plants (or lines) each aggregate stands for.

    From the dataset folder when it has the file, else the bundled one (whose nodes are
    then not checked against ``nodes``).

    Parameters
    ----------
    folder
        The dataset folder; the bundled data when None.
    nodes
        The dataset's nodes, against which the folder's own table is checked.

    Returns
    -------
    dict of str to int
        Aggregate id -> number of plants (see :func:`supplygraph.dataset.plants.split_plants`).

    Raises
    ------
    DataError
        Listing every error found, each with file, line and column.
    """
    known = nodes if _own(folder, "plants.csv") else None

    def check(table: pd.DataFrame, file: str, issues: list[Issue]) -> None:
        _validate.check_plants(table, file, issues, nodes=known)

    (table,) = _read_checked(
        folder, [("plants.csv", schema.PLANT_COLUMNS, schema.PLANT_REQUIRED, check, ("plants",))]
    )
    return {node: int(count) for node, count in zip(table["node"], table["plants"])}


def load_destination_months(folder: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Read and validate ``destination_months.csv``: destinations' months over their normal.

    From the dataset folder when it has the file, else the bundled one. The evidence for the
    queue's destination effect (data/SOURCES.md, "Bands of the dated run";
    :func:`supplygraph.analyses.bands.destination_rho`).

    Parameters
    ----------
    folder
        The dataset folder; the bundled data when None.

    Returns
    -------
    pandas.DataFrame
        destination, month, exports_t, normal_t, total_share, source, status, note.

    Raises
    ------
    DataError
        Listing every error found, each with file, line and column.
    """
    spec = (
        "destination_months.csv",
        schema.DESTINATION_MONTH_COLUMNS,
        schema.DESTINATION_MONTH_REQUIRED,
        _validate.check_destination_months,
        ("exports_t", "normal_t", "total_share"),
    )
    (table,) = _read_checked(folder, [spec])
    return table


class QualityTables(NamedTuple):
    """The data-quality report's tables: the kind of each publisher, published shares."""

    publishers: pd.DataFrame
    published: pd.DataFrame


QUALITY_FILES = ("publishers.csv", "published.csv")  # what validate's data-quality report reads


def load_quality_tables(folder: str | os.PathLike[str] | None = None) -> QualityTables:
    """Read and validate ``publishers.csv`` and ``published.csv``.

    Each comes from the dataset folder when it has the file, else from the bundled data.

    Parameters
    ----------
    folder
        The dataset folder; the bundled data when None.

    Returns
    -------
    QualityTables
        ``publishers.csv`` (domain, kind, publisher, note) and ``published.csv`` (stage,
        material, country, share_pct, publisher, source, status, note), each with the
        ``csv_line`` of its rows.

    Raises
    ------
    DataError
        Listing every error found, each with file, line and column.
    """
    publishers, published = _read_checked(
        folder,
        [
            (
                "publishers.csv",
                schema.PUBLISHER_COLUMNS,
                schema.PUBLISHER_REQUIRED,
                _validate.check_publishers,
                (),
            ),
            (
                "published.csv",
                schema.PUBLISHED_COLUMNS,
                schema.PUBLISHED_REQUIRED,
                _validate.check_published,
                ("share_pct",),
            ),
        ],
    )
    return QualityTables(publishers, published)


def _read_checked(folder: str | os.PathLike[str] | None, specs: list[_Spec]) -> list[pd.DataFrame]:
    """Read and check optional tables, each from ``folder`` if it has it, else bundled.

    ``specs`` gives each file's name, columns, required columns, row check (called as
    ``check(table, file, issues)``; None: the columns only) and number columns (typed in
    the tables returned). Every error of every table is collected before
    :class:`DataError` is raised.
    """
    issues: list[Issue] = []
    tables = []
    for name, columns, required, check, _ in specs:
        path = dataset_file(folder, name)
        table = _read_table(path, _read_bytes(path, issues), columns, required, issues)
        if table is not None and check is not None:
            check(table, str(path), issues)
        tables.append(table)
    errors = sorted(i for i in issues if i.severity == "error")
    if errors or any(table is None for table in tables):
        raise DataError(errors)
    return [_typed(table, spec[4]) for table, spec in zip(tables, specs)]
