"""Files of the comparison of two results: its CSV tables and its chart."""

from __future__ import annotations

import pandas as pd

from .charts import compare_chart
from .report import to_csv_text


def render_comparison(
    tables: dict[str, pd.DataFrame], a: str, b: str, *, raw: bool = False
) -> dict[str, str | bytes]:
    """Return a comparison's files, keyed by file name, as ``supplygraph compare`` writes them.

    Parameters
    ----------
    tables
        A comparison (:func:`supplygraph.analyses.compare.compare_results`).
    a, b
        The two scenarios' names, shown in the chart.
    raw
        Leave text cells that a spreadsheet would run as formulas as they are.

    Returns
    -------
    dict of str to str or bytes
        ``sectors.csv`` and ``nodes.csv`` (A's and B's figures and B minus A), then
        ``compare.png`` and ``compare.svg`` (:func:`supplygraph.outputs.charts.compare_chart`).
    """
    files: dict[str, str | bytes] = {
        f"{name}.csv": to_csv_text(table, list(table.columns), raw=raw)
        for name, table in tables.items()
    }
    files.update(compare_chart(tables, a, b))
    return files
