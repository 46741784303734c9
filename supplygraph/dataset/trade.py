"""Read UN Comtrade and CEPII BACI files (plain, gzip or zip) into one table of flows."""

from __future__ import annotations

import gzip
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from .._errors import DataError, Issue
from . import schema
from .trade_codes import COUNTRY_CODES_HEADER, CodeList, load_code_list

FORMATS = ("comtrade", "baci")
PUBLISHERS = {"comtrade": "UN Comtrade", "baci": "CEPII BACI"}
BACI_COLUMNS = ("t", "i", "j", "k", "v", "q")
COMTRADE_REQUIRED = ("reporterCode", "partnerCode", "flowCode", "cmdCode", "primaryValue")
# a row of a breakdown (by customs procedure, transport mode, second partner) is not a total
COMTRADE_TOTALS = {"customsCode": "C00", "motCode": "0", "partner2Code": "0", "mosCode": "0"}
FLOWS = ("X", "M")  # exports and imports; re-exports and re-imports are left out, and counted
TWICE = {
    "comtrade": "(reporter, partner, flow, product and period): a file broken down by customs "
    "procedure or transport mode needs its customsCode and motCode columns",
    "baci": "(exporter, importer, product and year)",
}
MISSING = ("", "NA")  # an empty cell, or BACI's NA for a quantity it does not know
BLOCK_BYTES = 1 << 24  # bytes parsed at a time: a BACI year is never whole in memory

RECORD_COLUMNS = (
    "file", "line", "format", "year", "month", "period", "flow", "reporter_code",
    "partner_code", "exporter_code", "importer_code", "hs", "weight_t", "value_usd",
)  # fmt: skip


@dataclass(frozen=True)
class TradeFiles:
    """The rows of trade files that matter: one per flow, product and period, with codes.

    ``records`` has :data:`RECORD_COLUMNS` (weight in tonnes, value in USD, NaN where the
    file gives none; ``flow`` is ``X`` or ``M`` for a Comtrade reporter's exports or
    imports, ``BACI`` for BACI's reconciled flow; ``month`` 0 for a year).
    """

    records: pd.DataFrame
    codes: CodeList
    files: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_trade_files(
    paths: Iterable[str | os.PathLike[str]],
    hs_codes: Iterable[str],
    *,
    format: str | None = None,
    country_codes: str | os.PathLike[str] | None = None,
) -> TradeFiles:
    """Read trade files, keeping the rows of ``hs_codes``, while they are read.

    Each file is UN Comtrade's CSV (as its website and API return it, annual or monthly)
    or BACI's ``t,i,j,k,v,q``, told apart by its header unless ``format`` says; gzip and
    zip files are read as they are (a BACI zip's ``country_codes_*.csv`` is its code list,
    as is a ``country_codes_*.csv`` given among ``paths``). Numbers are checked in the rows
    kept; rows of other products are skipped unread beyond their product code.

    Parameters
    ----------
    paths
        The files.
    hs_codes
        HS codes (6 digits, or a national line's 8) whose rows are kept.
    format
        ``comtrade`` or ``baci`` for every file; None: by each file's header.
    country_codes
        A BACI ``country_codes_*.csv`` to use instead of the bundled V202601 list.

    Returns
    -------
    TradeFiles

    Raises
    ------
    DataError
        Listing every problem of every file (``file:line: column: message``): an empty or
        truncated file, a header of neither format, a missing column, text where a number
        belongs, a code that is neither a country nor an area, a flow given twice.
    """
    if format is not None and format not in FORMATS:
        raise DataError([Issue("--format", 0, "-", f"expected one of {', '.join(FORMATS)}")])
    wanted = sorted({code.strip() for code in hs_codes})
    issues: list[Issue] = []
    sources: list[tuple[str, Callable[[], IO[bytes]]]] = []
    zipped_codes = None
    for path in map(Path, paths):
        for shown, opener, kind in _sources(path, issues):
            if kind == "codes":
                with opener() as handle:
                    zipped_codes = handle.read()
            else:
                sources.append((shown, opener))
    rows: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    notes: list[str] = []
    for shown, opener in sources:
        header = _header(shown, opener, issues)
        if header is None:
            continue
        if tuple(header) == COUNTRY_CODES_HEADER:
            with opener() as handle:
                zipped_codes = handle.read()
            continue
        kind = format or _format_of(header)
        if kind is None:
            issues.append(
                Issue(
                    shown,
                    1,
                    "-",
                    "not a trade file: expected BACI's header t,i,j,k,v,q or Comtrade's "
                    f"columns {', '.join(COMTRADE_REQUIRED)} (found {', '.join(header[:8])})",
                )
            )
            continue
        if kind == "baci" and tuple(header) != BACI_COLUMNS:  # --format baci on another file
            issues.append(Issue(shown, 1, "-", f"expected BACI's header {','.join(BACI_COLUMNS)}"))
            continue
        read = _read_baci if kind == "baci" else _read_comtrade
        found = read(shown, opener, header, wanted, issues, notes)
        if found is not None:
            kept, total = found
            rows.extend(kept)
            files.append({"file": shown, "format": kind, "rows": total, "kept": len(kept)})
    codes = load_code_list(country_codes or zipped_codes)
    records = pd.DataFrame(rows, columns=list(RECORD_COLUMNS))
    _check_codes(records, codes, issues)
    _check_twice(records, issues)
    if issues:
        raise DataError(sorted(set(issues)))
    return TradeFiles(records.reset_index(drop=True), codes, files, notes)


def _sources(path: Path, issues: list[Issue]) -> Iterator[tuple[str, Callable[[], Any], str]]:
    """Yield (name shown, opener of its bytes, kind) for a file, or for each CSV in a zip."""
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        issues.append(Issue(str(path), 0, "-", f"cannot read file: {exc.strerror or exc}"))
        return
    if magic[:2] == b"\x1f\x8b":
        yield str(path), partial(gzip.open, path, "rb"), "trade"
    elif magic == b"PK\x03\x04":
        try:
            archive = zipfile.ZipFile(path)
            members = [info.filename for info in archive.infolist() if not info.is_dir()]
        except (zipfile.BadZipFile, OSError) as exc:
            issues.append(Issue(str(path), 0, "-", f"not a readable zip file: {exc}"))
            return
        for name in sorted(members):
            base = Path(name).name.lower()
            opener = partial(_member, path, name)
            if base.startswith("country_codes") and base.endswith(".csv"):
                yield f"{path}[{name}]", opener, "codes"
            elif base.endswith(".csv") and not base.startswith("product_codes"):
                yield f"{path}[{name}]", opener, "trade"
    else:
        yield str(path), partial(open, path, "rb"), "trade"


@contextmanager
def _member(path: Path, name: str) -> Iterator[IO[bytes]]:
    """A zip member's bytes, the archive closed with them."""
    with zipfile.ZipFile(path) as archive, archive.open(name) as handle:
        yield handle


def _header(shown: str, opener: Callable[[], IO[bytes]], issues: list[Issue]) -> list[str] | None:
    """The file's column names, or None (with the problem) for an empty or unreadable file."""
    try:
        with opener() as handle:
            first = handle.readline(1 << 16)
    except (OSError, EOFError, zipfile.BadZipFile) as exc:
        issues.append(Issue(shown, 0, "-", f"cannot read: {_reason(exc)}"))
        return None
    text = first.decode("utf-8-sig", errors="replace").strip()
    if not text:
        issues.append(Issue(shown, 1, "-", "file is empty (expected a header row)"))
        return None
    return [name.strip().strip('"') for name in text.split(",")]


def _format_of(header: list[str]) -> str | None:
    if tuple(header) == BACI_COLUMNS:
        return "baci"
    if {"reporterCode", "partnerCode", "cmdCode"} <= set(header):  # then a missing one is named
        return "comtrade"
    return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, EOFError) or "truncated" in str(exc).lower():
        return "the compressed file is truncated (it ends before its end marker)"
    return str(getattr(exc, "strerror", None) or exc)


def _batches(
    shown: str,
    opener: Callable[[], IO[bytes]],
    header: list[str],
    columns: list[str],
    issues: list[Issue],
) -> Iterator[tuple[int, pa.RecordBatch]]:
    """Yield (rows before it, batch) of ``columns`` as text; a parse failure is an issue."""
    read = pa_csv.ReadOptions(block_size=BLOCK_BYTES, column_names=header, skip_rows=1)
    convert = pa_csv.ConvertOptions(
        column_types=dict.fromkeys(columns, pa.string()),
        include_columns=columns,
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    done = 0
    try:
        with opener() as handle:
            reader = pa_csv.open_csv(handle, read_options=read, convert_options=convert)
            for batch in reader:
                yield done, batch
                done += batch.num_rows
    except (pa.ArrowInvalid, OSError, EOFError, zipfile.BadZipFile) as exc:
        where = f" after line {done + 1}" if done else ""
        issues.append(Issue(shown, 0, "-", f"cannot read{where}: {_reason(exc)}"))


def _trimmed(batch: pa.RecordBatch, name: str) -> np.ndarray:
    return np.asarray(pc.utf8_trim_whitespace(batch.column(name)).to_pylist(), dtype=object)


def _read_baci(
    shown: str,
    opener: Callable[[], IO[bytes]],
    header: list[str],
    wanted: list[str],
    issues: list[Issue],
    notes: list[str],
) -> tuple[list[dict[str, Any]], int] | None:
    """BACI rows of the wanted products: exporter i, importer j, v in kUSD, q in tonnes."""
    hs6 = pa.array([code for code in wanted if len(code) == 6])
    kept: list[dict[str, Any]] = []
    total = 0
    for before, batch in _batches(shown, opener, header, list(BACI_COLUMNS), issues):
        total += batch.num_rows
        product = pc.utf8_lpad(pc.utf8_trim_whitespace(batch.column("k")), 6, "0")
        rows = np.flatnonzero(pc.is_in(product, value_set=hs6).to_numpy(zero_copy_only=False))
        if not len(rows):
            continue
        part = batch.take(pa.array(rows))
        cells = {name: _trimmed(part, name) for name in BACI_COLUMNS}
        for n, row in enumerate(rows):
            line = before + int(row) + 2
            year = _code(cells["t"][n], shown, line, "t", issues)
            value = _amount(cells["v"][n], shown, line, "v", issues)
            weight = _amount(cells["q"][n], shown, line, "q", issues)
            exporter = _code(cells["i"][n], shown, line, "i", issues)
            importer = _code(cells["j"][n], shown, line, "j", issues)
            kept.append(
                {
                    "file": shown,
                    "line": line,
                    "format": "baci",
                    "year": year,
                    "month": 0,
                    "period": str(year),
                    "flow": "BACI",
                    "reporter_code": exporter,
                    "partner_code": importer,
                    "exporter_code": exporter,
                    "importer_code": importer,
                    "hs": cells["k"][n].zfill(6),
                    "weight_t": weight,
                    "value_usd": value * 1000.0,
                }
            )
    return kept, total


def _read_comtrade(
    shown: str,
    opener: Callable[[], IO[bytes]],
    header: list[str],
    wanted: list[str],
    issues: list[Issue],
    notes: list[str],
) -> tuple[list[dict[str, Any]], int] | None:
    """Comtrade rows of the wanted products and flows, totals only, with their period."""
    present = set(header)
    missing = [name for name in COMTRADE_REQUIRED if name not in present]
    if "period" not in present and "refYear" not in present:
        missing.append("period")
    if "netWgt" not in present and not {"qty", "qtyUnitAbbr"} <= present:
        missing.append("netWgt")
    for name in missing:
        issues.append(Issue(shown, 1, name, "required column missing from header"))
    if missing:
        return None
    optional = ["period", "refYear", "refMonth", "freqCode", "netWgt", "qty", "qtyUnitAbbr"]
    breakdowns = [name for name in COMTRADE_TOTALS if name in present]
    columns = [*COMTRADE_REQUIRED, *(n for n in optional if n in present), *breakdowns]
    products = pa.array(wanted)
    kept: list[dict[str, Any]] = []
    total = other_flows = 0
    for before, batch in _batches(shown, opener, header, columns, issues):
        total += batch.num_rows
        mask = pc.is_in(pc.utf8_trim_whitespace(batch.column("cmdCode")), value_set=products)
        for name in breakdowns:  # a breakdown's rows repeat its total
            cell = pc.utf8_trim_whitespace(batch.column(name))
            mask = pc.and_(mask, pc.is_in(cell, value_set=pa.array(["", COMTRADE_TOTALS[name]])))
        flow = pc.utf8_trim_whitespace(batch.column("flowCode"))
        in_flows = pc.is_in(flow, value_set=pa.array(FLOWS))
        other_flows += pc.sum(pc.and_(mask, pc.invert(in_flows))).as_py() or 0
        rows = np.flatnonzero(pc.and_(mask, in_flows).to_numpy(zero_copy_only=False))
        if not len(rows):
            continue
        part = batch.take(pa.array(rows))
        cells = {name: _trimmed(part, name) for name in columns}
        for n, row in enumerate(rows):
            line = before + int(row) + 2
            kept.append(_comtrade_record(cells, n, shown, line, issues))
    if other_flows:
        notes.append(
            f"{shown}: {other_flows} rows of re-exports, re-imports or other flows left out"
        )
    return kept, total


def _comtrade_record(
    cells: dict[str, np.ndarray], n: int, shown: str, line: int, issues: list[Issue]
) -> dict[str, Any]:
    """One Comtrade row as a record: exports run reporter to partner, imports the other way."""
    period_text = cells["period"][n] if "period" in cells else cells["refYear"][n]
    year = month = 0
    if len(period_text) == 6 and period_text.isdigit():
        year, month = int(period_text[:4]), int(period_text[4:])
    elif len(period_text) == 4 and period_text.isdigit():
        year = int(period_text)
        if "period" not in cells and "refMonth" in cells and cells["refMonth"][n] not in ("52",):
            month = _code(cells["refMonth"][n], shown, line, "refMonth", issues) or 0
    else:
        issues.append(Issue(shown, line, "period", f"not a year or YYYYMM: {period_text!r}"))
    if month and not 1 <= month <= 12:
        issues.append(Issue(shown, line, "period", f"not a month: {period_text!r}"))
    weight = float("nan")
    if "netWgt" in cells and cells["netWgt"][n] not in MISSING:
        weight = _amount(cells["netWgt"][n], shown, line, "netWgt", issues) / 1000.0
    elif "qty" in cells and cells["qtyUnitAbbr"][n].lower() == "kg":
        weight = _amount(cells["qty"][n], shown, line, "qty", issues) / 1000.0
    reporter = _code(cells["reporterCode"][n], shown, line, "reporterCode", issues)
    partner = _code(cells["partnerCode"][n], shown, line, "partnerCode", issues)
    flow = cells["flowCode"][n]
    exporter, importer = (reporter, partner) if flow == "X" else (partner, reporter)
    return {
        "file": shown,
        "line": line,
        "format": "comtrade",
        "year": year,
        "month": month,
        "period": f"{year}-{month:02d}" if month else str(year),
        "flow": flow,
        "reporter_code": reporter,
        "partner_code": partner,
        "exporter_code": exporter,
        "importer_code": importer,
        "hs": cells["cmdCode"][n],
        "weight_t": weight,
        "value_usd": _amount(cells["primaryValue"][n], shown, line, "primaryValue", issues),
    }


def _code(text: str, shown: str, line: int, column: str, issues: list[Issue]) -> int:
    if text.isdigit():
        return int(text)
    issues.append(Issue(shown, line, column, f"not a code: {text!r}"))
    return -1


def _amount(text: str, shown: str, line: int, column: str, issues: list[Issue]) -> float:
    """A quantity or value: a plain non-negative number, NaN where the file gives none."""
    if text in MISSING:
        return float("nan")
    value = schema.parse_number(text)
    if value is None:
        issues.append(Issue(shown, line, column, f"not a number: {text!r}"))
        return float("nan")
    if value < 0:
        issues.append(Issue(shown, line, column, f"negative value: {text}"))
    return value


def _check_codes(records: pd.DataFrame, codes: CodeList, issues: list[Issue]) -> None:
    """Every reporter, partner, exporter and importer code must be a country or an area."""
    columns = {"comtrade": ("reporterCode", "partnerCode"), "baci": ("i", "j")}
    for row in records.itertuples(index=False):
        for code, column in zip((row.reporter_code, row.partner_code), columns[row.format]):
            if code >= 0 and codes.kind(code) == "unknown":
                issues.append(
                    Issue(
                        row.file,
                        row.line,
                        column,
                        f"unknown country or area code {code} (in neither BACI's country "
                        f"list {Path(codes.source).name} nor Comtrade's partner areas)",
                    )
                )


def _check_twice(records: pd.DataFrame, issues: list[Issue]) -> None:
    """A flow (reporter, partner, direction, product, period) may be given once."""
    key = ["format", "flow", "reporter_code", "partner_code", "hs", "year", "month"]
    twice = records[records.duplicated(key, keep=False)]
    for _, group in twice.groupby(key, sort=False):
        first = group.iloc[0]
        for row in group.iloc[1:].itertuples(index=False):
            issues.append(
                Issue(
                    row.file,
                    row.line,
                    "-",
                    f"the same flow as {first['file']}:{first['line']} " + TWICE[row.format],
                )
            )
