"""Benchmark: `supplygraph validate` on a synthetic dataset folder, wall time and peak memory.

Usage: python benchmarks/bench_load.py [--edges 10000 100000 1000000] [--seed 1] [--repeat 3]
    [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

STAGES = ("mine", "separation", "metal", "magnet", "component", "manufacturer")
MATERIALS = ("concentrate", "mixed_oxide", "ndpr_metal", "ndfeb_sintered", "motor")
SHARES = np.array([0.02, 0.04, 0.08, 0.16, 0.30, 0.40])  # nodes per stage, mines to makers
COUNTRIES = ("CN", "AU", "US", "MM", "JP", "DE", "VN", "MY")
SECTORS = ("ev", "wind", "defence", "electronics", "industrial")
IN_DEGREE = 4
NODE_HEADER = "id,name,stage,country,company,sector,capacity_t,stock_days,source,status,note"
EDGE_HEADER = "supplier,customer,material,elements,flow_t,source,status,licence,note"
SOURCE = "USGS Mineral Commodity Summaries 2025 - Rare Earths (synthetic benchmark row)"
TAIL = (SOURCE, "estimate", "")  # source, status, note


def write_dataset(folder: Path, n_edges: int, seed: int) -> tuple[int, int]:
    """Write nodes.csv and edges.csv of a layered 6-stage graph; return (nodes, edges).

    Every node past the mines buys from about four suppliers of the stage above (the first
    supplier cycles through that stage, so every plant has a customer) and flows are in mass
    balance, so the data validates without warnings, as good data does.
    """
    rng = np.random.default_rng(seed)
    n_nodes = n_edges // IN_DEGREE + 64
    sizes = np.maximum(4, (SHARES * n_nodes).astype(int))
    starts = np.concatenate([[0], np.cumsum(sizes)])
    ids = np.array([f"{stage[:3]}-{i}" for stage, size in zip(STAGES, sizes) for i in range(size)])
    src, dst = [], []
    for layer in range(1, len(STAGES)):
        size, above = int(sizes[layer]), int(sizes[layer - 1])
        customers = np.arange(size).repeat(IN_DEGREE)
        suppliers = rng.integers(0, above, size * IN_DEGREE)
        suppliers[::IN_DEGREE] = np.arange(size) % above
        pairs = np.unique(np.stack([suppliers, customers], axis=1), axis=0)
        src.append(pairs[:, 0] + starts[layer - 1])
        dst.append(pairs[:, 1] + starts[layer])
    src_all, dst_all = np.concatenate(src), np.concatenate(dst)
    layer = np.repeat(np.arange(len(STAGES)), sizes)
    # each node ships what it receives, split evenly over its customers (mines: 1,000 t)
    out_degree = np.bincount(src_all, minlength=len(ids))
    inflow = np.where(layer == 0, 1000.0, 0.0)
    flow = np.zeros(len(src_all))
    for stage in range(len(STAGES) - 1):
        edges = np.flatnonzero(layer[src_all] == stage)
        flow[edges] = inflow[src_all[edges]] / out_degree[src_all[edges]]
        inflow += np.bincount(dst_all[edges], flow[edges], minlength=len(ids))
    with open(folder / "nodes.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(NODE_HEADER.split(","))
        for i, node in enumerate(ids):
            stage = STAGES[layer[i]]
            sector = SECTORS[i % len(SECTORS)] if stage == "manufacturer" else ""
            country = COUNTRIES[i % len(COUNTRIES)]
            writer.writerow(
                [node, f"Plant {node}", stage, country, f"Co {i % 97}", sector, "", i % 90, *TAIL]
            )
    with open(folder / "edges.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(EDGE_HEADER.split(","))
        for s, d, t in zip(src_all.tolist(), dst_all.tolist(), flow.tolist()):
            material = MATERIALS[layer[s]]
            writer.writerow(
                [ids[s], ids[d], material, "Nd;Pr;Dy", f"{t:.4f}", SOURCE, "estimate", "", ""]
            )
    return len(ids), len(src_all)


def run_validate(folder: Path) -> tuple[float, float, float, str]:
    """Run `supplygraph validate` in a subprocess.

    Returns (wall seconds, CPU seconds, peak RSS in MiB, stdout); the peak is the largest of
    any child so far (KiB on Linux), so main() runs the sizes smallest first.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "supplygraph", "validate", "--data", str(folder)],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"validate failed ({done.returncode}):\n{done.stderr[-2000:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, cpu, after.ru_maxrss / 1024, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="Runs per size; the best counts.")
    parser.add_argument("--keep", type=Path, help="Write the datasets here and keep them.")
    args = parser.parse_args()
    print(
        f"{'edges':>11} {'nodes':>9} {'MB on disk':>10} {'validate s':>11} {'CPU s':>7} "
        f"{'peak RSS MiB':>13}"
    )
    for n_edges in sorted(args.edges):
        with tempfile.TemporaryDirectory() as tmp:
            folder = (args.keep or Path(tmp)) / f"edges-{n_edges}"
            folder.mkdir(parents=True, exist_ok=True)
            n_nodes, n_written = write_dataset(folder, n_edges, args.seed)
            size = sum(p.stat().st_size for p in folder.glob("*.csv")) / 1e6
            runs = [run_validate(folder) for _ in range(args.repeat)]
            seconds, cpu, _, stdout = min(runs)  # the least disturbed by other work
            peak = max(run[2] for run in runs)
            assert f"{n_nodes} nodes, {n_written} edges" in stdout, stdout
            print(
                f"{n_written:>11,} {n_nodes:>9,} {size:>10.1f} {seconds:>9.2f} s "
                f"{cpu:>5.2f} s {peak:>13,.0f}"
            )


if __name__ == "__main__":
    main()
