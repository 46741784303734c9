"""The user's part of a graph: the overlay's nodes (or named ones), and their lines' figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._errors import ScenarioError
from ..dataset.graph import reachable
from . import columns

if TYPE_CHECKING:
    from ..dataset.graph import SupplyGraph
    from .exposure import Result

OVERLAY = "overlay"  # the focus that names every node of the overlays


def focus_mask(graph: SupplyGraph, focus: str | Iterable[str]) -> np.ndarray:
    """Return the mask of the focus nodes: ``overlay`` (every overlay node) or node ids.

    Parameters
    ----------
    graph
        The supply graph.
    focus
        ``"overlay"``, or node ids (a list, or one string of ids separated by ``,``).

    Returns
    -------
    numpy.ndarray
        One bool per node.

    Raises
    ------
    ScenarioError
        For ``overlay`` on a graph without overlays, or an unknown id.
    """
    names = [focus] if isinstance(focus, str) else list(focus)
    ids = [part.strip() for name in names for part in name.split(",") if part.strip()]
    if ids == [OVERLAY]:
        if "layer" not in graph.nodes:
            raise ScenarioError("focus: 'overlay' needs an overlay (--overlay DIR)")
        return (graph.nodes["layer"] == OVERLAY).to_numpy()
    known = set(graph.nodes["id"])
    unknown = [name for name in ids if name not in known]
    if unknown or not ids:
        raise ScenarioError(
            f"focus: unknown node {unknown[0]!r}" if unknown else "focus: no node named"
        )
    return graph.nodes["id"].isin(ids).to_numpy()


def upstream_of(graph: SupplyGraph, mask: np.ndarray) -> np.ndarray:
    """Return the mask of nodes from which a focus node can be reached (the focus too).

    Parameters
    ----------
    graph
        The supply graph.
    mask
        The focus nodes.

    Returns
    -------
    numpy.ndarray
        One bool per node.
    """
    return reachable(graph.n_nodes, graph.index.src, graph.index.dst, mask, upstream=True)


def focus_table(result: Result, focus: str | Iterable[str]) -> pd.DataFrame:
    """Return the focus nodes' product lines with what a risk manager asks of each.

    Shortfall (t, %, products), the first day output falls and its date (``as_of`` plus
    the days, where the scenario has a date), the limiting input, suppliers and regimes,
    and the best case after rerouting.

    Parameters
    ----------
    result
        A scenario result.
    focus
        As for :func:`focus_mask`.

    Returns
    -------
    pandas.DataFrame
        One row per line of a focus node, worst first; columns ``columns.FOCUS_COLUMNS``
        (those the result has).
    """
    mask = focus_mask(result.graph, focus)
    lines = (
        result.lines if result.lines is not None else result.nodes.rename(columns={"id": "node"})
    )
    table = lines[lines["node"].isin(result.graph.nodes["id"][mask])].copy()
    as_of = result.scenario.as_of
    days = table["days_to_impact"].to_numpy(np.float64)
    table["first_stoppage"] = [
        (as_of + dt.timedelta(days=int(np.ceil(d)))).isoformat()
        if as_of is not None and np.isfinite(d)
        else ""
        for d in days
    ]
    table = table.sort_values(["shortfall_pct", "node", "line"], ascending=[False, True, True])
    present = [c for c in columns.FOCUS_COLUMNS if c in table]
    return table[present].reset_index(drop=True)
