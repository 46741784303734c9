"""Why a line falls short: its limiting input, the suppliers that failed it, the root cause."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .disruption import Disruption
    from .graph import SupplyGraph
    from .propagate import Propagation

SHORT = 1e-9  # a share below 1 - SHORT counts as a loss


@dataclass(frozen=True)
class Cause:
    """Where a loss starts: the node that stopped shipping, and why (a regime id, ``rule``
    for a scenario's cut or throttle, or ``outage`` for a node that is down)."""

    node: str
    reason: str

    def __str__(self) -> str:
        return f"{self.node} ({self.reason})"


def explain(graph: SupplyGraph, disruption: Disruption, prop: Propagation) -> pd.DataFrame:
    """Return, per node of ``graph``, why its output fell.

    A node's limiting input is its scarcest input material (the one that set its output
    ratio); the limiting suppliers are those whose deliveries of it fell short; the root
    causes follow each short delivery upstream to where the loss starts: a licence edge
    cut or throttled (named by its regimes), a scenario rule, or an outage. Inside a
    recycling loop the walk stops after two passes over the loop's level.

    Parameters
    ----------
    graph
        The graph the engine ran on (a production-lines graph, see
        :func:`supplygraph.production.production_lines`); node names come from its
        ``node`` column when it has one.
    disruption
        The multipliers on ``graph``'s edges and nodes, with ``edge_regimes``.
    prop
        The propagation on ``graph``.

    Returns
    -------
    pandas.DataFrame
        One row per node: ``limiting_input`` (a material, or empty), ``limiting_suppliers``
        (node ids, ``;``-separated) and ``causes`` (a list of :class:`Cause`).
    """
    index = graph.index
    n = graph.n_nodes
    names = (graph.nodes["node"] if "node" in graph.nodes else graph.nodes["id"]).to_numpy()
    material = graph.edges["material"].to_numpy()
    arrived = np.bincount(index.group, prop.edge_after_t, minlength=len(index.group_base))
    avail = np.divide(
        arrived, index.group_base, out=np.ones_like(arrived), where=index.group_base > 0
    )
    group_material = np.empty(len(index.group_base), dtype=object)
    group_material[index.group] = material
    # each node's scarcest group: the first of the lowest availability
    order = np.lexsort((np.arange(len(avail)), avail, index.group_node))
    first = np.ones(len(order), dtype=bool)
    first[1:] = index.group_node[order][1:] != index.group_node[order][:-1]
    limiting = np.full(n, -1)
    limiting[index.group_node[order][first]] = order[first]
    short_node = prop.output_ratio < 1 - SHORT
    limiting_group = np.where(short_node, limiting, -1)
    limiting_group[(limiting_group >= 0) & (avail[np.maximum(limiting_group, 0)] >= 1 - SHORT)] = -1
    short_edge = prop.edge_after_t < index.flow * (1 - SHORT)
    edges_of_group = pd.Series(np.arange(len(index.group))).groupby(index.group).agg(list)
    causes: list[set[Cause]] = [set() for _ in range(n)]
    suppliers: list[set[str]] = [set() for _ in range(n)]
    cyclic = set(index.cyclic_nodes.tolist())
    by_level = np.argsort(index.node_level, kind="stable")
    for _ in range(2 if cyclic else 1):
        for v in by_level:
            if disruption.node_share[v] < 1:
                causes[v] = {Cause(str(names[v]), "outage")}
                continue
            g = limiting_group[v]
            if g < 0:
                continue
            for e in edges_of_group.get(g, []):
                if not short_edge[e]:
                    continue
                u = index.src[e]
                suppliers[v].add(str(names[u]))
                if disruption.edge_share[e] < 1:
                    reasons = disruption.edge_regimes[e] or ["rule"]
                    causes[v] |= {Cause(str(names[u]), reason) for reason in reasons}
                else:
                    causes[v] |= causes[u]
    return pd.DataFrame(
        {
            "limiting_input": [group_material[g] if g >= 0 else "" for g in limiting_group],
            "limiting_suppliers": [";".join(sorted(s)) for s in suppliers],
            "causes": [sorted(c, key=lambda cause: (cause.node, cause.reason)) for c in causes],
        }
    )


def top_causes(lost_t: np.ndarray, causes: list[list[Cause]], *, top: int = 3) -> str:
    """Return the causes that cost most, as ``node (reason); ...``.

    Each line's lost tonnes are shared equally among its causes.

    Parameters
    ----------
    lost_t
        Tonnes lost per line.
    causes
        The causes of each line (:func:`explain`).
    top
        How many to name.

    Returns
    -------
    str

    Examples
    --------
    >>> a, b = Cause("cn-magnet", "CN-2025-18"), Cause("mm-mine", "outage")
    >>> top_causes(np.array([30.0, 10.0]), [[a], [a, b]])
    'cn-magnet (CN-2025-18); mm-mine (outage)'
    """
    cost: dict[Cause, float] = {}
    for lost, line_causes in zip(lost_t, causes):
        for cause in line_causes:
            cost[cause] = cost.get(cause, 0.0) + lost / len(line_causes)
    ranked = sorted(cost, key=lambda cause: (-cost[cause], cause.node, cause.reason))
    return "; ".join(str(cause) for cause in ranked[:top] if cost[cause] > 0)
