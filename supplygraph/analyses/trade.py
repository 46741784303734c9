"""Trade statistics beside the graph: tonnes per country pair and material group, and coverage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._errors import DataError, Issue
from ..dataset.graph import SupplyGraph
from ..dataset.trade import TradeFiles

AGREE = 1.25  # graph and statistic agree when neither exceeds the other by more than 25%
REPORTS = ("exporter", "baci", "importer")  # which report a pair's statistic is, in this order
URLS = {
    "comtrade": "https://comtradeplus.un.org/",
    "baci": "http://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
}
RECONCILE_COLUMNS = (
    "exporter", "importer", "group", "hs", "material", "period", "statistic_t", "graph_t",
    "ratio", "flag", "report", "product_t", "set_aside_t", "reo_per_t", "exporter_report_t",
    "importer_report_t", "baci_t", "mirror_ratio", "value_usd", "graph_edges",
)  # fmt: skip
AREA_COLUMNS = (
    "file", "csv_line", "period", "flow", "reporter_code", "partner_code", "exporter", "importer",
    "area", "kind", "hs", "product_t", "value_usd",
)  # fmt: skip


@dataclass(frozen=True)
class Reconciliation:
    """Trade statistics beside the graph's cross-border flows (t REO), with what was set aside.

    ``table`` has :data:`RECONCILE_COLUMNS`, worst disagreement (largest gap in tonnes)
    first; ``areas`` the statistic's rows whose partner is the World or an area that is
    not a country; ``counted`` every record with the tonnes counted; ``summary`` the
    coverage, the set-aside tonnes, the World checks and the notes.
    """

    table: pd.DataFrame
    areas: pd.DataFrame
    counted: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)


def count_records(trade: TradeFiles, hs_table: pd.DataFrame) -> pd.DataFrame:
    """Return the records with their group and the tonnes they count, in product and t REO.

    A national 8-digit line is read instead of its heading's 6 digits for the same flow.
    Where ``hs_table`` gives a unit value (8505.11: every metal magnet), a row counts
    ``min(weight, value / unit value)`` tonnes of rare-earth magnets and sets the rest
    aside; a row without a weight counts nothing.

    Parameters
    ----------
    trade
        The files read (:func:`supplygraph.dataset.trade.read_trade_files`).
    hs_table
        :func:`supplygraph.dataset.trade_codes.load_hs_table`.

    Returns
    -------
    pandas.DataFrame
        The records with ``group``, ``reo_per_t``, ``counted_t`` (product tonnes counted),
        ``set_aside_t``, ``statistic_t`` (t REO), ``exporter`` and ``importer`` (ISO2, ""
        for the World or an area) and their kinds.

    Examples
    --------
    >>> from supplygraph.dataset.trade import TradeFiles, RECORD_COLUMNS
    >>> from supplygraph.dataset.trade_codes import load_code_list, load_hs_table
    >>> row = dict(zip(RECORD_COLUMNS, ["f", 2, "comtrade", 2024, 0, "2024", "X", 156, 699,
    ...                                 156, 699, "850511", 1000.0, 9_836_000.0]))
    >>> trade = TradeFiles(pd.DataFrame([row]), load_code_list())
    >>> count_records(trade, load_hs_table())[["counted_t", "set_aside_t", "statistic_t"]]
       counted_t  set_aside_t  statistic_t
    0      200.0        800.0         70.0
    """
    hs = hs_table.set_index("hs")
    records = trade.records.copy()  # columns are added: the caller's table stays as it was
    records["group"] = records["hs"].map(hs["group"])
    national = records[records["hs"].str.len() == 8]
    key = ["format", "flow", "reporter_code", "partner_code", "year", "month", "group"]
    has_line = records.set_index(key).index.isin(national.set_index(key).index)
    records = records[~(has_line & (records["hs"].str.len() == 6))].copy()
    records["reo_per_t"] = records["hs"].map(hs["reo_per_t"])
    unit_value = records["hs"].map(hs["usd_per_kg"]).to_numpy(float)
    weight = records["weight_t"].to_numpy(float)
    by_value = records["value_usd"].to_numpy(float) / unit_value / 1000.0
    ruled = ~np.isnan(unit_value)
    counted = np.where(ruled, np.fmin(weight, np.nan_to_num(by_value)), weight)
    records["counted_t"] = np.where(np.isnan(weight), 0.0, counted)
    records["set_aside_t"] = np.where(np.isnan(weight), 0.0, weight - records["counted_t"])
    records["statistic_t"] = records["counted_t"] * records["reo_per_t"]
    codes = trade.codes
    for side in ("exporter", "importer"):
        numbers = records[f"{side}_code"]
        records[side] = numbers.map(codes.iso2)
        records[f"{side}_kind"] = numbers.map(codes.kind)
    return records.reset_index(drop=True)


def reconcile(
    graph: SupplyGraph, trade: TradeFiles, hs_table: pd.DataFrame, *, year: int | None = None
) -> Reconciliation:
    """Set trade statistics beside the graph's cross-border flows, per pair and material group.

    The statistic of a pair is the exporter's report where the files have it, else BACI's,
    else the importer's (the other reports are in their own columns: the mirror); annual
    rows of ``year`` are used, or, for a year with monthly rows only, their sum scaled to
    twelve months. A pair is in the files' scope when an exporter's report of the exporter,
    an importer's report of the importer, or a BACI row of the exporter is in them.

    Parameters
    ----------
    graph
        The supply graph.
    trade
        The files read (:func:`supplygraph.dataset.trade.read_trade_files`).
    hs_table
        :func:`supplygraph.dataset.trade_codes.load_hs_table`.
    year
        The year to compare; None: the latest year in the files (annual rows first).

    Returns
    -------
    Reconciliation

    Raises
    ------
    DataError
        When the files have no row of the year with an HS code of ``hs_table``.
    """
    counted = count_records(trade, hs_table)
    year, months = _year(counted, year)
    rows = counted[(counted["year"] == year) & ((counted["month"] == 0) == (months == 0))]
    if rows.empty:
        years = ", ".join(map(str, sorted(set(counted["year"])))) or "none"
        raise DataError(
            [
                Issue(
                    ", ".join(f["file"] for f in trade.files) or "the files",
                    0,
                    "-",
                    f"no rows of {year} with an HS code of hs.csv (years with such rows: {years})",
                )
            ]
        )
    scale = 12.0 / months if months else 1.0
    pairs = (rows["exporter_kind"] == "country") & (rows["importer_kind"] == "country")
    pairs &= rows["exporter"] != rows["importer"]
    statistic = _statistic(rows[pairs], scale)
    graph_flows = _graph_flows(graph, hs_table)
    scope = _scope(rows[pairs])
    graph_flows["in_scope"] = [
        (e, i, g) in scope["pairs"]
        or e in scope["exporters"].get(g, ())
        or i in scope["importers"].get(g, ())
        for e, i, g in zip(graph_flows["exporter"], graph_flows["importer"], graph_flows["group"])
    ]
    groups = set(rows["group"].dropna())
    table = statistic.merge(
        graph_flows[graph_flows["group"].isin(groups) & graph_flows["in_scope"]],
        on=["exporter", "importer", "group"],
        how="outer",
    )
    scaled = f" ({months} month{'s' if months > 1 else ''} x 12/{months})" if months else ""
    table = _finish(table, hs_table, f"{year}{scaled}")
    areas = rows[~pairs & ~(rows["exporter"] == rows["importer"])]
    summary = _summary(table, graph_flows[graph_flows["group"].isin(groups)], rows)
    summary.update(
        {
            "year": year,
            "months": months,
            "files": trade.files,
            "notes": trade.notes,
            "codes": trade.codes.source,
            "world_checks": _world_checks(rows),
        }
    )
    return Reconciliation(table, _areas(areas, trade), counted, summary)


def _year(counted: pd.DataFrame, year: int | None) -> tuple[int, int]:
    """The year compared and, when it has monthly rows only, how many months they cover."""
    if counted.empty:
        return (year or 0), 0
    annual = counted[counted["month"] == 0]
    if year is None:
        year = int(annual["year"].max()) if len(annual) else int(counted["year"].max())
    if (annual["year"] == year).any():
        return year, 0
    return year, int(counted.loc[counted["year"] == year, "month"].nunique())


def _statistic(rows: pd.DataFrame, scale: float) -> pd.DataFrame:
    """Tonnes per pair and group, by report: the exporter's, BACI's, the importer's."""
    report = np.select(
        [rows["flow"] == "X", rows["flow"] == "BACI"], ["exporter", "baci"], default="importer"
    )
    frame = rows.assign(report=report)
    sums = frame.groupby(["exporter", "importer", "group", "report"], sort=True).agg(
        statistic_t=("statistic_t", "sum"),
        product_t=("counted_t", "sum"),
        set_aside_t=("set_aside_t", "sum"),
        value_usd=("value_usd", "sum"),
        hs=("hs", lambda codes: ";".join(sorted(set(codes)))),
        publisher=("format", "first"),
    )
    numbers = ["statistic_t", "product_t", "set_aside_t", "value_usd"]
    sums[numbers] = sums[numbers] * scale
    wide = sums["statistic_t"].unstack("report")
    chosen = []
    for key in wide.index:
        report = next(r for r in REPORTS if r in wide.columns and not np.isnan(wide.at[key, r]))
        chosen.append({**sums.loc[(*key, report)].to_dict(), "report": report})
    result = pd.DataFrame(chosen, index=wide.index).reset_index()
    for report, column in zip(REPORTS, ("exporter_report_t", "baci_t", "importer_report_t")):
        result[column] = wide[report].to_numpy() if report in wide.columns else np.nan
    return result


def _graph_flows(graph: SupplyGraph, hs_table: pd.DataFrame) -> pd.DataFrame:
    """The graph's cross-border tonnes per (exporter, importer, group)."""
    group_of = {m: g for g, ms in zip(hs_table["group"], hs_table["materials"]) for m in ms}
    country = graph.nodes["country"].to_numpy()
    edges = graph.edges.assign(
        exporter=country[graph.edges["src"].to_numpy()],
        importer=country[graph.edges["dst"].to_numpy()],
        group=graph.edges["material"].map(group_of),
    )
    edges = edges[(edges["exporter"] != edges["importer"]) & edges["group"].notna()]
    flows = edges.groupby(["exporter", "importer", "group"], sort=True).agg(
        graph_t=("flow_t", "sum"),
        graph_edges=("flow_t", "size"),
        graph_materials=("material", lambda m: ";".join(sorted(set(m)))),
    )
    return flows.reset_index()


def _scope(rows: pd.DataFrame) -> dict[str, Any]:
    """Which pairs the files could report on, per group (see :func:`reconcile`)."""
    exporters: dict[str, set[str]] = {}
    importers: dict[str, set[str]] = {}
    for flow, side, found in (("X", "exporter", exporters), ("BACI", "exporter", exporters)):
        for group, names in rows[rows["flow"] == flow].groupby("group")[side]:
            found.setdefault(group, set()).update(names)
    for group, names in rows[rows["flow"] == "M"].groupby("group")["importer"]:
        importers.setdefault(group, set()).update(names)
    pairs = set(zip(rows["exporter"], rows["importer"], rows["group"]))
    return {"exporters": exporters, "importers": importers, "pairs": pairs}


def _finish(table: pd.DataFrame, hs_table: pd.DataFrame, period: str) -> pd.DataFrame:
    """Ratio, flag, materials and order of the table's rows."""
    materials = hs_table.groupby("group")["materials"].agg(
        lambda lists: ";".join(sorted({m for ms in lists for m in ms}))
    )
    table["statistic_t"] = table["statistic_t"].fillna(0.0)
    table["graph_t"] = table["graph_t"].fillna(0.0)
    table["graph_edges"] = table["graph_edges"].fillna(0).astype(int)
    table["material"] = table["graph_materials"].where(
        table["graph_materials"].notna(), table["group"].map(materials)
    )
    reo = hs_table.drop_duplicates("group").set_index("group")["reo_per_t"]
    table["reo_per_t"] = table["group"].map(reo)
    table["hs"] = table["hs"].fillna(
        table["group"].map(hs_table.groupby("group")["hs"].agg(";".join))
    )
    stat, grph = table["statistic_t"].to_numpy(), table["graph_t"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["ratio"] = np.where((stat > 0) & (grph > 0), grph / stat, np.nan)
        table["mirror_ratio"] = table["importer_report_t"] / table["exporter_report_t"]
    ratio = table["ratio"].to_numpy()
    table["flag"] = np.select(
        [stat <= 0, grph <= 0, ratio > AGREE, ratio < 1 / AGREE],
        ["not_in_statistic", "not_in_graph", "graph_high", "graph_low"],
        default="agree",
    )
    table["report"] = table["report"].fillna("")
    table["period"] = period
    table["gap_t"] = np.abs(grph - stat)
    table = table.sort_values(
        ["gap_t", "exporter", "importer", "group"], ascending=[False, True, True, True]
    )
    return table[list(RECONCILE_COLUMNS)].reset_index(drop=True)


def _summary(table: pd.DataFrame, graph_flows: pd.DataFrame, rows: pd.DataFrame) -> dict[str, Any]:
    """Coverage both ways and what the unit-value rule set aside."""
    statistic = float(table["statistic_t"].sum())
    matched = float(table.loc[table["graph_t"] > 0, "statistic_t"].sum())
    graph_total = float(graph_flows["graph_t"].sum())
    in_scope = float(graph_flows.loc[graph_flows["in_scope"], "graph_t"].sum())
    covered = float(table.loc[table["statistic_t"] > 0, "graph_t"].sum())
    rows = rows[(rows["exporter_code"] != 0) & (rows["importer_code"] != 0)]  # not the World
    ruled = rows[rows["hs"].map(len) == 6].assign(
        report=np.select(
            [rows["flow"] == "X", rows["flow"] == "BACI"], ["exporter", "baci"], "importer"
        )
    )
    set_aside = {
        report: {
            "weighed_t": float(group["weight_t"].sum()),
            "counted_t": float(group["counted_t"].sum()),
            "set_aside_t": float(group["set_aside_t"].sum()),
            "rows": int((group["set_aside_t"] > 0).sum()),
        }
        for report, group in ruled[ruled["group"] == "magnets"].groupby("report", sort=True)
    }
    return {
        "statistic_t": statistic,
        "statistic_in_graph_t": matched,
        "statistic_coverage": matched / statistic if statistic else float("nan"),
        "graph_t": graph_total,
        "graph_in_scope_t": in_scope,
        "graph_covered_t": covered,
        "graph_coverage": covered / graph_total if graph_total else float("nan"),
        "set_aside": set_aside,
        "no_weight_rows": int(rows["weight_t"].isna().sum()),
        "rows": len(rows),
        "flags": {k: int(v) for k, v in table["flag"].value_counts().sort_index().items()},
    }


def _world_checks(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """For each reporter's World row: the sum of its partners' rows (countries and areas)."""
    checks = []
    comtrade = rows[rows["format"] == "comtrade"]
    key = ["reporter_code", "flow", "hs", "period"]
    for values, group in comtrade.groupby(key, sort=True):
        world = group[group["partner_code"] == 0]
        if world.empty:
            continue
        partners = group[group["partner_code"] != 0]
        checks.append(
            {
                **dict(zip(key, (int(values[0]), values[1], values[2], values[3]))),
                "world_t": float(world["weight_t"].sum()),
                "partners_t": float(partners["weight_t"].sum()),
                "world_usd": float(world["value_usd"].sum()),
                "partners_usd": float(partners["value_usd"].sum()),
                "partners": len(partners),
            }
        )
    return checks


def _areas(rows: pd.DataFrame, trade: TradeFiles) -> pd.DataFrame:
    """The statistic's rows that do not run between two countries: World and areas."""
    names = trade.codes
    other = np.where(
        rows["exporter_kind"] != "country", rows["exporter_code"], rows["importer_code"]
    )
    frame = rows.assign(
        area=[names.name(int(c)) for c in other],
        kind=np.where((rows["exporter_code"] == 0) | (rows["importer_code"] == 0), "world", "area"),
        product_t=rows["weight_t"],
        csv_line=rows["line"],
    )
    frame = frame.sort_values(["kind", "product_t"], ascending=[False, False])
    return frame[list(AREA_COLUMNS)].reset_index(drop=True)
