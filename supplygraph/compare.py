"""Compare two scenario results per sector and node."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .files import write_file_set
from .report import to_csv_text

if TYPE_CHECKING:
    from .exposure import Result

FIGURES = ["baseline_t", "shortfall_t", "shortfall_pct", "days_to_impact"]
REROUTE_FIGURES = ["shortfall_reroute_t", "shortfall_reroute_pct"]
DIFFERENCES = ["shortfall_t", "shortfall_pct", *REROUTE_FIGURES]


def compare_results(a: Result, b: Result) -> dict[str, pd.DataFrame]:
    """Return sector and node tables with A's and B's figures and B minus A.

    Columns: the key columns, ``baseline_t``, then ``<figure>_a``, ``<figure>_b`` and, for
    shortfalls, ``<figure>_diff`` (B - A). The after-rerouting shortfalls are among the
    figures when both results were rerouted.

    Parameters
    ----------
    a, b
        Results of two scenarios on the same graph (B minus A).

    Returns
    -------
    dict of str to pandas.DataFrame
        ``sectors`` and ``nodes``.
    """
    tables = {}
    for name, keys in (("sectors", ["sector"]), ("nodes", ["id", "name", "stage", "country"])):
        left, right = getattr(a, name), getattr(b, name)
        columns = [
            c for c in FIGURES + REROUTE_FIGURES if c in left and c in right and c != "baseline_t"
        ]
        merged = left[[*keys, "baseline_t", *columns]].merge(
            right[[keys[0], *columns]], on=keys[0], suffixes=("_a", "_b"), how="outer"
        )
        for column in (c for c in DIFFERENCES if c in columns):
            merged[f"{column}_diff"] = merged[f"{column}_b"] - merged[f"{column}_a"]
        merged = merged.sort_values(
            ["shortfall_pct_diff", keys[0]], ascending=[False, True], kind="stable"
        )
        tables[name] = merged.reset_index(drop=True)
    return tables


def write_comparison(
    tables: dict[str, pd.DataFrame], out_dir: str | Path, *, charts: dict[str, bytes] | None = None
) -> list[Path]:
    """Write ``sectors.csv`` and ``nodes.csv`` of a comparison as one set; return the paths.

    Parameters
    ----------
    tables
        A comparison (:func:`compare_results`).
    out_dir
        The report folder (created if needed).
    charts
        Image files by name (:func:`supplygraph.charts.compare_chart`), written after the
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
