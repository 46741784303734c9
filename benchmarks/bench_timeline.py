"""Benchmark: a one-year daily run on the bundled data and on synthetic layered graphs.

Usage: python benchmarks/bench_timeline.py [--edges 10000 100000] [--seed 1] [--repeat 3]

Each run is timed without adaptation and with every dynamic on (``ADAPTING``: restocking at
1/60 of the gap a day, order shifting with a 30-day ramp-up, demand following output; the
synthetic graphs get a capacity of 1.2 times each node's baseline so that orders can move).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_propagate import layered_graph

import supplygraph as sg
from supplygraph.analyses.timeline import simulate_days
from supplygraph.dataset.graph import build_graph
from supplygraph.dataset.io import Dataset, load_dated_tables, load_regimes
from supplygraph.scenario.parse import Dynamics, Rule, Scenario

COUNTRIES = np.array(["CN", "JP", "DE", "US", "KR", "AU"])
ADAPTING = Dynamics(rebuild_rate=1 / 60, shift_orders=True, demand_follows_output=True)


def synthetic(n_edges: int, seed: int):
    """A layered graph (bench_propagate) with countries and stocks, as a SupplyGraph."""
    n, src, dst, material, flow = layered_graph(n_edges, seed)
    rng = np.random.default_rng(seed)
    nodes = pd.DataFrame(
        {
            "csv_line": np.arange(n) + 2,
            "id": [f"n{i}" for i in range(n)],
            "name": "",
            "stage": "separation",
            "country": rng.choice(COUNTRIES, n),
            "company": "",
            "sector": "",
            "capacity_t": np.nan,
            "stock_days": rng.choice([0.0, 10.0, 30.0], n),
        }
    )
    edges = pd.DataFrame(
        {
            "csv_line": np.arange(len(src)) + 2,
            "supplier": nodes["id"].to_numpy()[src],
            "customer": nodes["id"].to_numpy()[dst],
            "material": material,
            "elements": "Dy",
            "flow_t": flow,
            "licence": "",
        }
    )
    return build_graph(Dataset(nodes, edges, load_regimes(), Path("."), ""))


def timed(repeat: int, function) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    approvals, transit, _ = load_dated_tables()
    graph = sg.load()
    replay = sg.load_scenario("2025-replay")
    seconds = timed(args.repeat, lambda: simulate_days(graph, replay, approvals, transit))
    print(f"bundled data ({graph.n_edges:,} edges), 2025-replay, 365 days: {seconds:.3f} s")
    seconds = timed(
        args.repeat, lambda: simulate_days(graph, replay, approvals, transit, applicant=1.0)
    )
    print(f"  with the last applicant beside the mean (two runs): {seconds:.3f} s")
    adapting = replay.with_changes(dynamics=ADAPTING)
    seconds = timed(args.repeat, lambda: simulate_days(graph, adapting, approvals, transit))
    print(f"  with every dynamic on: {seconds:.3f} s")
    start = dt.date(2025, 5, 1)
    for n_edges in args.edges:
        big = synthetic(n_edges, args.seed)
        cut = Scenario("cut", rules=(Rule("country=CN", "throttle", 0.5),), start=start)
        seconds = timed(
            args.repeat, lambda big=big, cut=cut: simulate_days(big, cut, approvals, transit)
        )
        print(f"{big.n_edges:,} edges, {big.n_nodes:,} nodes, 365 days: {seconds:.2f} s")
        nodes = big.nodes.assign(capacity_t=1.2 * big.baseline_t)
        roomy = replace(big, nodes=nodes)
        moving = cut.with_changes(dynamics=ADAPTING)
        seconds = timed(
            args.repeat, lambda big=roomy, cut=moving: simulate_days(big, cut, approvals, transit)
        )
        print(f"  with every dynamic on: {seconds:.2f} s")


if __name__ == "__main__":
    main()
