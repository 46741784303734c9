"""What could hurt most: an n-1 sweep over nodes, edges and (country, stage) pairs, ranked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._errors import ScenarioError
from ..dataset.graph import require_makers
from ..dataset.production import production_lines
from ..dataset.schema import STAGE_RANK, sector_id, sector_label
from ..engine.propagate import propagate
from ..engine.sums import SectorBatch, concat_batches, sector_exposure, share_pct
from ..scenario.parse import Rule, Scenario
from ..scenario.resolve import put_on_lines
from .dask_run import run_chunks
from .exposure import simulate
from .focus import upstream_of
from .stats import concentration, crma_check, stage_country_shares, stage_element_shares

if TYPE_CHECKING:
    from ..dataset.graph import SupplyGraph

KINDS = ("node", "edge", "country-stage")
# Knock-outs propagated together: a chunk for one worker; fewer where a row is large, so a
# chunk's multipliers stay near this many cells.
CHUNK_ROWS = 256
CHUNK_CELLS = 4_000_000
# Above this many nodes the sweep takes every (country, stage) but only the SWEEP_TOP nodes
# of largest throughput and the SWEEP_TOP links of largest flow: each knock-out is a
# propagation over the whole graph, and a million of them would take hours.
SWEEP_ALL_MAX_NODES = 20_000
SWEEP_TOP = 1_000
# A sector's loss counts as added by a knock-out above this share of its baseline.
ADDED_TOLERANCE = 1e-9


@dataclass(frozen=True, eq=False)
class Criticality:
    """The n-1 sweep and the concentration tables.

    ``items`` has one row per knock-out (a node down, an edge cut, every node of one
    country at one stage down), ranked by the makers' tonnes lost; ``sectors`` one row
    per knock-out and sector it hurts, with the time to survive (``tts_days``);
    ``concentration`` the HHI per stage and element; ``crma`` the third countries'
    shares of EU consumption per stage and element.
    """

    scenario: Scenario
    items: pd.DataFrame
    sectors: pd.DataFrame
    concentration: pd.DataFrame
    crma: pd.DataFrame
    base: pd.DataFrame
    candidates: dict[str, int] = field(default_factory=dict)  # per kind: how many there were


@dataclass(frozen=True, eq=False)
class _Sweep:
    """What each chunk of the sweep needs (sent once to each Dask worker)."""

    lines: SupplyGraph
    edge_share: np.ndarray  # per part: the base scenario's
    node_share: np.ndarray  # per line
    stock_days: np.ndarray  # per line
    line_nodes: list[np.ndarray]  # per knock-out: the lines it takes down
    parts: list[np.ndarray]  # per knock-out: the parts it cuts
    focus_lines: np.ndarray  # the focus's lines (none without a focus)


def knockouts(graph: SupplyGraph, *, top: int | None = None) -> pd.DataFrame:
    """Return the single knock-outs of the sweep: each node, each edge, each (country, stage).

    Parameters
    ----------
    graph
        The supply graph.
    top
        Take only the ``top`` nodes of largest throughput (``SupplyGraph.baseline_t``) and
        the ``top`` links of largest flow (ties by position); every (country, stage) still.
        None: every node and link.

    Returns
    -------
    pandas.DataFrame
        Columns ``kind``, ``id``, ``name``, ``country``, ``stage``, ``select`` (the
        scenario rule that does the same), ``nodes`` and ``edges`` (positions).

    Examples
    --------
    >>> import supplygraph as sg
    >>> graph = sg.load("tests/data/tiny")
    >>> picked = knockouts(graph, top=2)
    >>> picked["kind"].value_counts().to_dict() == {"node": 2, "edge": 2,
    ...     "country-stage": len(knockouts(graph).query("kind == 'country-stage'"))}
    True
    """
    nodes, edges = graph.nodes, graph.edges
    rows: list[dict[str, Any]] = []
    chosen = np.arange(graph.n_nodes)
    if top is not None:  # largest first, ties by position; then back in the data's order
        chosen = np.sort(np.argsort(-graph.baseline_t, kind="stable")[:top])
    for i, node in zip(chosen, nodes.iloc[chosen].itertuples(index=False)):
        rows.append(
            _row("node", node.id, node.name, node.country, node.stage, f"node:id={node.id}", [i])
        )
    src_country = nodes["country"].to_numpy()[edges["src"].to_numpy()]
    src_stage = nodes["stage"].to_numpy()[edges["src"].to_numpy()]
    # one knock-out per link: the rows of one (supplier, customer, material) go together, as
    # a scenario rule naming the link takes them all (e.g. a magnet edge split by grade)
    links = edges.groupby(["supplier", "customer", "material"], sort=False).indices
    if top is not None:
        flow = graph.index.flow
        tonnes = np.array([flow[members].sum() for members in links.values()])
        keep = set(np.argsort(-tonnes, kind="stable")[:top].tolist())
        links = {key: m for k, (key, m) in enumerate(links.items()) if k in keep}
    for (supplier, customer, material), members in links.items():
        label = f"{supplier}->{customer} ({material})"
        select = f"from={supplier},to={customer},material={material}"
        j = members[0]
        rows.append(_row("edge", label, label, src_country[j], src_stage[j], select, [], members))
    pairs = nodes.groupby(["country", "stage"], sort=False).indices
    for (country, stage), members in sorted(
        pairs.items(), key=lambda kv: (kv[0][0], STAGE_RANK[kv[0][1]])
    ):
        name = f"all {stage} nodes in {country}"
        select = f"node:country={country},stage={stage}"
        rows.append(
            _row("country-stage", f"{country}/{stage}", name, country, stage, select, members)
        )
    return pd.DataFrame(rows)


def _row(
    kind: str,
    ident: str,
    name: str,
    country: str,
    stage: str,
    select: str,
    nodes: Any,
    edges: Any = (),
) -> dict[str, Any]:
    return {
        "kind": kind,
        "id": ident,
        "name": name,
        "country": country,
        "stage": stage,
        "select": select,
        "nodes": np.asarray(nodes, dtype=np.int64),
        "edges": np.asarray(edges, dtype=np.int64),
    }


def criticality(
    graph: SupplyGraph,
    scenario: Scenario | None = None,
    *,
    reroute_top: int = 0,
    sector: str | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    focus: np.ndarray | None = None,
) -> Criticality:
    """Take down each node, edge and (country, stage) pair in turn and rank the damage.

    Each knock-out is a scenario of its own, on top of ``scenario`` (default: nothing
    else restricted): the worst case (no rerouting) of every knock-out is one batched
    propagation. A knock-out's time to survive in a sector (``tts_days``) is how long
    the sector's makers keep full output with it down: the static engine's days to
    impact (stocks drawn at the rate of the shortfall, rerouting over time not
    modelled). ``reroute_top`` also solves the rerouting LP (the best case) for that
    many highest-ranked knock-outs.

    Parameters
    ----------
    graph
        The supply graph.
    scenario
        The situation the knock-outs happen in (its regimes, rules and stock cover).
    reroute_top
        How many of the top knock-outs to reroute (0: none).
    sector
        Rank by this sector's ``shortfall_pct``; default by ``mean_sector_pct``, the
        mean over sectors (each industry counts the same, however many tonnes it uses).
    scheduler, workers
        Run the chunks on a Dask cluster (:func:`supplygraph.analyses.dask_run.run_chunks`).
    focus
        A mask of focus nodes (:func:`supplygraph.analyses.focus.focus_mask`): only what
        reaches them is knocked out (nodes, links and country-stage pairs upstream, not
        the focus itself), each knock-out's loss of the focus's lines is added
        (``focus_shortfall_t``, ``focus_shortfall_pct`` of their baseline tonnes) and the
        ranking is by it. The focus's figures are exact: in the worst case a line's
        output depends only on what is upstream of it.

    Returns
    -------
    Criticality

    Raises
    ------
    DataError
        For a graph without makers (:func:`supplygraph.dataset.graph.require_makers`).
    """
    require_makers(graph)
    scenario = scenario or Scenario("baseline", "Baseline")
    production = production_lines(graph)
    lines = production.graph.nodes
    known = sorted(set(lines.loc[lines["stage"] == "manufacturer", "sector"]))
    if sector is not None:
        named = sector_id(sector, known)
        if named is None:
            listed = ", ".join(f"{k} ({sector_label(k)})" for k in known)
            raise ScenarioError(f"unknown sector {sector!r}; known: {listed}")
        sector = named
    put = put_on_lines(graph, scenario, production=production)
    large = graph.n_nodes > SWEEP_ALL_MAX_NODES
    table = knockouts(graph, top=SWEEP_TOP if large else None)
    focus_lines = np.zeros(0, dtype=np.int64)
    if focus is not None:
        if sector is not None:
            raise ScenarioError("rank by a sector or by a focus, not both")
        table = _reaching(graph, table, focus)
        focus_lines = np.flatnonzero(focus[production.node])
    if "layer" in graph.nodes:  # with overlays: where each knock-out's nodes or edges are
        table["layer"] = _knockout_layers(graph, table)
    n_links = len(graph.edges.groupby(["supplier", "customer", "material"], sort=False).indices)
    candidates = {"node": graph.n_nodes, "edge": n_links}
    if focus is not None and not large:  # every knock-out that reaches the focus was swept
        candidates = {kind: int((table["kind"] == kind).sum()) for kind in ("node", "edge")}
    sweep = _Sweep(
        production.graph,
        put.lines.edge_share,
        put.lines.node_share,
        put.stock_days,
        _members(production.node, graph.n_nodes, table["nodes"]),
        _members(production.edge, graph.n_edges, table["edges"]),
        focus_lines,
    )
    # row 0 is the scenario alone: what each knock-out adds is measured against it
    index = production.graph.index
    rows = max(1, min(CHUNK_ROWS, CHUNK_CELLS // max(1, index.n_nodes + len(index.src))))
    bounds = [(a, min(a + rows, len(table) + 1)) for a in range(0, len(table) + 1, rows)]
    parts = run_chunks(_sweep_chunk, bounds, sweep, scheduler=scheduler, workers=workers)
    batch = concat_batches([part[0] for part in parts])
    focus_lost = np.concatenate([part[1] for part in parts])
    focus_base = float(production.graph.baseline_t[focus_lines].sum())
    items, sectors = _tables(
        table, batch, sector, (focus_lost, focus_base) if len(focus_lines) else None
    )
    if reroute_top:
        _add_rerouting(graph, scenario, items, sectors, reroute_top)
    by_stage = concentration(stage_country_shares(graph)).assign(element="")
    by_element = concentration(stage_element_shares(graph), by=("stage", "element"))
    hhi = pd.concat([by_stage, by_element], ignore_index=True)
    hhi = hhi.sort_values(["stage", "element"], key=_stage_order, kind="stable")
    base = pd.DataFrame(
        {
            "sector": batch.sectors,
            "baseline_t": batch.baseline_t[0],
            "shortfall_t": batch.shortfall_t[0],
            "shortfall_pct": batch.shortfall_pct[0],
        }
    )
    candidates["country-stage"] = int((table["kind"] == "country-stage").sum())
    return Criticality(
        scenario, items, sectors, hhi.reset_index(drop=True), crma_check(graph), base, candidates
    )


def _members(owner: np.ndarray, n_owners: int, picks: pd.Series) -> list[np.ndarray]:
    """Per knock-out, the lines (or parts) of the nodes (or edges) it takes down."""
    order = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(owner[order], np.arange(n_owners + 1))
    return [
        np.concatenate([order[bounds[i] : bounds[i + 1]] for i in chosen] or [order[:0]])
        for chosen in picks
    ]


def _reaching(graph: SupplyGraph, table: pd.DataFrame, focus: np.ndarray) -> pd.DataFrame:
    """The knock-outs that reach the focus: nodes upstream of it (not its own), links
    into such nodes, pairs with such a node."""
    upstream = upstream_of(graph, focus) & ~focus
    into = upstream | focus
    dst = graph.edges["dst"].to_numpy()
    keep = [
        bool(upstream[nodes].any()) or bool(into[dst[edges]].any())
        for nodes, edges in zip(table["nodes"], table["edges"])
    ]
    return table[np.array(keep, dtype=bool)].reset_index(drop=True)


def _knockout_layers(graph: SupplyGraph, table: pd.DataFrame) -> list[str]:
    """Per knock-out: ``base``, ``overlay`` or ``base+overlay``, from its nodes or edges."""
    node_layer = graph.nodes["layer"].to_numpy()
    edge_layer = graph.edges["layer"].to_numpy()
    return [
        "+".join(sorted(set(node_layer[nodes]) | set(edge_layer[edges])))
        for nodes, edges in zip(table["nodes"], table["edges"])
    ]


def _sweep_chunk(bounds: tuple[int, int], sweep: _Sweep) -> tuple[SectorBatch, np.ndarray]:
    """Propagate knock-outs ``bounds`` (row 0: none) on top of the base scenario; return the
    sector figures and the tonnes the focus's lines lose (zeros without a focus)."""
    first, stop = bounds
    rows = stop - first
    edge_share = np.repeat(sweep.edge_share[None, :], rows, axis=0)
    node_share = np.repeat(sweep.node_share[None, :], rows, axis=0)
    for r, k in enumerate(range(first, stop)):
        if k:
            edge_share[r, sweep.parts[k - 1]] = 0.0
            node_share[r, sweep.line_nodes[k - 1]] = 0.0
    stock = np.broadcast_to(sweep.stock_days, node_share.shape)
    prop = propagate(sweep.lines.index, edge_share, node_share, stock)
    base = sweep.lines.baseline_t[sweep.focus_lines]
    focus_lost = (base * (1 - prop.output_ratio[:, sweep.focus_lines])).sum(axis=1)
    return sector_exposure(sweep.lines, prop.output_ratio, prop.days_to_impact), focus_lost


def _tables(
    table: pd.DataFrame,
    batch: SectorBatch,
    sector: str | None,
    focus: tuple[np.ndarray, float] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ranked knock-outs and their per-sector damage (rows of ``batch`` after the base);
    ``focus``: the focus's lost tonnes per row and its baseline, to rank by."""
    lost = batch.shortfall_t[1:]
    base = batch.shortfall_t[0]
    total = batch.baseline_t[0].sum()
    worst = np.argmax(
        np.where(np.isnan(batch.shortfall_pct[1:]), -1, batch.shortfall_pct[1:]), axis=1
    )
    days = batch.days_to_impact[1:]
    items = table[["kind", "id", "name", "country", "stage"]].copy()
    if "layer" in table:
        items["layer"] = table["layer"]
    items["nodes_down"] = [len(n) for n in table["nodes"]]
    items["shortfall_t"] = lost.sum(axis=1)
    items["shortfall_pct"] = share_pct(items["shortfall_t"], total)
    items["mean_sector_pct"] = batch.shortfall_pct[1:].mean(axis=1)
    items["added_shortfall_t"] = (lost - base).sum(axis=1)
    items["sectors_hit"] = (
        lost - base > ADDED_TOLERANCE * np.maximum(batch.baseline_t[1:], 1.0)
    ).sum(axis=1)
    items["worst_sector"] = np.where(
        lost.max(axis=1, initial=0) > 0, np.array(batch.sectors, dtype=object)[worst], ""
    )
    items["worst_sector_pct"] = batch.shortfall_pct[1:][np.arange(len(items)), worst]
    first_day = days.min(axis=1, initial=np.inf)
    items["tts_days"] = np.where(np.isfinite(first_day), first_day, np.nan)
    items["select"] = table["select"]
    kind_rank = items["kind"].map({k: i for i, k in enumerate(KINDS)})
    if focus is not None:
        items["focus_shortfall_t"] = focus[0][1:]
        items["focus_shortfall_pct"] = share_pct(focus[0][1:], focus[1])
        key = items["focus_shortfall_pct"].to_numpy()
    elif sector is None:
        key = items["mean_sector_pct"].to_numpy()
    else:
        key = batch.shortfall_pct[1:, batch.sectors.index(sector)]
    items["rank_by"] = "focus" if focus is not None else sector or "mean_sector_pct"
    items["rank_pct"] = key
    order = np.lexsort(
        (
            items["id"].to_numpy(),
            kind_rank.to_numpy(),
            -items["shortfall_t"].round(6).to_numpy(),
            -np.round(key, 9),
        )
    )
    items = items.iloc[order].reset_index(drop=True)
    items.insert(0, "rank", np.arange(1, len(items) + 1))
    # one row per knock-out and sector it costs anything, in rank order
    rank_of = np.empty(len(order), dtype=np.int64)
    rank_of[order] = np.arange(1, len(order) + 1)
    # what a knock-out adds to the scenario, beyond rounding noise in the sums
    k, s = np.nonzero(lost - base > ADDED_TOLERANCE * np.maximum(batch.baseline_t[1:], 1.0))
    sectors = pd.DataFrame(
        {
            "rank": rank_of[k],
            "kind": table["kind"].to_numpy()[k],
            "id": table["id"].to_numpy()[k],
            "sector": np.array(batch.sectors, dtype=object)[s],
            "baseline_t": batch.baseline_t[1:][k, s],
            "shortfall_t": lost[k, s],
            "shortfall_pct": batch.shortfall_pct[1:][k, s],
            "shortfall_units_pct": batch.shortfall_units_pct[1:][k, s],
            "tts_days": np.where(np.isfinite(days[k, s]), days[k, s], np.nan),
        }
    )
    sectors = sectors.sort_values(["rank", "sector"], kind="stable").reset_index(drop=True)
    return items, sectors


def _add_rerouting(
    graph: SupplyGraph, scenario: Scenario, items: pd.DataFrame, sectors: pd.DataFrame, top: int
) -> None:
    """Add the best case (rerouting LP) for the ``top`` knock-outs, in place (our tables)."""
    items["shortfall_reroute_t"] = np.nan
    items["shortfall_reroute_pct"] = np.nan
    sectors["shortfall_reroute_t"] = np.nan
    sectors["shortfall_reroute_pct"] = np.nan
    for row in items.head(top).itertuples():
        knocked = scenario.with_changes(rules=(*scenario.rules, Rule(row.select)))
        result = simulate(graph, knocked, reroute=True).sectors.set_index("sector")
        lost = float(result["shortfall_reroute_t"].sum())
        items.loc[row.Index, "shortfall_reroute_t"] = lost
        items.loc[row.Index, "shortfall_reroute_pct"] = float(
            share_pct(lost, result["baseline_t"].sum())
        )
        mine = sectors["rank"] == row.rank
        names = sectors.loc[mine, "sector"]
        sectors.loc[mine, "shortfall_reroute_t"] = result.loc[
            names, "shortfall_reroute_t"
        ].to_numpy()
        sectors.loc[mine, "shortfall_reroute_pct"] = result.loc[
            names, "shortfall_reroute_pct"
        ].to_numpy()


def _stage_order(column: pd.Series) -> pd.Series:
    """Sort key: stages upstream first, other columns as they are."""
    return column.map(STAGE_RANK) if column.name == "stage" else column
