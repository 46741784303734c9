"""Benchmark: the n-1 sweep and Monte Carlo draws, bundled data and a synthetic graph.

Usage: python benchmarks/bench_risk.py [--draws 10000] [--edges 100000] [--big-draws 1000]
       [--dask-workers 2] [--dask-draws 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_timeline import synthetic

import supplygraph as sg
from supplygraph.analyses.criticality import criticality
from supplygraph.analyses.montecarlo import montecarlo
from supplygraph.dataset.graph import SupplyGraph
from supplygraph.scenario.parse import LicencePolicy, Scenario
from supplygraph.scenario.uncertainty import Range, Uncertainty

SECTORS = np.array(["ev", "wind", "defence", "electronics"])
BUNDLED_RANGES = Uncertainty(
    approvals={"CN-2025-18": Range(0.1, 0.5), "CN-2025-57": Range(0.1, 0.5, 0.25)},
    stock_days=Range(0, 60),
)


def timed(repeat: int, function) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def with_makers(graph: SupplyGraph, seed: int) -> SupplyGraph:
    """The synthetic graph with its sinks as makers in four sectors, and a status per edge."""
    rng = np.random.default_rng(seed)
    nodes = graph.nodes.copy()
    sinks = graph.baseline_out_t <= 0
    nodes["stage"] = np.where(sinks, "manufacturer", nodes["stage"])
    nodes["sector"] = np.where(sinks, rng.choice(SECTORS, len(nodes)), "")
    nodes["status"] = "estimate"
    edges = graph.edges.assign(
        status=rng.choice(["reported", "estimate", "assumption"], graph.n_edges)
    )
    return SupplyGraph(nodes, edges, graph.regimes, graph.folder, graph.checksum)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--edges", type=int, default=100_000)
    parser.add_argument("--big-draws", type=int, default=1_000)
    parser.add_argument("--dask-workers", type=int, default=0)
    parser.add_argument("--dask-draws", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    graph = sg.load()
    package = sg.load_scenario("2025-10-package")
    seconds = timed(args.repeat, lambda: criticality(graph))
    print(f"bundled data ({graph.n_edges:,} edges), whole n-1 sweep: {seconds:.3f} s")
    seconds = timed(
        args.repeat, lambda: montecarlo(graph, package, BUNDLED_RANGES, draws=args.draws)
    )
    print(f"bundled data, 2025-10-package, {args.draws:,} draws: {seconds:.3f} s")
    if args.dask_workers:
        alone = timed(1, lambda: montecarlo(graph, package, BUNDLED_RANGES, draws=args.dask_draws))
        local = timed(
            1,
            lambda: montecarlo(
                graph, package, BUNDLED_RANGES, draws=args.dask_draws, workers=args.dask_workers
            ),
        )
        print(
            f"bundled data, {args.dask_draws:,} draws: in-process {alone:.2f} s, local Dask "
            f"cluster of {args.dask_workers} workers {local:.2f} s (incl. start-up)"
        )
    big = with_makers(synthetic(args.edges, args.seed), args.seed)
    throttle = Scenario("throttle", licences=(LicencePolicy("CN-2025-18", "throttle", 0.25),))
    ranges = Uncertainty(approvals={"CN-2025-18": Range(0.1, 0.5)}, stock_days=Range(0, 60))
    seconds = timed(1, lambda: montecarlo(big, throttle, ranges, draws=args.big_draws))
    print(
        f"{big.n_edges:,} edges, {big.n_nodes:,} nodes, {args.big_draws:,} draws: {seconds:.2f} s"
    )
    if args.dask_workers:
        local = timed(
            1,
            lambda: montecarlo(
                big, throttle, ranges, draws=args.big_draws, workers=args.dask_workers
            ),
        )
        print(
            f"{big.n_edges:,} edges, {args.big_draws:,} draws on a local Dask cluster of "
            f"{args.dask_workers} workers: {local:.2f} s (incl. start-up)"
        )


if __name__ == "__main__":
    main()
