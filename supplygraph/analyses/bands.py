"""Bands of a dated run: draws of every range, queue place and plant split, run as rows.

Each draw takes every edge's flow from its range (:func:`supplygraph.scenario.uncertainty.
flow_ranges`), every node's stock figure from its range (:func:`supplygraph.scenario.
uncertainty.stock_ranges`), the places in the queue of licence applications of every
edge's ``APPLICATIONS`` applications (each uniform on [0, 1]: an applicant of its own), and
every route's transit time from its range (:func:`transit_draws`), the places of one
buyer's country moving together by ``DESTINATION_RHO`` (:func:`destination_places`); the
aggregates listed
in ``plants.csv`` are split into their plants first
(:func:`supplygraph.dataset.plants.split_plants`), so each plant is an applicant with its
own stock. The draws run through the day loop of :func:`supplygraph.analyses.timeline.
simulate_days` as one batch (a leading axis of rows), in chunks that may run on a Dask
cluster; draw ``d`` takes its numbers from ``SeedSequence(seed, spawn_key=(d,))``, so the
result does not depend on how the draws are chunked or where they run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from ..dataset.graph import SupplyGraph
from ..dataset.plants import Sourcing, sourcing, split_plants
from ..scenario.licence import regimes_by_id
from ..scenario.parse import Scenario
from ..scenario.resolve import resolve
from ..scenario.uncertainty import (
    Range,
    Ranges,
    Uncertainty,
    flow_ranges,
    load_uncertainty,
    stock_ranges,
    transit_ranges,
)
from .dask_run import run_chunks
from .draw_days import available
from .timeline import DrawRecord, DrawRows, simulate_days

BAND = (10, 50, 90)  # the band's percentiles: P10 to P90 around the P50
# Draws run through the days in chunks of about this many cells (rows x (parts + lines x
# the transit window)), so memory stays flat; the chunking does not change the result.
CHUNK_CELLS = 30_000_000
NEVER = np.iinfo(np.int64).max  # a first loss that never comes, for percentiles
# The share the day loop is given for a licence policy whose share is drawn: any share
# strictly between 0 and 1 (see approval_draws).
DRAWN_SHARE = 0.5
# A draw's count of applications comes from a stream of its own, spawn_key=(draw, COUNT_KEY)
COUNT_KEY = 1
# Applications per licence edge piece: a licence covered one shipment, and a buyer holding
# under a month of magnets was resupplied monthly over the 8 months of individual licences
# (data/SOURCES.md, "Bands of the dated run", A37): at least 8, from 2 (six-month licences)
# to 32 (weekly shipments); each draw takes one count for all its pieces
APPLICATIONS = Range(2, 32, mode=8)
# A destination's common draw (data/SOURCES.md, "Bands of the dated run", A39): each
# application's place is a Gaussian copula of the draw's normal for the buyer's country and
# its own uniform place, rho = V / (1 + V) from other destinations' months of 2025
# (destination_months.csv; destination_rho recomputes it, and the commands read it from the
# data folder's table to two decimals); 0 draws exactly what it drew before
DESTINATION_RHO = 0.23
# A draw's normals per destination country come from a stream of their own, (draw, 2)
DESTINATION_KEY = 2
# A destination's share of its normal month is held within these before its probit is taken
DESTINATION_SHARE_CLIP = (0.01, 0.99)
# A draw's order of each input's supplier edges (A43: a plant takes each input from as few
# suppliers as the tonnes allow) comes from a stream of its own, (draw, 3)
SOURCING_KEY = 3


@dataclass(frozen=True, eq=False)
class Bands:
    """A dated run's draws and their bands.

    ``months``: per month, sector and country (``country`` empty: all), units and tonnes
    lost (P10 / P50 / P90 of the month's loss and of the cumulative loss since the start)
    and the probability that at least one line had stopped by the month's end.
    ``stoppages``: per sector and country, the first-stoppage date band and its
    probability over the run. ``lines``: per aggregate (or node) and product line, the
    first plant's first loss and that plant's recovery (P10 / P50 / P90 dates) and the
    probability that any plant stops.
    """

    scenario: Scenario
    n_draws: int
    seed: int
    dates: list[dt.date]
    months: pd.DataFrame
    stoppages: pd.DataFrame
    lines: pd.DataFrame
    exports: dict[str, np.ndarray]  # name -> draws x days, tonnes shipped


@dataclass(frozen=True, eq=False)
class _Shared:
    """What every chunk of draws needs (sent once to each Dask worker)."""

    graph: SupplyGraph
    scenario: Scenario
    approvals: pd.DataFrame
    transit: pd.DataFrame
    start: dt.date | None
    end: dt.date | None
    track: dict[str, np.ndarray]
    flows: Ranges
    stocks: Ranges
    seed: int
    applications: int | Range = 1  # applications per edge (the queue's grain), or its range
    policy_edges: tuple[np.ndarray, ...] = ()  # per drawn licence policy, the edges it covers
    policy_ranges: tuple[Range, ...] = ()  # and its share's range
    transit_ranges: Ranges | None = None  # per route (row of transit.csv), its days' range
    destination_rho: float = 0.0  # how much one buyer country's places move together
    destination: np.ndarray | None = None  # per edge: its customer's country (an index)
    queued: np.ndarray | None = None  # the edges whose places a licence may read (None: all)
    n_destinations: int = 0  # countries of the graph's nodes, one normal each per draw
    sourcing: Sourcing | None = None  # the inputs whose plants take few suppliers (A43)


def simulate_bands(
    graph: SupplyGraph,
    scenario: Scenario,
    approvals: pd.DataFrame,
    transit: pd.DataFrame,
    *,
    draws: int = 1000,
    seed: int = 0,
    uncertainty: Uncertainty | None = None,
    plants: dict[str, int] | None = None,
    applications: int | Range = APPLICATIONS,
    destination_rho: float = DESTINATION_RHO,
    sole_sourcing: bool = True,
    start: dt.date | None = None,
    end: dt.date | None = None,
    track: dict[str, np.ndarray] | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
) -> Bands:
    """Run ``draws`` draws of a dated scenario day by day and summarise them as bands.

    Parameters
    ----------
    graph
        The supply graph.
    scenario
        The dated scenario.
    approvals, transit
        The dated tables (:func:`supplygraph.dataset.io.load_dated_tables`).
    draws
        Number of draws.
    seed
        The run's seed.
    uncertainty
        The widths by status (default: the scenario's ``[uncertainty]`` table).
    plants
        Aggregate id -> count of plants (``plants.csv``); None: no aggregate is split.
    applications
        Applications per licence edge (or piece), each with its own place in the queue;
        the edge ships the share of them approved (1: one place), or their range, from
        which each draw takes one count for all its edges (``APPLICATIONS``).
    destination_rho
        How much the places of one buyer country's applications move together in a draw
        (:func:`destination_places`; ``DESTINATION_RHO``); 0: independent places, the
        draws of the run before the rule, byte for byte.
    sole_sourcing
        Each plant of a split aggregate takes an input that several supplier edges feed from
        as few of them as the tonnes allow, in an order drawn per draw
        (:meth:`supplygraph.dataset.plants.Sourcing.factor`, A43); False: equal parts of
        every supplier edge, the draws of the run before the rule, byte for byte.
    start, end
        The horizon (default: the scenario's).
    track
        Edge masks of the data's graph whose shipments to record per draw.
    scheduler, workers
        Run the chunks on a Dask cluster (:func:`supplygraph.analyses.dask_run.run_chunks`).

    Returns
    -------
    Bands
    """
    if uncertainty is None:
        uncertainty = load_uncertainty(scenario)
    split = split_plants(graph, plants or {})
    dated, policy_edges, policy_ranges = approval_draws(split, scenario, uncertainty)
    pieces = split.edges["edge_of"].to_numpy()  # per edge after the split: the data's edge
    countries, country = np.unique(
        split.nodes["country"].to_numpy().astype(str), return_inverse=True
    )
    flows = flow_ranges(split.edges, uncertainty.status)
    shared = _Shared(
        split,
        dated,
        approvals,
        transit,
        start,
        end,
        {name: np.asarray(mask)[pieces] for name, mask in (track or {}).items()},
        flows,
        stock_ranges(split.nodes, uncertainty.status),
        seed,
        applications,
        policy_edges,
        policy_ranges,
        transit_ranges=transit_ranges(transit, uncertainty.status),
        destination_rho=destination_rho,
        destination=country[split.index.dst],
        n_destinations=len(countries),
        queued=queued_edges(split, scenario, start=start, end=end) if destination_rho else None,
        sourcing=sourcing(split) if sole_sourcing else None,
    )
    # a row's cells: its parts, and its lines x a transit window on the numpy loop (the
    # compiled loop keeps that window once per thread, not per row)
    places = _places(applications)
    per_row = split.n_edges * (3 + places) + split.n_nodes * (4 if available() else 64)
    size = max(1, min(draws, CHUNK_CELLS // max(per_row, 1)))
    chunks = [(first, min(size, draws - first)) for first in range(0, draws, size)]
    parts = run_chunks(_run_chunk, chunks, shared, scheduler=scheduler, workers=workers)
    record, dates, production_node, lines_graph = _joined(parts)
    return _summarise(scenario, draws, seed, split, record, dates, production_node, lines_graph)


def approval_draws(
    graph: SupplyGraph, scenario: Scenario, uncertainty: Uncertainty
) -> tuple[Scenario, tuple[np.ndarray, ...], tuple[Range, ...]]:
    """Return how a scenario's approval ranges reach the dated draws.

    A licence policy with a constant share (no approval path) whose regime has a range in
    ``[uncertainty.approvals]`` gets its share drawn once per draw, ``a``, common to all its
    applicants; the queue then spreads it: an applicant at place ``q`` ships while the
    regime is in force when ``q <= a`` (docs/model.md, "How sure is a figure"). The day loop
    compares each place with the stretch's licensed share, so every constant-share policy
    of the scenario is given ``DRAWN_SHARE`` (0.5) and each draw's places are rescaled
    (:func:`draw_rows`): ``q' = min(1, 0.5 q / a)``, ``a`` the smallest drawn share of the
    policies that cover the edge (a policy without a range draws its own share). In force,
    ``q' <= 0.5`` exactly when ``q <= a``; out of force (share 1) every ``q' <= 1`` ships.

    Parameters
    ----------
    graph
        The graph the draws run on (after the plant split).
    scenario
        The dated scenario.
    uncertainty
        Its ranges.

    Returns
    -------
    tuple
        The scenario the day loop runs (unchanged when no range applies), each drawn
        policy's edges (all the edges it could license, as announced) and its range.
    """
    constant = [p for p in scenario.licences if not p.approvals]
    if not any(p.regime in uncertainty.approvals for p in constant):
        return scenario, (), ()
    edges, ranges, licences = [], [], []
    for policy in scenario.licences:
        if policy.approvals:
            licences.append(policy)
            continue
        alone = scenario.with_changes(
            licences=(replace(policy, action="cut", share=0.0),), rules=(), as_of=None
        )
        edges.append(np.flatnonzero(resolve(graph, alone).edge_share < 1))
        share = policy.share if policy.action == "throttle" else 0.0
        ranges.append(uncertainty.approvals.get(policy.regime, Range(share, share)))
        licences.append(replace(policy, action="throttle", share=DRAWN_SHARE))
    return scenario.with_changes(licences=tuple(licences)), tuple(edges), tuple(ranges)


def draw_rows(shared: Any, first: int, n: int) -> DrawRows:
    """Return draws ``first`` to ``first + n - 1``: each from its own seed.

    Each draw takes, in this order from its own generator, every edge's flow place, every
    node's stock place, the places in the queue of every edge's applications (edge by
    edge), each drawn licence policy's share (:func:`approval_draws`) and last each
    route's transit place (:func:`transit_draws`). When ``shared.applications`` is a
    range, the draw's count of applications (rounded) comes first from a stream of its
    own (``spawn_key=(draw, 1)``), and the draw's queue holds that many places per edge
    (the rest of the ``high`` places are never read). So a scenario without approval
    ranges draws what it drew before they reached the dated run, one application per
    edge draws what one place per edge drew, a draw's flows and stocks do not depend on
    its count, and a run whose routes have no range draws what it drew before transit
    times were drawn. With ``shared.destination_rho`` above 0 each draw's places are then
    made to move together by the customer's country (:func:`destination_places`), with one
    normal per country from a stream of their own (``spawn_key=(draw, 2)``), before a drawn
    policy rescales them; at 0 nothing is drawn for it. With ``shared.sourcing`` the drawn
    tonnes of the pieces into a split aggregate's inputs are then moved so each plant takes
    an input from as few supplier edges as the tonnes allow, in an order drawn from a
    stream of the draw's own (``spawn_key=(draw, 3)``; :meth:`supplygraph.dataset.plants.
    Sourcing.factor`, A43); without it, or with no input of two suppliers, nothing is drawn
    for it.

    Parameters
    ----------
    shared
        The run's inputs (the flow and stock ranges, seed, graph and drawn policies).
    first
        The first draw's number.
    n
        How many.

    Returns
    -------
    DrawRows
    """
    n_edges, n_nodes = shared.graph.n_edges, shared.graph.n_nodes
    k = _places(shared.applications)
    count = np.full(n, k, dtype=np.int64)
    flow_v = np.empty((n, n_edges))
    stock_v = np.empty((n, n_nodes))
    queue = np.ones((n, n_edges, k))  # places past a draw's count are never read
    routes = getattr(shared, "transit_ranges", None)  # a caller's inputs may draw no transit
    days = None if routes is None else shared.transit["days"].to_numpy(np.float64)
    n_routes = 0 if routes is None else len(routes.low)
    transit_v = np.empty((n, n_routes))
    rho = getattr(shared, "destination_rho", 0.0)  # a caller's inputs may have no such rule
    sourced = getattr(shared, "sourcing", None)
    sourced = sourced if sourced is not None and sourced.n_members else None
    order = np.empty((n, sourced.n_members if sourced else 0))
    queued = getattr(shared, "queued", None)
    for r in range(n):
        rng = np.random.default_rng(np.random.SeedSequence(shared.seed, spawn_key=(first + r,)))
        if isinstance(shared.applications, Range):
            own = np.random.SeedSequence(shared.seed, spawn_key=(first + r, COUNT_KEY))
            count[r] = round(shared.applications.draw(np.random.default_rng(own), 1)[0])
        flow_v[r] = rng.uniform(-1, 1, n_edges)
        stock_v[r] = rng.uniform(-1, 1, n_nodes)
        places = queue[r, :, : count[r]]  # a view: the draw's own places
        places[:] = rng.uniform(0, 1, (n_edges, count[r]))
        if rho > 0:
            own = np.random.SeedSequence(shared.seed, spawn_key=(first + r, DESTINATION_KEY))
            common = np.random.default_rng(own).standard_normal(shared.n_destinations)
            edges = queued if queued is not None else slice(None)  # others are never read
            places[edges] = destination_places(
                places[edges], common[shared.destination[edges]], rho
            )
        if shared.policy_edges:
            approved = np.full(n_edges, np.inf)  # inf: no drawn policy covers the edge
            for edges, drawn in zip(shared.policy_edges, shared.policy_ranges):
                approved[edges] = np.minimum(approved[edges], drawn.draw(rng, 1)[0])
            covered = (approved < np.inf)[:, None]
            approved = approved[:, None]  # each of an edge's applications rescaled alike
            scaled = np.divide(
                DRAWN_SHARE * places, approved, out=np.ones(places.shape), where=approved > 0
            )
            places[:] = np.where(covered, np.minimum(1.0, scaled), places)
        transit_v[r] = rng.uniform(-1, 1, n_routes)  # last: the draws before stay as they were
        if sourced:
            own = np.random.SeedSequence(shared.seed, spawn_key=(first + r, SOURCING_KEY))
            order[r] = np.random.default_rng(own).uniform(0, 1, sourced.n_members)
    flow = shared.flows.factor(flow_v)
    if sourced:
        base = shared.graph.edges["flow_t"].to_numpy(np.float64)[sourced.pieces]
        flow[:, sourced.pieces] *= sourced.factor(flow[:, sourced.pieces] * base, order)
    return DrawRows(
        flow,
        shared.stocks.factor(stock_v),
        queue,
        count,
        None if routes is None else transit_draws(days, routes, transit_v),
    )


def destination_places(places: np.ndarray, common: np.ndarray, rho: float) -> np.ndarray:
    """Return places in the queue that move together by destination (a Gaussian copula).

    Each application's place becomes ``Phi(sqrt(rho) z + sqrt(1 - rho) Phi^-1(u))``, ``u``
    its own uniform place and ``z`` the draw's normal for its edge's destination: each place
    is still uniform on [0, 1], and the places of one destination share ``rho`` of their
    (normal) variance (data/SOURCES.md, "Bands of the dated run", A39). At ``rho = 1`` every
    application of a destination takes the place ``Phi(z)``; at 0 the places are kept.

    Parameters
    ----------
    places
        Uniform places, edges x applications.
    common
        Per edge, the normal of its destination in this draw.
    rho
        The share of a place's variance its destination holds, in [0, 1].

    Returns
    -------
    numpy.ndarray
        The places, edges x applications.

    Examples
    --------
    >>> u = np.array([[0.1, 0.9], [0.5, 0.5]])
    >>> destination_places(u, np.array([0.0, 1.0]), 1.0).round(3).tolist()
    [[0.5, 0.5], [0.841, 0.841]]
    >>> bool((destination_places(u, np.array([0.0, 1.0]), 0.0) == u).all())
    True
    """
    if rho <= 0:
        return places
    if rho >= 1:
        return np.broadcast_to(ndtr(common)[:, None], places.shape).copy()
    return ndtr(np.sqrt(rho) * common[:, None] + np.sqrt(1 - rho) * ndtri(places))


def queued_edges(
    graph: SupplyGraph,
    scenario: Scenario,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> np.ndarray:
    """Return the edges a licence of the scenario may reach on some day of the run.

    Only these edges' places in the queue are ever compared with a licensed share (elsewhere
    the share is 1), so only theirs need the destination's common draw. Each policy is made
    a cut with no path and no general licence, and the scenario without its rules is
    resolved on the run's first day and on every day a regime of the data starts, ends or is
    suspended or resumes within the run: between those days the regimes in force, and so
    the edges a licence reaches, do not change.

    Parameters
    ----------
    graph
        The graph the draws run on (after the plant split).
    scenario
        The dated scenario.
    start, end
        The run's horizon (default: the scenario's; open ends take every such day).

    Returns
    -------
    numpy.ndarray
        The edges' indices, ascending.
    """
    start = start or scenario.start
    end = end or scenario.end
    cuts = tuple(
        replace(policy, action="cut", share=0.0, approvals="", general_licence="")
        for policy in scenario.licences
    )
    days: set[dt.date | None] = {start}
    for regime in regimes_by_id(graph.regimes).values():
        days |= {regime.effective, regime.suspended_from}
        # the day after an end, none after the calendar's last day (nothing a run reaches)
        ends = (regime.suspended_until, regime.ends)
        days |= {d + dt.timedelta(days=1) for d in ends if d and d < dt.date.max}
    reached = np.zeros(graph.n_edges, dtype=bool)
    for day in sorted(d for d in days if d and (start is None or d >= start)):
        if end is not None and day > end:
            continue
        alone = scenario.with_changes(licences=cuts, rules=(), as_of=day)
        reached |= resolve(graph, alone).edge_share < 1
    if start is None:
        alone = scenario.with_changes(licences=cuts, rules=(), as_of=None)
        reached |= resolve(graph, alone).edge_share < 1
    return np.flatnonzero(reached)


def destination_rho(months: pd.DataFrame) -> float:
    """Return the destination effect's ``rho`` from destinations' months (A39).

    Only months whose total share is strictly between 0 and 1 speak to the queue (at a path
    of 1 every place is approved). In such a month a destination approved ``a_d =
    Phi((Phi^-1(a) - sqrt(rho) z_d) / sqrt(1 - rho))`` of its normal month, so across
    destinations ``Phi^-1(a_d)`` has variance ``V = rho / (1 - rho)``: ``V`` is estimated by
    the within-month sum of squares about each month's mean over the sum of the months'
    counts less one, each share held within ``DESTINATION_SHARE_CLIP``, and ``rho = V / (1 +
    V)``; 0 when no month has two destinations.

    Parameters
    ----------
    months
        ``destination_months.csv`` (:func:`supplygraph.dataset.io.load_destination_months`):
        month, exports_t, normal_t, total_share.

    Returns
    -------
    float
        ``rho``.

    Examples
    --------
    >>> months = pd.DataFrame({"month": ["2025-05", "2025-05", "2025-07"],
    ...     "exports_t": [50.0, 150.0, 90.0], "normal_t": [100.0, 200.0, 100.0],
    ...     "total_share": [0.6, 0.6, 1.0]})
    >>> round(destination_rho(months), 4)  # V = (0.6745 - 0)^2 / 2 = 0.2275
    0.1853
    """
    speaks = (months["total_share"] > 0) & (months["total_share"] < 1)
    chosen = months[speaks]
    share = (chosen["exports_t"] / chosen["normal_t"]).clip(*DESTINATION_SHARE_CLIP)
    probit = pd.Series(ndtri(share.to_numpy(np.float64)), index=chosen.index)
    by_month = probit.groupby(chosen["month"])
    squares = by_month.apply(lambda y: float(((y - y.mean()) ** 2).sum())).sum()
    freedom = int((by_month.count() - 1).clip(lower=0).sum())
    if freedom == 0:
        return 0.0
    v = squares / freedom
    return float(v / (1 + v))


def _places(applications: int | Range) -> int:
    """Places in the queue per edge: the count, or the most its range allows."""
    return int(applications.high) if isinstance(applications, Range) else int(applications)


def transit_draws(days: np.ndarray, ranges: Ranges | None, v: np.ndarray) -> np.ndarray | None:
    """Return each draw's transit days per route, or None when no route has a range.

    A route (a row of ``transit.csv``) takes one draw for every edge on it: triangular on its
    range with the mode at its central days (:meth:`supplygraph.scenario.uncertainty.Ranges.
    factor`), rounded to the nearest whole day (halves up) and at least 1; a route without
    width keeps the table's days, rounded up as :func:`supplygraph.analyses.timeline.
    transit_days` reads them.

    Parameters
    ----------
    days
        Each route's central days (``transit.csv``'s ``days``).
    ranges
        Each route's range (:func:`supplygraph.scenario.uncertainty.transit_ranges`); None:
        none drawn.
    v
        Uniform draws on [-1, 1], draws x routes.

    Returns
    -------
    numpy.ndarray or None
        Draws x routes, whole days; None when no route has a width (every draw then takes
        the table's days, as before transit times were drawn).

    Examples
    --------
    >>> from supplygraph.scenario.uncertainty import Ranges
    >>> r = Ranges(np.array([0.875, 1.0]), np.array([1.125, 1.0]), np.arange(2), np.zeros(2))
    >>> transit_draws(np.array([40.0, 2.5]), r, np.array([[-1.0, 0.3], [0.0, -0.2]])).tolist()
    [[35, 3], [40, 3]]
    """
    if ranges is None or not (ranges.high > ranges.low).any():
        return None
    wide = ranges.high > ranges.low
    drawn = np.floor(days * ranges.factor(v) + 0.5)
    return np.maximum(np.where(wide, drawn, np.ceil(days)), 1).astype(np.int64)


def _run_chunk(chunk: tuple[int, int], shared: _Shared) -> tuple:
    """Run one chunk of draws through the days."""
    first, n = chunk
    run = simulate_days(
        shared.graph,
        shared.scenario,
        shared.approvals,
        shared.transit,
        start=shared.start,
        end=shared.end,
        track=shared.track,
        rows=draw_rows(shared, first, n),
        keep_days=False,
    )
    assert run.draws is not None
    return run.draws, run.dates, run.production.node, run.production.graph


def _joined(parts: list[tuple]) -> tuple[DrawRecord, list[dt.date], np.ndarray, SupplyGraph]:
    """The chunks' records as one, draws in order."""
    records = [p[0] for p in parts]
    return records[0].joined(records), parts[0][1], parts[0][2], parts[0][3]


def _percentiles(values: np.ndarray, axis: int = 0) -> list[np.ndarray]:
    """P10, P50, P90 over draws: values actually drawn (``inverted_cdf``)."""
    return [np.percentile(values, q, axis=axis, method="inverted_cdf") for q in BAND]


def _day(dates: list[dt.date], index: Any) -> str:
    """A day index as a date; ``NEVER`` (or beyond the run) as empty."""
    index = int(index)
    return dates[index].isoformat() if 0 <= index < len(dates) else ""


def _summarise(
    scenario: Scenario,
    draws: int,
    seed: int,
    split: SupplyGraph,
    record: DrawRecord,
    dates: list[dt.date],
    production_node: np.ndarray,
    lines_graph: SupplyGraph,
) -> Bands:
    """The bands' tables from every draw's record."""
    nodes = lines_graph.nodes
    makers = record.makers
    sector = nodes["sector"].to_numpy().astype(str)[makers]
    country = nodes["country"].to_numpy().astype(str)[makers]
    first = np.where(record.first_loss >= 0, record.first_loss, NEVER)
    month_end = [
        max(i for i, d in enumerate(dates) if d.isoformat()[:7] == month) for month in record.months
    ]
    month_rows, stop_rows = [], []
    groups = [(s, "") for s in sorted(set(sector))] + sorted(set(zip(sector, country)))
    for s, c in groups:
        mask = (sector == s) & ((country == c) if c else True)
        units = record.lost_units[:, :, mask].sum(axis=2)  # months x draws
        tonnes = record.lost_t[:, :, mask].sum(axis=2)
        cumulative_units, cumulative_t = units.cumsum(axis=0), tonnes.cumsum(axis=0)
        first_stop = first[:, makers[mask]].min(axis=1)  # per draw
        figures = {
            "units_lost": units,
            "cumulative_units_lost": cumulative_units,
            "t_lost": tonnes,
            "cumulative_t_lost": cumulative_t,
        }
        table = {"month": record.months, "sector": s, "country": c}
        for name, values in figures.items():
            for q, value in zip(BAND, _percentiles(values, axis=1)):
                table[f"{name}_p{q}"] = value
        stopped = first_stop[None, :] <= np.asarray(month_end)[:, None]
        table["stopped_by_month_end_pct"] = 100 * stopped.mean(axis=1)
        month_rows.append(pd.DataFrame(table))
        band = _percentiles(first_stop)
        stop_rows.append(
            {
                "sector": s,
                "country": c,
                **{f"first_stop_p{q}": _day(dates, v) for q, v in zip(BAND, band)},
                "stop_pct": 100 * float(np.mean(first_stop < NEVER)),
            }
        )
    aggregate = split.nodes["aggregate"].to_numpy()[production_node]
    line_name = nodes["line"].fillna("").to_numpy() if "line" in nodes else np.full(len(nodes), "")
    line_rows, stops, recoveries = [], [], []
    keys = pd.DataFrame({"node": aggregate, "line": line_name})
    for (node, line), members in keys.groupby(["node", "line"], sort=True).groups.items():
        members = np.asarray(members)
        plants = first[:, members]
        first_plant = plants.argmin(axis=1)
        first_stop = plants[np.arange(len(plants)), first_plant]
        if not (first_stop < NEVER).any():
            continue  # a line that stops in no draw: nothing to report
        recovery = record.recovery[np.arange(len(plants)), members[first_plant]]
        recovery = np.where((recovery >= 0) & (first_stop < NEVER), recovery, NEVER)
        stops.append(first_stop)
        recoveries.append(recovery)
        line_rows.append({"node": node, "line": line, "plants": len(members)})
    # every line's percentiles at once (a percentile is a value drawn: the same per column)
    for name, values in (("first_loss", stops), ("recovery", recoveries)):
        if not values:
            break
        for q, band in zip(BAND, _percentiles(np.stack(values, axis=1))):
            for row, v in zip(line_rows, band):
                row[f"{name}_p{q}"] = _day(dates, v)
    for row, first_stop in zip(line_rows, stops):
        row["stop_pct"] = 100 * float(np.mean(first_stop < NEVER))
    return Bands(
        scenario,
        draws,
        seed,
        dates,
        pd.concat(month_rows, ignore_index=True) if month_rows else pd.DataFrame(),
        pd.DataFrame(stop_rows),
        pd.DataFrame(line_rows),
        {name: shipped.T for name, shipped in record.exports.items()},
    )
