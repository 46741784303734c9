"""Reference implementations of the propagation engine: obviously correct, slow."""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import linprog

INF = math.inf
SNAP = 1e-12  # as in the engine: an availability within this of 1 is 1


def _inputs(edges):
    inputs = {}
    for j, (_, d, m, _) in enumerate(edges):
        inputs.setdefault(d, {}).setdefault(m, []).append(j)
    return inputs


def _availability(edges, js, edge_share, ratio):
    base = sum(edges[j][3] for j in js)
    got = sum(edges[j][3] * edge_share[j] * ratio[edges[j][0]] for j in js) / base if base else 1
    return 1.0 if got > 1 - SNAP else got


def reference_propagate(n, edges, edge_share, node_share, stock, ratio=None):
    """Plain-Python fixed-point iteration over all nodes; exact on graphs without loops.

    With ``ratio`` given (e.g. from :func:`greatest_fixed_point`), only the days are
    iterated.
    """
    fixed = ratio is not None
    ratio = list(ratio) if fixed else list(node_share)
    days = [0.0 if node_share[v] < 1 else INF for v in range(n)]
    inputs = _inputs(edges)
    for _ in range(100_000):
        new_ratio, new_days = list(ratio), list(days)
        for v, groups in inputs.items():
            avail, reach = 1.0, INF
            for js in groups.values():
                a = _availability(edges, js, edge_share, ratio)
                avail = min(avail, a)
                if a < 1:
                    for j in js:
                        start = 0.0 if edge_share[j] < 1 else INF
                        if ratio[edges[j][0]] < 1:
                            start = min(start, days[edges[j][0]])
                        reach = min(reach, start)
            if not fixed:
                new_ratio[v] = avail * node_share[v]
            buffer = stock[v] / (1 - avail) if avail < 1 else INF
            new_days[v] = 0.0 if node_share[v] < 1 else reach + buffer
        done = max(abs(a - b) for a, b in zip(new_ratio, ratio)) < 1e-13 and new_days == days
        ratio, days = new_ratio, new_days
        if done:
            break
    return ratio, days


def greatest_fixed_point(n, edges, edge_share, node_share):
    """Output ratios as the greatest fixed point, exactly, loops included.

    The map r -> u x min over groups of min(1, availability) is monotone, so its greatest
    fixed point is the largest r with r <= T(r) (Knaster-Tarski): a linear program,
    maximise sum r subject to r_v <= u_v and r_v <= u_v x sum_e w_e r_src(e) for every
    input group. Exact up to the solver's tolerance (1e-10).
    """
    inputs = _inputs(edges)
    rows, bounds = [], [(0.0, node_share[v]) for v in range(n)]
    for v, groups in inputs.items():
        for js in groups.values():
            base = sum(edges[j][3] for j in js)
            row = np.zeros(n)
            row[v] += 1.0
            for j in js:
                row[edges[j][0]] -= node_share[v] * edges[j][3] * edge_share[j] / base
            rows.append((v, row))
    a_ub = np.array([row for _, row in rows]) if rows else None
    res = linprog(
        -np.ones(n),
        A_ub=a_ub,
        b_ub=np.zeros(len(rows)) if rows else None,
        bounds=bounds,
        method="highs",
        options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10},
    )
    return res.x.tolist()


def reference_lines(lines, edges, edge_share, node_share, *, iterations=2_000):
    """Output ratio per product line by plain fixed-point iteration over the recipes.

    ``lines`` maps each node to its lines, ``{node: {line: (weight)}}`` (one line ``""`` for a
    node without declared lines); ``edges`` are ``(u, v, material, flow, from_line, to_lines)``
    with ``from_line`` None for "all the supplier's lines" and ``to_lines`` None for "all the
    customer's lines". An edge reaching several lines is split among them by weight; a line's
    availability of a material is what arrives of its share of that material's inflow; its
    ratio is the minimum over materials, times its node's share. Written from the definition
    in docs/model.md, without the expanded graph the engine builds.
    """
    ratio = {(v, line): node_share[v] for v, named in lines.items() for line in named}

    def split(node, chosen):
        weights = {line: lines[node][line] for line in chosen}
        total = sum(weights.values())
        return {line: (w / total if total > 0 else 1 / len(weights)) for line, w in weights.items()}

    for _ in range(iterations):
        new = {}
        for v, named in lines.items():
            for line in named:
                groups = {}
                for j, (u, d, material, flow, from_line, to_lines) in enumerate(edges):
                    if d != v:
                        continue
                    targets = split(v, to_lines or list(lines[v]))
                    if line not in targets:
                        continue
                    base = flow * targets[line]
                    sources = split(u, [from_line] if from_line else list(lines[u]))
                    arrived = (
                        base
                        * edge_share[j]
                        * sum(share * ratio[(u, s)] for s, share in sources.items())
                    )
                    got = groups.setdefault(material, [0.0, 0.0])
                    got[0] += base
                    got[1] += arrived
                avail = 1.0
                for base, arrived in groups.values():
                    if base > 0:
                        a = arrived / base
                        avail = min(avail, 1.0 if a > 1 - SNAP else a)
                new[(v, line)] = avail * node_share[v]
        done = max(abs(new[k] - ratio[k]) for k in ratio) < 1e-14
        ratio = new
        if done:
            break
    return ratio
