"""Run a scenario on a graph and return exposure tables (the library's front door)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .disruption import Disruption, resolve
from .origin import origin_share, provenance
from .propagate import Propagation, propagate
from .reroute import TIME_LIMIT, Rerouting
from .reroute import reroute as solve_reroute
from .scenario import Scenario
from .schema import STAGE_RANK

if TYPE_CHECKING:
    from .graph import SupplyGraph


@dataclass(frozen=True, eq=False)
class Result:
    """The outcome of a scenario: exposure per sector, node, country and edge.

    Tonnes are t REO-equivalent per year; ``shortfall_pct`` is 0-100;
    ``days_to_impact`` is NaN where output never falls.
    """

    graph: SupplyGraph
    scenario: Scenario
    disruption: Disruption
    propagation: Propagation
    sectors: pd.DataFrame
    nodes: pd.DataFrame
    countries: pd.DataFrame
    edges: pd.DataFrame
    rerouting: Rerouting | None = None
    warnings: list[str] = field(default_factory=list)


# DFARS 252.225-7052 "covered countries": China, Iran, North Korea, Russia.
DFARS_COUNTRIES = ("CN", "IR", "KP", "RU")


def simulate(
    graph: SupplyGraph,
    scenario: Scenario,
    *,
    reroute: bool = True,
    reroute_time_limit: float = TIME_LIMIT,
    provenance_countries: tuple[str, ...] = DFARS_COUNTRIES,
) -> Result:
    """Run a scenario: propagate the shortfall and, optionally, the best-case rerouting.

    Parameters
    ----------
    graph
        A loaded SupplyGraph.
    scenario
        What to cut or throttle, and when.
    reroute
        Also solve the rerouting linear program (the best case).
    reroute_time_limit
        Seconds rerouting may take. When it stops (time limit, size rule or solver
        failure), its columns are NaN and ``warnings`` says why; the rest is complete.
    provenance_countries
        Countries of the DFARS-style test per node (``dfars_covered``): whether any of
        its rare-earth input was mined, separated, melted or produced there.

    Returns
    -------
    Result

    Examples
    --------
    >>> import supplygraph as sg
    >>> graph = sg.load()
    >>> result = sg.simulate(graph, sg.load_scenario("full-embargo"), reroute=False)
    >>> bool((result.sectors["shortfall_pct"] > 0).all())
    True
    """
    disruption = resolve(graph, scenario)
    stock = graph.nodes["stock_days"].fillna(scenario.default_stock_days).to_numpy(np.float64)
    prop = propagate(graph.index, disruption.edge_share, disruption.node_share, stock)
    rerouting = None
    if reroute:
        rerouting = solve_reroute(graph, disruption, prop, time_limit=reroute_time_limit)
    content = disruption.content_pct.get("CN")
    if content is None:
        content = origin_share(graph, "CN") * 100
    stopped = rerouting is not None and rerouting.stopped
    nodes = _node_table(graph, prop, rerouting, content)
    nodes["dfars_covered"] = provenance(graph, provenance_countries)
    return Result(
        graph=graph,
        scenario=scenario,
        disruption=disruption,
        propagation=prop,
        sectors=_sector_table(nodes),
        nodes=nodes,
        countries=_country_table(nodes),
        edges=_edge_table(graph, disruption, prop, rerouting),
        rerouting=rerouting,
        warnings=list(disruption.warnings) + ([rerouting.stopped] if stopped else []),
    )


def baseline(graph: SupplyGraph) -> Result:
    """Return the result of a scenario that restricts nothing: the baseline graph.

    Parameters
    ----------
    graph
        A loaded SupplyGraph.

    Returns
    -------
    Result
    """
    return simulate(graph, Scenario("baseline", "Baseline supply graph"), reroute=False)


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
    return np.where(whole > 0, 100 * part / np.where(whole > 0, whole, 1.0), 0.0)


def _shortfall(frame: pd.DataFrame, prefix: str = "") -> None:
    """Add ``shortfall{prefix}_t`` and ``_pct`` from ``baseline_t`` and ``after{prefix}_t``."""
    lost = frame["baseline_t"] - frame[f"after{prefix}_t"]
    frame[f"shortfall{prefix}_t"] = lost
    frame[f"shortfall{prefix}_pct"] = share_pct(lost, frame["baseline_t"])


def _node_table(
    graph: SupplyGraph, prop: Propagation, rerouting: Rerouting | None, content_pct: np.ndarray
) -> pd.DataFrame:
    nodes = graph.nodes
    table = nodes[["id", "name", "stage", "country", "company", "sector"]].copy()
    table["baseline_t"] = graph.baseline_t
    table["after_t"] = graph.baseline_t * prop.output_ratio
    _shortfall(table)
    table["days_to_impact"] = np.where(
        np.isfinite(prop.days_to_impact), prop.days_to_impact, np.nan
    )
    table["stock_days"] = nodes["stock_days"]
    if rerouting is not None:
        table["spare_t"] = rerouting.spare_t
        table["after_reroute_t"] = rerouting.node_after_t
        _shortfall(table, "_reroute")
    table["china_content_pct"] = content_pct
    table["source"] = nodes.get("source", "")
    return table


def _sum_exposure(grouped: Any, nodes: pd.DataFrame) -> pd.DataFrame:
    columns = ["baseline_t", "after_t"] + (
        ["after_reroute_t"] if "after_reroute_t" in nodes else []
    )
    table = grouped[columns].sum(min_count=1)  # NaN (rerouting stopped) stays unknown
    table.insert(0, "nodes", grouped.size())
    return table


def _sector_table(nodes: pd.DataFrame) -> pd.DataFrame:
    makers = nodes[nodes["stage"] == "manufacturer"]
    grouped = makers.groupby("sector", sort=True)
    table = _sum_exposure(grouped, makers).rename(columns={"nodes": "makers"})
    table["countries"] = grouped["country"].agg(lambda c: ";".join(sorted(set(c))))
    _shortfall(table)
    table["days_to_impact"] = grouped["days_to_impact"].min()
    if "after_reroute_t" in table:
        _shortfall(table, "_reroute")
    return table.reset_index()


def _country_table(nodes: pd.DataFrame) -> pd.DataFrame:
    grouped = nodes.groupby(["country", "stage"], sort=False)
    table = _sum_exposure(grouped, nodes)
    _shortfall(table)
    table["days_to_impact"] = grouped["days_to_impact"].min()
    if "after_reroute_t" in table:
        _shortfall(table, "_reroute")
    table = table.reset_index()
    table["_rank"] = table["stage"].map(STAGE_RANK)
    return table.sort_values(["country", "_rank"]).drop(columns="_rank").reset_index(drop=True)


def _edge_table(
    graph: SupplyGraph, disruption: Disruption, prop: Propagation, rerouting: Rerouting | None
) -> pd.DataFrame:
    edges = graph.edges
    table = edges[["supplier", "customer", "material", "elements"]].copy()
    table["baseline_t"] = edges["flow_t"].to_numpy()
    table["licensed_share"] = disruption.edge_share
    table["after_t"] = prop.edge_after_t
    share, upstream = disruption.edge_share, prop.output_ratio[graph.index.src]
    table["status"] = np.select(
        [share == 0, share < 1, upstream < 1], ["cut", "throttled", "reduced-upstream"], "ok"
    )
    table["regimes"] = [";".join(ids) for ids in disruption.edge_regimes]
    if rerouting is not None:
        table["after_reroute_t"] = rerouting.edge_after_t
    return table
