"""Compare two scenario results per sector and node."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

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
