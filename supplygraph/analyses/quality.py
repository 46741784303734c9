"""The data-quality report: statuses and citation kinds per stage, published shares beside ours."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .._errors import DataError, Issue, ScenarioError
from ..dataset.citations import CITATION_KINDS, citation_kind, cited_domains, unlisted_domains
from ..dataset.io import load_destination_months, load_plants, load_quality_tables, load_run_tables
from ..dataset.schema import RANGE_BASIS, STAGE_RANK, STAGES, STATUSES
from ..engine.sums import share_pct
from .stats import stage_country_shares

if TYPE_CHECKING:
    from ..dataset.graph import SupplyGraph

BREAKDOWN_COLUMNS = ["table", "stage", "by", "value", "rows", "rows_pct", "flow_t", "flow_pct"]
PUBLISHED_COLUMNS = [
    "stage",
    "material",
    "country",
    "stage_output_t",
    "computed_pct",
    "published_pct",
    "difference_pct",
    "publisher",
    "citation",
    "source",
]
CITATION_COLUMNS = ["file", "csv_line", "row", "stage", "status", "citation", "flow_t", "domains"]
SHOCK_COLUMNS = ["scenario", "status", "rows", "flow_t", "flow_pct"]
# An edge's range of flow_t by its basis, as its source cell states it (`range (<kind>): ...`,
# data/SOURCES.md 11n): a source's own interval, two sources' disagreement, a stated rule;
# `unstated` when the cell does not say, `none` without a range
RANGE_KINDS = ("interval", "sources", "rule", "unstated", "none")


@dataclass(frozen=True)
class QualityReport:
    """The data-quality report of a dataset.

    ``breakdown`` counts edges (per supplier stage and over all) and nodes (over all) by
    status and by citation kind, with their shares of rows and of tonnage; ``published``
    sets each share of ``published.csv`` beside the one the data gives; ``warnings`` name
    each cited domain that ``publishers.csv`` lacks, at the first row citing it; ``kinds``
    is ``publishers.csv`` as a mapping of domain to kind, for :func:`row_citations`;
    ``shock`` is :func:`shock_path` over the dataset's scenarios when asked for, else empty.
    """

    breakdown: pd.DataFrame
    published: pd.DataFrame
    warnings: list[Issue]
    kinds: dict[str, str]
    shock: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SHOCK_COLUMNS))


def quality_report(
    graph: SupplyGraph,
    *,
    shares: Mapping[str | None, pd.DataFrame] | None = None,
    shock: bool = False,
) -> QualityReport:
    """Return the data-quality report of a graph's dataset.

    ``publishers.csv`` and ``published.csv`` come from the graph's folder when it has
    them, else from the bundled data. The cited domains are checked in every table of
    the folder (nodes, edges, lines, regimes, the dated tables, published shares).

    Parameters
    ----------
    graph
        The supply graph.
    shares
        :func:`~supplygraph.analyses.stats.stage_country_shares` tables the caller has already
        computed, by material (None: every material); the others are computed here.
    shock
        Also measure each scenario's shocked tonnage by status (:func:`shock_path`: a
        simulation per scenario, so not by default).

    Returns
    -------
    QualityReport

    Raises
    ------
    DataError
        When ``publishers.csv``, ``published.csv``, a dated table or ``plants.csv`` has
        errors.

    Examples
    --------
    >>> import supplygraph as sg
    >>> report = quality_report(sg.load("tests/data/tiny"))
    >>> every = report.breakdown.query("table == 'edges' and stage == 'all' and by == 'status'")
    >>> every[["value", "rows"]].values.tolist()  # the tiny data assumes all 8 edges
    [['reported', 0], ['estimate', 0], ['assumption', 8]]
    """
    tables = load_quality_tables(graph.folder)
    kinds = dict(zip(tables.publishers["domain"], tables.publishers["kind"]))
    return QualityReport(
        breakdown=_breakdown(graph, kinds),
        published=_published_shares(graph, tables.published, kinds, dict(shares or {})),
        warnings=unlisted_domains(_citing_tables(graph, tables.published), kinds),
        kinds=kinds,
        shock=shock_path(graph) if shock else pd.DataFrame(columns=SHOCK_COLUMNS),
    )


def row_citations(graph: SupplyGraph, kinds: Mapping[str, str]) -> pd.DataFrame:
    """Return the citation kind of every node and edge, with the domains its source cites.

    Parameters
    ----------
    graph
        The supply graph.
    kinds
        ``primary`` or ``secondary`` per listed domain (``QualityReport.kinds``).

    Returns
    -------
    pandas.DataFrame
        Columns ``CITATION_COLUMNS``: the file (``nodes.csv``, ``edges.csv``) and line,
        the node id or ``supplier -> customer (material)``, the (supplier's) stage, the
        status, the citation kind, the tonnes (edges only) and the domains cited, ``;``
        separated; nodes first, each table in the order of its file.

    Examples
    --------
    >>> import supplygraph as sg
    >>> rows = row_citations(sg.load("tests/data/tiny"), {"example.org": "secondary"})
    >>> rows[["row", "citation", "domains"]].iloc[-1].tolist()
    ['de-motor -> de-ev (traction_motor)', 'secondary', 'example.org']
    """
    nodes, edges = graph.nodes, graph.edges
    parts = []
    for name, table, row, stage, flow in (
        ("nodes.csv", nodes, nodes["id"], nodes["stage"].to_numpy(), np.nan),
        (
            "edges.csv",
            edges,
            edges["supplier"] + " -> " + edges["customer"] + " (" + edges["material"] + ")",
            nodes["stage"].to_numpy()[edges["src"].to_numpy(np.int64)],
            edges["flow_t"].to_numpy(np.float64),
        ),
    ):
        codes, labels = _coded(table, kinds)["citation"]
        which, distinct = pd.factorize(table["source"], use_na_sentinel=False)
        domains = np.array(
            ["; ".join(dict.fromkeys(cited_domains(cell))) for cell in distinct.tolist()],
            dtype=object,
        )
        parts.append(
            pd.DataFrame(
                {
                    "file": name,
                    "csv_line": table["csv_line"].to_numpy(np.int64),
                    "row": row.to_numpy(),
                    "stage": stage,
                    "status": table["status"].to_numpy(),
                    "citation": np.array(labels, dtype=object)[codes],
                    "flow_t": flow,
                    "domains": domains[which] if len(distinct) else np.array([], dtype=object),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[CITATION_COLUMNS]


def _citing_tables(graph: SupplyGraph, published: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The tables of the graph's folder that cite sources, by file name.

    The bundled tables a folder borrows are left out: the bundled publishers.csv covers them.
    """
    folder = graph.folder
    tables = {
        "nodes.csv": graph.nodes,
        "edges.csv": graph.edges,
        "lines.csv": graph.lines,
        "regimes.csv": graph.regimes,
        "published.csv": published,
    }
    tables.update(_run_tables(graph))
    return {
        str(folder / name): table for name, table in tables.items() if (folder / name).is_file()
    }


def _run_tables(graph: SupplyGraph) -> dict[str, pd.DataFrame]:
    """The dated run's and the backtest's tables, when the graph's folder has any, and its
    ``plants.csv`` and ``destination_months.csv`` checked (the dated draws read them),
    every error of them at once."""
    folder = graph.folder
    issues: list[Issue] = []
    tables: dict[str, pd.DataFrame] = {}
    dated = ("approvals.csv", "transit.csv", "capacity.csv", "observed.csv", "events.csv")
    if any((folder / name).is_file() for name in dated):
        try:
            run, checks = load_run_tables(folder, nodes=graph.nodes, lines=graph.lines)
            tables.update(zip(dated, (*run, *checks)))
        except DataError as error:
            issues += error.issues
    if (folder / "plants.csv").is_file():
        try:
            load_plants(folder, nodes=graph.nodes)
        except DataError as error:
            issues += error.issues
    if (folder / "destination_months.csv").is_file():
        try:
            load_destination_months(folder)
        except DataError as error:
            issues += error.issues
    if issues:
        raise DataError(sorted(issues))
    return tables


def _breakdown(graph: SupplyGraph, kinds: Mapping[str, str]) -> pd.DataFrame:
    """Rows and tonnage by status and citation kind: edges per stage and in all, nodes."""
    nodes, edges = graph.nodes, graph.edges
    stage = nodes["stage"].map(STAGE_RANK).to_numpy(np.int64)[edges["src"].to_numpy(np.int64)]
    flow = edges["flow_t"].to_numpy(np.float64)
    edge_values = _coded(edges, kinds)
    # ranges are asked of the uncertain figures: the range rows count those edges only
    subset = {"range": edges["status"].isin(["estimate", "assumption"]).to_numpy()}
    rows = []
    for rank, name in enumerate(STAGES):
        chosen = stage == rank
        if chosen.any():
            rows += _tally(edge_values, chosen, flow, "edges", name, subset)
    rows += _tally(edge_values, np.ones(len(edges), dtype=bool), flow, "edges", "all", subset)
    rows += _tally(_coded(nodes, kinds), np.ones(len(nodes), dtype=bool), None, "nodes", "all")
    return pd.DataFrame(rows, columns=BREAKDOWN_COLUMNS)


def _coded(
    table: pd.DataFrame, kinds: Mapping[str, str]
) -> dict[str, tuple[np.ndarray, list[str]]]:
    """Each row's status and citation kind as codes into their labels.

    Each distinct cell is judged once: a million rows share a few sources.
    """
    coded = {}
    dimensions = [("status", "status", STATUSES), ("citation", "source", CITATION_KINDS)]
    if "flow_t_low" in table:  # edges: the basis of their range
        dimensions.append(("range", "source", RANGE_KINDS))
    for by, column, vocabulary in dimensions:
        which, distinct = pd.factorize(table[column], use_na_sentinel=False)
        values = distinct.tolist()
        if by == "citation":
            values = [citation_kind(cell, kinds) for cell in values]
        elif by == "range":
            found = [RANGE_BASIS.search(cell) for cell in values]
            values = [m.group(1) if m else "unstated" for m in found]
        labels = list(vocabulary) + sorted(set(values) - set(vocabulary))  # "": status not given
        position = np.array([labels.index(value) for value in values], dtype=np.int64)
        codes = position[which] if len(values) else which.astype(np.int64)
        if by == "range":  # a row without a range has none, whatever its cell says
            codes = np.where(
                table["flow_t_low"].isna().to_numpy(), labels.index("none"), codes
            ).astype(np.int64)
        coded[by] = (codes, labels)
    return coded


def _tally(
    coded: dict[str, tuple[np.ndarray, list[str]]],
    chosen: np.ndarray,
    flow: np.ndarray | None,
    table: str,
    stage: str,
    subset: Mapping[str, np.ndarray] | None = None,
) -> list[dict[str, object]]:
    """Rows and tonnage per status and citation kind (and range basis, among ``subset``'s
    rows) among the chosen rows (nodes: no flow)."""
    out: list[dict[str, object]] = []
    every = chosen
    for by, (codes, labels) in coded.items():
        chosen = every & subset[by] if subset and by in subset else every
        counts = np.bincount(codes[chosen], minlength=len(labels))
        flows = (
            np.full(len(labels), np.nan)
            if flow is None
            else np.bincount(codes[chosen], weights=flow[chosen], minlength=len(labels))
        )
        for value, count, flow_t in zip(labels, counts.tolist(), flows.tolist()):
            if value == "unclassified" and not count:
                continue  # shown only while publishers.csv lacks a cited domain
            out.append(
                {
                    "table": table,
                    "stage": stage,
                    "by": by,
                    "value": value,
                    "rows": count,
                    "rows_pct": float(share_pct(count, counts.sum())),
                    "flow_t": flow_t,
                    "flow_pct": float(share_pct(flow_t, flows.sum())),
                }
            )
    return out


def _published_shares(
    graph: SupplyGraph,
    published: pd.DataFrame,
    kinds: Mapping[str, str],
    shares: dict[str | None, pd.DataFrame],
) -> pd.DataFrame:
    """Each published share beside the share the data gives (stats.stage_country_shares)."""
    rows = []
    for row in published.to_dict("records"):
        material = row["material"] or None
        if material not in shares:  # once per material: the shares sum every edge
            shares[material] = stage_country_shares(graph, material=material)
        table = shares[material]
        stage = table[table["stage"] == row["stage"]]
        country = stage[stage["country"] == row["country"]]
        output_t = float(stage["output_t"].sum())
        # a stage that makes none of the material has no share; a country that makes none, 0
        computed = float(country["share_pct"].sum()) if output_t > 0 else np.nan
        rows.append(
            {
                "stage": row["stage"],
                "material": row["material"],
                "country": row["country"],
                "stage_output_t": output_t,
                "computed_pct": computed,
                "published_pct": row["share_pct"],
                "difference_pct": computed - row["share_pct"],
                "publisher": row["publisher"],
                "citation": citation_kind(row["source"], kinds),
                "source": row["source"],
            }
        )
    return pd.DataFrame(rows, columns=PUBLISHED_COLUMNS)


def shock_path(graph: SupplyGraph, scenarios: Iterable[str] | None = None) -> pd.DataFrame:
    """Return each scenario's shocked tonnage by status: the edges whose flow it changes.

    A scenario is run without rerouting (:func:`supplygraph.analyses.exposure.simulate`);
    an edge is shocked when its flow after the scenario differs from its baseline (by more
    than a millionth), and counts with its baseline tonnes under its row's ``status``. This
    measures what a scenario's answer rests on: the figures it moves, weighted by tonnes
    (docs/data-quality.md).

    Parameters
    ----------
    graph
        The supply graph.
    scenarios
        Scenario names; None: every scenario of the dataset (bundled and its own). A
        scenario the data cannot run (its selectors match no node) is left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``SHOCK_COLUMNS``: per scenario one row per status of ``STATUSES`` (and
        any other status found), the shocked edges (``rows``), their baseline tonnes and
        their share of the scenario's shocked tonnes.

    Examples
    --------
    >>> import supplygraph as sg
    >>> table = shock_path(sg.load("tests/data/tiny"), ["full-embargo"])
    >>> table[["status", "rows"]].values.tolist()  # 5 of the tiny data's 8 edges move
    [['reported', 0], ['estimate', 0], ['assumption', 5]]
    """
    from ..scenario.parse import list_scenarios
    from .exposure import simulate

    if scenarios is None:
        scenarios = [s.name for s in list_scenarios(graph.folder)]
    status = graph.edges["status"].to_numpy()
    labels = list(STATUSES) + sorted(set(status.tolist()) - set(STATUSES))
    rows = []
    for name in scenarios:
        try:
            edges = simulate(graph, name, reroute=False).edges
        except (DataError, ScenarioError):  # a bundled scenario naming what the data lacks
            continue
        base = edges["baseline_t"].to_numpy(np.float64)
        after = edges["after_t"].to_numpy(np.float64)
        moved = np.abs(base - after) > 1e-6 * np.maximum(1.0, base)
        total = base[moved].sum()
        for label in labels:
            chosen = moved & (status == label)
            tonnes = float(base[chosen].sum())
            rows.append(
                {
                    "scenario": name,
                    "status": label,
                    "rows": int(chosen.sum()),
                    "flow_t": tonnes,
                    "flow_pct": float(share_pct(tonnes, total)),
                }
            )
    return pd.DataFrame(rows, columns=SHOCK_COLUMNS)
