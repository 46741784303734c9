"""Side by side with BoARIO: the same shock on the bundled data aggregated to country x stage.

China's magnet-stage exports are throttled to 26% from 1 May to 30 June 2025, every node holds
21 days of stock, and both models run a year from 1 March 2025, day by day:

- supplygraph's dated run (``simulate_days``) on the graph aggregated to one node per country
  and stage (flows summed per supplier, customer and material), once without adaptation and
  once with restocking at BoARIO's pace (rebuild rate 1/60 a day) and order shifting;
- BoARIO's ``ARIOPsiModel`` on the same flows as a multi-regional input-output table (regions:
  countries; sectors: stages, with China's magnet exports as a sector of their own, so that
  the throttle falls on exports only), 21 days of inventory for every input, an
  ``EventArbitraryProd`` that removes 74% of that export sector's capacity for the 61 days.

It prints, and writes as CSV with ``--out``, per country and stage: each model's first loss
(the first day output falls below 99% of baseline), lowest output and recovery day, and each
model's run time. docs/boario.md reports a run and explains the differences.

Not a test dependency. BoARIO 0.7.2 declares no requirements; it needs pymrio and
progressbar2 as well::

    pip install boario==0.7.2 pymrio progressbar2
    python benchmarks/boario_side_by_side.py [--out output/boario]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

import supplygraph as sg
from supplygraph.analyses.timeline import simulate_days
from supplygraph.dataset.graph import build_graph
from supplygraph.dataset.io import Dataset, load_dated_tables
from supplygraph.scenario.parse import Dynamics, Rule, Scenario

START, END = dt.date(2025, 3, 1), dt.date(2026, 2, 28)
SHOCK_FROM, SHOCK_TO = dt.date(2025, 5, 1), dt.date(2025, 6, 30)
LICENSED = 0.26  # China's magnet exports, May-June 2025 (the backtest's approval path)
STOCK_DAYS = 21
EXPORT = "magnet_export"  # BoARIO: China's magnet exports as a sector of their own
LOSS = 0.99


def aggregate(graph) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The graph's nodes and edges with one node per country and stage (id ``CC/stage``)."""
    nodes = graph.nodes
    key = nodes["country"] + "/" + nodes["stage"]
    edges = graph.edges.assign(
        supplier=key.to_numpy()[graph.edges["src"].to_numpy()],
        customer=key.to_numpy()[graph.edges["dst"].to_numpy()],
    )
    edges = edges[edges["supplier"] != edges["customer"]]  # flows inside an aggregate
    flows = edges.groupby(["supplier", "customer", "material"], as_index=False, sort=True).agg(
        flow_t=("flow_t", "sum"), elements=("elements", "first")
    )
    ids = sorted(set(key))
    country = [i.split("/")[0] for i in ids]
    stage = [i.split("/")[1] for i in ids]
    agg_nodes = pd.DataFrame(
        {
            "csv_line": np.arange(len(ids)) + 2,
            "id": ids,
            "name": ids,
            "stage": stage,
            "country": country,
            "company": "",
            "sector": ["all" if s == "manufacturer" else "" for s in stage],
            "capacity_t": np.nan,
            "stock_days": float(STOCK_DAYS),
        }
    )
    flows = flows.assign(csv_line=np.arange(len(flows)) + 2, licence="")
    return agg_nodes, flows


def run_supplygraph(graph, dynamics: Dynamics) -> tuple[pd.DataFrame, float]:
    """Output ratio per aggregate and day under the throttle; the run's seconds."""
    tables = load_dated_tables()
    buyers = graph.nodes["country"].to_numpy()[graph.edges["dst"].to_numpy()]
    abroad = "|".join(sorted(set(buyers) - {"CN"}))
    rule = Rule(
        f"country=CN,stage=magnet,dest={abroad}",
        action="throttle",
        share=LICENSED,
        start=SHOCK_FROM,
        end=SHOCK_TO,
    )
    scenario = Scenario("boario-shock", rules=(rule,), start=START, end=END, dynamics=dynamics)
    began = time.perf_counter()
    run = simulate_days(graph, scenario, tables.approvals, tables.transit, keep_days=True)
    seconds = time.perf_counter() - began
    ratio = pd.DataFrame(run.ratio, columns=run.production.graph.nodes["id"].to_numpy())
    return ratio, seconds


def io_table(nodes: pd.DataFrame, flows: pd.DataFrame):
    """The flows as a pymrio IOSystem (tonnes a year): Z, Y and x per (country, stage)."""
    import pymrio

    regions = sorted(set(nodes["country"]))
    sectors = sorted(set(nodes["stage"]) | {EXPORT})
    index = pd.MultiIndex.from_product([regions, sectors], names=["region", "sector"])
    z = pd.DataFrame(0.0, index=index, columns=index)
    for row in flows.itertuples(index=False):
        src, dst = tuple(row.supplier.split("/")), tuple(row.customer.split("/"))
        if src == ("CN", "magnet") and dst[0] != "CN":  # exports pass the export sector
            z.loc[src, ("CN", EXPORT)] += row.flow_t
            src = ("CN", EXPORT)
        z.loc[src, dst] += row.flow_t
    inflow, outflow = z.sum(axis=0), z.sum(axis=1)
    # makers' output is final demand; any other surplus of intake over sales too (what a
    # stage keeps or loses), so that each industry's output covers its inputs
    output = np.maximum(inflow, outflow)
    y = pd.DataFrame(
        0.0,
        index=index,
        columns=pd.MultiIndex.from_product(
            [regions, ["final demand"]], names=["region", "category"]
        ),
    )
    for (region, sector), value in (output - outflow).items():
        y.loc[(region, sector), (region, "final demand")] = value
    mrio = pymrio.IOSystem(Z=z, Y=y, unit=pd.DataFrame({"unit": "t"}, index=index))
    mrio.calc_all()
    return mrio


def run_boario(mrio) -> tuple[pd.DataFrame, float]:
    """Production per industry and day as a share of its first day's; the run's seconds."""
    from boario.event import EventArbitraryProd
    from boario.extended_models import ARIOPsiModel
    from boario.simulation import Simulation

    sectors = list(mrio.get_sectors())
    model = ARIOPsiModel(
        mrio,
        inventory_dict={sector: STOCK_DAYS for sector in sectors},
        inventory_restoration_tau=60,
        monetary_factor=1,
    )
    days = (END - START).days + 1
    sim = Simulation(
        model, n_temporal_units_to_sim=days, boario_output_dir=tempfile.mkdtemp(prefix="boario")
    )
    impact = pd.Series(
        1 - LICENSED, index=pd.MultiIndex.from_tuples([("CN", EXPORT)], names=["region", "sector"])
    )
    event = EventArbitraryProd(
        impact=impact,
        occurrence=(SHOCK_FROM - START).days,
        duration=(SHOCK_TO - SHOCK_FROM).days + 1,
        recovery_tau=1,
    )
    sim.add_event(event)
    began = time.perf_counter()
    sim.loop()
    seconds = time.perf_counter() - began
    production = sim.production_realised
    base = production.iloc[0].replace(0, np.nan)
    return production.divide(base, axis=1), seconds


def summary(ratio: pd.DataFrame) -> pd.DataFrame:
    """Per column: first day below LOSS, lowest ratio (%), first day back at LOSS after it."""
    rows = []
    for name in ratio.columns:
        series = ratio[name].to_numpy(dtype=float)
        below = np.flatnonzero(series < LOSS)
        first = int(below[0]) if len(below) else -1
        back = np.flatnonzero(series[first:] >= LOSS) if first >= 0 else []
        rows.append(
            {
                "key": name if isinstance(name, str) else "/".join(name),
                "first_loss": (START + dt.timedelta(first)).isoformat() if first >= 0 else "",
                "min_output_pct": 100 * np.nanmin(series),
                "recovery": (START + dt.timedelta(first + int(back[0]))).isoformat()
                if len(back)
                else "",
            }
        )
    return pd.DataFrame(rows).set_index("key")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help="folder for the CSV")
    args = parser.parse_args()
    nodes, flows = aggregate(sg.load())
    graph = build_graph(Dataset(nodes, flows, sg.load().regimes, Path("."), ""))
    plain, plain_s = run_supplygraph(graph, Dynamics())
    adapting = Dynamics(rebuild_rate=1 / 60, shift_orders=True)
    roomy = replace(graph, nodes=graph.nodes.assign(capacity_t=1.25 * graph.baseline_t))
    moving, moving_s = run_supplygraph(roomy, adapting)
    mrio = io_table(nodes, flows)
    boario, boario_s = run_boario(mrio)
    table = summary(plain).add_prefix("sg_")
    table = table.join(summary(moving).add_prefix("sg_dyn_"), how="outer")
    table = table.join(summary(boario).add_prefix("boario_"), how="outer")
    hit = table[
        (table["sg_min_output_pct"] < 100 * LOSS)
        | (table["sg_dyn_min_output_pct"] < 100 * LOSS)
        | (table["boario_min_output_pct"] < 100 * LOSS)
    ]
    pd.set_option("display.width", 200)
    print(hit.round(1).to_string())
    print(
        f"\nrun time, {(END - START).days + 1} days: supplygraph "
        f"{plain_s:.3f} s (with restocking and shifting {moving_s:.3f} s), BoARIO "
        f"{boario_s:.3f} s; {graph.n_nodes} aggregates, {graph.n_edges} flows; "
        f"BoARIO {len(mrio.get_regions())} regions x {len(mrio.get_sectors())} sectors"
    )
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        table.to_csv(args.out / "boario-side-by-side.csv")


if __name__ == "__main__":
    main()
