"""supplygraph: rare-earth supply-chain graph explorer for export-licence disruptions."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ._version import __version__

# Imported on first use, so that `supplygraph --help` does not load pandas or scipy.
_API = {
    "load": "dataset.graph",
    "SupplyGraph": "dataset.graph",
    "Scenario": "scenario.parse",
    "load_scenario": "scenario.parse",
    "simulate": "analyses.exposure",
    "Result": "analyses.exposure",
    "baseline": "analyses.exposure",
    "focus_table": "analyses.focus",
    "simulate_days": "analyses.timeline",
    "load_dated_tables": "dataset.io",
    "render_html": "outputs.html",
    "write_html": "outputs.html",
    "DataError": "_errors",
    "ScenarioError": "_errors",
    "SupplyGraphError": "_errors",
}

__all__ = ["__version__", "write_reports", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'supplygraph' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


def write_reports(
    result: Any, out_dir: Any, *, html: bool = True, raw: bool = False, focus: Any = None
) -> list[Any]:
    """Write a result's files as ``supplygraph simulate`` does, as one set: the CSV reports,
    ``scenario.json``, by default ``graph.html``, and the chart (``sectors.png``, ``.svg``).

    Parameters
    ----------
    result
        A :class:`Result` (from :func:`simulate`).
    out_dir
        The report folder (created if needed; only the tool's own files are replaced).
    html
        Also write the page.
    raw
        Leave text cells that a spreadsheet would run as formulas as they are.
    focus
        Also write ``focus.csv``: ``"overlay"`` or node ids (:func:`focus_table`).

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    from .outputs.files import write_file_set
    from .outputs.report import render_simulation

    return write_file_set(out_dir, render_simulation(result, raw=raw, html=html, focus=focus))
