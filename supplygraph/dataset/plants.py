"""Plants within aggregates: an aggregate node split into its plants (or lines) for a draw.

An aggregate (``us-automakers-agg``) pools many plants' supply and stock, so one plant's
stoppage is diluted into the whole. ``plants.csv`` gives an aggregate's count of plants; the
dated run's draws (:mod:`supplygraph.analyses.timeline`) split it into that many plant
nodes by the rule of :func:`split_plants`, so that each plant keeps its own stock and its
own place in the queue of licence applications.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .graph import SupplyGraph

PLANT_MARK = "#"  # a plant's id: the aggregate's id, "#" and the plant's number from 1
ORDER_MAX = np.nextafter(1.0, 0.0)  # a supplier edge's drawn order lies in [0, 1)


def split_plants(graph: SupplyGraph, plants: dict[str, int]) -> SupplyGraph:
    """Return the graph with each listed aggregate split into equal plants.

    The rule (data/SOURCES.md, "Plants within aggregates"): an aggregate of ``n`` plants
    becomes ``n`` nodes ``ID#1`` ... ``ID#n`` with its attributes (capacity divided by
    ``n``; the same days of stock each), its product lines each ``1 / n`` of the
    aggregate's ``baseline_units``. An edge between a supplier of ``n`` plants and a
    customer of ``m`` (1 for a node that is not split) becomes ``k = max(n, m)`` edges of
    ``flow_t / k`` (and its ``flow_t_low`` / ``flow_t_high`` / ``k``), edge ``i`` from
    plant ``i mod n`` to plant ``i mod m``: every plant buys an equal part of each of the
    aggregate's inputs, each part from one plant of its supplier (a plant depends on its
    own supplier, not on a pool), and each part is an applicant of its own when the edge
    needs a licence. Totals are kept: a sector's baseline tonnes and units are those of
    the unsplit graph.

    Parameters
    ----------
    graph
        The supply graph (not modified).
    plants
        Aggregate id -> number of plants (ids not in the graph and counts of 1 are left
        alone).

    Returns
    -------
    SupplyGraph
        A new graph; its nodes carry ``aggregate``, the id of the node each came from, and
        its edges ``edge_of``, the position of the data's edge each is a piece of (the
        pieces of an edge follow each other, in the data's order).

    """
    ids = graph.nodes["id"].to_numpy()
    count = np.array([max(int(plants.get(v, 1)), 1) for v in ids])
    nodes = graph.nodes.assign(aggregate=graph.nodes["id"])
    if (count == 1).all():
        edges = graph.edges.assign(edge_of=np.arange(graph.n_edges))
        return replace(graph, nodes=nodes, edges=edges)
    repeat = nodes.loc[nodes.index.repeat(count)].reset_index(drop=True)
    plant_no = np.concatenate([np.arange(1, c + 1) for c in count])
    split = np.repeat(count, count) > 1
    repeat.loc[split, "id"] = [
        f"{v}{PLANT_MARK}{k}" for v, k in zip(repeat.loc[split, "aggregate"], plant_no[split])
    ]
    if "capacity_t" in repeat:
        repeat["capacity_t"] = repeat["capacity_t"] / np.repeat(count, count)
    first = np.concatenate([[0], np.cumsum(count)[:-1]])  # each old node's first new row
    edges = graph.edges
    src, dst = edges["src"].to_numpy(np.int64), edges["dst"].to_numpy(np.int64)
    n, m = count[src], count[dst]
    k = np.maximum(n, m)
    row = np.repeat(np.arange(len(edges)), k)
    i = np.concatenate([np.arange(c) for c in k]) if len(k) else np.zeros(0, np.int64)
    out = edges.iloc[row].reset_index(drop=True)
    new_src = first[src[row]] + i % n[row]
    new_dst = first[dst[row]] + i % m[row]
    out["src"], out["dst"], out["edge_of"] = new_src, new_dst, row
    new_ids = repeat["id"].to_numpy()
    out["supplier"], out["customer"] = new_ids[new_src], new_ids[new_dst]
    for column in ("flow_t", "flow_t_low", "flow_t_high"):
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce") / k[row]
    lines = graph.lines
    if not lines.empty:
        times = lines["node"].map(dict(zip(ids, count))).fillna(1).astype(int).to_numpy()
        lines = lines.loc[lines.index.repeat(times)].reset_index(drop=True)
        no = np.concatenate([np.arange(1, t + 1) for t in times])
        many = np.repeat(times, times) > 1
        lines.loc[many, "node"] = [
            f"{v}{PLANT_MARK}{j}" for v, j in zip(lines.loc[many, "node"], no[many])
        ]
        if "baseline_units" in lines:
            units = pd.to_numeric(lines["baseline_units"], errors="coerce")
            lines["baseline_units"] = units / np.repeat(times, times)
    return replace(graph, nodes=repeat, edges=out, lines=lines)


@dataclass(frozen=True, eq=False)
class Sourcing:
    """Which pieces of a split graph the rule of :func:`sourcing` moves, and how they group.

    A *member* is a data edge into a split aggregate's input that two or more data edges
    feed (an input: the aggregate, the material and the lines fed); a *cell* is a member's
    pieces into one plant.
    """

    pieces: np.ndarray  # the pieces the rule moves (positions among the split graph's edges)
    cell: np.ndarray  # per piece: its cell
    cell_member: np.ndarray  # per cell: its member
    cell_plant: np.ndarray  # per cell: its plant, from 0
    cell_plants: np.ndarray  # per cell: its aggregate's count of plants
    member_group: np.ndarray  # per member: its input, from 0 (members come group by group)
    n_groups: int

    @property
    def n_members(self) -> int:
        """How many supplier edges the rule orders."""
        return len(self.member_group)

    def factor(self, tonnes: np.ndarray, order: np.ndarray) -> np.ndarray:
        """Return the factors that move each piece's drawn tonnes to its plant's supplier.

        The rule (data/SOURCES.md, "Bands of the dated run", A43): an input's member edges
        are taken in the order of ``order`` (smallest first) and the aggregate's ``n``
        plants, each needing ``1 / n`` of the input's tonnes, are filled in turn from them:
        plant ``j`` takes, of an edge covering the share ``[a, b)`` of the input, the share
        ``|[a, b) & [j / n, (j + 1) / n)|``. The pieces of an edge into one plant share
        what the plant takes of it in proportion to their drawn tonnes.

        Parameters
        ----------
        tonnes
            Drawn tonnes per row and piece of ``pieces`` (rows x pieces).
        order
            Per row and member, a number whose rank within the member's input is its
            place in the order (uniform draws: a random order).

        Returns
        -------
        numpy.ndarray
            Rows x pieces: the factor for each piece's drawn tonnes (1 for a cell with no
            tonnes).

        Examples
        --------
        Two supplier edges of 100 and 50 t into two plants, the second edge first: plant 1
        takes the second edge's 50 t and 25 t of the first, plant 2 the first edge's other
        75 t:

        >>> s = Sourcing(np.arange(4), np.arange(4), np.array([0, 0, 1, 1]),
        ...              np.array([0, 1, 0, 1]), np.full(4, 2), np.zeros(2, int), 1)
        >>> tonnes = np.array([[50.0, 50.0, 25.0, 25.0]])  # equal parts of 100 t and 50 t
        >>> (s.factor(tonnes, np.array([[0.9, 0.1]])) * tonnes).round(6).tolist()
        [[25.0, 75.0, 50.0, 0.0]]
        """
        rows, n_cells = tonnes.shape[0], len(self.cell_member)
        cell_t = np.zeros((rows, n_cells))
        member_t = np.zeros((rows, self.n_members))
        group_t = np.zeros((rows, self.n_groups))
        for r in range(rows):
            cell_t[r] = np.bincount(self.cell, tonnes[r], minlength=n_cells)
            member_t[r] = np.bincount(self.cell_member, cell_t[r], minlength=self.n_members)
            group_t[r] = np.bincount(self.member_group, member_t[r], minlength=self.n_groups)
        # members sorted by input, then by their drawn order (``order`` in [0, 1))
        rank = np.argsort(self.member_group + np.clip(order, 0.0, ORDER_MAX), axis=1)
        in_rank = self.member_group[rank]
        sorted_t = np.take_along_axis(member_t, rank, axis=1)
        before = np.cumsum(group_t, axis=1) - group_t  # per input: the tonnes of those before
        start = np.cumsum(sorted_t, axis=1) - sorted_t - np.take_along_axis(before, in_rank, 1)
        total = np.take_along_axis(group_t, in_rank, axis=1)
        safe = np.where(total > 0, total, 1.0)
        low, high = np.empty_like(member_t), np.empty_like(member_t)
        np.put_along_axis(low, rank, start / safe, axis=1)  # each edge's share [low, high)
        np.put_along_axis(high, rank, (start + sorted_t) / safe, axis=1)
        n, j, m = self.cell_plants, self.cell_plant, self.cell_member
        overlap = np.minimum(high[:, m], (j + 1) / n) - np.maximum(low[:, m], j / n)
        target = group_t[:, self.member_group[m]] * np.maximum(overlap, 0.0)
        moved = np.divide(target, cell_t, out=np.ones_like(cell_t), where=cell_t > 0)
        return moved[:, self.cell]


def sourcing(split: SupplyGraph) -> Sourcing:
    """Return the inputs of a split graph's plants that two or more supplier edges feed.

    An input is a split aggregate's edges of one material feeding the same lines (the
    ``line`` column); its members are the data's edges (``edge_of``) among them. Only
    inputs with two or more members are kept: the rule of :meth:`Sourcing.factor` leaves
    an input with one supplier in equal parts.

    Parameters
    ----------
    split
        A graph from :func:`split_plants`.

    Returns
    -------
    Sourcing
    """
    nodes, edges = split.nodes, split.edges
    aggregate = nodes["aggregate"].to_numpy().astype(str)
    position = np.arange(len(nodes))
    first = pd.Series(position).groupby(aggregate).transform("min").to_numpy()
    plants = pd.Series(aggregate).map(pd.Series(aggregate).value_counts()).to_numpy()
    dst = edges["dst"].to_numpy(np.int64)
    line = edges["line"].fillna("").astype(str) if "line" in edges else pd.Series("", edges.index)
    table = pd.DataFrame(
        {
            "piece": np.arange(len(edges)),
            "aggregate": aggregate[dst],
            "material": edges["material"].astype(str).to_numpy(),
            "line": line.to_numpy(),
            "edge": edges["edge_of"].to_numpy(np.int64),
            "plant": dst - first[dst],
            "plants": plants[dst],
        }
    )
    table = table[table["plants"] > 1]
    keys = ["aggregate", "material", "line"]
    members = table.groupby(keys, sort=True)["edge"].transform("nunique")
    table = table[members > 1].sort_values([*keys, "edge", "plant", "piece"], kind="stable")
    group = table.groupby(keys, sort=True).ngroup().to_numpy()
    member = table.groupby([*keys, "edge"], sort=True).ngroup().to_numpy()
    cell = table.groupby([*keys, "edge", "plant"], sort=True).ngroup().to_numpy()
    n_cells = int(cell.max()) + 1 if len(cell) else 0
    n_members = int(member.max()) + 1 if len(member) else 0
    cell_member = np.zeros(n_cells, np.int64)
    cell_member[cell] = member
    cell_plant = np.zeros(n_cells, np.int64)
    cell_plant[cell] = table["plant"].to_numpy()
    cell_plants = np.ones(n_cells, np.int64)
    cell_plants[cell] = table["plants"].to_numpy()
    member_group = np.zeros(n_members, np.int64)
    member_group[member] = group
    return Sourcing(
        table["piece"].to_numpy(np.int64),
        cell,
        cell_member,
        cell_plant,
        cell_plants,
        member_group,
        int(group.max()) + 1 if len(group) else 0,
    )
