"""The comparison of two results, written as one set of CSV files (and its chart)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .files import write_file_set
from .report import to_csv_text


def write_comparison(
    tables: dict[str, pd.DataFrame], out_dir: str | Path, *, charts: dict[str, bytes] | None = None
) -> list[Path]:
    """Write ``sectors.csv`` and ``nodes.csv`` of a comparison as one set; return the paths.

    Parameters
    ----------
    tables
        A comparison (:func:`supplygraph.analyses.compare.compare_results`).
    out_dir
        The report folder (created if needed).
    charts
        Image files by name (:func:`supplygraph.outputs.charts.compare_chart`), written after the
        CSVs in the same set.

    Returns
    -------
    list of Path
        The files written, in order.

    Raises
    ------
    WriteError
        Naming the file that could not be written; the folder's earlier files are unchanged.
    """
    files: dict[str, str | bytes] = {
        f"{name}.csv": to_csv_text(table, list(table.columns)) for name, table in tables.items()
    }
    files.update(charts or {})
    return write_file_set(out_dir, files)
