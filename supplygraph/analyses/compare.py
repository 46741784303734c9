"""Compare two scenario results per sector and node."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from . import columns

if TYPE_CHECKING:
    from .exposure import Result


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
    for name, keys in columns.COMPARE_KEYS.items():
        left, right = getattr(a, name), getattr(b, name)
        figures = [
            c for c in columns.COMPARE_FIGURES + columns.REROUTE_FIGURES if c in left and c in right
        ]
        merged = left[[*keys, "baseline_t", *figures]].merge(
            right[[keys[0], *figures]], on=keys[0], suffixes=("_a", "_b"), how="outer"
        )
        for column in (c for c in columns.COMPARE_DIFFERENCES if c in figures):
            merged[f"{column}_diff"] = merged[f"{column}_b"] - merged[f"{column}_a"]
        merged = merged.sort_values(
            ["shortfall_pct_diff", keys[0]], ascending=[False, True], kind="stable"
        )
        tables[name] = merged.reset_index(drop=True)
    return tables
