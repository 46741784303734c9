"""A plain-Python reference of the propagation engine: obviously correct, slow."""

from __future__ import annotations

import math

INF = math.inf


def reference_propagate(n, edges, edge_share, node_share, stock):
    """Plain-Python fixed-point iteration over all nodes (obviously correct, slow)."""
    ratio = list(node_share)
    days = [0.0 if node_share[v] < 1 else INF for v in range(n)]
    inputs = {}
    for j, (_, d, m, _) in enumerate(edges):
        inputs.setdefault(d, {}).setdefault(m, []).append(j)
    for _ in range(100_000):
        new_ratio, new_days = list(ratio), list(days)
        for v, groups in inputs.items():
            avail, reach = 1.0, INF
            for js in groups.values():
                base = sum(edges[j][3] for j in js)
                got = sum(edges[j][3] * edge_share[j] * ratio[edges[j][0]] for j in js)
                a = min(got / base, 1.0) if base > 0 else 1.0
                avail = min(avail, a)
                if a < 1:
                    for j in js:
                        start = 0.0 if edge_share[j] < 1 else INF
                        if ratio[edges[j][0]] < 1:
                            start = min(start, days[edges[j][0]])
                        reach = min(reach, start)
            new_ratio[v] = avail * node_share[v]
            buffer = stock[v] / (1 - avail) if avail < 1 else INF
            new_days[v] = 0.0 if node_share[v] < 1 else reach + buffer
        done = max(abs(a - b) for a, b in zip(new_ratio, ratio)) < 1e-13 and new_days == days
        ratio, days = new_ratio, new_days
        if done:
            break
    return ratio, days
