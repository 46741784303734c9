"""Concentration statistics: each stage's output by country, shares and HHI."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .schema import STAGE_RANK

if TYPE_CHECKING:
    from .graph import SupplyGraph

# EU Critical Raw Materials Act: no more than 65% of a strategic material from one country.
CRMA_BENCHMARK_PCT = 65.0


def stage_country_shares(graph: SupplyGraph, *, material: str | None = None) -> pd.DataFrame:
    """Return each stage's baseline output (t/yr) by country, with its share in percent.

    A stage's output is the flow on edges leaving its nodes (for makers, their intake);
    ``material`` restricts it to edges of one material (e.g. ``ndfeb_sintered``).

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
    table["share_pct"] = (
        100 * table["output_t"] / table.groupby("stage")["output_t"].transform("sum")
    )
    table["_rank"] = table["stage"].map(STAGE_RANK)
    table = table.sort_values(["_rank", "output_t", "country"], ascending=[True, False, True])
    return table.drop(columns="_rank").reset_index(drop=True)


def concentration(shares: pd.DataFrame) -> pd.DataFrame:
    """Return per stage: total output, top country and share, HHI (0-10,000), CRMA breach.

    Parameters
    ----------
    shares
        The table of :func:`stage_country_shares`.

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
    for stage, group in shares.groupby("stage", sort=False):
        top = group.sort_values(["share_pct", "country"], ascending=[False, True]).iloc[0]
        rows.append(
            {
                "stage": stage,
                "output_t": group["output_t"].sum(),
                "countries": len(group),
                "top_country": top["country"],
                "top_share_pct": top["share_pct"],
                "hhi": float((group["share_pct"] ** 2).sum()),
                "above_crma_65pct": bool(top["share_pct"] > CRMA_BENCHMARK_PCT),
            }
        )
    return pd.DataFrame(rows)
