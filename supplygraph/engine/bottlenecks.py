"""Why a line falls short: its limiting input, the suppliers that failed it, the root cause."""

from __future__ import annotations

import itertools
import operator
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..dataset.graph import reachable

if TYPE_CHECKING:
    from ..dataset.graph import SupplyGraph
    from ..scenario.resolve import Disruption
    from .propagate import Propagation

SHORT = 1e-9  # a share below 1 - SHORT counts as a loss


def explain(graph: SupplyGraph, disruption: Disruption, prop: Propagation) -> pd.DataFrame:
    """Return, per node of ``graph``, why its output fell.

    A node's limiting input is its scarcest input material (the one that set its output
    ratio; every one of them, in name order, when several are equally short); the limiting
    suppliers are those whose deliveries of it fell short; the root causes follow each
    short delivery upstream and collect every place a loss enters on the way: a licence
    edge cut or throttled (named by its regimes), a scenario rule (``rule``), an outage
    (``outage``). The walk goes on past a cut edge and a node that is down: what lies
    beyond them would still hold the node short once they were mended. Inside a recycling
    loop the causes spread round it until they stop changing.

    Parameters
    ----------
    graph
        The graph the engine ran on (a production-lines graph, see
        :func:`supplygraph.dataset.production.production_lines`); node names come from its
        ``node`` column when it has one.
    disruption
        The multipliers on ``graph``'s edges and nodes, with ``edge_regimes``.
    prop
        The propagation on ``graph``.

    Returns
    -------
    pandas.DataFrame
        One row per node: ``limiting_input`` (materials, ``;``-separated, or empty),
        ``limiting_suppliers``
        (node ids, ``;``-separated) and ``limiting_regimes`` (the root causes' regime ids,
        ``rule`` or ``outage``, ``;``-separated). Its ``attrs["setting"]`` holds the mask of
        the short deliveries that set their customers' output.
    """
    index = graph.index
    n = graph.n_nodes
    names = _names(graph)
    limiting = _limiting_groups(graph, prop)
    setting = _setting_edges(graph, prop, limiting)
    outage = disruption.node_share < 1
    licensed = setting & (disruption.edge_share < 1)
    # the reasons as bits of a small int per node: a set that ORs fast
    reasons: dict[str, int] = {}

    def bit(reason: str) -> int:
        return 1 << reasons.setdefault(reason, len(reasons))

    bits = np.zeros(n, dtype=object)
    bits[outage] = bit("outage") if outage.any() else 0
    code, lists = disruption.regime_sets
    list_bits = np.zeros(len(lists), dtype=object)
    for k in np.unique(code[licensed]).tolist():
        for reason in lists[k] or ["rule"]:
            list_bits[k] |= bit(reason)
    direct = np.where(licensed, list_bits[code], 0)
    for level, edges in enumerate(index.level_edges):
        edges = edges[setting[edges]]
        if not len(edges):
            continue
        dst = index.dst[edges]
        by_dst = np.argsort(dst, kind="stable")
        edges, dst = edges[by_dst], dst[by_dst]
        starts = np.flatnonzero(np.r_[True, dst[1:] != dst[:-1]])
        targets = dst[starts]
        # inside a recycling loop, until the causes stop spreading round it
        for _ in range(len(starts) + 1 if index.cyclic_level[level] else 1):
            # a short delivery passes on its own cause and its supplier's, cut or not
            inherited = np.bitwise_or(direct[edges], bits[index.src[edges]])
            ored = np.bitwise_or.reduceat(inherited, starts)
            before = bits[targets]
            after = np.bitwise_or(before, ored)
            bits[targets] = after
            if np.array_equal(after, before):
                break
    by_bit = sorted(reasons, key=reasons.__getitem__)
    words = {
        value: ";".join(sorted(by_bit[k] for k in range(len(by_bit)) if value >> k & 1))
        for value in set(bits.tolist())
    }
    suppliers = _joined(index.dst[setting], index.src[setting], names)
    group_material = np.empty(len(index.group_base), dtype=object)
    group_material[index.group] = graph.edges["material"].to_numpy()
    which = np.flatnonzero(limiting)
    inputs = _joined(index.group_node[which], which, group_material, size=n)
    table = pd.DataFrame(
        {
            "limiting_input": inputs,
            "limiting_suppliers": suppliers,
            "limiting_regimes": [words[value] for value in bits.tolist()],
        }
    )
    table.attrs["setting"] = setting
    return table


def _joined(
    at: np.ndarray, who: np.ndarray, names: np.ndarray, *, size: int | None = None
) -> np.ndarray:
    """Per node, the distinct ``names`` of the ``who`` listed at it, sorted, ``;``-joined
    (``size`` nodes; by default as many as names)."""
    joined = np.full(len(names) if size is None else size, "", dtype=object)
    if not len(at):
        return joined
    # only the names listed: factorizing every node's name costs more than the join
    codes, distinct = pd.factorize(names[who], sort=True)  # code order is name order
    width = max(len(distinct), 1)
    at, codes = np.divmod(np.unique(at.astype(np.int64) * width + codes), width)
    text = np.asarray(distinct, dtype=object)[codes]
    first = np.r_[True, at[1:] != at[:-1]]
    alone = first & np.r_[first[1:], True]
    joined[at[alone]] = text[alone]
    many = ~alone  # only nodes with several names need a join
    for node, group in itertools.groupby(
        zip(at[many].tolist(), text[many].tolist()), key=operator.itemgetter(0)
    ):
        joined[node] = ";".join(name for _, name in group)
    return joined


def root_causes(
    graph: SupplyGraph,
    disruption: Disruption,
    prop: Propagation,
    setting: np.ndarray,
    groups: dict[str, np.ndarray],
    *,
    top: int = 3,
) -> dict[str, str]:
    """Return, per group of lines, where their losses start, the costliest first.

    The roots are the licence edges cut or throttled (and the nodes that are down) upstream
    of the group's short lines along the short deliveries that set each customer's output.
    Each is ranked by the tonnes it withholds as a whole, whichever lines and groups they
    were bound for: an edge of the data by its baseline flow less what it still carries
    (over every part the product lines split it into), shared among its regimes; a node
    that is down by the output all its lines lose. A root named by several groups weighs
    the same in each: it says where to look, not how a group's loss divides.

    Parameters
    ----------
    graph, disruption, prop
        As for :func:`explain`.
    setting
        The short deliveries that set their customers' output (``explain(...).attrs``).
    groups
        Masks of lines (nodes of ``graph``) by name, e.g. each sector's makers.
    top
        How many roots to name per group.

    Returns
    -------
    dict of str to str
        Per group, ``node (reason); ...``.

    Examples
    --------
    A Chinese mine ships to a Japanese magnet plant (cut under No. 18), which ships to a
    carmaker; the carmaker's loss starts at the mine's 100 t:

    >>> from pathlib import Path
    >>> from supplygraph.scenario.resolve import Disruption
    >>> from supplygraph.dataset.graph import build_graph
    >>> from supplygraph.dataset.io import Dataset
    >>> from supplygraph.engine.propagate import propagate
    >>> nodes = pd.DataFrame({"csv_line": [2, 3, 4], "id": ["cn", "jp", "k"],
    ...     "stage": ["mine", "magnet", "manufacturer"], "country": ["CN", "JP", "DE"]})
    >>> edges = pd.DataFrame({"csv_line": [2, 3], "supplier": ["cn", "jp"],
    ...     "customer": ["jp", "k"], "material": ["oxide", "magnet"], "flow_t": [100.0, 100.0]})
    >>> graph = build_graph(Dataset(nodes, edges, pd.DataFrame(), Path("."), ""))
    >>> cut = Disruption(np.array([0.0, 1.0]), np.ones(3), [["CN-2025-18"], []])
    >>> prop = propagate(graph.index, cut.edge_share, cut.node_share, np.zeros(3))
    >>> why = explain(graph, cut, prop)
    >>> root_causes(graph, cut, prop, why.attrs["setting"], {"ev": np.array([0, 0, 1], bool)})
    {'ev': 'cn (CN-2025-18)'}
    """
    index = graph.index
    name_code, node_names = pd.factorize(_names(graph), sort=True)  # code order is name order
    # the data's edge of each part (a production-lines graph has an ``edge`` column)
    edge_of = (
        graph.edges["edge"].to_numpy(np.int64)
        if "edge" in graph.edges
        else np.arange(graph.n_edges, dtype=np.int64)
    )
    root_parts = np.flatnonzero(setting & (disruption.edge_share < 1))
    roots, part_root = np.unique(edge_of[root_parts], return_inverse=True)
    part_root = part_root.reshape(-1)
    first = np.empty(len(roots), dtype=np.int64)  # one part of each root edge, any: the
    first[part_root] = root_parts  # parts of an edge share its supplier and its regimes
    lost = index.flow - prop.edge_after_t
    n_data_edges = int(edge_of.max()) + 1 if len(edge_of) else 0
    withheld_t = np.bincount(edge_of, lost, minlength=n_data_edges)[roots]
    code, lists = disruption.regime_sets
    # each root edge is a candidate once per regime that made it a licence edge ("rule"
    # when none did), sharing what it withholds among them; a node that is down, once
    reason_names = sorted({r for ids in lists for r in ids} | {"rule", "outage"})
    reason_of = {r: k for k, r in enumerate(reason_names)}
    per_list = [np.array([reason_of[r] for r in (ids or ("rule",))]) for ids in lists]
    counts = np.array([len(r) for r in per_list], dtype=np.int64)[code[first]]
    starts = np.cumsum(np.r_[0, [len(r) for r in per_list]])[:-1]
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    flat = np.concatenate(per_list) if per_list else np.zeros(0, dtype=np.int64)
    down = np.flatnonzero(disruption.node_share < 1)
    down_nodes, line_node = np.unique(name_code[down], return_inverse=True)
    line_node = line_node.reshape(-1)
    down_t = np.bincount(
        line_node, graph.baseline_t[down] * (1 - prop.output_ratio[down]), len(down_nodes)
    )
    key = np.concatenate(
        [
            name_code[np.repeat(index.src[first], counts)] * len(reason_names)
            + flat[np.repeat(starts[code[first]], counts) + within],
            down_nodes * len(reason_names) + reason_of["outage"],
        ]
    )
    t = np.concatenate([np.repeat(withheld_t / np.maximum(counts, 1), counts), down_t])
    found = {}
    for name, lines in groups.items():
        short = lines & (prop.output_ratio < 1 - SHORT)
        if not short.any() or not len(key):
            found[name] = ""
            continue
        upstream = reachable(
            graph.n_nodes, index.src[setting], index.dst[setting], short, upstream=True
        )
        # an edge counts when a part's customer is upstream of the lines; a node that is
        # down, when one of its lines is
        near_root = np.bincount(part_root, upstream[index.dst[root_parts]], len(roots)) > 0
        near_down = np.bincount(line_node, upstream[down], len(down_nodes)) > 0
        near = np.concatenate([np.repeat(near_root, counts), near_down])
        cost = pd.Series(t[near]).groupby(key[near], sort=True).sum()
        cost = cost[cost > 0].sort_values(ascending=False, kind="stable")
        node, reason = np.divmod(cost.index[:top].to_numpy(), len(reason_names))
        found[name] = "; ".join(
            f"{node_names[v]} ({reason_names[r]})" for v, r in zip(node.tolist(), reason.tolist())
        )
    return found


def _names(graph: SupplyGraph) -> np.ndarray:
    """Node names for messages: the node's own id, on a production-lines graph too."""
    return (graph.nodes["node"] if "node" in graph.nodes else graph.nodes["id"]).to_numpy()


def _limiting_groups(graph: SupplyGraph, prop: Propagation) -> np.ndarray:
    """Per input group, whether it set its node's output short: the node fell short and the
    group's availability is below 1 and the node's lowest (all of them when several are
    equally low, within ``SHORT``: each alone would hold the node where it is)."""
    index = graph.index
    arrived = np.bincount(index.group, prop.edge_after_t, minlength=len(index.group_base))
    avail = np.divide(
        arrived, index.group_base, out=np.ones_like(arrived), where=index.group_base > 0
    )
    lowest = np.full(graph.n_nodes, np.inf)
    np.minimum.at(lowest, index.group_node, avail)
    short = prop.output_ratio < 1 - SHORT
    return (
        short[index.group_node] & (avail < 1 - SHORT) & (avail <= lowest[index.group_node] + SHORT)
    )


def _setting_edges(graph: SupplyGraph, prop: Propagation, limiting: np.ndarray) -> np.ndarray:
    """The short deliveries in each customer's limiting groups."""
    index = graph.index
    short = prop.edge_after_t < index.flow * (1 - SHORT)
    return short & limiting[index.group]
