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


def counts_units(unit: ArrayLike, baseline_units: ArrayLike) -> np.ndarray:
    """Return which lines' products are counted in units: a unit named and a number of them.

    Parameters
    ----------
    unit
        The unit per line (``vehicles``, ``MW``, empty for none).
    baseline_units
        The products per line and year (NaN for none).

    Returns
    -------
    numpy.ndarray
        A mask per line.

    Examples
    --------
    >>> counts_units(["vehicles", "", "MW"], [10.0, 5.0, np.nan]).tolist()
    [True, False, False]
    """
    units = np.asarray(baseline_units, dtype=np.float64)
    return (np.asarray(unit, dtype=object) != "") & np.isfinite(units)


@dataclass(frozen=True)
class Sectors:
    """Makers' product lines grouped by sector: what every sector figure sums over.

    ``makers`` holds the positions of makers' lines, sector by sector (sectors sorted by
    name, lines in their order); ``counted`` and ``country`` are per entry of ``makers``.
    The static sector table, the batched one (n-1 sweep, Monte Carlo) and the dated run's
    daily table all sum with :meth:`sum`, so they agree on which lines count.
    """

    names: tuple[str, ...]
    makers: np.ndarray
    first: np.ndarray  # per sector: its first entry in ``makers``
    counted: np.ndarray  # per maker line: its products count in units
    units: np.ndarray  # per maker line: products per year, 0 where not counted
    country: np.ndarray

    @classmethod
    def of(cls, lines: pd.DataFrame) -> Sectors:
        """Group the makers of a table of product lines (or nodes) by sector.

        Parameters
        ----------
        lines
            A table with ``stage`` and ``sector`` (and ``country``, ``unit``,
            ``baseline_units`` where it has them), one row per line.

        Returns
        -------
        Sectors

        Examples
        --------
        >>> lines = pd.DataFrame({"stage": ["manufacturer", "magnet", "manufacturer"],
        ...                       "sector": ["wind", "", "ev"], "country": ["DE", "JP", "CN"]})
        >>> sectors = Sectors.of(lines)
        >>> sectors.names, sectors.makers.tolist(), sectors.sum(np.array([5.0, 7.0, 2.0])).tolist()
        (('ev', 'wind'), [2, 0], [2.0, 5.0])
        """
        maker = np.flatnonzero(lines["stage"].to_numpy() == "manufacturer")
        names, column = np.unique(
            lines["sector"].to_numpy()[maker].astype(str), return_inverse=True
        )
        order = np.argsort(column, kind="stable")
        makers = maker[order]
        units = _column(lines, "baseline_units")[makers]
        counted = counts_units(_text(lines, "unit")[makers], units)
        country = _text(lines, "country")[makers]
        return cls(
            tuple(str(name) for name in names),
            makers,
            np.flatnonzero(np.diff(column[order], prepend=-1)),
            counted,
            np.where(counted, units, 0.0),
            country,
        )

    def sum(self, values: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        """Sum per-line values over each sector's makers (those in ``where``, if given).

        Parameters
        ----------
        values
            Per line, or per row and line.
        where
            Per maker line (in ``makers`` order), whether it counts.

        Returns
        -------
        numpy.ndarray
            Per sector, or per row and sector.
        """
        picked = np.asarray(values, dtype=np.float64)[..., self.makers]
        if where is not None:
            picked = np.where(where, picked, 0.0)
        return self.reduce(picked)

    def reduce(self, per_maker: np.ndarray) -> np.ndarray:
        """Sum values given per maker line (in ``makers`` order) over each sector.

        Parameters
        ----------
        per_maker
            Per maker line, or per row and maker line.

        Returns
        -------
        numpy.ndarray
            Per sector, or per row and sector.
        """
        if not len(self.first):
            return per_maker[..., :0]
        return np.add.reduceat(per_maker, self.first, axis=-1)

    def any(self, where: np.ndarray) -> np.ndarray:
        """Return, per sector, whether any of its maker lines is in ``where``.

        Parameters
        ----------
        where
            Per maker line (in ``makers`` order).

        Returns
        -------
        numpy.ndarray
        """
        if not len(self.first):
            return np.zeros(0, dtype=bool)
        return np.add.reduceat(where.astype(np.int64), self.first) > 0

    def min(self, values: np.ndarray) -> np.ndarray:
        """Return per sector the least of its makers' values (e.g. days to impact), NaN
        skipped.

        Parameters
        ----------
        values
            Per line, or per row and line.

        Returns
        -------
        numpy.ndarray
        """
        picked = np.asarray(values, dtype=np.float64)[..., self.makers]
        if not len(self.first):
            return picked[..., :0]
        return np.fmin.reduceat(picked, self.first, axis=-1)  # NaN (none) is skipped


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

    The same sums as the static sector table, over the same :class:`Sectors`: a sector's
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
    sectors = Sectors.of(lines.nodes)
    ratio = np.atleast_2d(output_ratio)
    base = lines.baseline_t if baseline_t is None else baseline_t
    base = np.broadcast_to(base, ratio.shape)
    total = sectors.sum(base)
    shortfall = total - sectors.sum(base * ratio)
    unit_base = np.zeros(lines.n_nodes)
    unit_base[sectors.makers] = sectors.units
    units_total = np.broadcast_to(sectors.sum(unit_base), total.shape)
    units_lost = sectors.sum(unit_base - unit_base * ratio)
    has_units = sectors.any(sectors.counted)
    return SectorBatch(
        sectors.names,
        total,
        shortfall,
        share_pct(shortfall, total),
        np.where(has_units, share_pct(units_lost, units_total), np.nan),
        sectors.min(np.atleast_2d(days_to_impact)),
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
