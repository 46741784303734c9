"""Concentration statistics: each stage's output by country, shares, HHI and the CRMA test."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..dataset.schema import STAGE_RANK
from ..engine.sums import share_pct

if TYPE_CHECKING:
    from ..dataset.graph import SupplyGraph

# EU Critical Raw Materials Act: no more than 65% of a strategic material from one country.
CRMA_BENCHMARK_PCT = 65.0
# The 27 member states: the region whose consumption the CRMA benchmark is measured on.
EU_COUNTRIES = (
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)  # fmt: skip


def stage_country_shares(graph: SupplyGraph, *, material: str | None = None) -> pd.DataFrame:
    """Return each stage's baseline output (t/yr) by country, with its share in percent.

    A stage's output is the flow on edges leaving its nodes (for makers, their intake);
    ``material`` restricts it to edges of one material (e.g. ``ndfeb_sintered``). This is
    an edge statistic on purpose, not a node's throughput
    (:func:`supplygraph.dataset.graph.throughput`): it must count one material alone, and
    a country whose plants ship 0 t (planned, idle) is still listed, with 0.

    Parameters
    ----------
    graph
        The supply graph.
    material
        Count only edges of this material.

    Returns
    -------
    pandas.DataFrame
        Columns ``stage``, ``country``, ``output_t``, ``share_pct``; stages upstream first.

    Examples
    --------
    >>> import supplygraph as sg
    >>> shares = stage_country_shares(sg.load("tests/data/tiny"))
    >>> mine = shares[shares["stage"] == "mine"].round(2)  # 800 / 1100 and 300 / 1100
    >>> mine[["country", "output_t", "share_pct"]].values.tolist()
    [['CN', 800.0, 72.73], ['AU', 300.0, 27.27]]
    """
    nodes, edges, index = graph.nodes, graph.edges, graph.index
    mask = np.ones(graph.n_edges, dtype=bool)
    if material is not None:
        mask = edges["material"].to_numpy() == material
    flows = pd.DataFrame(
        {
            "stage": nodes["stage"].to_numpy()[index.src[mask]],
            "country": nodes["country"].to_numpy()[index.src[mask]],
            "output_t": index.flow[mask],
        }
    )
    if material is None:  # makers ship nothing: count what they take in
        makers = nodes["stage"].to_numpy()[index.dst] == "manufacturer"
        flows = pd.concat(
            [
                flows,
                pd.DataFrame(
                    {
                        "stage": "manufacturer",
                        "country": nodes["country"].to_numpy()[index.dst[makers]],
                        "output_t": index.flow[makers],
                    }
                ),
            ]
        )
    table = flows.groupby(["stage", "country"], as_index=False)["output_t"].sum()
    table["share_pct"] = share_pct(
        table["output_t"], table.groupby("stage")["output_t"].transform("sum")
    )
    table["_rank"] = table["stage"].map(STAGE_RANK)
    table = table.sort_values(["_rank", "output_t", "country"], ascending=[True, False, True])
    return table.drop(columns="_rank").reset_index(drop=True)


def concentration(shares: pd.DataFrame, *, by: tuple[str, ...] = ("stage",)) -> pd.DataFrame:
    """Return per stage: total output, top country and share, HHI (0-10,000), CRMA breach.

    Parameters
    ----------
    shares
        The table of :func:`stage_country_shares` (or of :func:`stage_element_shares`,
        with ``by=("stage", "element")``).
    by
        The columns that make one market: shares add up to 100 within each.

    Returns
    -------
    pandas.DataFrame
        One row per stage.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"stage": ["mine", "mine"], "country": ["CN", "AU"],
    ...                       "output_t": [60.0, 40.0], "share_pct": [60.0, 40.0]})
    >>> float(concentration(table).iloc[0]["hhi"])  # 60^2 + 40^2
    5200.0
    """
    rows = []
    for key, group in shares.groupby(list(by), sort=False):
        top = group.sort_values(["share_pct", "country"], ascending=[False, True]).iloc[0]
        rows.append(
            {
                **dict(zip(by, key)),
                "output_t": group["output_t"].sum(),
                "countries": len(group),
                "top_country": top["country"],
                "top_share_pct": top["share_pct"],
                "hhi": float((group["share_pct"] ** 2).sum()),
                "above_crma_65pct": bool(top["share_pct"] > CRMA_BENCHMARK_PCT),
            }
        )
    return pd.DataFrame(rows)


def stage_element_shares(graph: SupplyGraph) -> pd.DataFrame:
    """Return each stage's baseline output (t/yr) of each element by country, with shares.

    The data gives the elements an edge carries, not how much of each: a flow counts in
    full towards every element it carries, so an element's "output" is the tonnage of
    flows that carry it. Makers' intake counts as their stage's output, as in
    :func:`stage_country_shares`.

    Parameters
    ----------
    graph
        The supply graph.

    Returns
    -------
    pandas.DataFrame
        Columns ``stage``, ``element``, ``country``, ``output_t``, ``share_pct``.

    Examples
    --------
    >>> import supplygraph as sg
    >>> shares = stage_element_shares(sg.load("tests/data/tiny"))
    >>> dy = shares[(shares["stage"] == "mine") & (shares["element"] == "Dy")]
    >>> dy[["country", "output_t", "share_pct"]].values.tolist()
    [['CN', 800.0, 100.0]]
    """
    nodes, index, elements = graph.nodes, graph.index, graph.edge_elements
    stage, country = nodes["stage"].to_numpy(), nodes["country"].to_numpy()
    rows = [
        (stage[index.src[e]], element, country[index.src[e]], index.flow[e])
        for e in range(graph.n_edges)
        for element in elements[e]
    ]
    makers = np.flatnonzero(stage[index.dst] == "manufacturer")  # they ship nothing
    rows += [
        ("manufacturer", element, country[index.dst[e]], index.flow[e])
        for e in makers
        for element in elements[e]
    ]
    flows = pd.DataFrame(rows, columns=["stage", "element", "country", "output_t"])
    return _shares(flows, ["stage", "element"])


def crma_check(
    graph: SupplyGraph,
    *,
    region: tuple[str, ...] = EU_COUNTRIES,
    benchmark_pct: float = CRMA_BENCHMARK_PCT,
) -> pd.DataFrame:
    """Return, per stage and element, each third country's share of the region's supply.

    The Critical Raw Materials Act's benchmark: no more than 65% of the EU's annual
    consumption of a strategic raw material, at any relevant stage of processing, from
    a single third country. Consumption at a stage is what the region's nodes take in
    from nodes of that stage (in the region or not); a third country's part is what
    comes from its nodes. A flow counts towards every element it carries (see
    :func:`stage_element_shares`). Direct deliveries only: Chinese oxide inside a
    Japanese magnet counts as Japanese at the magnet stage (and as Chinese at the
    separation stage only where it entered the region as oxide).

    Parameters
    ----------
    graph
        The supply graph.
    region
        The consuming region's countries (default: the EU-27).
    benchmark_pct
        The share above which a third country breaches the benchmark.

    Returns
    -------
    pandas.DataFrame
        Columns ``stage``, ``element``, ``country``, ``supply_t``, ``consumption_t``,
        ``share_pct``, ``above_crma`` (one row per third country that supplies the
        region), largest share first within each stage and element.

    Examples
    --------
    >>> import supplygraph as sg
    >>> crma = crma_check(sg.load("tests/data/tiny"), region=("JP",))
    >>> bool(crma["above_crma"].any())
    True
    """
    nodes, index = graph.nodes, graph.index
    country = nodes["country"].to_numpy()
    into_region = np.flatnonzero(np.isin(country[index.dst], region))
    stage = nodes["stage"].to_numpy()[index.src]
    rows = [
        (stage[e], element, country[index.src[e]], index.flow[e])
        for e in into_region
        for element in graph.edge_elements[e]
    ]
    flows = pd.DataFrame(rows, columns=["stage", "element", "country", "supply_t"])
    table = flows.groupby(["stage", "element", "country"], as_index=False)["supply_t"].sum()
    table["consumption_t"] = table.groupby(["stage", "element"])["supply_t"].transform("sum")
    table["share_pct"] = share_pct(table["supply_t"], table["consumption_t"])
    table = table[~table["country"].isin(region)].copy()
    table["above_crma"] = table["share_pct"] > benchmark_pct
    table["_rank"] = table["stage"].map(STAGE_RANK)
    table = table.sort_values(
        ["_rank", "element", "share_pct", "country"], ascending=[True, True, False, True]
    )
    return table.drop(columns="_rank").reset_index(drop=True)


def _shares(flows: pd.DataFrame, market: list[str]) -> pd.DataFrame:
    """Output summed per market and country, with each country's share of its market."""
    table = flows.groupby([*market, "country"], as_index=False)["output_t"].sum()
    table["share_pct"] = share_pct(
        table["output_t"], table.groupby(market)["output_t"].transform("sum")
    )
    table["_rank"] = table["stage"].map(STAGE_RANK)
    table = table.sort_values(
        ["_rank", *market[1:], "output_t", "country"],
        ascending=[True] * len(market) + [False, True],
    )
    return table.drop(columns="_rank").reset_index(drop=True)
