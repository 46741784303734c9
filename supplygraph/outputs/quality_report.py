"""Files of the data-quality report: its breakdown, the published shares, each row's citation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..analyses import quality
from .report import to_csv_text

if TYPE_CHECKING:
    from ..dataset.graph import SupplyGraph


def render_quality(
    report: quality.QualityReport, graph: SupplyGraph, *, raw: bool = False
) -> dict[str, str]:
    """Return the data-quality report's files, keyed by file name, as
    ``supplygraph validate --quality-out`` writes them.

    Parameters
    ----------
    report
        The report (:func:`supplygraph.analyses.quality.quality_report`).
    graph
        The graph it describes, whose nodes and edges ``citations.csv`` lists.
    raw
        Leave text cells that a spreadsheet would run as formulas as they are.

    Returns
    -------
    dict of str to str
        ``quality.csv`` (edges and nodes by status and citation kind),
        ``published-shares.csv`` (``published.csv`` beside the data's shares) and
        ``citations.csv`` (each node's and edge's citation kind), and ``shock-path.csv``
        (each scenario's shocked tonnage by status) when the report measured it.
    """
    citations = quality.row_citations(graph, report.kinds)
    files = {
        "quality.csv": to_csv_text(report.breakdown, quality.BREAKDOWN_COLUMNS, raw=raw),
        "published-shares.csv": to_csv_text(report.published, quality.PUBLISHED_COLUMNS, raw=raw),
        "citations.csv": to_csv_text(citations, quality.CITATION_COLUMNS, raw=raw),
    }
    if len(report.shock):
        files["shock-path.csv"] = to_csv_text(report.shock, quality.SHOCK_COLUMNS, raw=raw)
    return files
