"""Trade statistics into a dataset: country pairs' flows scaled to them, monthly observations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..dataset.graph import SupplyGraph
from ..dataset.schema import STATUSES
from ..dataset.trade import PUBLISHERS
from .quality import RANGE_BASIS
from .trade import URLS, Reconciliation

CHANGE_COLUMNS = (
    "change", "exporter", "importer", "group", "supplier", "customer", "material", "line",
    "before_t", "after_t", "factor", "status_before", "status_after", "period", "report",
    "csv_line",
)  # fmt: skip
# the columns of edges.csv that apply rewrites (Application.edges, by csv_line)
EDITED_COLUMNS = ["csv_line", "flow_t", "status", "source", "note", "flow_t_low", "flow_t_high"]
OBSERVED_GROUP = "magnets"  # the backtest's series are magnet exports (analyses.backtest)
REPORT_NAMES = {
    "exporter": "exporter's report",
    "baci": "reconciled",
    "importer": "importer's report",
}


@dataclass(frozen=True)
class Application:
    """What scaling to the statistic changes: edges (by ``csv_line``), the change list, and
    monthly observations of magnet exports for ``observed.csv``."""

    edges: pd.DataFrame
    changes: pd.DataFrame
    observed: pd.DataFrame
    held_back: int = 0  # monthly rows of series with no year of twelve months (no baseline)


def apply_statistics(
    graph: SupplyGraph,
    reconciliation: Reconciliation,
    hs_table: pd.DataFrame,
    *,
    based: Iterable[str] = (),
    residual: str | None = None,
) -> Application:
    """Scale each country pair's flows of a material group to the statistic.

    Every edge of a pair and group is multiplied by the same factor (the statistic over
    the graph's tonnes), so the split between the named plants stays as it was. An edge
    that is the pair's only one takes the statistic, in t REO by ``hs_table``'s factor (and
    unit-value rule): its source cites the statistic (publisher, report, codes, period,
    tonnes) after the formula, and its status is ``reported`` (a published statistic carried
    over by the conversions of ``hs_table``: data/SOURCES.md section 2), or ``assumption``
    where the group's conversion is one (compounds' REO content). Where a pair has several
    edges, each is derived from the statistic and its old share, its status the weakest of
    that and its own (a row's status is the weakest of its figures).
    Pairs the graph lacks are listed, not added;
    pairs the statistic lacks are listed and left as they were. Monthly rows of magnet
    exports become observations per destination (``CC-magnet-exports-DD``, tonnes of
    rare-earth magnets), with a ``YYYY-avg`` baseline where a year has all twelve months;
    the months of a series with no baseline, here or in the dataset (``based``), are held
    back (``Application.held_back``): a month is a share of its series' baseline.

    A ``residual`` node stands for the destinations without a node of their own (the
    bundled data's ``hk-reexport-other-agg``): each exporter's flows to it are scaled to
    the statistic of its own country plus that of every partner the graph lacks, which are
    then listed as ``to_residual`` instead of ``not_added``.

    Parameters
    ----------
    graph
        The supply graph the reconciliation was made on.
    reconciliation
        :func:`supplygraph.analyses.trade.reconcile`.
    hs_table
        :func:`supplygraph.dataset.trade_codes.load_hs_table`.
    based
        The series that already have a ``YYYY-avg`` baseline in the dataset's
        ``observed.csv``.
    residual
        The id of a node that takes the statistics of the partners without a node.

    Returns
    -------
    Application
    """
    materials = {g: set(ms) for g, ms in zip(hs_table["group"], hs_table["materials"])}
    # the conversions (t REO per t, the unit-value rule) leave a statistic reported; an
    # assumed conversion does not
    statuses: dict[str, str] = {}
    for group, status in zip(hs_table["group"], hs_table["status"]):
        kept = "assumption" if status == "assumption" else "reported"
        statuses[group] = weakest(statuses.get(group, "reported"), kept)
    country = graph.nodes["country"].to_numpy()
    edges = graph.edges.assign(
        exporter=country[graph.edges["src"].to_numpy()],
        importer=country[graph.edges["dst"].to_numpy()],
    )
    changed, changes = [], []
    table, into = reconciliation.table.assign(to_node=False), -1
    if residual is not None:
        table, into, folded = _with_residual(graph, edges, table, residual, materials)
        changes += [_change(r, "to_residual", before=0.0, after=0.0) for r in folded]
    for row in table.itertuples(index=False):
        if row.flag == "not_in_graph" or row.flag == "not_in_statistic":
            kind = "not_added" if row.flag == "not_in_graph" else "left_unchanged"
            changes.append(_change(row, kind, before=row.graph_t, after=row.graph_t))
            continue
        # the residual's row holds its edges only; a pair of its country, the others
        at_residual = edges["dst"].to_numpy() == into
        pair = edges[
            (edges["exporter"] == row.exporter)
            & (at_residual if row.to_node else (edges["importer"] == row.importer) & ~at_residual)
            & edges["material"].isin(materials[row.group])
        ]
        if pair.empty:
            continue
        factor = row.statistic_t / row.graph_t
        formula, citation = _statistic_source(row)
        for edge in pair.itertuples(index=False):
            after = edge.flow_t * factor
            status = statuses[row.group]
            source = f"derived: {formula} ; {citation}"
            if len(pair) > 1:
                status = weakest(status, edge.status or "assumption")
                source = (
                    f"derived: ({formula}) x this edge's {edge.flow_t:g} t of the pair's "
                    f"{row.graph_t:g} t in the graph ; {citation}"
                )
            note = f"trade apply: x{factor:.4f} to the statistic, {edge.flow_t:g} t before"
            # a range moves with its figure, and keeps the statement of its basis
            basis = RANGE_BASIS.search(edge.source)
            low, high = (getattr(edge, end, np.nan) for end in ("flow_t_low", "flow_t_high"))
            changed.append(
                {
                    "csv_line": int(edge.csv_line),
                    "flow_t": after,
                    "status": status,
                    "source": source + (edge.source[basis.start() :] if basis else ""),
                    "note": f"{edge.note}; {note}" if edge.note else note,
                    "flow_t_low": low * factor,
                    "flow_t_high": high * factor,
                }
            )
            changes.append(
                _change(row, "scaled", before=edge.flow_t, after=after, edge=edge, status=status)
            )
    observed = monthly_observations(reconciliation.counted)
    # a series' months are shares of its baseline (observed.csv's rule): without a year of
    # twelve months there is none, so such months are held back rather than written
    based_here = observed.loc[observed["month"].str.endswith("-avg"), "series"]
    kept = observed["series"].isin(set(based) | set(based_here))
    return Application(
        pd.DataFrame(changed, columns=EDITED_COLUMNS),
        pd.DataFrame(changes, columns=list(CHANGE_COLUMNS)),
        observed[kept].reset_index(drop=True),
        int((~kept).sum()),
    )


def _with_residual(
    graph: SupplyGraph,
    edges: pd.DataFrame,
    table: pd.DataFrame,
    residual: str,
    materials: dict[str, set[str]],
) -> tuple[pd.DataFrame, int, list[Any]]:
    """The reconciliation with each exporter's pairs the graph lacks folded into one row
    for the residual node (``to_node``), its position, and the rows folded."""
    ids = graph.nodes["id"].tolist()
    if residual not in ids:
        raise ValueError(f"residual node {residual!r} is not in the graph")
    into = ids.index(residual)
    country = graph.nodes["country"].iloc[into]
    lacking = table["flag"] == "not_in_graph"
    folded = list(table[lacking].itertuples(index=False))
    kept = table[~lacking].assign(to_node=False)
    rows = []
    for (exporter, group), rest in table[lacking].groupby(["exporter", "group"], sort=True):
        own = kept[
            (kept["exporter"] == exporter)
            & (kept["importer"] == country)
            & (kept["group"] == group)
        ]
        to_it = edges[
            (edges["exporter"] == exporter)
            & (edges["dst"] == into)
            & edges["material"].isin(materials[group])
        ]
        if to_it.empty:
            continue
        sums = {
            c: float(rest[c].sum()) + float(own[c].sum())
            for c in ("statistic_t", "product_t", "set_aside_t", "value_usd")
        }
        first = rest.iloc[0]  # its report, code and period (the own row may have none)
        partners = f"{country} and the {len(rest)} partners without a node"
        rows.append(
            {
                **first.to_dict(),
                **sums,
                "importer": partners,
                "graph_t": float(to_it["flow_t"].sum()),
                "flag": "residual",
                "to_node": True,
            }
        )
    # the residual's country keeps its own row for the other nodes there, if any
    table = pd.concat([kept, pd.DataFrame(rows, columns=kept.columns)], ignore_index=True)
    return table, into, folded


def _change(
    row: Any, kind: str, *, before: float, after: float, edge: Any = None, status: str = ""
) -> dict[str, Any]:
    return {
        "change": kind,
        "exporter": row.exporter,
        "importer": row.importer,
        "group": row.group,
        "supplier": "" if edge is None else edge.supplier,
        "customer": "" if edge is None else edge.customer,
        "material": row.material if edge is None else edge.material,
        "line": "" if edge is None else edge.line,
        "before_t": before,
        "after_t": after
        if kind == "scaled"
        else (row.statistic_t if kind in ("not_added", "to_residual") else after),
        "factor": after / before if kind == "scaled" and before else np.nan,
        "status_before": "" if edge is None else edge.status,
        "status_after": status,
        "period": row.period,
        "report": row.report,
        "csv_line": 0 if edge is None else int(edge.csv_line),
    }


def weakest(*statuses: str) -> str:
    """Return the weakest of statuses (reported, estimate, assumption).

    Parameters
    ----------
    *statuses
        Statuses of the figures a row rests on.

    Returns
    -------
    str

    Examples
    --------
    >>> weakest("reported", "estimate"), weakest("estimate", "assumption")
    ('estimate', 'assumption')
    """
    return STATUSES[max(STATUSES.index(status) for status in statuses)]


def _statistic_source(row: Any) -> tuple[str, str]:
    """The statistic's formula in t REO, and the statistic as a ``title – URL`` citation."""
    publisher = "CEPII BACI" if row.report == "baci" else "UN Comtrade"
    url = URLS["baci" if row.report == "baci" else "comtrade"]
    weight = row.product_t + row.set_aside_t
    ruled = " of rare-earth magnets by the unit-value rule" if row.set_aside_t > 0 else ""
    formula = (
        f"{row.statistic_t:.3f} t REO = {row.product_t:.3f} t{ruled} x {row.reo_per_t:g} "
        "t REO/t (data/hs.csv)"
    )
    citation = (
        f"{publisher} ({REPORT_NAMES[row.report]}), {row.exporter} exports to {row.importer}, "
        f"HS {row.hs.replace(';', '+')}, {row.period}: {weight:.3f} t, USD {row.value_usd:,.0f} "
        f"– {url}"
    )
    return formula, citation


def monthly_observations(counted: pd.DataFrame) -> pd.DataFrame:
    """Monthly magnet exports per destination as ``observed.csv`` rows (tonnes of magnets).

    Parameters
    ----------
    counted
        :func:`supplygraph.analyses.trade.count_records` (the reconciliation's ``counted``).

    Returns
    -------
    pandas.DataFrame
        ``series, month, value, unit, source, status, note``, sorted by series and month;
        per exporter a total series too, and a ``YYYY-avg`` row per series and year that has
        all twelve months.
    """
    rows = counted[
        (counted["month"] > 0)
        & (counted["group"] == OBSERVED_GROUP)
        & (counted["flow"] == "X")
        & (counted["exporter_kind"] == "country")
        & (counted["importer_code"] != 0)
    ]
    found = []
    for (exporter, importer, year, month), group in rows.groupby(
        ["exporter", "importer", "year", "month"], sort=True
    ):
        found.append(_observation(group, exporter, importer, year, month))
    for (exporter, year, month), group in rows.groupby(["exporter", "year", "month"], sort=True):
        found.append(_observation(group, exporter, "", year, month))
    observed = pd.DataFrame(
        found, columns=["series", "month", "value", "unit", "source", "status", "note"]
    )
    averages = []
    for (series, year), group in observed.groupby(
        [observed["series"], observed["month"].str[:4]], sort=True
    ):
        if len(group) == 12:
            averages.append(
                {
                    "series": series,
                    "month": f"{year}-avg",
                    "value": group["value"].mean(),
                    "unit": "t",
                    "source": f"derived: mean of the twelve months of {year} of {series} "
                    "(observed.csv rows of trade apply) ; "
                    + group["source"].iloc[0].split(" ; ")[-1],
                    "status": "estimate",
                    "note": "the year's monthly average: the series' baseline",
                }
            )
    observed = pd.concat([observed, pd.DataFrame(averages, columns=observed.columns)])
    return observed.sort_values(["series", "month"]).reset_index(drop=True)


def _observation(
    group: pd.DataFrame, exporter: str, importer: str, year: int, month: int
) -> dict[str, Any]:
    """One month of one series, cited."""
    series = f"{exporter.lower()}-magnet-exports" + (f"-{importer.lower()}" if importer else "")
    value = float(group["counted_t"].sum())
    weight, usd = float(group["weight_t"].sum()), float(group["value_usd"].sum())
    codes = "+".join(sorted(set(group["hs"])))
    where = f"to {importer}" if importer else f"to {len(group)} partners"
    citation = (
        f"{PUBLISHERS[group['format'].iloc[0]]}, {exporter} exports {where}, HS {codes}, "
        f"{year}-{month:02d}: {weight:.3f} t, USD {usd:,.0f} – {URLS['comtrade']}"
    )
    ruled = bool((group["set_aside_t"] > 0).any())
    return {
        "series": series,
        "month": f"{year}-{month:02d}",
        "value": value,
        "unit": "t",
        "source": (
            f"derived: rare-earth magnets = min(weight, value / unit value of data/hs.csv) ; "
            f"{citation}"
        )
        if ruled
        else citation,
        "status": "estimate" if ruled else "reported",
        "note": "tonnes of rare-earth magnets (trade apply)",
    }
