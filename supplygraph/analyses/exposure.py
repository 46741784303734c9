"""Run a scenario on a graph and return exposure tables (the library's front door)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..dataset.origin import origin_share, provenance
from ..dataset.production import Production
from ..dataset.schema import STAGE_RANK, sector_label
from ..engine.bottlenecks import explain, root_causes
from ..engine.propagate import Propagation, propagate
from ..engine.reroute import TIME_LIMIT, Rerouting
from ..engine.reroute import reroute as solve_reroute
from ..engine.sums import Sectors, share_pct
from ..scenario.parse import Scenario, compose, load_scenario
from ..scenario.resolve import Disruption, issuing_country, put_on_lines

if TYPE_CHECKING:
    from ..dataset.graph import SupplyGraph


@dataclass(frozen=True, eq=False)
class Result:
    """The outcome of a scenario: exposure per sector, product line, node, country and edge.

    Tonnes are t REO-equivalent per year; ``shortfall_pct`` is 0-100; ``days_to_impact``
    is NaN where output never falls. ``propagation`` and ``rerouting`` are per product
    line and part (``production``); the tables are per node and edge of ``graph``.
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
    lines: pd.DataFrame | None = None
    production: Production | None = None

    def __repr__(self) -> str:
        worst = self.sectors.sort_values("shortfall_pct", ascending=False).head(1)
        hit = ", ".join(
            f"worst {sector_label(r.sector)} {r.shortfall_pct:.1f}%"
            for r in worst.itertuples(index=False)
        )
        return (
            f"<Result {self.scenario.name!r}: {len(self.sectors)} sectors, "
            f"{len(self.nodes)} nodes, {len(self.edges)} edges"
            + (f"; {hit}" if hit else "")
            + (f"; {len(self.warnings)} warnings" if self.warnings else "")
            + ">"
        )

    def _repr_html_(self) -> str:
        """The sector table, for notebooks (text is escaped)."""
        title = html.escape(self.scenario.title or self.scenario.name)
        table = self.sectors.to_html(
            index=False, escape=True, na_rep="", float_format="{:,.2f}".format
        )
        return f"<p><strong>{title}</strong></p>{table}"


# DFARS 252.225-7052 "covered countries": China, Iran, North Korea, Russia.
DFARS_COUNTRIES = ("CN", "IR", "KP", "RU")
# nodes.csv's origin content and the page's tooltip are China's (china_content_pct)
CHINA = "CN"


def simulate(
    graph: SupplyGraph,
    scenario: Scenario | str | Path | None,
    *,
    reroute: bool = True,
    reroute_time_limit: float = TIME_LIMIT,
    provenance_countries: tuple[str, ...] = DFARS_COUNTRIES,
    regime: str | Sequence[str] = (),
    cut: str | Sequence[str] = (),
    throttle: str | Sequence[str] = (),
    spare: str | Sequence[str] = (),
    as_of: dt.date | str | None = None,
) -> Result:
    """Run a scenario: propagate the shortfall and, optionally, the best-case rerouting.

    The engine runs on product lines (:func:`supplygraph.dataset.production.production_lines`):
    a line's output is limited only by the inputs it needs, and only its customers are
    rationed. Without declared lines each node is one line.

    Parameters
    ----------
    graph
        A loaded SupplyGraph.
    scenario
        What to cut or throttle, and when: a Scenario, or the name of a bundled scenario
        (or of one in the dataset's ``scenarios/``), or a TOML file; None or
        ``"baseline"``: nothing (with the options below, only what they say).
    reroute
        Also solve the rerouting linear program (the best case).
    reroute_time_limit
        Seconds rerouting may take. When it stops (time limit, size rule or solver
        failure), its columns are NaN and ``warnings`` says why; the rest is complete.
    provenance_countries
        Countries of the DFARS-style test per node (``dfars_covered``): whether any of
        its rare-earth input was mined, separated, melted or produced there.
    regime, cut, throttle, spare
        What the command line's ``--regime``, ``--cut``, ``--throttle`` and ``--spare``
        add to the scenario, in the same words: ``"CN-2025-18=0.25"``,
        ``"node:country=MM,stage=mine"``, ``"country=JP,dest=US=0.5"``,
        ``"node:country=JP=0.5"``; one string or a list.
    as_of
        The date the regimes are judged on (``--as-of``), replacing the scenario's.

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
    >>> cut = sg.simulate(graph, "baseline", cut="node:country=MM,stage=mine", reroute=False)
    >>> cut.scenario.rules[0].select.text
    'node:country=MM,stage=mine'
    """
    if scenario is None or scenario == "baseline":
        scenario = Scenario("baseline", "Baseline")
    elif isinstance(scenario, (str, Path)):
        scenario = load_scenario(scenario, data_dir=graph.folder, overlays=graph.overlays)
    elif not isinstance(scenario, Scenario):
        raise TypeError(
            f"scenario: expected a Scenario, a scenario name or a TOML file, "
            f"not {type(scenario).__name__}"
        )
    flags = {"regimes": regime, "cuts": cut, "throttles": throttle, "spares": spare}
    flags = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in flags.items()}
    if any(flags.values()) or as_of is not None:  # as the command line composes them
        day = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
        scenario = compose(scenario, as_of=day, **flags)
    put = put_on_lines(graph, scenario)
    production, disruption, on_lines = put.production, put.disruption, put.lines
    lines_graph = production.graph
    prop = propagate(lines_graph.index, on_lines.edge_share, on_lines.node_share, put.stock_days)
    rerouting = None
    if reroute:
        rerouting = solve_reroute(lines_graph, on_lines, prop, time_limit=reroute_time_limit)
    why = explain(lines_graph, on_lines, prop)
    lines = _line_table(lines_graph, prop, rerouting, why)
    content = disruption.content_pct.get(CHINA)
    if content is None:
        content = origin_share(graph, CHINA, production=production) * 100
    stopped = rerouting is not None and rerouting.stopped
    nodes = _node_table(graph, production, lines, content)
    nodes["dfars_covered"] = provenance(graph, provenance_countries, production=production)
    issuer = issuing_country(disruption.applied)
    sectors = _sector_table(lines, issuer, _sector_causes(lines_graph, on_lines, prop, why))
    countries = _country_table(lines)
    edges = _edge_table(graph, production, disruption, prop, rerouting)
    if "layer" in graph.nodes:  # a graph with overlays: each row says where it comes from
        layer_of = dict(zip(graph.nodes["id"], graph.nodes["layer"]))
        lines["layer"] = lines["node"].map(layer_of)
        nodes["layer"] = graph.nodes["layer"].to_numpy()
        edges["layer"] = graph.edges["layer"].to_numpy()
        edges["taken_t"] = graph.edges["taken_t"].to_numpy()
        makers = lines[lines["stage"] == "manufacturer"]
        sectors["layer"] = _layers(makers, "sector", pd.Index(sectors["sector"]))
        by = ["country", "stage", "sector"]
        countries["layer"] = _layers(lines, by, pd.MultiIndex.from_frame(countries[by]))
    return Result(
        graph=graph,
        scenario=scenario,
        disruption=disruption,
        propagation=prop,
        sectors=sectors,
        nodes=nodes,
        countries=countries,
        edges=edges,
        rerouting=rerouting,
        warnings=list(disruption.warnings)
        + list(rerouting.unused_spare if rerouting else ())
        + list(rerouting.notes if rerouting else ())
        + ([rerouting.stopped] if stopped else []),
        lines=lines,
        production=production,
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


def _layers(lines: pd.DataFrame, by: str | list[str], keys: pd.Index) -> np.ndarray:
    """Per group of lines (in the order of ``keys``): ``base``, ``overlay``, or
    ``base+overlay`` where it sums lines of both."""
    per_group = lines.groupby(by, sort=False)["layer"].agg(lambda c: "+".join(sorted(set(c))))
    return per_group.reindex(keys).to_numpy()


def _shortfall(frame: pd.DataFrame, prefix: str = "") -> None:
    """Add ``shortfall{prefix}_t`` and ``_pct`` from ``baseline_t`` and ``after{prefix}_t``."""
    lost = frame["baseline_t"] - frame[f"after{prefix}_t"]
    frame[f"shortfall{prefix}_t"] = lost
    frame[f"shortfall{prefix}_pct"] = share_pct(lost, frame["baseline_t"])


def _line_table(
    graph: SupplyGraph, prop: Propagation, rerouting: Rerouting | None, why: pd.DataFrame
) -> pd.DataFrame:
    """One row per product line (per node, without declared lines), in graph order."""
    nodes = graph.nodes
    table = pd.DataFrame(
        {
            "node": (nodes["node"] if "node" in nodes else nodes["id"]).to_numpy(),
            "line": nodes["line"].to_numpy() if "line" in nodes else "",
            "name": nodes["name"].to_numpy(),
            "stage": nodes["stage"].to_numpy(),
            "country": nodes["country"].to_numpy(),
            "sector": nodes["sector"].to_numpy(),
            "unit": nodes["unit"].to_numpy() if "unit" in nodes else "",
        }
    )
    units = nodes["baseline_units"].to_numpy(np.float64) if "baseline_units" in nodes else np.nan
    table["baseline_units"] = units
    table["after_units"] = table["baseline_units"] * prop.output_ratio
    table["shortfall_units"] = table["baseline_units"] - table["after_units"]
    table["baseline_t"] = graph.baseline_t
    table["after_t"] = graph.baseline_t * prop.output_ratio
    _shortfall(table)
    table["days_to_impact"] = np.where(
        np.isfinite(prop.days_to_impact), prop.days_to_impact, np.nan
    )
    if rerouting is not None:
        table["spare_t"] = rerouting.spare_t
        table["after_reroute_t"] = rerouting.node_after_t
        _shortfall(table, "_reroute")
    table["limiting_input"] = why["limiting_input"].to_numpy()
    table["limiting_suppliers"] = why["limiting_suppliers"].to_numpy()
    table["limiting_regimes"] = why["limiting_regimes"].to_numpy()
    return table


def _node_table(
    graph: SupplyGraph, production: Production, lines: pd.DataFrame, content_pct: np.ndarray
) -> pd.DataFrame:
    """Lines summed per node; a node's days and reasons are those of its first line to fall."""
    nodes = graph.nodes
    table = nodes[["id", "name", "stage", "country", "company", "sector"]].copy()
    n = graph.n_nodes
    table["baseline_t"] = production.per_node(lines["baseline_t"].to_numpy(), n)
    table["after_t"] = production.per_node(lines["after_t"].to_numpy(), n)
    _shortfall(table)
    # the line that falls first (then lowest), per node
    order = np.lexsort(
        (np.arange(len(lines)), lines["shortfall_pct"].to_numpy() * -1, lines["days_to_impact"])
    )
    first = pd.Series(order).groupby(production.node[order], sort=True).first().to_numpy()
    table["days_to_impact"] = lines["days_to_impact"].to_numpy()[first]
    table["stock_days"] = nodes["stock_days"]
    if "after_reroute_t" in lines:
        table["spare_t"] = production.per_node(lines["spare_t"].to_numpy(), n)
        table["after_reroute_t"] = production.per_node(lines["after_reroute_t"].to_numpy(), n)
        _shortfall(table, "_reroute")
    table["china_content_pct"] = content_pct
    for column in ("limiting_input", "limiting_suppliers", "limiting_regimes"):
        table[column] = lines[column].to_numpy()[first]
    table["source"] = nodes.get("source", "")
    return table


def _sum_exposure(grouped: Any, table: pd.DataFrame) -> pd.DataFrame:
    columns = ["baseline_t", "after_t"] + (
        ["after_reroute_t"] if "after_reroute_t" in table else []
    )
    summed = grouped[columns].sum(min_count=1)  # NaN (rerouting stopped) stays unknown
    summed.insert(0, "nodes", grouped["node"].nunique())
    return summed


def _sector_causes(
    graph: SupplyGraph, disruption: Disruption, prop: Propagation, why: pd.DataFrame
) -> dict[str, str]:
    """Per sector, where its makers' losses start (:func:`bottlenecks.root_causes`)."""
    nodes = graph.nodes
    maker = (nodes["stage"] == "manufacturer").to_numpy()
    sector = nodes["sector"].to_numpy()
    groups = {name: maker & (sector == name) for name in sorted(set(sector[maker]))}
    return root_causes(graph, disruption, prop, why.attrs["setting"], groups)


def _sector_table(lines: pd.DataFrame, issuer: str, causes: dict[str, str]) -> pd.DataFrame:
    """Makers' lines summed per sector (:class:`supplygraph.engine.sums.Sectors`), in tonnes
    and in the sector's own unit, with the split inside and outside the issuing country and
    the causes that cost most."""
    sectors = Sectors.of(lines)
    makers = lines.iloc[sectors.makers]
    grouped = makers.groupby("sector", sort=True)
    table = pd.DataFrame(index=pd.Index(sectors.names, name="sector"))
    table["makers"] = grouped["node"].nunique()
    for column in ("baseline_t", "after_t", "after_reroute_t"):
        if column in lines:  # a NaN (rerouting stopped) stays unknown
            table[column] = sectors.sum(lines[column])
    table["countries"] = grouped["country"].agg(lambda c: ";".join(sorted(set(c))))
    _shortfall(table)
    table["days_to_impact"] = sectors.min(lines["days_to_impact"])
    if "after_reroute_t" in table:
        _shortfall(table, "_reroute")
    table["unit"] = grouped["unit"].agg(lambda units: next((u for u in units if u), ""))
    has_units = sectors.any(sectors.counted)
    for column in ("baseline_units", "shortfall_units"):
        table[column] = np.where(has_units, sectors.sum(lines[column], sectors.counted), np.nan)
    table["shortfall_units_pct"] = np.where(
        has_units, share_pct(table["shortfall_units"], table["baseline_units"]), np.nan
    )
    table["issuer"] = issuer
    for where, mask in (
        ("in_issuer", sectors.country == issuer),
        ("outside_issuer", sectors.country != issuer),
    ):
        base = sectors.sum(lines["baseline_t"], mask)
        lost = base - sectors.sum(lines["after_t"], mask)
        table[f"{where}_shortfall_pct"] = np.where(sectors.any(mask), share_pct(lost, base), np.nan)
    table["bottlenecks"] = [causes.get(sector, "") for sector in table.index]
    return table.reset_index()


def _country_table(lines: pd.DataFrame) -> pd.DataFrame:
    """Lines summed per country, stage and (for makers) sector."""
    grouped = lines.groupby(["country", "stage", "sector"], sort=False)
    table = _sum_exposure(grouped, lines)
    _shortfall(table)
    table["days_to_impact"] = grouped["days_to_impact"].min()
    if "after_reroute_t" in table:
        _shortfall(table, "_reroute")
    table = table.reset_index()
    table["_rank"] = table["stage"].map(STAGE_RANK)
    table = table.sort_values(["country", "_rank", "sector"], kind="stable")
    return table.drop(columns="_rank").reset_index(drop=True)


def _edge_table(
    graph: SupplyGraph,
    production: Production,
    disruption: Disruption,
    prop: Propagation,
    rerouting: Rerouting | None,
) -> pd.DataFrame:
    edges, m = graph.edges, graph.n_edges
    table = edges[["supplier", "customer", "material", "elements"]].copy()
    table["baseline_t"] = edges["flow_t"].to_numpy()
    table["licensed_share"] = disruption.edge_share
    table["after_t"] = production.per_edge(prop.edge_after_t, m)
    # reduced upstream: some part leaves a line that fell short
    short_src = prop.output_ratio[production.graph.index.src] < 1
    upstream = production.per_edge(short_src.astype(np.float64), m) > 0
    share = disruption.edge_share
    status = np.select([share == 0, share < 1, upstream], [1, 2, 3], 0)
    table["flow_status"] = np.array(["ok", "cut", "throttled", "reduced-upstream"], object)[status]
    code, lists = disruption.regime_sets
    table["regimes"] = np.array([";".join(ids) for ids in lists], dtype=object)[code]
    if rerouting is not None:
        table["after_reroute_t"] = production.per_edge(rerouting.edge_after_t, m)
    return table
