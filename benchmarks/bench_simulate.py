"""Time a whole `supplygraph simulate` on a synthetic dataset folder, and its phases in process.

Example:
    python benchmarks/bench_simulate.py --edges 1000000
    python benchmarks/bench_simulate.py --edges 1000000 --reroute --time-limit 60
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_reroute import synthetic_tables

from supplygraph.analyses import exposure
from supplygraph.dataset.graph import load
from supplygraph.dataset.schema import EDGE_COLUMNS, NODE_COLUMNS
from supplygraph.outputs import report
from supplygraph.outputs.files import write_file_set
from supplygraph.scenario import resolve
from supplygraph.scenario.parse import load_scenario


def write_dataset(folder: Path, n_edges: int, seed: int) -> tuple[int, int]:
    """Write nodes.csv and edges.csv (the real CSV format) of a synthetic graph into ``folder``."""
    nodes, edges = synthetic_tables(n_edges, seed)
    nodes.reindex(columns=list(NODE_COLUMNS), fill_value="").to_csv(
        folder / "nodes.csv", index=False
    )
    edges.reindex(columns=list(EDGE_COLUMNS), fill_value="").to_csv(
        folder / "edges.csv", index=False
    )
    return len(nodes), len(edges)


def run_cli(args: list[str]) -> tuple[float, float, str]:
    """Run the CLI as a subprocess; return wall seconds, peak RSS in MB and its stderr."""
    started = time.perf_counter()
    with subprocess.Popen(
        [sys.executable, "-m", "supplygraph", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        stderr = child.stderr.read() if child.stderr else ""
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if child.returncode:
        raise SystemExit(f"supplygraph {' '.join(args)} exited {child.returncode}:\n{stderr}")
    return wall, usage.ru_maxrss / 1024, stderr  # ru_maxrss is in KiB on Linux


def timed(times: dict[str, float], module: Any, name: str, label: str) -> None:
    """Wrap ``module.name`` so that each call adds its duration to ``times[label]``."""
    function: Callable[..., Any] = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            times[label] = times.get(label, 0.0) + time.perf_counter() - started

    setattr(module, name, wrapper)


def peak_mb() -> float:
    """Return this process's peak resident memory so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phases(
    folder: Path, scenario: str, reroute: bool, time_limit: float
) -> tuple[dict[str, float], dict[str, float]]:
    """Run load, simulate and write the reports in process; return seconds per phase and the
    peak memory (MB) after loading, simulating and writing."""
    times: dict[str, float] = {}
    peaks: dict[str, float] = {}
    for module, name, label in [
        (resolve, "resolve", "resolve"),
        (exposure, "propagate", "propagate"),
        (exposure, "solve_reroute", "reroute"),
        (exposure, "origin_share", "origin + provenance"),
        (exposure, "provenance", "origin + provenance"),
    ]:
        timed(times, module, name, label)
    started = time.perf_counter()
    graph = load(folder)
    _ = graph.index
    times["load (read, validate, build graph and index)"] = time.perf_counter() - started
    peaks["load"] = peak_mb()
    started = time.perf_counter()
    result = exposure.simulate(
        graph, load_scenario(scenario), reroute=reroute, reroute_time_limit=time_limit
    )
    engine = time.perf_counter() - started
    times["tables"] = engine - sum(
        times.get(k, 0.0) for k in ("resolve", "propagate", "reroute", "origin + provenance")
    )
    peaks["simulate"] = peak_mb()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        write_file_set(out, report.report_files(result))  # rendered as written, piece by piece
    times["reports: format and write the CSVs"] = time.perf_counter() - started
    peaks["write reports"] = peak_mb()
    return times, peaks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, default=1_000_000, help="about this many edges")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", default="2025-10-package", help="a bundled scenario")
    parser.add_argument("--reroute", action="store_true", help="also reroute (default: not)")
    parser.add_argument("--time-limit", type=float, default=60.0, help="rerouting's, seconds")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        started = time.perf_counter()
        n_nodes, n_edges = write_dataset(folder, args.edges, args.seed)
        size = sum(f.stat().st_size for f in folder.iterdir()) / 1e6
        print(
            f"dataset: {n_nodes:,} nodes, {n_edges:,} edges, {size:.0f} MB of CSV "
            f"(written in {time.perf_counter() - started:.1f} s); scenario {args.scenario}"
        )
        command = ["simulate", "--data", str(folder), "-s", args.scenario, "--no-html", "-q"]
        command += ["--out", str(Path(tmp) / "out")]
        if args.reroute:
            command += ["--reroute-time-limit", str(args.time_limit)]
        else:
            command += ["--no-reroute"]
        wall, rss, stderr = run_cli(command)
        print(f"supplygraph {' '.join(command[:1] + command[3:])}")
        print(f"  whole command: {wall:.2f} s wall, peak RSS {rss:,.0f} MB")
        for line in stderr.splitlines():
            print(f"  stderr: {line}")
        times, peaks = phases(folder, args.scenario, args.reroute, args.time_limit)
        print("in process, seconds per phase:")
        for label, seconds in times.items():
            print(f"  {label:<48} {seconds:7.2f} s")
        print(
            "in process, peak RSS after "
            + ", ".join(f"{label} {mb:,.0f} MB" for label, mb in peaks.items())
        )


if __name__ == "__main__":
    main()
