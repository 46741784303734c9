"""Sector sums and the one percentage rule, for one scenario or a batch of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    from ..dataset.graph import SupplyGraph


def share_pct(part: ArrayLike, whole: ArrayLike) -> np.ndarray:
    """Return 100 x part / whole, and 0 where the whole is 0.

    Every percentage in the reports, the terminal table and the page is this ratio of
    summed tonnes: a shortfall (per node, sector or country, after rerouting or not,
    aggregated or not) and an origin content.

    Parameters
    ----------
    part, whole
        Tonnes, element by element.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> share_pct([25.0, 5.0], [100.0, 0.0]).tolist()
    [25.0, 0.0]
    """
    part, whole = np.asarray(part, dtype=np.float64), np.asarray(whole, dtype=np.float64)
    unknown = np.isnan(part)  # an unknown part (rerouting stopped) stays unknown
    fallback = np.where(unknown, np.nan, 0.0)
    return np.where(whole > 0, 100 * part / np.where(whole > 0, whole, 1.0), fallback)


@dataclass(frozen=True)
class SectorBatch:
    """Per scenario (row) and sector (column), what ``sectors.csv`` gives for one scenario.

    ``days_to_impact`` is ``inf`` where the sector never falls short; the units columns
    are NaN for sectors whose makers give no units.
    """

    sectors: tuple[str, ...]
    baseline_t: np.ndarray
    shortfall_t: np.ndarray
    shortfall_pct: np.ndarray
    shortfall_units_pct: np.ndarray
    days_to_impact: np.ndarray


def sector_exposure(
    lines: SupplyGraph,
    output_ratio: np.ndarray,
    days_to_impact: np.ndarray,
    *,
    baseline_t: np.ndarray | None = None,
) -> SectorBatch:
    """Sum makers' product lines per sector, for each row of a batch.

    The same sums as the static sector table (``exposure._sector_table``): a sector's
    ``shortfall_t`` is its makers' baseline tonnes less what they still make,
    ``shortfall_pct`` that as a share of their baseline (:func:`share_pct`),
    ``shortfall_units_pct`` the share of their products lost, and ``days_to_impact`` the
    earliest day any of its makers falls short.

    Parameters
    ----------
    lines
        The graph of product lines the batch ran on (``Production.graph``).
    output_ratio, days_to_impact
        Per row and line, from :func:`supplygraph.engine.propagate.propagate`.
    baseline_t
        Per row and line, the baseline tonnes (when the rows drew their own flows);
        default the graph's.

    Returns
    -------
    SectorBatch
    """
    nodes = lines.nodes
    makers = np.flatnonzero(nodes["stage"].to_numpy() == "manufacturer")
    sector_of = nodes["sector"].to_numpy()[makers]
    sectors, column = np.unique(sector_of.astype(str), return_inverse=True)
    order = np.argsort(column, kind="stable")
    firsts = np.flatnonzero(np.diff(column[order], prepend=-1))
    ratio = np.atleast_2d(output_ratio)[:, makers[order]]
    base = lines.baseline_t if baseline_t is None else baseline_t
    base = np.broadcast_to(base, (len(ratio), lines.n_nodes))[:, makers[order]]
    total = np.add.reduceat(base, firsts, axis=1) if len(firsts) else base[:, :0]
    after = np.add.reduceat(base * ratio, firsts, axis=1) if len(firsts) else total
    shortfall = total - after
    units = _column(nodes, "baseline_units")[makers[order]]
    counted = (_text(nodes, "unit")[makers[order]] != "") & np.isfinite(units)
    unit_base = np.where(counted, units, 0.0)
    if len(firsts):
        units_total = np.add.reduceat(np.broadcast_to(unit_base, ratio.shape), firsts, axis=1)
        units_lost = np.add.reduceat(unit_base - unit_base * ratio, firsts, axis=1)
        has_units = np.add.reduceat(counted.astype(int), firsts) > 0
        days = np.minimum.reduceat(np.atleast_2d(days_to_impact)[:, makers[order]], firsts, axis=1)
    else:
        units_total = units_lost = days = total
        has_units = np.zeros(0, dtype=bool)
    return SectorBatch(
        tuple(str(s) for s in sectors),
        total,
        shortfall,
        share_pct(shortfall, total),
        np.where(has_units, share_pct(units_lost, units_total), np.nan),
        days,
    )


def _column(nodes: pd.DataFrame, name: str) -> np.ndarray:
    """A numeric column of the lines' table, NaN where the table lacks it."""
    if name not in nodes:
        return np.full(len(nodes), np.nan)
    return nodes[name].to_numpy(np.float64)


def _text(nodes: pd.DataFrame, name: str) -> np.ndarray:
    """A text column of the lines' table, empty where the table lacks it."""
    if name not in nodes:
        return np.full(len(nodes), "", dtype=object)
    return nodes[name].fillna("").astype(str).to_numpy()


def concat_batches(parts: list[SectorBatch]) -> SectorBatch:
    """Stack the rows of batches over the same sectors (chunks of one run), in order.

    Parameters
    ----------
    parts
        Batches with the same ``sectors``.

    Returns
    -------
    SectorBatch
    """
    arrays = [f for f in SectorBatch.__dataclass_fields__ if f != "sectors"]
    return SectorBatch(
        parts[0].sectors, *(np.concatenate([getattr(p, f) for p in parts]) for f in arrays)
    )
