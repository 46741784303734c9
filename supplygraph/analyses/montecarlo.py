"""How sure are we: seeded draws of a scenario's uncertain inputs, run as one batch."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

from ..dataset.graph import SupplyGraph, require_makers, throughput
from ..dataset.production import production_lines
from ..engine.propagate import propagate
from ..engine.sums import SectorBatch, concat_batches, sector_exposure, share_pct
from ..scenario.parse import Scenario
from ..scenario.resolve import issuing_country, put_on_lines, resolve
from ..scenario.uncertainty import (
    Range,
    Ranges,
    Uncertainty,
    flow_ranges,
    load_uncertainty,
    stock_ranges,
)
from .dask_run import run_chunks
from .exposure import simulate

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
TOP_DRIVERS = 5


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


# The spread whose share from default widths is reported: P5 to P95 of a sector's shortfall.
SPREAD = ("p5_shortfall_pct", "p95_shortfall_pct")


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
    edge_spread: np.ndarray  # per edge: relative half-width of its flow (0: fixed or follower)
    flows: Ranges  # per edge: how its flow factor is drawn
    stocks: Ranges  # per node: how its stock figure's factor is drawn
    seed: int
    input_names: list[str]  # what each drawn column is, for the drivers
    in_lines: csr_matrix  # lines x parts: 1 where a part feeds the line
    out_lines: csr_matrix  # lines x parts: 1 where a part leaves the line
    outside: SupplyGraph | None = None  # the lines, makers in the issuing country left out
    keep: np.ndarray | None = None  # the lines whose own shortfall_pct each draw keeps


def montecarlo(
    graph: SupplyGraph,
    scenario: Scenario,
    uncertainty: Uncertainty | None = None,
    *,
    draws: int = 10_000,
    seed: int = 0,
    scheduler: str | None = None,
    workers: int | None = None,
    defaults_share: bool = True,
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
    defaults_share
        Also run the draws with every default-width figure held (the summary's
        ``spread_from_defaults_pct``; NaN when False).

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
    chunks = _chunks(draws)
    parts = run_chunks(_draw_chunk, chunks, inputs, scheduler=scheduler, workers=workers)
    batch = concat_batches([p[0] for p in parts])
    drawn = np.concatenate([p[1] for p in parts])
    outside = concat_batches([p[2] for p in parts])
    central = _central(graph, scenario)
    summary = _summary(batch, central)
    if "layer" in central:  # with overlays: where each sector's makers come from
        summary.insert(1, "layer", central["layer"].reindex(summary["sector"]).to_numpy())
    if defaults_share:
        summary["spread_from_defaults_pct"] = _from_defaults(
            summary, inputs, chunks, scheduler=scheduler, workers=workers
        )
    else:
        summary["spread_from_defaults_pct"] = np.nan
    return MonteCarlo(
        scenario,
        uncertainty,
        draws,
        seed,
        summary,
        _drivers(batch, drawn, inputs.input_names),
        _draw_table(batch, outside),
    )


BAND = (10, 50, 90)  # the percentiles simulate shows beside each central figure
BAND_FIGURES = (
    "shortfall_pct",
    "shortfall_units_pct",
    "outside_issuer_shortfall_pct",
    "outside_issuer_shortfall_units_pct",
)


def sector_bands(
    graph: SupplyGraph,
    scenario: Scenario,
    *,
    draws: int = 200,
    seed: int = 0,
    uncertainty: Uncertainty | None = None,
) -> pd.DataFrame:
    """Return each sector's band: P10 / P50 / P90 of its shortfall over seeded draws.

    The draws of :func:`montecarlo` (every flow from its range, the scenario's approval and
    stock ranges), as ``simulate`` shows them beside each central figure.

    Parameters
    ----------
    graph
        The supply graph.
    scenario
        The scenario.
    draws
        Number of draws.
    seed
        The seed.
    uncertainty
        The ranges (default: the scenario's ``[uncertainty]`` table).

    Returns
    -------
    pandas.DataFrame
        One row per sector: ``sector``, ``FIGURE_p10`` / ``_p50`` / ``_p90`` for each of
        ``BAND_FIGURES`` (values drawn; NaN where a sector has no such figure), and
        ``band_draws``.
    """
    require_makers(graph)
    if uncertainty is None:
        uncertainty = load_uncertainty(scenario)
    inputs = _inputs(graph, scenario, uncertainty, seed, draws, names=False)
    chunks = _chunks(draws)
    parts = [_draw_chunk(chunk, inputs) for chunk in chunks]
    table = _draw_table(
        concat_batches([p[0] for p in parts]), concat_batches([p[2] for p in parts])
    )
    rows = []
    for sector, group in table.groupby("sector", sort=True):
        row: dict[str, Any] = {"sector": sector}
        for figure in BAND_FIGURES:
            row.update(_band(figure, group[figure].to_numpy(float)))
        row["band_draws"] = draws
        rows.append(row)
    return pd.DataFrame(rows)


def focus_bands(
    graph: SupplyGraph,
    scenario: Scenario,
    nodes: np.ndarray,
    *,
    draws: int = 200,
    seed: int = 0,
    uncertainty: Uncertainty | None = None,
) -> pd.DataFrame:
    """Return the band of each product line of some nodes: P10 / P50 / P90 of its shortfall.

    The draws of :func:`sector_bands` (the same seed gives the same draws), each line's
    ``shortfall_pct`` taken before it is summed into its sector: what ``simulate --focus``
    writes beside each line of ``focus.csv``.

    Parameters
    ----------
    graph
        The supply graph.
    scenario
        The scenario.
    nodes
        The nodes whose lines are wanted: one bool per node of ``graph``.
    draws
        Number of draws.
    seed
        The seed.
    uncertainty
        The ranges (default: the scenario's ``[uncertainty]`` table).

    Returns
    -------
    pandas.DataFrame
        One row per line of those nodes, in the order of the result's line table:
        ``node``, ``line``, ``shortfall_pct_p10`` / ``_p50`` / ``_p90`` and ``band_draws``.
    """
    require_makers(graph)
    if uncertainty is None:
        uncertainty = load_uncertainty(scenario)
    line_node = production_lines(graph).node
    keep = np.flatnonzero(np.asarray(nodes, dtype=bool)[line_node])
    inputs = _inputs(graph, scenario, uncertainty, seed, draws, names=False, keep=keep)
    chunks = _chunks(draws)
    own = np.concatenate([_draw_chunk(chunk, inputs)[3] for chunk in chunks])
    lines = inputs.lines.nodes.iloc[keep]  # as the result's line table names them
    names = lines["node"] if "node" in lines else lines["id"]
    labels = lines["line"] if "line" in lines else pd.Series("", index=lines.index)
    rows = []
    for j, (node, line) in enumerate(zip(names, labels)):
        row: dict[str, Any] = {"node": node, "line": line}
        row.update(_band("shortfall_pct", own[:, j]))
        row["band_draws"] = draws
        rows.append(row)
    return pd.DataFrame(rows, columns=["node", "line", *_band("shortfall_pct", []), "band_draws"])


def _chunks(draws: int) -> list[tuple[int, int]]:
    """The chunks of a run's draws: ``(k, n)``, chunk k of n draws, ``CHUNK_DRAWS`` at most."""
    return [(k, min(CHUNK_DRAWS, draws - k * CHUNK_DRAWS)) for k in range(-(-draws // CHUNK_DRAWS))]


def _band(figure: str, values: Any) -> dict[str, float]:
    """``FIGURE_p10`` / ``_p50`` / ``_p90`` of the drawn values (NaN left out; NaN if none)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    return {
        f"{figure}_p{q}": (
            float(np.percentile(values, q, method="inverted_cdf")) if len(values) else np.nan
        )
        for q in BAND
    }


def _from_defaults(
    summary: pd.DataFrame,
    inputs: _Inputs,
    chunks: list[tuple[int, int]],
    *,
    scheduler: str | None,
    workers: int | None,
) -> np.ndarray:
    """Per sector, the share of its spread (P5 to P95 of shortfall_pct) that comes from
    figures drawn with the flat default width by status (the defensibility measure).

    The draws are run again with the same seed and every default-width figure (a flow
    without ``flow_t_low`` / ``flow_t_high``, a node's stock figure) held at its central
    value; the share is 1 - (spread without them) / (spread with them), at least 0. A sector
    with no spread has none to explain: 0. With no default-width figure it is 0 everywhere.
    """
    width = (summary[SPREAD[1]] - summary[SPREAD[0]]).to_numpy(float)
    has_defaults = (inputs.flows.default & (inputs.flows.half > 0)).any()
    has_defaults |= (inputs.stocks.default & (inputs.stocks.half > 0)).any()
    if not has_defaults:
        return np.zeros(len(summary))
    held = replace(
        inputs,
        flows=inputs.flows.without_defaults(),
        stocks=inputs.stocks.without_defaults(),
        input_names=inputs.input_names[: len(inputs.policy_ranges) + 1],
    )
    parts = run_chunks(_draw_chunk, chunks, held, scheduler=scheduler, workers=workers)
    batch = concat_batches([p[0] for p in parts])
    narrow = {}
    for k, sector in enumerate(batch.sectors):
        column = batch.shortfall_pct[:, k]
        low, high = (float(np.percentile(column, q, method="inverted_cdf")) for q in (5, 95))
        narrow[sector] = high - low
    remaining = summary["sector"].map(narrow).to_numpy(float)
    share = np.where(width > 1e-9, 1 - remaining / np.where(width > 1e-9, width, 1.0), 0.0)
    return 100 * np.clip(share, 0.0, 1.0)


def _inputs(
    graph: SupplyGraph,
    scenario: Scenario,
    uncertainty: Uncertainty,
    seed: int,
    draws: int,
    *,
    names: bool = True,
    keep: np.ndarray | None = None,
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
    flows = flow_ranges(graph.edges, status_of)
    leads = flows.leader == np.arange(graph.n_edges)
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
        np.where(leads, flows.half, 0.0),
        flows,
        stock_ranges(graph.nodes, status_of),
        seed,
        [],
        csr_matrix((np.ones(len(parts)), (lines.index.dst, parts)), shape=shape),
        csr_matrix((np.ones(len(parts)), (lines.index.src, parts)), shape=shape),
    )
    applied = put_on_lines(graph, scenario, production=production).disruption.applied
    issuer = issuing_country(applied)
    nodes = lines.nodes.copy()
    inside = (nodes["stage"] == "manufacturer") & (nodes["country"] == issuer)
    nodes.loc[inside, "stage"] = "manufacturer-in-issuer"  # not a maker for these sums
    outside = SupplyGraph(
        nodes, lines.edges, lines.regimes, lines.folder, lines.checksum, lines=lines.lines
    )
    # without names (bands only), the drivers' inputs are the scenario's alone
    named = _input_names(graph, scenario, inputs, draws if names else MAX_FIGURE_CELLS + 1)
    return replace(inputs, input_names=named, outside=outside, keep=keep)


def _draw_chunk(
    chunk: tuple[int, int], inputs: _Inputs
) -> tuple[SectorBatch, np.ndarray, SectorBatch, np.ndarray]:
    """Make and run the first ``size`` draws of chunk ``k``: sector figures, inputs, and
    the kept lines' shortfall_pct (draws x kept lines).

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
    parts, drawn, outside, kept = [], [], [], []
    for first in range(0, size, block):
        rows = slice(first, min(first + block, size))
        n_rows = rows.stop - rows.start
        flow_factor = inputs.flows.factor(
            flow_rng.uniform(-1, 1, (n_rows, len(inputs.edge_spread)))
        )
        stock_factor = inputs.stocks.factor(
            node_rng.uniform(-1, 1, (n_rows, len(inputs.stocks.low)))
        )
        whole, beyond, own = _run_block(
            inputs, shares[rows], default_stock[rows], flow_factor, stock_factor
        )
        parts.append(whole)
        outside.append(beyond)
        kept.append(own)
        drawn.append(_drawn(inputs, shares[rows], default_stock[rows], flow_factor, stock_factor))
    return (
        concat_batches(parts),
        np.concatenate(drawn),
        concat_batches(outside),
        np.concatenate(kept),
    )


def _run_block(
    inputs: _Inputs,
    shares: np.ndarray,
    default_stock: np.ndarray,
    flow_factor: np.ndarray,
    stock_factor: np.ndarray,
) -> tuple[SectorBatch, SectorBatch, np.ndarray]:
    """Run some draws through the batched engine and sum them per sector: over all makers,
    and over the makers outside the issuing country; and the kept lines' shortfall_pct."""
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
    whole = sector_exposure(lines, prop.output_ratio, prop.days_to_impact, baseline_t=baseline)
    assert inputs.outside is not None
    beyond = sector_exposure(
        inputs.outside, prop.output_ratio, prop.days_to_impact, baseline_t=baseline
    )
    keep = inputs.keep if inputs.keep is not None else np.zeros(0, np.int64)
    own = share_pct(baseline[:, keep] * (1 - prop.output_ratio[:, keep]), baseline[:, keep])
    return whole, beyond, own


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
        columns.append(stock_factor[:, inputs.stocks.half > 0])
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
    figures = np.count_nonzero(inputs.edge_spread > 0) + np.count_nonzero(inputs.stocks.half > 0)
    if figures > MAX_FIGURE_INPUTS or figures * draws > MAX_FIGURE_CELLS:
        return names
    names += [
        f"flow:{edges['supplier'].iat[e]}->{edges['customer'].iat[e]} ({edges['material'].iat[e]})"
        for e in np.flatnonzero(inputs.edge_spread > 0)
    ]
    names += [f"stock:{graph.nodes['id'].iat[v]}" for v in np.flatnonzero(inputs.stocks.half > 0)]
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
        outcome = _average_ranks(batch.shortfall_pct[:, k])
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


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """Rank 1..n, ties sharing their mean rank (NaN everywhere if a value is NaN): what
    ``scipy.stats.rankdata`` gives, without its import (half a second of every command)."""
    if np.isnan(values).any():
        return np.full(len(values), np.nan)
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    ends = np.r_[starts[1:], len(values)]
    ranks = np.empty(len(values))
    ranks[order] = np.repeat((starts + ends + 1) / 2, ends - starts)
    return ranks


def _draw_table(batch: SectorBatch, outside: SectorBatch) -> pd.DataFrame:
    """One row per draw and sector (with the figures of the makers outside the issuing
    country: NaN for a sector with none)."""
    n, k = batch.shortfall_t.shape
    days = batch.days_to_impact.ravel()
    beyond = {}
    for name in ("shortfall_pct", "shortfall_units_pct"):
        values = np.full((n, k), np.nan)
        for j, sector in enumerate(outside.sectors):
            values[:, batch.sectors.index(sector)] = getattr(outside, name)[:, j]
        beyond[f"outside_issuer_{name}"] = values.ravel()
    return pd.DataFrame(
        {
            "draw": np.repeat(np.arange(n), k),
            "sector": np.tile(np.array(batch.sectors, dtype=object), n),
            "shortfall_t": batch.shortfall_t.ravel(),
            "shortfall_pct": batch.shortfall_pct.ravel(),
            "shortfall_units_pct": batch.shortfall_units_pct.ravel(),
            "days_to_impact": np.where(np.isfinite(days), days, np.nan),
            **beyond,
        }
    )
