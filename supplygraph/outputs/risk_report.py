"""Files of the risk runs: the n-1 sweep's and the Monte Carlo run's CSV, record, chart, page."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..analyses import columns
from ..dataset.schema import sector_label
from .charts import montecarlo_chart
from .html import render_html
from .record import record_json, run_record
from .report import to_csv_text

if TYPE_CHECKING:
    from ..analyses.criticality import Criticality
    from ..analyses.exposure import Result
    from ..analyses.montecarlo import MonteCarlo
    from ..dataset.graph import SupplyGraph


def render_criticality(
    result: Criticality, graph: SupplyGraph, *, raw: bool = False, page_result: Result | None = None
) -> dict[str, str]:
    """Return the n-1 sweep's files, keyed by file name, as ``supplygraph criticality``
    writes them.

    Parameters
    ----------
    result
        The sweep (:func:`supplygraph.analyses.criticality.criticality`).
    graph
        The graph it ran on (for the data checksum).
    raw
        Leave text cells that a spreadsheet would run as formulas as they are.
    page_result
        The sweep's scenario's result on ``graph`` (``simulate(graph, scenario,
        reroute=False)``), which ``criticality.html`` draws with each node coloured by its
        n-1 loss; without it, no page.

    Returns
    -------
    dict of str to str
        ``criticality.csv`` (knock-outs, ranked), ``criticality-sectors.csv`` (per
        knock-out and sector, with the time to survive), ``hhi.csv`` (per stage, and per
        stage and element), ``crma.csv`` (third countries' shares of EU consumption),
        ``criticality.json`` (the run) and ``criticality.html`` (the page).
    """
    items = result.items
    fields = {
        "knockouts": {
            kind: int((items["kind"] == kind).sum()) for kind in sorted(set(items["kind"]))
        },
        "scenario_shortfall_t": round(float(result.base["shortfall_t"].sum()), 3),
        "crma_breaches": int(result.crma["above_crma"].sum()),
    }
    swept = fields["knockouts"]
    if any(swept.get(kind, 0) < n for kind, n in result.candidates.items()):
        fields["knockouts_of"] = dict(sorted(result.candidates.items()))  # a large graph
    files = {
        "criticality.csv": to_csv_text(items, columns.CRITICALITY_COLUMNS, raw=raw),
        "criticality-sectors.csv": to_csv_text(
            result.sectors, columns.CRITICALITY_SECTOR_COLUMNS, raw=raw
        ),
        "hhi.csv": to_csv_text(result.concentration, columns.HHI_COLUMNS, raw=raw),
        "crma.csv": to_csv_text(result.crma, columns.CRMA_COLUMNS, raw=raw),
        "criticality.json": record_json(run_record(result.scenario, graph, fields)),
    }
    if page_result is not None:
        scenario = page_result.scenario
        loss = items[items["kind"] == "node"].set_index("id")
        focus = "focus_shortfall_pct" in items  # a sweep of what reaches the focus only
        figure = "focus_shortfall_pct" if focus else "mean_sector_pct"
        files["criticality.html"] = render_html(
            page_result,
            title=f"n-1 criticality: {scenario.title or scenario.name}",
            # nodes a focused sweep left out (they cannot reach the focus) lose it nothing
            node_colour_pct=loss[figure].reindex(graph.nodes["id"]).fillna(0.0).to_numpy(),
            colour_title="Focus's shortfall with the node down"
            if focus
            else "Mean sector shortfall with the node down",
            ranking=criticality_panel(result),
        )
    return files


RANKED_ON_PAGE = 15  # as the terminal's default --top


def criticality_panel(result: Criticality) -> dict[str, Any]:
    """The criticality page's side panel: what the colours are and the knock-outs that
    cost most, as the terminal ranks them.

    Parameters
    ----------
    result
        The n-1 sweep.

    Returns
    -------
    dict
        ``heading``, ``intro`` (lines of text), ``header`` and ``rows`` (as text).
    """
    items = result.items.head(RANKED_ON_PAGE)
    rank_by = str(items["rank_by"].iloc[0]) if len(items) else "mean_sector_pct"
    ranked = "mean sector %" if rank_by == "mean_sector_pct" else f"{sector_label(rank_by)} %"
    scenario = result.scenario
    situation = (
        "nothing else restricted"
        if not (scenario.licences or scenario.rules)
        else (f"scenario {scenario.name}")
    )
    rows = [
        [
            str(row["rank"]),
            row["kind"],
            row["id"].replace("->", " -> "),  # an edge wraps between its ends
            f"{row['rank_pct']:.1f}",
            f"{sector_label(row['worst_sector'])} {row['worst_sector_pct']:.0f}%"
            if row["worst_sector"]
            else "-",
        ]
        for row in items.to_dict("records")
    ]
    return {
        "heading": "n-1 criticality",
        "intro": [
            "Nodes are coloured by the mean sector shortfall with the node down (one "
            f"knock-out at a time, {situation}); grey: no sector loses output.",
            f"The {len(items)} of {len(result.items):,} knock-outs (nodes, links, "
            "country-stages) that cost most:",
        ],
        "header": ["rank", "kind", "knocked out", ranked, "worst sector"],
        "rows": rows,
    }


def render_montecarlo(
    result: MonteCarlo, graph: SupplyGraph, *, raw: bool = False, draws: bool = True
) -> dict[str, str | bytes]:
    """Return the Monte Carlo run's reports and chart, keyed by file name, as
    ``supplygraph montecarlo`` writes them.

    Parameters
    ----------
    result
        The run (:func:`supplygraph.analyses.montecarlo.montecarlo`).
    graph
        The graph it ran on (for the data checksum).
    raw
        Leave text cells that a spreadsheet would run as formulas as they are.
    draws
        Include every draw, ``montecarlo-draws.csv`` (the command's ``--save-draws``).

    Returns
    -------
    dict of str to str or bytes
        ``montecarlo.csv`` (per sector: the scenario's figure and P5 / P50 / P95),
        ``montecarlo-drivers.csv`` (the inputs most rank-correlated with each sector's
        shortfall), ``montecarlo-draws.csv`` (every draw, if asked), ``montecarlo.json``
        (the run: seed, draws, ranges) and ``montecarlo.png`` / ``montecarlo.svg``.
    """
    uncertainty = result.uncertainty
    fields = {
        "draws": result.n_draws,
        "seed": result.seed,
        "approvals": {
            regime: _range_record(r) for regime, r in sorted(uncertainty.approvals.items())
        },
        "stock_days": _range_record(uncertainty.stock_days) if uncertainty.stock_days else None,
        "status": uncertainty.status,
    }
    files: dict[str, str | bytes] = {
        "montecarlo.csv": to_csv_text(result.summary, columns.MONTECARLO_COLUMNS, raw=raw),
        "montecarlo-drivers.csv": to_csv_text(
            result.drivers, columns.MONTECARLO_DRIVER_COLUMNS, raw=raw
        ),
    }
    if draws:
        files["montecarlo-draws.csv"] = to_csv_text(
            result.draws, columns.MONTECARLO_DRAW_COLUMNS, raw=raw
        )
    files["montecarlo.json"] = record_json(run_record(result.scenario, graph, fields))
    files.update(montecarlo_chart(result))
    return files


def _range_record(r: Any) -> dict[str, float | None]:
    return {"low": r.low, "mode": r.mode, "high": r.high}
