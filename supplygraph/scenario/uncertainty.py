"""A scenario's uncertain inputs: ranges of approval shares, stock cover and the data's figures.

Read from the scenario file's ``[uncertainty]`` table and the command line's range options;
the Monte Carlo run (:mod:`supplygraph.analyses.montecarlo`) draws them.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._errors import ScenarioError
from ..dataset import schema
from .parse import Scenario

# Relative half-width of a figure's range by its status: a reported flow of 100 t is
# drawn from 95-105 t, an estimate from 75-125 t, an assumption from 50-150 t.
STATUS_RANGES = {"reported": 0.05, "estimate": 0.25, "assumption": 0.5}
DISTRIBUTIONS = ("uniform", "triangular")
# How the options' numbers are written: as in the data files.
PLAIN = "in plain decimals as in the data files (0.25, 30; not inf, nan or 1_000)"
# The default stock cover's range stays within the data's bound on stock_days.
STOCK_DAYS_BOUND = schema.NUMBER_BOUNDS["stock_days"]


@dataclass(frozen=True)
class Range:
    """An uncertain input: uniform on [low, high], or triangular with its mode."""

    low: float
    high: float
    mode: float | None = None

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """Return ``size`` draws (``low`` exactly when the range has no width).

        Parameters
        ----------
        rng
            The random generator (seeded by the caller).
        size
            How many draws.

        Returns
        -------
        numpy.ndarray
            Uniform draws from ``low`` to ``high``, or triangular ones with ``mode``.
        """
        if self.high == self.low:
            return np.full(size, float(self.low))
        if self.mode is None:
            return rng.uniform(self.low, self.high, size)
        return rng.triangular(self.low, self.mode, self.high, size)


@dataclass(frozen=True)
class Uncertainty:
    """The scenario's uncertain inputs.

    ``approvals`` maps a regime named by the scenario's ``[[licences]]`` to the range of
    its licensed share; ``stock_days`` is the range of the default stock cover (for
    nodes without a figure); ``status`` the relative half-width of the data's flows and
    stock figures by their status.
    """

    approvals: dict[str, Range] = field(default_factory=dict)
    stock_days: Range | None = None
    status: dict[str, float] = field(default_factory=lambda: dict(STATUS_RANGES))


def triangular_quantile(u: Any, low: Any, mode: Any, high: Any) -> np.ndarray:
    """Return the triangular distribution's quantiles: its inverse CDF at ``u``.

    The one shape every drawn range takes (data/SOURCES.md, "Bands of the dated run"): its
    mode is the central figure, and one uniform ``u`` gives each of several ranges the same
    place in its own range, so figures of one ``range_group`` move together. A range with no
    width gives back ``low`` exactly.

    Parameters
    ----------
    u
        Places in [0, 1) (uniform draws give triangular ones).
    low, mode, high
        The range and its mode, ``low <= mode <= high`` (arrays broadcast).

    Returns
    -------
    numpy.ndarray
        ``low + sqrt(u (high - low)(mode - low))`` below the mode's place
        ``(mode - low) / (high - low)``, else ``high - sqrt((1 - u)(high - low)(high - mode))``.

    Examples
    --------
    >>> triangular_quantile(np.array([0.0, 0.25, 0.5, 0.75]), 0.0, 1.0, 2.0).tolist()
    [0.0, 0.7071067811865476, 1.0, 1.2928932188134525]
    >>> float(triangular_quantile(0.3, 1.0, 1.0, 1.0))
    1.0
    """
    u, low, mode, high = np.broadcast_arrays(
        *(np.asarray(x, dtype=np.float64) for x in (u, low, mode, high))
    )
    width = high - low
    with np.errstate(invalid="ignore", divide="ignore"):
        place = np.where(width > 0, (mode - low) / np.where(width > 0, width, 1.0), 0.0)
    lower = low + np.sqrt(u * width * (mode - low))
    upper = high - np.sqrt((1 - u) * width * (high - mode))
    return np.where(u < place, lower, upper)


@dataclass(frozen=True, eq=False)
class Ranges:
    """Each figure's draw as a factor of its central figure: triangular on ``low`` to
    ``high`` with its mode at 1 (the central figure).

    A draw is one uniform ``v`` in [-1, 1] per figure, read at the place ``(v + 1) / 2`` of
    each figure's range (:func:`triangular_quantile`), except that figures of one
    ``range_group`` all take the ``v`` of the group's first figure (``leader``), so figures
    derived from one split move together. ``default`` marks the figures without a sourced
    range: the flat default by status (no ``_low`` / ``_high`` in the data), or a range whose
    source cell gives its basis as a stated rule (``; range (rule): ...``).
    """

    low: np.ndarray
    high: np.ndarray
    leader: np.ndarray
    default: np.ndarray

    @property
    def half(self) -> np.ndarray:
        """Each range's half-width (0: the figure is not drawn)."""
        return (self.high - self.low) / 2

    def factor(self, v: np.ndarray) -> np.ndarray:
        """Return the factors for draws ``v`` (rows x figures, in [-1, 1]).

        Parameters
        ----------
        v
            Uniform draws on [-1, 1], one per row and figure.

        Returns
        -------
        numpy.ndarray
            Same shape: each figure over its central value (exactly 1 for a range of no
            width).
        """
        return triangular_quantile((v[..., self.leader] + 1) / 2, self.low, 1.0, self.high)

    def without_defaults(self) -> Ranges:
        """Return the ranges with every default-width figure held at its central value.

        Returns
        -------
        Ranges
        """
        return Ranges(
            np.where(self.default, 1.0, self.low),
            np.where(self.default, 1.0, self.high),
            self.leader,
            np.zeros_like(self.default),
        )


def flow_ranges(edges: Any, status: dict[str, float]) -> Ranges:
    """Return each edge's flow range: from the data where it gives one, else the default.

    An edge with ``flow_t_low`` and ``flow_t_high`` (both present, low <= flow <= high) is
    drawn between them with its mode at ``flow_t``; any other edge from ``flow_t`` x (1 +- h),
    h by its ``status`` (``STATUS_RANGES`` unless overridden; 0 for a status not listed).
    Edges that share a non-empty ``range_group`` move together: one draw for the group.

    Parameters
    ----------
    edges
        The edge table (``flow_t``, ``status``; ``flow_t_low``, ``flow_t_high`` and
        ``range_group`` are read when present).
    status
        Relative half-width by status.

    Returns
    -------
    Ranges

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"flow_t": [100.0, 50.0], "status": ["estimate", "reported"],
    ...                   "flow_t_low": [80.0, None], "flow_t_high": [140.0, None]})
    >>> r = flow_ranges(e, {"estimate": 0.25, "reported": 0.05})
    >>> r.low.round(6).tolist(), r.high.round(6).tolist(), r.default.tolist()
    ([0.8, 0.95], [1.4, 1.05], [False, True])
    """
    return _ranges(edges, "flow_t", status)


def stock_ranges(nodes: Any, status: dict[str, float]) -> Ranges:
    """Return each node's stock-cover range: from the data where it gives one, else the default.

    As :func:`flow_ranges` for ``stock_days`` with ``stock_days_low`` / ``stock_days_high``; a
    node without a ``stock_days`` figure (it takes the scenario's default cover) is not drawn
    here (a range of no width at 1).

    Parameters
    ----------
    nodes
        The node table (``stock_days``, ``status``; ``stock_days_low`` and
        ``stock_days_high`` are read when present).
    status
        Relative half-width by status.

    Returns
    -------
    Ranges

    Examples
    --------
    >>> import pandas as pd
    >>> n = pd.DataFrame({"stock_days": [25.0, 20.0, None], "status": ["assumption"] * 3,
    ...                   "stock_days_low": [21.0, None, None],
    ...                   "stock_days_high": [28.0, None, None]})
    >>> r = stock_ranges(n, {"assumption": 0.5})
    >>> r.low.round(6).tolist(), r.high.round(6).tolist(), r.default.tolist()
    ([0.84, 0.5, 1.0], [1.12, 1.5, 1.0], [False, True, False])
    """
    ranges = _ranges(nodes, "stock_days", status)
    figure = ~np.isnan(_column(nodes, "stock_days", len(ranges.low)))
    return Ranges(
        np.where(figure, ranges.low, 1.0),
        np.where(figure, ranges.high, 1.0),
        ranges.leader,
        ranges.default & figure,
    )


def transit_ranges(transit: Any, status: dict[str, float]) -> Ranges:
    """Return each route's transit-time range: from the data where it gives one, else the default.

    As :func:`flow_ranges` for a ``transit.csv`` row's ``days`` with ``days_low`` /
    ``days_high``: a route is one row of the table (data/SOURCES.md, "Bands of the dated
    run", says why a route and not an edge is drawn).

    Parameters
    ----------
    transit
        The transit table (``days``, ``status``; ``days_low`` and ``days_high`` are read when
        present).
    status
        Relative half-width by status.

    Returns
    -------
    Ranges

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"days": [40.0, 20.0], "status": ["estimate", "assumption"],
    ...                   "days_low": [35.0, None], "days_high": [45.0, None]})
    >>> r = transit_ranges(t, {"estimate": 0.25, "assumption": 0.5})
    >>> r.low.tolist(), r.high.tolist(), r.default.tolist()
    ([0.875, 0.5], [1.125, 1.5], [False, True])
    """
    return _ranges(transit, "days", status)


def _ranges(table: Any, name: str, status: dict[str, float]) -> Ranges:
    """A column's ranges: ``NAME_low`` / ``NAME_high`` where given, else by status."""
    central = _column(table, name, len(table))
    n = len(central)
    if "status" in table:
        spread = table["status"].map(status).fillna(0.0).to_numpy(np.float64)
    else:  # a table without statuses: no default width
        spread = np.zeros(n)
    low = _column(table, f"{name}_low", n)
    high = _column(table, f"{name}_high", n)
    given = ~np.isnan(low) & ~np.isnan(high) & (central > 0)
    given &= (low <= central) & (central <= high)
    with np.errstate(invalid="ignore", divide="ignore"):
        lo = np.where(given, low / np.where(central > 0, central, 1.0), 1 - spread)
        hi = np.where(given, high / np.where(central > 0, central, 1.0), 1 + spread)
    leader = np.arange(n)
    if "range_group" in table:
        group = table["range_group"].fillna("").astype(str).to_numpy()
        named = group != ""
        if named.any():
            _, first, inverse = np.unique(group[named], return_index=True, return_inverse=True)
            leader[named] = np.flatnonzero(named)[first][inverse]
    default = ~given & (spread > 0)
    if "source" in table:  # a range by a stated rule is no sourced range either
        basis = table["source"].fillna("").astype(str).str.extract(schema.RANGE_BASIS)[0]
        default |= given & (basis == "rule").to_numpy() & (lo < hi)
    return Ranges(lo, hi, leader, default)


def _column(table: Any, name: str, n: int) -> np.ndarray:
    """A numeric column as floats (NaN where empty), or all NaN when the table has none."""
    if name not in table:
        return np.full(n, np.nan)
    return np.asarray(pd.to_numeric(table[name], errors="coerce"), dtype=np.float64)


def load_uncertainty(scenario: Scenario) -> Uncertainty:
    """Read the ``[uncertainty]`` table of the scenario's file (none: the defaults).

    .. code-block:: toml

        [uncertainty]
        stock_days = [0, 60]                 # default stock cover, drawn uniformly
        [uncertainty.approvals]
        CN-2025-18 = [0.1, 0.5]              # licensed share, uniform
        CN-2025-57 = { low = 0.1, mode = 0.25, high = 0.5 }   # triangular
        [uncertainty.status]
        assumption = 0.3                     # flows and stock figures +-30%

    Parameters
    ----------
    scenario
        A scenario loaded from a file (one composed from flags has no table).

    Returns
    -------
    Uncertainty

    Raises
    ------
    ScenarioError
        For a bad table, located as ``FILE: uncertainty.KEY: message``, all at once.
    """
    if not scenario.path:
        return Uncertainty()
    doc = tomllib.loads(Path(scenario.path).read_text(encoding="utf-8")).get("uncertainty", {})
    return parse_uncertainty(doc, where=scenario.path, scenario=scenario)


def parse_uncertainty(doc: Any, *, where: str, scenario: Scenario) -> Uncertainty:
    """Build an Uncertainty from a parsed ``[uncertainty]`` table (see :func:`load_uncertainty`).

    Parameters
    ----------
    doc
        The table.
    where
        The file, for messages.
    scenario
        The scenario whose regimes the approvals name.

    Returns
    -------
    Uncertainty

    Raises
    ------
    ScenarioError
        Listing every problem.
    """
    problems: list[str] = []
    if not isinstance(doc, dict):
        raise ScenarioError(f"{where}: uncertainty: expected a table")
    unknown = set(doc) - {"approvals", "stock_days", "status"}
    if unknown:
        problems.append(
            f"{where}: uncertainty: unknown key(s) {', '.join(sorted(unknown))}; "
            "expected approvals, stock_days, status"
        )
    for key, example in (("approvals", "CN-2025-18 = [0.1, 0.5]"), ("status", "estimate = 0.3")):
        if not isinstance(doc.get(key, {}), dict):
            problems.append(
                f"{where}: uncertainty.{key}: expected a table, e.g. "
                f"[uncertainty.{key}] with {example}"
            )
    named = {p.regime for p in scenario.licences}
    approvals = {}
    for regime, value in _table(doc, "approvals").items():
        key = f"uncertainty.approvals.{regime}"
        if regime not in named:
            problems.append(
                f"{where}: {key}: the scenario names no such regime in [[licences]] "
                f"(it names {', '.join(sorted(named)) or 'none'})"
            )
            continue
        parsed = _range(value, key, where, problems, upper=1.0)
        if parsed is not None:
            approvals[regime] = parsed
    stock = None
    if "stock_days" in doc:
        upper, _ = STOCK_DAYS_BOUND
        stock = _range(doc["stock_days"], "uncertainty.stock_days", where, problems, upper=upper)
    status = dict(STATUS_RANGES)
    for name, value in _table(doc, "status").items():
        key = f"uncertainty.status.{name}"
        if name not in STATUS_RANGES:
            problems.append(f"{where}: {key}: expected one of {', '.join(STATUS_RANGES)}")
        elif _is_number(value) and 0 <= value < 1:
            status[name] = float(value)
        else:
            problems.append(f"{where}: {key}: expected a relative half-width in [0, 1)")
    if problems:
        raise ScenarioError("\n".join(problems))
    return Uncertainty(approvals, stock, status)


def with_overrides(
    uncertainty: Uncertainty,
    scenario: Scenario,
    *,
    approvals: tuple[str, ...] = (),
    stock_days: str | None = None,
    status: tuple[str, ...] = (),
) -> Uncertainty:
    """Return the ranges with the command line's replacing the file's.

    Parameters
    ----------
    uncertainty
        The scenario file's ranges.
    scenario
        The scenario (whose regimes the approvals name).
    approvals
        ``REGIME=LOW:HIGH`` or ``REGIME=LOW:MODE:HIGH`` (triangular).
    stock_days
        ``LOW:HIGH``: the default stock cover's range.
    status
        ``STATUS=HALF_WIDTH``: a status's relative half-width.

    Returns
    -------
    Uncertainty

    Raises
    ------
    ScenarioError
        Listing every bad value, each with its option.

    Examples
    --------
    >>> from supplygraph.scenario.parse import LicencePolicy, Scenario
    >>> s = Scenario("x", licences=(LicencePolicy("CN-2025-18", "throttle", 0.25),))
    >>> u = with_overrides(Uncertainty(), s, approvals=("CN-2025-18=0.1:0.25:0.5",))
    >>> u.approvals["CN-2025-18"]
    Range(low=0.1, high=0.5, mode=0.25)
    """
    doc: dict[str, Any] = {"approvals": {}, "status": {}}
    problems: list[str] = []
    for option, texts, key in (
        ("--approval-range", approvals, "approvals"),
        ("--status-range", status, "status"),
    ):
        for text in texts:
            name, _, value = text.partition("=")
            numbers = _numbers(value) if key == "approvals" else _numbers(value, 1)
            if not name or numbers is None:
                form = (
                    "REGIME=LOW:HIGH or REGIME=LOW:MODE:HIGH"
                    if key == "approvals"
                    else "STATUS=HALF_WIDTH"
                )
                problems.append(f"{option} {text}: expected {form} {PLAIN}")
            elif key == "approvals":
                doc[key][name] = (
                    numbers if len(numbers) == 2 else dict(zip(("low", "mode", "high"), numbers))
                )
            else:
                doc[key][name] = numbers[0]
    if stock_days is not None:
        numbers = _numbers(stock_days, 2)
        if numbers is None:
            problems.append(f"--stock-days-range {stock_days}: expected LOW:HIGH {PLAIN}")
        else:
            doc["stock_days"] = numbers
    try:
        given = parse_uncertainty(doc, where="command line", scenario=scenario)
    except ScenarioError as exc:
        problems += str(exc).splitlines()
    if problems:
        raise ScenarioError("\n".join(problems))
    return Uncertainty(
        {**uncertainty.approvals, **given.approvals},
        given.stock_days if stock_days is not None else uncertainty.stock_days,
        {**uncertainty.status, **{k: given.status[k] for k in doc["status"]}},
    )


def _table(doc: dict[str, Any], key: str) -> dict[str, Any]:
    """A sub-table of ``[uncertainty]``; empty when absent or not a table (reported)."""
    value = doc.get(key, {})
    return value if isinstance(value, dict) else {}


def _numbers(text: str, count: int | None = None) -> list[float] | None:
    """``a:b[:c]`` as plain decimals, as in the data files (two or three of them, or exactly
    ``count``), else None."""
    numbers = [schema.parse_number(part.strip()) for part in text.split(":")]
    if any(number is None for number in numbers):
        return None
    allowed = (count,) if count else (2, 3)
    return numbers if len(numbers) in allowed else None  # type: ignore[return-value]


def _is_number(value: Any) -> bool:
    """Whether a TOML value is a finite int or float (TOML's true, inf and nan are not)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _range(value: Any, key: str, where: str, problems: list[str], *, upper: float) -> Range | None:
    """A ``[low, high]`` pair or a ``{low, mode, high}`` table, checked."""
    if isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value):
        low, high, mode = float(value[0]), float(value[1]), None
    elif (
        isinstance(value, dict)
        and set(value) == {"low", "mode", "high"}
        and all(_is_number(v) for v in value.values())
    ):
        low, high, mode = float(value["low"]), float(value["high"]), float(value["mode"])
    else:
        problems.append(
            f"{where}: {key}: expected [low, high] or {{ low = ..., mode = ..., high = ... }} "
            "of finite numbers"
        )
        return None
    if not 0 <= low <= high <= upper:
        why = " (ten years of stock, as for stock_days)" if upper != 1 else ""
        problems.append(f"{where}: {key}: expected 0 <= low <= high <= {upper:g}{why}")
        return None
    if mode is not None and not low <= mode <= high:
        problems.append(f"{where}: {key}: the mode must lie between low and high")
        return None
    return Range(low, high, mode)
