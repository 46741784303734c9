"""How sure are we: seeded draws of a scenario's uncertain inputs, run as one batch."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.stats import rankdata

from .._errors import ScenarioError
from ..dataset import schema
from ..dataset.graph import require_makers, throughput
from ..dataset.production import production_lines
from ..engine.propagate import propagate
from ..engine.sums import SectorBatch, concat_batches, sector_exposure, share_pct
from ..scenario.parse import Scenario
from ..scenario.resolve import put_on_lines, resolve
from .dask_run import run_chunks
from .exposure import simulate

if TYPE_CHECKING:
    from ..dataset.graph import SupplyGraph

# Relative half-width of a figure's range by its status: a reported flow of 100 t is
# drawn from 95-105 t, an estimate from 75-125 t, an assumption from 50-150 t.
STATUS_RANGES = {"reported": 0.05, "estimate": 0.25, "assumption": 0.5}
DISTRIBUTIONS = ("uniform", "triangular")
# Draws are made in chunks of this many, each from its own seed (the run's seed and the
# chunk's number): the draws do not depend on how the chunks are spread over workers.
CHUNK_DRAWS = 250
# Draws run through the engine in blocks of about this many cells per array.
BLOCK_CELLS = 4_000_000
# Above this many uncertain flows and stock figures, drivers rank only the scenario's inputs.
MAX_FIGURE_INPUTS = 5_000
# ... or when draws x figures would pass this many cells (0.4 GB of drawn inputs kept).
MAX_FIGURE_CELLS = 50_000_000
PERCENTILES = (5, 50, 95)
# How the options' numbers are written: as in the data files.
PLAIN = "in plain decimals as in the data files (0.25, 30; not inf, nan or 1_000)"
# The default stock cover's range stays within the data's bound on stock_days.
STOCK_DAYS_BOUND = schema.NUMBER_BOUNDS["stock_days"]
TOP_DRIVERS = 5


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


@dataclass(frozen=True, eq=False)
class MonteCarlo:
    """The draws' outcome: per-sector percentiles, the drivers, and every draw.

    ``summary`` has one row per sector (P5/P50/P95 of shortfall in tonnes, % of tonnes,
    % of units and days to first loss, and the scenario's own figure); ``drivers`` the
    inputs whose rank correlation with a sector's shortfall is strongest; ``draws`` one
    row per draw and sector.
    """

    scenario: Scenario
    uncertainty: Uncertainty
    n_draws: int
    seed: int
    summary: pd.DataFrame
    drivers: pd.DataFrame
    draws: pd.DataFrame


@dataclass(frozen=True, eq=False)
class _Inputs:
    """What each chunk of draws needs (sent once to each Dask worker)."""

    lines: SupplyGraph
    part_edge: np.ndarray  # per part: its edge
    line_node: np.ndarray  # per line: its node
    rule_share: np.ndarray  # per edge: the scenario's rules, without its licences
    node_share: np.ndarray  # per line
    policy_edges: list[np.ndarray]  # per licence policy: the edges it restricts
    policy_ranges: list[Range]
    stock_days: np.ndarray  # per node: the data's figure, NaN where none
    stock_range: Range
    edge_spread: np.ndarray  # per edge: relative half-width of its flow
    node_spread: np.ndarray  # per node: relative half-width of its stock figure
    seed: int
    input_names: list[str]  # what each drawn column is, for the drivers
    in_lines: csr_matrix  # lines x parts: 1 where a part feeds the line
    out_lines: csr_matrix  # lines x parts: 1 where a part leaves the line


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


def montecarlo(
    graph: SupplyGraph,
    scenario: Scenario,
    uncertainty: Uncertainty | None = None,
    *,
    draws: int = 10_000,
    seed: int = 0,
    scheduler: str | None = None,
    workers: int | None = None,
) -> MonteCarlo:
    """Draw a scenario's uncertain inputs ``draws`` times and run every draw as one batch.

    Each draw takes a licensed share for each regime with a range (a regime without
    one keeps the scenario's share), a default stock cover, and the data's flows and
    stock figures each scaled by a factor drawn within its status's range (all
    independent, uniform unless a mode is given). The draws run through
    :func:`supplygraph.engine.propagate.propagate` (the worst case: no rerouting), and the
    sector figures come from the same sums as the static tables. Draws are made in
    chunks of ``CHUNK_DRAWS``, chunk k from ``SeedSequence(seed, spawn_key=(k,))`` (one
    stream per kind of input, drawn in row order):
    the same seed gives the same draws and results, in-process or on any cluster.

    Parameters
    ----------
    graph
        The supply graph.
    scenario
        The scenario.
    uncertainty
        The ranges (default: :func:`load_uncertainty` of the scenario).
    draws
        Number of draws.
    seed
        The run's seed.
    scheduler, workers
        Run the chunks on a Dask cluster (:func:`supplygraph.analyses.dask_run.run_chunks`).

    Returns
    -------
    MonteCarlo

    Raises
    ------
    DataError
        For a graph without makers (:func:`supplygraph.dataset.graph.require_makers`).
    """
    require_makers(graph)
    if uncertainty is None:
        uncertainty = load_uncertainty(scenario)
    inputs = _inputs(graph, scenario, uncertainty, seed, draws)
    chunks = [
        (k, min(CHUNK_DRAWS, draws - k * CHUNK_DRAWS)) for k in range(-(-draws // CHUNK_DRAWS))
    ]
    parts = run_chunks(_draw_chunk, chunks, inputs, scheduler=scheduler, workers=workers)
    batch = concat_batches([p[0] for p in parts])
    drawn = np.concatenate([p[1] for p in parts])
    central = _central(graph, scenario)
    return MonteCarlo(
        scenario,
        uncertainty,
        draws,
        seed,
        _summary(batch, central),
        _drivers(batch, drawn, inputs.input_names),
        _draw_table(batch),
    )


def _inputs(
    graph: SupplyGraph, scenario: Scenario, uncertainty: Uncertainty, seed: int, draws: int
) -> _Inputs:
    """Resolve the scenario once per licence policy, so each draw only takes minima."""
    production = production_lines(graph)
    rules_only = put_on_lines(graph, scenario.with_changes(licences=()), production=production)
    rule_share, node_share = rules_only.disruption.edge_share, rules_only.lines.node_share
    policy_edges, policy_ranges = [], []
    for policy in scenario.licences:
        alone = scenario.with_changes(
            licences=(replace(policy, action="cut", share=0.0),), rules=()
        )
        policy_edges.append(
            np.flatnonzero(resolve(graph, alone, production=production).edge_share < 1)
        )
        fixed = Range(policy.share, policy.share)
        policy_ranges.append(uncertainty.approvals.get(policy.regime, fixed))
    lines = production.graph
    parts = np.arange(lines.n_edges)
    shape = (lines.n_nodes, lines.n_edges)
    status_of = uncertainty.status
    inputs = _Inputs(
        lines,
        production.edge,
        production.node,
        rule_share,
        node_share,
        policy_edges,
        policy_ranges,
        graph.nodes["stock_days"].to_numpy(np.float64),
        uncertainty.stock_days or Range(scenario.default_stock_days, scenario.default_stock_days),
        graph.edges["status"].map(status_of).fillna(0.0).to_numpy(np.float64),
        graph.nodes["status"].map(status_of).fillna(0.0).to_numpy(np.float64),
        seed,
        [],
        csr_matrix((np.ones(len(parts)), (lines.index.dst, parts)), shape=shape),
        csr_matrix((np.ones(len(parts)), (lines.index.src, parts)), shape=shape),
    )
    return replace(inputs, input_names=_input_names(graph, scenario, inputs, draws))


def _draw_chunk(chunk: tuple[int, int], inputs: _Inputs) -> tuple[SectorBatch, np.ndarray]:
    """Make and run the first ``size`` draws of chunk ``k``: sector figures and inputs.

    Each kind of input has its own stream (spawned from the chunk's seed), drawn row by
    row, so a run of N draws is the start of a longer run with the same seed, and the
    rows can be run in blocks that fit in memory.
    """
    k, size = chunk
    streams = np.random.SeedSequence(inputs.seed, spawn_key=(k,)).spawn(4)
    share_rng, stock_rng, flow_rng, node_rng = (np.random.default_rng(s) for s in streams)
    shares = np.column_stack(
        [r.draw(share_rng, CHUNK_DRAWS)[:size] for r in inputs.policy_ranges] or [np.zeros(size)]
    )
    default_stock = inputs.stock_range.draw(stock_rng, CHUNK_DRAWS)[:size]
    lines = inputs.lines
    block = max(1, BLOCK_CELLS // (lines.n_edges + lines.n_nodes))
    parts, drawn = [], []
    for first in range(0, size, block):
        rows = slice(first, min(first + block, size))
        n_rows = rows.stop - rows.start
        flow_factor = 1 + inputs.edge_spread * flow_rng.uniform(
            -1, 1, (n_rows, len(inputs.edge_spread))
        )
        stock_factor = 1 + inputs.node_spread * node_rng.uniform(
            -1, 1, (n_rows, len(inputs.node_spread))
        )
        parts.append(
            _run_block(inputs, shares[rows], default_stock[rows], flow_factor, stock_factor)
        )
        drawn.append(_drawn(inputs, shares[rows], default_stock[rows], flow_factor, stock_factor))
    sectors = concat_batches(parts)
    return sectors, np.concatenate(drawn)


def _run_block(
    inputs: _Inputs,
    shares: np.ndarray,
    default_stock: np.ndarray,
    flow_factor: np.ndarray,
    stock_factor: np.ndarray,
) -> SectorBatch:
    """Run some draws through the batched engine and sum them per sector."""
    n_rows = len(shares)
    edge_share = np.repeat(inputs.rule_share[None, :], n_rows, axis=0)
    for p, edges in enumerate(inputs.policy_edges):
        edge_share[:, edges] = np.minimum(edge_share[:, edges], shares[:, p : p + 1])
    stock = np.where(
        np.isnan(inputs.stock_days), default_stock[:, None], inputs.stock_days * stock_factor
    )
    lines = inputs.lines
    flow = lines.index.flow * flow_factor[:, inputs.part_edge]
    prop = propagate(
        lines.index,
        edge_share[:, inputs.part_edge],
        np.broadcast_to(inputs.node_share, (n_rows, lines.n_nodes)),
        stock[:, inputs.line_node],
        flow=flow,
    )
    # a line's baseline from this draw's flows
    in_t = (inputs.in_lines @ flow.T).T
    out_t = (inputs.out_lines @ flow.T).T
    baseline = throughput(lines.nodes["stage"].to_numpy(), in_t, out_t)
    return sector_exposure(lines, prop.output_ratio, prop.days_to_impact, baseline_t=baseline)


def _drawn(
    inputs: _Inputs,
    shares: np.ndarray,
    default_stock: np.ndarray,
    flow_factor: np.ndarray,
    stock_factor: np.ndarray,
) -> np.ndarray:
    """The drawn inputs the drivers are ranked among, one column each (see _input_names)."""
    columns = [shares[:, : len(inputs.policy_ranges)], default_stock[:, None]]
    if len(inputs.input_names) > len(inputs.policy_ranges) + 1:
        columns.append(flow_factor[:, inputs.edge_spread > 0])
        columns.append(stock_factor[:, (inputs.node_spread > 0) & ~np.isnan(inputs.stock_days)])
    return np.column_stack(columns)


def _input_names(graph: SupplyGraph, scenario: Scenario, inputs: _Inputs, draws: int) -> list[str]:
    """The name of each input the drivers are ranked among, in the order of :func:`_drawn`.

    Each flow and stock figure is an input of its own up to ``MAX_FIGURE_INPUTS`` of
    them and ``MAX_FIGURE_CELLS`` drawn values; a larger graph or run ranks only the
    approvals and the default stock cover.
    """
    edges = graph.edges
    names = [f"approval:{p.regime}" for p in scenario.licences]
    names.append("default_stock_days")
    figures = np.count_nonzero(inputs.edge_spread > 0) + np.count_nonzero(
        (inputs.node_spread > 0) & ~np.isnan(inputs.stock_days)
    )
    if figures > MAX_FIGURE_INPUTS or figures * draws > MAX_FIGURE_CELLS:
        return names
    names += [
        f"flow:{edges['supplier'].iat[e]}->{edges['customer'].iat[e]} ({edges['material'].iat[e]})"
        for e in np.flatnonzero(inputs.edge_spread > 0)
    ]
    names += [
        f"stock:{graph.nodes['id'].iat[v]}"
        for v in np.flatnonzero((inputs.node_spread > 0) & ~np.isnan(inputs.stock_days))
    ]
    return names


def _central(graph: SupplyGraph, scenario: Scenario) -> pd.DataFrame:
    """The scenario as given (no draw): the static engine's sector table."""
    return simulate(graph, scenario, reroute=False).sectors.set_index("sector")


def _summary(batch: SectorBatch, central: pd.DataFrame) -> pd.DataFrame:
    """Per sector: the scenario's figure and P5 / P50 / P95 over the draws.

    Percentiles are values actually drawn (``inverted_cdf``): days to first loss may
    be infinite (never), which an interpolation would turn into NaN.
    """
    rows = []
    figures = {
        "shortfall_t": batch.shortfall_t,
        "shortfall_pct": batch.shortfall_pct,
        "shortfall_units_pct": batch.shortfall_units_pct,
        "days_to_impact": batch.days_to_impact,
    }
    for k, sector in enumerate(batch.sectors):
        row: dict[str, Any] = {"sector": sector, "draws": len(batch.shortfall_t)}
        for name, values in figures.items():
            scenario_value = central[name].get(sector, np.nan)
            row[f"scenario_{name}"] = scenario_value
            column = values[:, k]
            for q in PERCENTILES:
                if np.isnan(column).all():
                    row[f"p{q}_{name}"] = np.nan
                    continue
                value = float(np.percentile(column, q, method="inverted_cdf"))
                row[f"p{q}_{name}"] = value if np.isfinite(value) else np.nan
        never = np.isinf(batch.days_to_impact[:, k])
        row["never_short_pct"] = float(share_pct(never.sum(), len(never)))
        rows.append(row)
    return pd.DataFrame(rows)


def _drivers(batch: SectorBatch, drawn: np.ndarray, names: list[str]) -> pd.DataFrame:
    """Per sector, the inputs whose draws rank-correlate most with its shortfall_pct.

    Spearman's rho: the Pearson correlation of the ranks, for every input that varies.
    Inputs are continuous draws (no ties), so their ranks are a permutation of 0..n-1.
    """
    columns = ["sector", "rank", "input", "spearman_rho"]
    n = len(drawn)
    varies = np.flatnonzero(drawn.max(axis=0, initial=0) > drawn.min(axis=0, initial=0))
    if not len(varies) or n < 3:
        return pd.DataFrame([], columns=columns)
    by_input = np.ascontiguousarray(drawn[:, varies].T)  # sorting along rows is faster
    ranks = np.empty(by_input.shape, dtype=np.int32)
    order = np.argsort(by_input, axis=1)
    np.put_along_axis(ranks, order, np.arange(n, dtype=np.int32)[None, :], axis=1)
    rank_mean, rank_std = (n - 1) / 2, np.sqrt((n * n - 1) / 12)
    labels = np.array(names, dtype=object)[varies]
    rows = []
    for k, sector in enumerate(batch.sectors):
        outcome = rankdata(batch.shortfall_pct[:, k])
        if outcome.std() == 0:
            continue
        outcome = (outcome - outcome.mean()) / outcome.std()
        rho = (ranks @ outcome - rank_mean * outcome.sum()) / (n * rank_std)
        top = np.lexsort((labels, -np.abs(np.round(rho, 12))))[:TOP_DRIVERS]
        rows += [
            {"sector": sector, "rank": i + 1, "input": labels[j], "spearman_rho": rho[j]}
            for i, j in enumerate(top)
        ]
    return pd.DataFrame(rows, columns=columns)


def _draw_table(batch: SectorBatch) -> pd.DataFrame:
    """One row per draw and sector."""
    n, k = batch.shortfall_t.shape
    days = batch.days_to_impact.ravel()
    return pd.DataFrame(
        {
            "draw": np.repeat(np.arange(n), k),
            "sector": np.tile(np.array(batch.sectors, dtype=object), n),
            "shortfall_t": batch.shortfall_t.ravel(),
            "shortfall_pct": batch.shortfall_pct.ravel(),
            "shortfall_units_pct": batch.shortfall_units_pct.ravel(),
            "days_to_impact": np.where(np.isfinite(days), days, np.nan),
        }
    )
