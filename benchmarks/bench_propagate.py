"""Benchmark: vectorised propagation against the plain-Python reference on layered graphs.

Usage: python benchmarks/bench_propagate.py [--edges 10000 100000 1000000] [--seed 1]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from reference import reference_propagate

from supplygraph.dataset.graph import EngineIndex
from supplygraph.engine.propagate import propagate

STAGE_WEIGHTS = np.array([0.05, 0.10, 0.15, 0.20, 0.25, 0.25])  # nodes per stage


def layered_graph(
    n_edges: int, seed: int
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return (n_nodes, src, dst, material, flow) of a random 6-stage layered graph.

    Nodes number about 0.3 x edges; each edge runs from one stage to the next and carries
    one of two materials (so joins of complements occur).
    """
    rng = np.random.default_rng(seed)
    n_nodes = max(12, int(0.3 * n_edges))
    sizes = np.maximum(2, (STAGE_WEIGHTS * n_nodes).astype(int))
    bounds = np.concatenate([[0], np.cumsum(sizes)])
    stage = rng.integers(1, 6, size=int(n_edges * 1.05))
    dst = bounds[stage] + (rng.random(len(stage)) * sizes[stage]).astype(int)
    src = bounds[stage - 1] + (rng.random(len(stage)) * sizes[stage - 1]).astype(int)
    material = rng.integers(0, 2, size=len(stage))
    keys = np.unique(np.stack([src, dst, material], axis=1), axis=0)[:n_edges]
    flow = rng.uniform(1, 100, size=len(keys))
    return int(bounds[-1]), keys[:, 0], keys[:, 1], keys[:, 2].astype(str), flow


def timed(repeat: int, function, *args) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--no-reference", action="store_true", help="Skip the (slow) plain-Python reference."
    )
    args = parser.parse_args()
    print(
        f"{'edges':>9} {'nodes':>8} {'index build s':>14} {'propagate s':>12} "
        f"{'reference s':>12} {'speed-up':>9}"
    )
    for n_edges in args.edges:
        n, src, dst, material, flow = layered_graph(n_edges, args.seed)
        rng = np.random.default_rng(args.seed + 1)
        edge_share = np.where(rng.random(len(src)) < 0.01, 0.25, 1.0)  # 1% of edges throttled
        node_share, stock = np.ones(n), rng.choice([0.0, 30.0, 60.0], size=n)
        build = timed(1, EngineIndex.build, n, src, dst, material, flow)
        index = EngineIndex.build(n, src, dst, material, flow)
        fast = timed(args.repeat, propagate, index, edge_share, node_share, stock)
        result = propagate(index, edge_share, node_share, stock)
        line = f"{len(src):>9,} {n:>8,} {build:>14.3f} {fast:>12.4f}"
        if not args.no_reference:
            edges = list(zip(src.tolist(), dst.tolist(), material.tolist(), flow.tolist()))
            start = time.perf_counter()
            ratio, _ = reference_propagate(
                n, edges, edge_share.tolist(), node_share.tolist(), stock.tolist()
            )
            slow = time.perf_counter() - start
            assert np.allclose(result.output_ratio, ratio), "engines disagree"
            line += f" {slow:>12.3f} {slow / fast:>8.0f}x"
        print(line, flush=True)


if __name__ == "__main__":
    main()
