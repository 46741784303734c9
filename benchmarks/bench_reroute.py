"""Time the rerouting LP on a synthetic layered supply graph.

Example:
    python benchmarks/bench_reroute.py --edges 100000 --seed 1
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from supplygraph.dataset.graph import SupplyGraph, build_graph
from supplygraph.dataset.io import Dataset, load_regimes
from supplygraph.engine import lp
from supplygraph.engine.propagate import propagate
from supplygraph.engine.reroute import MAX_COLUMNS, TIME_LIMIT, _Model, reroute
from supplygraph.scenario.parse import LicencePolicy, Scenario
from supplygraph.scenario.resolve import resolve

STAGES = ("mine", "separation", "metal", "magnet", "component", "manufacturer")
# materials each stage ships, with the elements they carry
MATERIALS = {
    "mine": [("concentrate", "La;Ce;Nd;Pr;Dy;Tb")],
    "separation": [("ndpr_oxide", "Nd;Pr"), ("heavy_oxide", "Dy;Tb"), ("lace_oxide", "La;Ce")],
    "metal": [("ndpr_metal", "Nd;Pr"), ("dy_metal", "Dy"), ("tb_metal", "Tb")],
    "magnet": [("ndfeb_sintered", "Nd;Pr;Dy;Tb"), ("ndfeb_bonded", "Nd;Pr")],
    "component": [
        ("traction_motor", "Nd;Pr;Dy;Tb"),
        ("generator", "Nd;Pr;Dy"),
        ("actuator", "Nd;Pr"),
    ],
}
UPSTREAM_COUNTRIES = ["AU", "US", "MY", "MM", "VN", "CN"]
DOWNSTREAM_COUNTRIES = ["CN", "CN", "JP", "DE", "US", "KR", "FR", "VN", "IN"]
SECTORS = ["ev", "wind", "electronics", "defence", "industrial"]
IN_DEGREE = 4


# nodes per stage (mine ... manufacturer), as weights
SHAPES = {
    # as many nodes in every stage, each buying from anywhere in the stage above: an expander,
    # the hardest case for the LP's sparse factorisations
    "uniform": (1, 1, 1, 1, 1, 1),
    # shaped like the industry: a few dozen mines and separators, a few hundred metal and
    # magnet plants, thousands of component makers and tens of thousands of product makers
    # (see docs/performance.md)
    "pyramid": (50, 60, 100, 300, 5000, 20000),
}


def layer_sizes(n_edges: int, shape: str) -> np.ndarray:
    """Nodes per stage for about ``n_edges`` edges (every node past the mines buys IN_DEGREE)."""
    weights = np.array(SHAPES[shape], float)
    scale = n_edges / (IN_DEGREE * weights[1:].sum())
    return np.maximum(IN_DEGREE + 1, np.round(weights * scale)).astype(np.int64)


def synthetic_graph(n_edges: int, seed: int, **options: float | int | str) -> SupplyGraph:
    """Build the graph of :func:`synthetic_tables` (same arguments)."""
    nodes, edges = synthetic_tables(n_edges, seed, **options)
    return build_graph(Dataset(nodes, edges, load_regimes(), Path("."), ""))


def synthetic_tables(
    n_edges: int,
    seed: int,
    *,
    china: float = 0.55,
    window: int = 0,
    spare: float = 0.1,
    shape: str = "uniform",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the nodes and edges of a 6-stage layered graph with about ``n_edges`` edges.

    ``china`` is the share of upstream nodes (mine, separation, metal) in China; a
    ``window`` > 0 makes customers buy only from suppliers within that many positions of
    their own (regional supply chains), 0 from anywhere in the stage above. ``spare`` is
    the share of non-maker nodes with a capacity figure, 0-50% above their output (the
    bundled data has 14 of 149 nodes with spare capacity: about 0.1); the others have no
    capacity figure, hence no spare capacity. ``shape`` names the nodes per stage (SHAPES).
    """
    rng = np.random.default_rng(seed)
    sizes = layer_sizes(n_edges, shape)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    ids, stages, countries = [], [], []
    for stage, size in zip(STAGES, sizes):
        ids += [f"{stage[:3]}{i}" for i in range(size)]
        stages += [stage] * size
        if stage in ("mine", "separation", "metal"):
            odds = np.full(len(UPSTREAM_COUNTRIES), (1 - china) / (len(UPSTREAM_COUNTRIES) - 1))
            odds[UPSTREAM_COUNTRIES.index("CN")] = china
            countries += list(rng.choice(UPSTREAM_COUNTRIES, size, p=odds))
        else:
            countries += list(rng.choice(DOWNSTREAM_COUNTRIES, size))
    src, dst, material, elements = [], [], [], []
    for layer in range(1, len(STAGES)):
        offered = MATERIALS[STAGES[layer - 1]]
        size, above = int(sizes[layer]), int(sizes[layer - 1])
        customers = np.repeat(np.arange(size), IN_DEGREE) + starts[layer]
        if window:
            offsets = rng.integers(-window, window + 1, size * IN_DEGREE)
            own = (np.arange(size) * above // size).repeat(IN_DEGREE)
            local = (own + offsets) % above
        else:
            local = np.concatenate(
                [rng.choice(above, IN_DEGREE, replace=False) for _ in range(size)]
            )
        suppliers = starts[layer - 1] + local
        # each customer buys one or two materials of what the stage above offers
        picks = rng.integers(len(offered), size=(size, 2))
        choice = picks[np.arange(size).repeat(IN_DEGREE), np.tile([0, 0, 1, 1], size)]
        src.append(suppliers)
        dst.append(customers)
        material += [offered[c][0] for c in choice]
        elements += [offered[c][1] for c in choice]
    src_all, dst_all = np.concatenate(src), np.concatenate(dst)
    # keep one edge per (supplier, customer, material)
    keys = pd.DataFrame({"s": src_all, "d": dst_all, "m": material})
    keep = ~keys.duplicated().to_numpy()
    src_all, dst_all = src_all[keep], dst_all[keep]
    material, elements = np.array(material)[keep], np.array(elements)[keep]
    layer_of = np.repeat(np.arange(len(STAGES)), sizes)
    flow = _balanced_flows(rng, layer_of, src_all, dst_all)
    out = np.bincount(src_all, flow, minlength=len(ids))
    capacity = np.where(rng.random(len(ids)) < spare, out * rng.uniform(1.0, 1.5, len(ids)), np.nan)
    is_maker = np.array(stages) == "manufacturer"
    nodes = pd.DataFrame(
        {
            "csv_line": np.arange(len(ids)) + 2,
            "id": ids,
            "name": ids,
            "stage": stages,
            "country": countries,
            "company": "",
            "sector": np.where(is_maker, rng.choice(SECTORS, len(ids)), ""),
            "capacity_t": np.where(is_maker, np.nan, capacity),
            "stock_days": np.nan,
            "source": "synthetic",
            "status": "assumption",
            "note": "",
        }
    )
    edges = pd.DataFrame(
        {
            "csv_line": np.arange(len(flow)) + 2,
            "supplier": np.array(ids)[src_all],
            "customer": np.array(ids)[dst_all],
            "material": material,
            "elements": elements,
            "flow_t": flow,
            "source": "synthetic",
            "status": "assumption",
            "licence": "",
            "note": "",
        }
    )
    return nodes, edges


def _balanced_flows(
    rng: np.random.Generator, layer_of: np.ndarray, src: np.ndarray, dst: np.ndarray
) -> np.ndarray:
    """Edge flows in mass balance (REO-equivalent): from the makers' demand up, each node
    takes in 1.0-1.1 times what it ships (processing losses), split at random over its inputs."""
    n_nodes, last = len(layer_of), len(STAGES) - 1
    flow = np.zeros(len(src))
    need = np.zeros(n_nodes)
    makers = layer_of == last
    need[makers] = rng.uniform(20, 200, int(makers.sum()))  # makers' intake
    for layer in range(last, 0, -1):
        into = np.flatnonzero(layer_of[dst] == layer)
        weight = rng.uniform(0.2, 1.0, len(into))
        share = weight / np.bincount(dst[into], weight, minlength=n_nodes)[dst[into]]
        flow[into] = need[dst[into]] * share
        shipped = np.bincount(src[into], flow[into], minlength=n_nodes)
        need = np.where(shipped > 0, shipped * rng.uniform(1.0, 1.1, n_nodes), 0.0)
    return np.round(flow, 3)


def _time_stages(times: dict[str, list[float]]) -> None:
    """Record how long each LP stage takes, by wrapping the solver call."""
    solve = lp.Lp.solve

    def timed(
        self: lp.Lp, cost: np.ndarray, stage: str, method: str, time_limit: float
    ) -> np.ndarray:
        started = time.perf_counter()
        try:
            return solve(self, cost, stage, method, time_limit)
        finally:
            times.setdefault(f"{stage} ({method})", []).append(time.perf_counter() - started)

    lp.Lp.solve = timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, default=100_000, help="about this many edges")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (the best is shown)")
    parser.add_argument(
        "--china", type=float, default=0.55, help="share of upstream nodes in China (default 0.55)"
    )
    parser.add_argument(
        "--window",
        type=int,
        default=0,
        help="buy only from suppliers within this many positions (0: anywhere)",
    )
    parser.add_argument(
        "--licensed",
        type=float,
        default=0.0,
        help="share of CN-2025-18's licence edges still licensed (default 0: cut)",
    )
    parser.add_argument(
        "--shape",
        choices=sorted(SHAPES),
        default="uniform",
        help="nodes per stage: uniform (the hard case, default) or pyramid "
        "(shaped like the industry)",
    )
    parser.add_argument(
        "--spare",
        type=float,
        default=0.1,
        help="share of nodes with spare capacity (default 0.1, as in the "
        "bundled data; 0.7 is a stress test)",
    )
    parser.add_argument(
        "--time-limit", type=float, default=TIME_LIMIT, help="rerouting's, in seconds"
    )
    parser.add_argument(
        "--max-columns", type=int, default=MAX_COLUMNS, help="rerouting's size rule"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    graph = synthetic_graph(
        args.edges,
        args.seed,
        china=args.china,
        window=args.window,
        spare=args.spare,
        shape=args.shape,
    )
    _ = graph.index
    built = time.perf_counter() - started
    policy = (
        LicencePolicy("CN-2025-18", "throttle", args.licensed)
        if args.licensed
        else LicencePolicy("CN-2025-18", "cut")
    )
    scenario = Scenario("bench", licences=(policy,))
    started = time.perf_counter()
    disruption = resolve(graph, scenario)
    prop = propagate(
        graph.index, disruption.edge_share, disruption.node_share, np.zeros(graph.n_nodes)
    )
    resolved = time.perf_counter() - started

    times, model_times = [], []
    stage_times: dict[str, list[float]] = {}
    _time_stages(stage_times)
    for _ in range(args.repeat):
        started = time.perf_counter()
        model = _Model(graph, disruption, prop)
        model_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        rerouting = reroute(
            graph, disruption, prop, time_limit=args.time_limit, max_columns=args.max_columns
        )
        times.append(time.perf_counter() - started)
    maker = (graph.nodes["stage"] == "manufacturer").to_numpy()
    base = graph.baseline_t[maker].sum()
    before = (prop.output_ratio * graph.baseline_t)[maker].sum()
    after = rerouting.node_after_t[maker].sum()
    n_trade = len(model.sell_out) + len(model.buy_in)
    print(
        f"graph: {graph.n_nodes:,} nodes, {graph.n_edges:,} edges, {args.shape} "
        f"({', '.join(map(str, layer_sizes(args.edges, args.shape)))} per stage; built in "
        f"{built:.2f} s); seed {args.seed}"
    )
    print(
        f"licence edges {'throttled' if args.licensed else 'cut'} (CN-2025-18): "
        f"{(disruption.edge_share < 1).sum():,}; "
        f"resolve + propagate {resolved:.2f} s"
    )
    print(
        f"LP: {len(model.no_adaptation()):,} variables ({n_trade:,} sales into and purchases "
        f"from {model.n_markets:,} markets for new links), "
        f"{len(model.in_ratio) + len(model.out_ratio) + model.n_markets:,} rows"
    )
    print(
        f"reroute(): best {min(times):.2f} s of {args.repeat} "
        f"(model building {min(model_times):.2f} s); status: {rerouting.status}"
        + (f"\n{rerouting.stopped}" if rerouting.stopped else "")
    )
    print(
        "HiGHS, best of each stage: "
        + "; ".join(f"{stage} {min(runs):.2f} s" for stage, runs in stage_times.items())
    )
    print(
        f"makers: baseline {base:,.0f} t, no adaptation {before:,.0f} t "
        f"({100 * before / base:.1f}%), after rerouting {after:,.0f} t "
        f"({100 * after / base:.1f}%); rerouted flows: {len(rerouting.flows):,} "
        f"({int(rerouting.flows['new_link'].sum()):,} new links)"
    )


if __name__ == "__main__":
    main()
