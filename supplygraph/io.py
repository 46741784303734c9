"""Read the CSV dataset into validated tables; write reports atomically."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from . import _validate, schema
from ._errors import DataError, Issue, WriteError


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
        return Path(__file__).resolve().parent.parent / "data"


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
        table[column] = pd.to_numeric(table[column].where(table[column] != ""))
    table.attrs = {}
    return table.reset_index(drop=True)


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (UTF-8 for text).

    Parameters
    ----------
    path
        The file to write.
    data
        Text (written as UTF-8) or bytes.
    """
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


# ---------------------------------------------------------------- report sets

RUN_MANIFEST = ".supplygraph-run.json"  # the set in the folder: file names and checksums
SWAP_JOURNAL = ".supplygraph-swap.json"  # a committed set still being moved into place
TEMP_PREFIX = ".supplygraph-tmp-"  # the staging folder of a set being written


def write_file_set(
    folder: str | os.PathLike[str],
    files: dict[str, str | bytes | Callable[[], str | bytes | Iterable[bytes]]],
) -> list[Path]:
    """Replace the files of the previous set in ``folder`` by ``files``: all of them or none.

    The set is written and flushed to disk in a staging folder inside ``folder``; a journal
    renamed into place then commits it, and the files are renamed over the old ones. A run
    killed before the commit leaves the old set untouched, one killed after it is finished
    by the next call (or :func:`finish_file_set`). Files of the previous set that the new
    one lacks are removed (the manifest, ``.supplygraph-run.json``, lists them); no other
    file in ``folder`` is touched.

    Parameters
    ----------
    folder
        The report folder (created if needed).
    files
        Text (written as UTF-8) or bytes, keyed by file name; or a function that returns
        them (or the bytes in pieces), called when the file is staged, so that a large
        file is never whole in memory.

    Returns
    -------
    list of Path
        The files written, in the order of ``files``.

    Raises
    ------
    WriteError
        Naming the file that could not be written; the folder's earlier files are unchanged.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> [p.name for p in write_file_set(folder, {"a.csv": "x\\n1\\n", "b.json": "{}\\n"})]
    ['a.csv', 'b.json']
    >>> [p.name for p in write_file_set(folder, {"a.csv": "x\\n2\\n"})]
    ['a.csv']
    >>> sorted(p.name for p in folder.iterdir())
    ['.supplygraph-run.json', 'a.csv']
    """
    folder = Path(folder)
    payloads = {_plain_name(name): data for name, data in files.items()}
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot write {folder}: {exc.strerror or exc}") from None
    lock = _lock_folder(folder)
    try:
        return _replace_set(folder, payloads)
    finally:
        _unlock_folder(lock)


def _replace_set(
    folder: Path, payloads: dict[str, str | bytes | Callable[[], str | bytes | Iterable[bytes]]]
) -> list[Path]:
    """Stage, commit and move in a set (the steps of :func:`write_file_set`)."""
    _finish_set(folder, set(payloads))
    for name in (*payloads, RUN_MANIFEST):
        if (folder / name).is_dir() and not (folder / name).is_symlink():
            raise WriteError(
                f"cannot write {folder / name}: a folder is in the way; "
                f"the files already in {folder} were left as they were"
            )
    checksums = {}
    journal = {"write": list(payloads), "remove": sorted(_manifest_names(folder) - set(payloads))}
    try:
        staging = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=folder))
    except OSError as exc:
        raise WriteError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    try:
        for name, payload in payloads.items():
            data = payload() if callable(payload) else payload  # rendered now, one at a time
            if isinstance(data, str):
                data = data.encode("utf-8")
            checksums[name] = _write_synced(staging / name, data, shown_as=folder / name)
            del data
        _write_synced(
            staging / RUN_MANIFEST,
            _json_bytes({"files": checksums}),
            shown_as=folder / RUN_MANIFEST,
        )
        _write_synced(
            staging / SWAP_JOURNAL,
            _json_bytes({**journal, "staging": staging.name}),
            shown_as=folder / SWAP_JOURNAL,
        )
        _sync_folder(staging)
        os.replace(staging / SWAP_JOURNAL, folder / SWAP_JOURNAL)
    except BaseException:
        _remove_staging(staging)
        raise
    _sync_folder(folder)  # the journal's rename was the commit: make it last
    _finish_set(folder, set(payloads))
    return [folder / name for name in payloads]


def finish_file_set(
    folder: str | os.PathLike[str], *, names: set[str] | frozenset[str] = frozenset()
) -> None:
    """Finish moving a committed set into ``folder`` and remove stale temporaries.

    A run killed between the commit and its last rename leaves old and new files side by
    side with the journal ``.supplygraph-swap.json``; this completes the new set. Staging
    folders of uncommitted runs are removed, and so are the ``.NAME.XXXXXXXX.tmp`` files
    that single-file writes leave, for the names of the folder's set and ``names``.

    Parameters
    ----------
    folder
        A report folder.
    names
        More report names whose single-file temporaries are ours.

    Raises
    ------
    WriteError
        When the journal cannot be read or a rename fails (the journal is kept for a retry).
    """
    lock = _lock_folder(Path(folder))
    try:
        _finish_set(Path(folder), names)
    finally:
        _unlock_folder(lock)


def _finish_set(folder: Path, names: set[str] | frozenset[str]) -> None:
    """Roll a committed set forward and remove stale temporaries (see :func:`finish_file_set`)."""
    journal_path = folder / SWAP_JOURNAL
    if journal_path.is_file():
        try:
            journal = json.loads(journal_path.read_bytes())
            staging = folder / _plain_name(journal["staging"])
            for name in map(_plain_name, journal["write"]):
                if (staging / name).is_file():
                    os.replace(staging / name, folder / name)
            for name in map(_plain_name, journal["remove"]):
                if (folder / name).is_file():
                    (folder / name).unlink()
            if (staging / RUN_MANIFEST).is_file():  # last: it names the set now in place
                os.replace(staging / RUN_MANIFEST, folder / RUN_MANIFEST)
            _sync_folder(folder)
            journal_path.unlink()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise WriteError(
                f"cannot finish replacing the reports in {folder}: {exc}; the next run "
                f"into it finishes the job ({SWAP_JOURNAL} says what is left)"
            ) from None
    ours = _manifest_names(folder) | names
    for entry in folder.iterdir():
        if entry.name.startswith(TEMP_PREFIX) and entry.is_dir() and not entry.is_symlink():
            _remove_staging(entry)
        elif _is_single_file_temporary(entry.name, ours) and entry.is_file():
            entry.unlink()


def _lock_folder(folder: Path) -> int | None:
    """Wait until no other run writes into ``folder``, then hold its lock until
    :func:`_unlock_folder` (a POSIX flock: it goes with the process, however it ends)."""
    if os.name != "posix":  # Windows: runs into one folder are not serialised
        return None
    import fcntl  # POSIX only

    fd = os.open(folder, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _unlock_folder(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # releases the flock


def _is_single_file_temporary(name: str, names: set[str]) -> bool:
    """Tell whether ``name`` is :func:`write_atomic`'s ``.NAME.XXXXXXXX.tmp`` for a name."""
    stem, _, random = name.removesuffix(".tmp").rpartition(".")
    return name.endswith(".tmp") and stem.startswith(".") and stem[1:] in names and len(random) == 8


def _remove_staging(staging: Path) -> None:
    """Remove a staging folder (it holds files only)."""
    for child in staging.iterdir():
        child.unlink()
    staging.rmdir()


def _manifest_names(folder: Path) -> set[str]:
    """Return the names of the set the folder's manifest lists (none without one)."""
    try:
        listed = json.loads((folder / RUN_MANIFEST).read_bytes())["files"]
        return {_plain_name(name) for name in listed}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _plain_name(name: object) -> str:
    """Return ``name`` if it names a file in the folder itself, else raise ValueError."""
    if not isinstance(name, str) or name in ("", ".", "..") or "/" in name or "\\" in name:
        raise ValueError(f"not a file name: {name!r}")
    return name


def _write_synced(path: Path, payload: bytes | Iterable[bytes], *, shown_as: Path) -> str:
    """Write a new file (its bytes, or pieces of them) and flush it to disk; return its
    SHA-256. A failure names ``shown_as``."""
    digest = hashlib.sha256()
    try:
        with open(path, "xb") as handle:
            for piece in [payload] if isinstance(payload, bytes) else payload:
                digest.update(piece)
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise WriteError(
            f"cannot write {shown_as}: {exc.strerror or exc}; "
            f"the files already in {shown_as.parent} were left as they were"
        ) from None
    return "sha256:" + digest.hexdigest()


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (its renames) to disk."""
    if os.name != "posix":  # Windows cannot open a folder to flush it
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _json_bytes(value: object) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True) + "\n").encode("utf-8")


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


# The dated run's tables (tests/test_property.py breaks each one).
DATED_FILES = ("approvals.csv", "transit.csv", "capacity.csv")


class DatedTables(NamedTuple):
    """The dated run's tables: approval paths, transit times and capacity by date."""

    approvals: pd.DataFrame
    transit: pd.DataFrame
    capacity: pd.DataFrame


def load_dated_tables(folder: str | os.PathLike[str] | None = None) -> DatedTables:
    """Read and validate the dated run's tables: approval paths, transit times, capacity.

    Each comes from the dataset folder when it has the file, else from the bundled data.

    Parameters
    ----------
    folder
        The dataset folder; the bundled data when None.

    Returns
    -------
    DatedTables
        ``approvals.csv`` (path, destination, from, share, ...), ``transit.csv`` (origin,
        destination, days, ...) and ``capacity.csv`` (node, from, capacity_t, ...).

    Raises
    ------
    DataError
        Listing every error found, each with file, line and column.
    """
    issues: list[Issue] = []
    tables = []
    for name, columns, required in (
        ("approvals.csv", schema.APPROVAL_COLUMNS, schema.APPROVAL_REQUIRED),
        ("transit.csv", schema.TRANSIT_COLUMNS, schema.TRANSIT_REQUIRED),
        ("capacity.csv", schema.CAPACITY_COLUMNS, schema.CAPACITY_REQUIRED),
    ):
        path = dataset_file(folder, name)
        table = _read_table(path, _read_bytes(path, issues), columns, required, issues)
        if table is not None:
            _validate.check_dated(table, name, str(path), issues)
        tables.append(table)
    errors = sorted(i for i in issues if i.severity == "error")
    if errors:
        raise DataError(errors)
    approvals, transit, capacity = tables
    assert approvals is not None and transit is not None and capacity is not None
    return DatedTables(
        _typed(approvals, ("share",)), _typed(transit, ("days",)), _typed(capacity, ("capacity_t",))
    )


def load_backtest_tables(
    folder: str | os.PathLike[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read the backtest's checks: observed monthly series and dated events.

    Parameters
    ----------
    folder
        The dataset folder; the bundled data when None (or when it lacks the files).

    Returns
    -------
    tuple of pandas.DataFrame
        ``observed.csv`` and ``events.csv``.

    Raises
    ------
    DataError
        When a file is missing or malformed.
    """
    issues: list[Issue] = []
    tables = []
    for name, columns in (
        ("observed.csv", schema.OBSERVED_COLUMNS),
        ("events.csv", schema.EVENT_COLUMNS),
    ):
        path = dataset_file(folder, name)
        tables.append(_read_table(path, _read_bytes(path, issues), columns, columns[:2], issues))
    errors = sorted(i for i in issues if i.severity == "error")
    if errors or any(t is None for t in tables):
        raise DataError(errors)
    observed, events = tables
    return _typed(observed, ("value",)), events


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
    issues: list[Issue] = []
    tables = []
    layouts = {
        "publishers.csv": (schema.PUBLISHER_COLUMNS, schema.PUBLISHER_REQUIRED),
        "published.csv": (schema.PUBLISHED_COLUMNS, schema.PUBLISHED_REQUIRED),
    }
    checks = {
        "publishers.csv": _validate.check_publishers,
        "published.csv": _validate.check_published,
    }
    for name in QUALITY_FILES:
        path = dataset_file(folder, name)
        table = _read_table(path, _read_bytes(path, issues), *layouts[name], issues)
        if table is not None:
            checks[name](table, str(path), issues)
        tables.append(table)
    errors = sorted(i for i in issues if i.severity == "error")
    if errors:
        raise DataError(errors)
    publishers, published = tables
    assert publishers is not None and published is not None
    return QualityTables(_typed(publishers, ()), _typed(published, ("share_pct",)))
