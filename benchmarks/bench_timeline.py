"""Benchmark: a one-year daily run on the bundled data and on synthetic layered graphs.

Usage: python benchmarks/bench_timeline.py [--edges 10000 100000] [--seed 1] [--repeat 3]
                                          [--draws 1000] [--draw-edges 10000] [--dask 2]
                                          [--commands [simulate] [timeline]] [--ratio N]

Each run is timed without adaptation and with every dynamic on (``ADAPTING``: restocking at
1/60 of the gap a day, order shifting with a 30-day ramp-up, demand following output; the
synthetic graphs get a capacity of 1.2 times each node's baseline so that orders can move).
``--ratio N``: instead, N rounds of the run without adaptation, with ``ADAPTING`` and with
new links too, interleaved in one process and timed in CPU time (a shared machine disturbs
it less than wall-clock time), on the bundled data and the ``--edges`` graphs; prints the
medians and their ratios to the run without adaptation (issue 25's acceptance: 1.5x).

``--draws N``: N daily draws (the bands: ranges, queue places, plants within aggregates) on
the bundled data and on synthetic graphs of ``--draw-edges`` edges; ``--commands``: the whole
commands ``simulate -s 2025-11-truce`` (with its bands, page and chart; also with
``--draws 0`` and ``--no-html``, and ``supplygraph --help``) and ``timeline -s 2025-replay
--draws N``, each the median of ``--repeat`` fresh processes, wall clock and CPU time
(``--commands simulate`` or ``--commands timeline``: only those; ``--commands others``:
``supplygraph --help``, ``validate`` and ``timeline -s 2025-replay`` without draws, which
must not get slower); ``--against DIR``: the same commands of another checkout (its folder,
put first on ``PYTHONPATH``) too, run by run alternating with this one so that both see the
same load; ``--dask W``: the bundled draws on a local Dask cluster of W workers, checked to
give the same bytes as in-process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_propagate import layered_graph

import supplygraph as sg
from supplygraph.analyses.bands import simulate_bands
from supplygraph.analyses.timeline import simulate_days
from supplygraph.dataset.graph import build_graph
from supplygraph.dataset.io import Dataset, load_dated_tables, load_plants, load_regimes
from supplygraph.scenario.parse import Dynamics, LicencePolicy, Rule, Scenario

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
    parser.add_argument("--draws", type=int, default=0)
    parser.add_argument("--draw-edges", type=int, nargs="*", default=[10_000])
    parser.add_argument(
        "--commands", nargs="*", choices=["simulate", "timeline", "others"], default=None
    )
    parser.add_argument("--against", type=Path, default=None, help="another checkout's folder")
    parser.add_argument("--dask", type=int, default=0)
    parser.add_argument("--ratio", type=int, default=0)
    args = parser.parse_args()
    global AGAINST
    AGAINST = args.against.resolve() if args.against else None
    if args.draws or args.commands is not None or args.dask:
        bands(args)
        return
    if args.ratio:
        ratios(args)
        return
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


def ratios(args: argparse.Namespace) -> None:
    """CPU time of the run without adaptation, with every dynamic and with new links too,
    interleaved round by round; medians and ratios."""
    approvals, transit, _ = load_dated_tables()
    graph = sg.load()
    runs = [
        (
            f"bundled data ({graph.n_edges:,} edges), 2025-replay",
            graph,
            graph,
            sg.load_scenario("2025-replay"),
        )
    ]
    for n_edges in args.edges:
        big = synthetic(n_edges, args.seed)
        roomy = replace(big, nodes=big.nodes.assign(capacity_t=1.2 * big.baseline_t))
        cut = Scenario(
            "cut", rules=(Rule("country=CN", "throttle", 0.5),), start=dt.date(2025, 5, 1)
        )
        runs.append((f"{big.n_edges:,} edges", big, roomy, cut))
    for name, plain_graph, roomy, scenario in runs:
        cases = [
            (plain_graph, scenario),
            (roomy, scenario.with_changes(dynamics=ADAPTING)),
            (roomy, scenario.with_changes(dynamics=replace(ADAPTING, new_links=True))),
        ]
        seconds: list[list[float]] = [[], [], []]
        for _ in range(args.ratio):
            for case, (big, dated) in enumerate(cases):
                start = time.process_time()
                simulate_days(big, dated, approvals, transit)
                seconds[case].append(time.process_time() - start)
        plain, adapting, links = (statistics.median(s) for s in seconds)
        print(
            f"{name}: {plain:.3f} s; every dynamic {adapting:.3f} s ({adapting / plain:.2f}x); "
            f"with new links {links:.3f} s ({links / plain:.2f}x)"
        )


def command_times(*args: str, checkout: Path | None = None) -> tuple[float, float]:
    """Wall-clock and CPU (user + system, the command's own processes) seconds of one whole
    command in a fresh process: on a shared machine the CPU time is the steadier of the two.
    With ``checkout``, that folder's package (first on ``PYTHONPATH``; run from outside any
    checkout, as ``python -m`` puts the current folder first)."""
    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(checkout), env.get("PYTHONPATH", "")])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "supplygraph", *args],
        check=True,
        capture_output=True,
        env=env,
        cwd=tempfile.gettempdir(),
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


AGAINST: Path | None = None  # --against: another checkout, timed alternately with this one


def median_times(repeat: int, *args: str) -> str:
    """The median wall-clock and CPU seconds of ``repeat`` runs of a command, as text; with
    ``--against``, the other checkout's too, the two run alternately."""
    here = Path(__file__).resolve().parent.parent
    checkouts = [here] if AGAINST is None else [AGAINST, here]
    runs: list[list[tuple[float, float]]] = [[] for _ in checkouts]
    for _ in range(repeat):
        for k, checkout in enumerate(checkouts):
            runs[k].append(command_times(*args, checkout=checkout))
    texts = []
    for checkout, times in zip(checkouts, runs):
        wall = statistics.median(run[0] for run in times)
        cpu = statistics.median(run[1] for run in times)
        each = ", ".join(f"{run[0]:.2f}" for run in times)
        name = f"{checkout.name}: " if AGAINST is not None else ""
        texts.append(f"{name}{wall:.2f} s (CPU {cpu:.2f} s; runs {each})")
    return "; ".join(texts) + f" [load {os.getloadavg()[0]:.1f}]"


def bands(args: argparse.Namespace) -> None:
    """The draws of the dated run, the whole commands with bands, and Dask's bytes."""
    approvals, transit, _ = load_dated_tables()
    graph = sg.load()
    replay = sg.load_scenario("2025-replay")
    plants = load_plants()
    if args.draws:
        seconds = timed(
            args.repeat,
            lambda: simulate_bands(
                graph, replay, approvals, transit, draws=args.draws, plants=plants
            ),
        )
        print(f"bundled, 2025-replay, {args.draws:,} daily draws with plants: {seconds:.2f} s")
        seconds = timed(
            args.repeat, lambda: simulate_bands(graph, replay, approvals, transit, draws=args.draws)
        )
        print(f"  ... without splitting aggregates into plants: {seconds:.2f} s")
        start = dt.date(2025, 5, 1)
        policy = LicencePolicy("CN-2025-18", "throttle", 0.5)
        licensed = Scenario("licensed", licences=(policy,), start=start)
        for n_edges in args.draw_edges:
            big = synthetic(n_edges, args.seed)
            seconds = timed(
                1,
                lambda big=big: simulate_bands(big, licensed, approvals, transit, draws=args.draws),
            )
            print(f"{big.n_edges:,} edges, 365 days, {args.draws:,} daily draws: {seconds:.1f} s")
    wanted = set(args.commands or ["simulate", "timeline"]) if args.commands is not None else set()
    if "simulate" in wanted:
        with tempfile.TemporaryDirectory() as out:
            truce = ("simulate", "-s", "2025-11-truce", "-q", "--out", out)
            print(
                "simulate -s 2025-11-truce (bands: 200 draws, page, chart), whole command: "
                + median_times(args.repeat, *truce)
            )
            print("  ... --draws 0: " + median_times(args.repeat, *truce, "--draws", "0"))
            print("  ... --no-html: " + median_times(args.repeat, *truce, "--no-html"))
            print("supplygraph --help: " + median_times(args.repeat, "--help"))
    if "timeline" in wanted:
        with tempfile.TemporaryDirectory() as out:
            draws = str(args.draws or 1000)
            print(
                f"timeline -s 2025-replay --draws {draws}, whole command: "
                + median_times(
                    args.repeat,
                    "timeline",
                    "-s",
                    "2025-replay",
                    "--draws",
                    draws,
                    "-q",
                    "--out",
                    out,
                )
            )
    if "others" in wanted:
        with tempfile.TemporaryDirectory() as out:
            print("supplygraph --help: " + median_times(args.repeat, "--help"))
            print("validate: " + median_times(args.repeat, "validate"))
            print(
                "timeline -s 2025-replay (no draws): "
                + median_times(args.repeat, "timeline", "-s", "2025-replay", "-q", "--out", out)
            )
    if args.dask:
        draws = args.draws or 1000
        here = simulate_bands(graph, replay, approvals, transit, draws=draws, plants=plants)
        there = simulate_bands(
            graph, replay, approvals, transit, draws=draws, plants=plants, workers=args.dask
        )
        same = all(
            getattr(here, t).to_csv() == getattr(there, t).to_csv()
            for t in ("months", "stoppages", "lines")
        )
        print(f"Dask local cluster ({args.dask} workers), {draws:,} draws: identical = {same}")


if __name__ == "__main__":
    main()
