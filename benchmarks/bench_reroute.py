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

from supplygraph.graph import SupplyGraph, build_graph
from supplygraph.io import Dataset, load_regimes
from supplygraph.propagate import propagate
from supplygraph.reroute import _Model, reroute
from supplygraph.scenario import LicencePolicy, Scenario, resolve

STAGES = ("mine", "separation", "metal", "magnet", "component", "manufacturer")
# materials each stage ships, with the elements they carry
MATERIALS = {
    "mine": [("concentrate", "La;Ce;Nd;Pr;Dy;Tb")],
    "separation": [("ndpr_oxide", "Nd;Pr"), ("heavy_oxide", "Dy;Tb"), ("lace_oxide", "La;Ce")],
    "metal": [("ndpr_metal", "Nd;Pr"), ("dy_metal", "Dy"), ("tb_metal", "Tb")],
    "magnet": [("ndfeb_sintered", "Nd;Pr;Dy;Tb"), ("ndfeb_bonded", "Nd;Pr")],
    "component": [("traction_motor", "Nd;Pr;Dy;Tb"), ("generator", "Nd;Pr;Dy"),
                  ("actuator", "Nd;Pr")],
}  # fmt: skip
UPSTREAM_COUNTRIES = ["AU", "US", "MY", "MM", "VN", "CN"]
DOWNSTREAM_COUNTRIES = ["CN", "CN", "JP", "DE", "US", "KR", "FR", "VN", "IN"]
SECTORS = ["ev", "wind", "electronics", "defence", "industrial"]
IN_DEGREE = 4


def synthetic_graph(n_edges: int, seed: int, *, china: float = 0.55, window: int = 0,
                    spare: float = 0.1) -> SupplyGraph:  # fmt: skip
    """Build a 6-stage layered graph with about ``n_edges`` edges.

    ``china`` is the share of upstream nodes (mine, separation, metal) in China; a
    ``window`` > 0 makes customers buy only from suppliers within that many positions of
    their own (regional supply chains), 0 from anywhere in the stage above. ``spare`` is
    the share of non-maker nodes with a capacity figure, 0-50% above their output (the
    bundled data has 14 of 149 nodes with spare capacity: about 0.1); the others have no
    capacity figure, hence no spare capacity.
    """
    rng = np.random.default_rng(seed)
    per_layer = max(2, n_edges // (IN_DEGREE * (len(STAGES) - 1)))
    ids, stages, countries = [], [], []
    for stage in STAGES:
        ids += [f"{stage[:3]}{i}" for i in range(per_layer)]
        stages += [stage] * per_layer
        if stage in ("mine", "separation", "metal"):
            odds = np.full(len(UPSTREAM_COUNTRIES), (1 - china) / (len(UPSTREAM_COUNTRIES) - 1))
            odds[UPSTREAM_COUNTRIES.index("CN")] = china
            countries += list(rng.choice(UPSTREAM_COUNTRIES, per_layer, p=odds))
        else:
            countries += list(rng.choice(DOWNSTREAM_COUNTRIES, per_layer))
    src, dst, material, elements = [], [], [], []
    for layer in range(1, len(STAGES)):
        offered = MATERIALS[STAGES[layer - 1]]
        customers = np.repeat(np.arange(per_layer), IN_DEGREE) + layer * per_layer
        if window:
            offsets = rng.integers(-window, window + 1, per_layer * IN_DEGREE)
            local = (np.arange(per_layer).repeat(IN_DEGREE) + offsets) % per_layer
        else:
            local = np.concatenate([rng.choice(per_layer, IN_DEGREE, replace=False)
                                    for _ in range(per_layer)])  # fmt: skip
        suppliers = (layer - 1) * per_layer + local
        # each customer buys one or two materials of what the stage above offers
        picks = rng.integers(len(offered), size=(per_layer, 2))
        choice = picks[np.arange(per_layer).repeat(IN_DEGREE), np.tile([0, 0, 1, 1], per_layer)]
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
    flow = _balanced_flows(rng, len(ids), per_layer, src_all, dst_all)
    out = np.bincount(src_all, flow, minlength=len(ids))
    capacity = np.where(rng.random(len(ids)) < spare, out * rng.uniform(1.0, 1.5, len(ids)),
                        np.nan)  # fmt: skip
    is_maker = np.array(stages) == "manufacturer"
    nodes = pd.DataFrame({
        "line": np.arange(len(ids)) + 2, "id": ids, "name": ids, "stage": stages,
        "country": countries, "company": "",
        "sector": np.where(is_maker, rng.choice(SECTORS, len(ids)), ""),
        "capacity_t": np.where(is_maker, np.nan, capacity), "stock_days": np.nan,
        "source": "synthetic", "status": "assumption", "note": "",
    })  # fmt: skip
    edges = pd.DataFrame({
        "line": np.arange(len(flow)) + 2, "supplier": np.array(ids)[src_all],
        "customer": np.array(ids)[dst_all], "material": material,
        "elements": elements, "flow_t": flow, "source": "synthetic",
        "status": "assumption", "licence": "", "note": "",
    })  # fmt: skip
    return build_graph(Dataset(nodes, edges, load_regimes(), Path("."), ""))


def _balanced_flows(rng: np.random.Generator, n_nodes: int, per_layer: int, src: np.ndarray,
                    dst: np.ndarray) -> np.ndarray:  # fmt: skip
    """Edge flows in mass balance (REO-equivalent): from the makers' demand up, each node
    takes in 1.0-1.1 times what it ships (processing losses), split at random over its inputs."""
    flow = np.zeros(len(src))
    need = np.zeros(n_nodes)
    need[-per_layer:] = rng.uniform(20, 200, per_layer)  # makers' intake
    for layer in range(len(STAGES) - 1, 0, -1):
        into = np.flatnonzero(dst // per_layer == layer)
        weight = rng.uniform(0.2, 1.0, len(into))
        share = weight / np.bincount(dst[into], weight, minlength=n_nodes)[dst[into]]
        flow[into] = need[dst[into]] * share
        shipped = np.bincount(src[into], flow[into], minlength=n_nodes)
        need = np.where(shipped > 0, shipped * rng.uniform(1.0, 1.1, n_nodes), 0.0)
    return np.round(flow, 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, default=100_000, help="about this many edges")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (the best is shown)")
    parser.add_argument("--china", type=float, default=0.55,
                        help="share of upstream nodes in China (default 0.55)")
    parser.add_argument("--window", type=int, default=0,
                        help="buy only from suppliers within this many positions (0: anywhere)")
    parser.add_argument("--spare", type=float, default=0.1,
                        help="share of nodes with spare capacity (default 0.1, as in the "
                        "bundled data; 0.7 is a stress test)")
    args = parser.parse_args()

    started = time.perf_counter()
    graph = synthetic_graph(args.edges, args.seed, china=args.china, window=args.window,
                            spare=args.spare)
    _ = graph.index
    built = time.perf_counter() - started
    scenario = Scenario("bench", licences=(LicencePolicy("CN-2025-18", "cut"),))
    started = time.perf_counter()
    disruption = resolve(graph, scenario)
    prop = propagate(graph.index, disruption.edge_share, disruption.node_share,
                     np.zeros(graph.n_nodes))  # fmt: skip
    resolved = time.perf_counter() - started

    times, model_times = [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        model = _Model(graph, disruption, prop)
        model_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        rerouting = reroute(graph, disruption, prop)
        times.append(time.perf_counter() - started)
    maker = (graph.nodes["stage"] == "manufacturer").to_numpy()
    base = graph.baseline_t[maker].sum()
    before = (prop.output_ratio * graph.baseline_t)[maker].sum()
    after = rerouting.node_after_t[maker].sum()
    n_trade = len(model.sell_out) + len(model.buy_in)
    print(f"graph: {graph.n_nodes:,} nodes, {graph.n_edges:,} edges "
          f"(built in {built:.2f} s); seed {args.seed}")
    print(f"licence edges cut (CN-2025-18): {(disruption.edge_share < 1).sum():,}; "
          f"resolve + propagate {resolved:.2f} s")
    print(f"LP: {model.n_columns:,} variables ({n_trade:,} sales into and purchases from "
          f"{model.n_markets:,} markets for new links), "
          f"{len(model.in_ratio) + len(model.out_ratio) + model.n_markets:,} rows")
    print(f"reroute(): best {min(times):.2f} s of {args.repeat} "
          f"(model building {min(model_times):.2f} s); status: {rerouting.status}")
    print(f"makers: baseline {base:,.0f} t, no adaptation {before:,.0f} t "
          f"({100 * before / base:.1f}%), after rerouting {after:,.0f} t "
          f"({100 * after / base:.1f}%); rerouted flows: {len(rerouting.flows):,} "
          f"({int(rerouting.flows['new_link'].sum()):,} new links)")


if __name__ == "__main__":
    main()
