"""Read the CSV dataset into validated tables; write reports atomically."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd

from . import _validate, schema
from ._errors import DataError, Issue


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


def empty_table(columns: tuple[str, ...]) -> pd.DataFrame:
    """Return a table with these text columns, a ``line`` column and no rows.

    Parameters
    ----------
    columns
        The column names.

    Returns
    -------
    pandas.DataFrame
    """
    table = pd.DataFrame({name: pd.Series(dtype=object) for name in columns})
    table.insert(0, "csv_line", pd.Series(dtype="int64"))
    return table


NUMERIC_COLUMNS = {"flow_t", "capacity_t", "stock_days", "extraterritorial_pct", "baseline_units"}


def bundled_data_dir() -> Path:
    """Return the folder of the bundled default dataset (``supplygraph.data``)."""
    try:
        return Path(str(resources.files("supplygraph.data")))
    except ModuleNotFoundError:  # imported from a source checkout: data/ sits beside the package
        return Path(__file__).resolve().parent.parent / "data"


def load_dataset(folder: str | os.PathLike[str] | None = None) -> Dataset:
    """Read and validate ``nodes.csv``, ``edges.csv`` and ``regimes.csv`` of a folder.

    A folder without ``regimes.csv`` uses the bundled regimes.

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
        raise DataError([Issue(str(folder), 0, "-", "dataset folder not found")])
    regimes_path = folder / "regimes.csv"
    if not regimes_path.is_file():
        regimes_path = bundled_data_dir() / "regimes.csv"
    paths = {"nodes": folder / "nodes.csv", "edges": folder / "edges.csv", "regimes": regimes_path}
    raw = {name: _read_bytes(path, issues) for name, path in paths.items()}
    nodes = _read_table(
        paths["nodes"], raw["nodes"], schema.NODE_COLUMNS, schema.NODE_REQUIRED, issues
    )
    edges = _read_table(
        paths["edges"], raw["edges"], schema.EDGE_COLUMNS, schema.EDGE_REQUIRED, issues
    )
    regimes = _regimes_table(paths["regimes"], raw["regimes"], issues)
    lines_path = folder / "lines.csv"
    lines_raw = _read_bytes(lines_path, issues) if lines_path.is_file() else None
    lines = empty_table(schema.LINE_COLUMNS)
    if lines_raw is not None:
        lines = _read_table(
            lines_path, lines_raw, schema.LINE_COLUMNS, schema.LINE_REQUIRED, issues
        )
    if nodes is not None and edges is not None and lines is not None:
        _validate.check_nodes(nodes, str(paths["nodes"]), issues)
        _validate.check_lines(lines, nodes, str(lines_path), issues)
        _validate.check_edges(edges, nodes, str(paths["edges"]), issues, lines=lines)
    errors = sorted(i for i in issues if i.severity == "error")
    if errors:
        raise DataError(errors)
    assert nodes is not None and edges is not None and regimes is not None and lines is not None
    digest = hashlib.sha256()
    for name in ("nodes", "edges", "regimes"):
        digest.update(raw[name] or b"")
    if lines_raw is not None:
        digest.update(lines_raw)
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
    """Parse CSV bytes into a string DataFrame with a ``line`` column, or None on fatal errors."""
    if data is None:
        return None
    file = str(path)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        issues.append(
            Issue(file, line, "-", f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}")
        )
        return None
    if not text.strip():
        issues.append(Issue(file, 1, "-", "file is empty (expected a header row)"))
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as exc:
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
    rows: list[list[str]] = []
    lines: list[int] = []
    last_line = reader.line_num
    try:
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
    if fatal:
        return None
    table = pd.DataFrame(rows, columns=header, dtype=object)
    table = table.reindex(columns=list(columns), fill_value="").fillna("").astype(str)
    table.insert(0, "csv_line", pd.Series(lines, dtype="int64"))
    table.attrs["file"] = file
    for column in set(columns) & NUMERIC_COLUMNS:
        _validate.check_numbers(table, column, column in required, file, issues)
    return table


def _typed(table: pd.DataFrame, numeric: tuple[str, ...]) -> pd.DataFrame:
    table = table.copy()
    for column in numeric:
        table[column] = pd.to_numeric(table[column].replace("", float("nan")))
    table.attrs = {}
    return table.reset_index(drop=True)


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (UTF-8 for text)."""
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
