"""The SupplyGraph: validated tables, a networkx view and index arrays for fast passes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import ArrayLike
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components

from .._errors import DataError, Issue
from . import schema
from .io import Dataset, empty_table, load_dataset
from .overlay import apply_overlays

if TYPE_CHECKING:
    import networkx as nx


@dataclass(frozen=True, eq=False)
class SupplyGraph:
    """A rare-earth supply graph: node and edge tables plus the arrays the engine runs on.

    Node ``i`` is row ``i`` of ``nodes``; edge ``j`` is row ``j`` of ``edges``, whose
    ``src`` and ``dst`` columns hold node positions. Flows are t REO-equivalent per year.
    ``lines`` declares product lines inside nodes (empty: each node is one line); see
    :mod:`supplygraph.dataset.production`.
    """

    nodes: pd.DataFrame
    edges: pd.DataFrame
    regimes: pd.DataFrame
    folder: Path
    checksum: str
    warnings: tuple[Issue, ...] = ()
    lines: pd.DataFrame = field(default_factory=lambda: empty_table(schema.LINE_COLUMNS))
    overlays: tuple[Path, ...] = ()  # overlay folders on top of ``folder`` (dataset.overlay)

    def __repr__(self) -> str:
        countries = self.nodes["country"].nunique()
        return (
            f"<SupplyGraph {self.n_nodes:,} nodes, {self.n_edges:,} edges, {countries} "
            f"countries, {len(self.lines):,} product lines; {self.folder}>"
        )

    def _repr_html_(self) -> str:
        """Nodes and tonnes per stage, for notebooks (text is escaped)."""
        import html

        counts = self.nodes["stage"].value_counts()
        rows = "".join(
            f"<tr><td>{stage}</td><td>{counts.get(stage, 0):,}</td></tr>" for stage in schema.STAGES
        )
        return (
            f"<p><strong>{html.escape(repr(self))}</strong></p>"
            f"<table><tr><th>stage</th><th>nodes</th></tr>{rows}</table>"
        )

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.nodes)

    @property
    def n_edges(self) -> int:
        """Number of edges."""
        return len(self.edges)

    @cached_property
    def index(self) -> EngineIndex:
        """Arrays for the vectorised engine (built once, on first use)."""
        return EngineIndex.build(
            self.n_nodes,
            self.edges["src"].to_numpy(np.int64),
            self.edges["dst"].to_numpy(np.int64),
            self.edges["material"],
            self.edges["flow_t"].to_numpy(np.float64),
        )

    @cached_property
    def baseline_in_t(self) -> np.ndarray:
        """Baseline inflow per node (t/yr)."""
        return np.bincount(self.index.dst, self.index.flow, minlength=self.n_nodes)

    @cached_property
    def baseline_out_t(self) -> np.ndarray:
        """Baseline outflow per node (t/yr)."""
        return np.bincount(self.index.src, self.index.flow, minlength=self.n_nodes)

    @cached_property
    def baseline_t(self) -> np.ndarray:
        """Baseline throughput per node: what a maker takes in (what it ships is scrap, a
        by-product); for other nodes what they ship, or what they take in if they ship nothing."""
        return throughput(self.nodes["stage"].to_numpy(), self.baseline_in_t, self.baseline_out_t)

    @cached_property
    def element_sets(self) -> tuple[np.ndarray, list[frozenset[str]]]:
        """The distinct element sets the edges carry, and each edge's position in that list
        (parsed once per distinct cell: a million edges have a few dozen)."""
        which, cells = pd.factorize(self.edges["elements"])
        return which, [frozenset(schema.split_list(cell)) for cell in cells]

    @cached_property
    def edge_elements(self) -> list[frozenset[str]]:
        """The set of elements each edge carries."""
        which, sets = self.element_sets
        return [sets[i] for i in which]

    def carries(self, elements: Iterable[str]) -> np.ndarray:
        """Return the mask of edges that carry at least one of ``elements``.

        Parameters
        ----------
        elements
            Element symbols (``Dy``, ``Tb``, ...).

        Returns
        -------
        numpy.ndarray
            One bool per edge.
        """
        wanted = frozenset(elements)
        which, sets = self.element_sets
        return np.array([bool(wanted & e) for e in sets], dtype=bool)[which]

    def to_networkx(
        self,
        *,
        name: str = "",
        node_attrs: pd.DataFrame | None = None,
        edge_attrs: pd.DataFrame | None = None,
    ) -> nx.MultiDiGraph:
        """Return a new networkx MultiDiGraph, one edge per row, with the data's attributes.

        An edge's key is :func:`edge_key`: its material, with its product lines where it
        names them, so that two rows between the same nodes stay two edges. Empty and NaN
        values are left out, so each attribute keeps one type (GraphML and GEXF need that).

        Parameters
        ----------
        name
            The graph's ``name`` attribute.
        node_attrs, edge_attrs
            Further attributes, one row per node (edge) in graph order, added after the
            data's own.

        Returns
        -------
        networkx.MultiDiGraph
        """
        import networkx as nx  # only exports need it: every other command is spared its import

        nodes = self.nodes.drop(columns=["csv_line", "csv_file"], errors="ignore")
        edges = self.edges.drop(columns=["csv_line", "src", "dst"])
        if node_attrs is not None:
            nodes = pd.concat([nodes, node_attrs.set_axis(nodes.index)], axis=1)
        if edge_attrs is not None:
            edges = pd.concat([edges, edge_attrs.set_axis(edges.index)], axis=1)
        graph = nx.MultiDiGraph(name=name) if name else nx.MultiDiGraph()
        for row in nodes.to_dict("records"):
            graph.add_node(row.pop("id"), **_attributes(row))
        for row in edges.to_dict("records"):
            supplier, customer = row.pop("supplier"), row.pop("customer")
            key = edge_key(row["material"], row.get("from_line", ""), row.get("line", ""))
            graph.add_edge(supplier, customer, key=key, **_attributes(row))
        return graph


def edge_key(material: str, from_line: object = "", line: object = "") -> str:
    """Return an edge's key among the edges between its two nodes.

    The data is unique by supplier, customer, material, ``from_line`` and ``line``, so the
    key is the material, followed by ``(FROM_LINE -> LINE)`` when the edge names either
    line (``*`` for the side it leaves empty: all lines).

    Parameters
    ----------
    material
        The edge's material.
    from_line, line
        Its ``from_line`` and ``line`` cells (empty, or NaN, when not given).

    Returns
    -------
    str

    Examples
    --------
    >>> edge_key("ndfeb_sintered"), edge_key("ndfeb_sintered", "dy_tb_grade", "dy_tb_magnets")
    ('ndfeb_sintered', 'ndfeb_sintered (dy_tb_grade -> dy_tb_magnets)')
    >>> edge_key("heavy_oxide", "", "a;b")
    'heavy_oxide (* -> a;b)'
    """
    ends = [cell if isinstance(cell, str) else "" for cell in (from_line, line)]
    if not any(ends):
        return material
    return f"{material} ({ends[0] or '*'} -> {ends[1] or '*'})"


def _attributes(row: dict[str, object]) -> dict[str, object]:
    """Plain Python values, without the empty and NaN ones."""
    plain = {}
    for key, value in row.items():
        if isinstance(value, np.generic):
            value = value.item()
        if value == "" or value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        plain[key] = value
    return plain


@dataclass(frozen=True, eq=False)
class Groups:
    """Edges sorted by input group, and groups by customer: what one engine step sums over.

    A group is a (customer, material) pair: inputs of one material are substitutes,
    different materials complements. The index holds one per topological level
    (``EngineIndex.levels``, the steady state) and one for the whole graph
    (``EngineIndex.whole``, a day of the dated run, where every input left its supplier
    at least a day before).
    """

    edges: np.ndarray  # edge positions, group by group
    src: np.ndarray  # per edge, in that order: its supplier
    group_local: np.ndarray  # per edge: its group, from 0
    group_first: np.ndarray  # per group: its first edge
    node_first: np.ndarray  # per customer: its first group
    nodes: np.ndarray  # the customers, one per run of groups
    group_range: tuple[int, int]  # the groups' positions in the index: [start, stop)

    @classmethod
    def build(
        cls,
        edges: np.ndarray,
        src: np.ndarray,
        group: np.ndarray,
        group_node: np.ndarray,
        group_range: tuple[int, int],
    ) -> Groups:
        """Build the groups of some edges that come sorted by group.

        Parameters
        ----------
        edges
            Edge positions, sorted by group; a customer's groups are one run.
        src
            Supplier per edge of the graph.
        group
            Group per edge of the graph.
        group_node
            Customer per group of the graph.
        group_range
            The range of groups the edges fall in.

        Returns
        -------
        Groups
        """
        g0, g1 = group_range
        group_local = group[edges] - g0
        group_first = np.flatnonzero(np.diff(group_local, prepend=-1))
        customer = group_node[g0:g1]
        node_first = np.flatnonzero(np.diff(customer, prepend=-1))
        return cls(
            edges, src[edges], group_local, group_first, node_first, customer[node_first], (g0, g1)
        )


@dataclass(frozen=True, eq=False)
class EngineIndex:
    """Edge and node arrays ordered for one vectorised step per topological level.

    ``group`` numbers each (customer, material) pair: inputs of one material are
    substitutes, different materials are complements. Levels are those of the
    condensation (strongly connected components), so a recycling loop sits on one level.
    """

    n_nodes: int
    src: np.ndarray
    dst: np.ndarray
    flow: np.ndarray
    group: np.ndarray  # per edge
    group_node: np.ndarray  # per group
    group_base: np.ndarray  # per group: baseline inflow
    node_level: np.ndarray
    cyclic_level: np.ndarray  # per level: True when it holds a cycle
    cyclic_nodes: np.ndarray  # positions of the nodes on a cycle
    level_edges: list[np.ndarray]  # per level: edge positions into the level, by group
    levels: list[Groups]  # per level: its edges and groups, for one step of the engine
    whole: Groups  # every edge and group at once, for a day of the dated run

    @classmethod
    def build(
        cls,
        n_nodes: int,
        src: np.ndarray,
        dst: np.ndarray,
        material: np.ndarray | pd.Series,
        flow: np.ndarray,
    ) -> EngineIndex:
        """Build the index from edge arrays.

        Parameters
        ----------
        n_nodes
            Number of nodes.
        src, dst
            Supplier and customer position per edge.
        material
            Material per edge (an array or a Series): inputs of one material are substitutes.
        flow
            Baseline flow per edge (t/yr).

        Returns
        -------
        EngineIndex
        """
        node_level, cyclic_nodes = topological_levels(n_nodes, src, dst)
        n_levels = int(node_level.max()) + 1 if n_nodes else 0
        # codes in sorted order, as np.unique gives, without a fixed-width copy of the text
        material_code, _ = pd.factorize(material, sort=True)
        # Sort edges by (level of customer, customer, material) so groups are contiguous.
        order = np.lexsort((material_code, dst, node_level[dst]))
        key_dst, key_mat = dst[order], material_code[order]
        new_group = np.ones(len(order), dtype=bool)
        new_group[1:] = (key_dst[1:] != key_dst[:-1]) | (key_mat[1:] != key_mat[:-1])
        group_sorted = np.cumsum(new_group) - 1
        group = np.empty(len(order), dtype=np.int64)
        group[order] = group_sorted
        n_groups = int(group_sorted[-1]) + 1 if len(order) else 0
        group_node = np.zeros(n_groups, dtype=np.int64)
        group_node[group_sorted] = key_dst
        group_base = np.bincount(group, flow, minlength=n_groups)
        group_level = node_level[group_node]
        edge_level = node_level[key_dst]
        edge_bounds = np.searchsorted(edge_level, np.arange(n_levels + 1))
        group_bounds = np.searchsorted(group_level, np.arange(n_levels + 1))
        level_edges, level_groups = [], []
        for level in range(n_levels):
            level_edges.append(order[edge_bounds[level] : edge_bounds[level + 1]])
            level_groups.append((int(group_bounds[level]), int(group_bounds[level + 1])))
        cyclic_level = np.zeros(n_levels, dtype=bool)
        cyclic_level[np.unique(node_level[cyclic_nodes])] = True
        levels = [
            Groups.build(edges, src, group, group_node, bounds)
            for edges, bounds in zip(level_edges, level_groups)
        ]
        # edges sorted by group overall: levels come in order, groups numbered level by level
        whole = Groups.build(order, src, group, group_node, (0, n_groups))
        return cls(
            n_nodes,
            src,
            dst,
            flow,
            group,
            group_node,
            group_base,
            node_level,
            cyclic_level,
            cyclic_nodes,
            level_edges,
            levels,
            whole,
        )


def throughput(stage: ArrayLike, in_t: np.ndarray, out_t: np.ndarray) -> np.ndarray:
    """Return a node's (or line's) baseline throughput from what it takes in and ships.

    The one rule for the tonnes a shortfall is a share of: a maker counts what it takes
    in (what it ships is scrap, a by-product); any other node what it ships, or what it
    takes in when it ships nothing.

    Parameters
    ----------
    stage
        Stage per node.
    in_t, out_t
        Baseline tonnes in and out per node; with a leading axis of rows (draws of the
        flows), per row.

    Returns
    -------
    numpy.ndarray
        Shaped like ``in_t``.

    Examples
    --------
    >>> throughput(np.array(["magnet", "manufacturer", "metal"]),
    ...            np.array([10.0, 8.0, 5.0]), np.array([9.0, 1.0, 0.0])).tolist()
    [9.0, 8.0, 5.0]
    """
    maker = np.asarray(stage) == "manufacturer"
    return np.where(maker | (out_t <= 0), in_t, out_t)


def topological_levels(
    n_nodes: int, src: np.ndarray, dst: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return each node's level in the condensation and the nodes that sit on a cycle.

    Parameters
    ----------
    n_nodes
        Number of nodes.
    src, dst
        Edge ends, as node positions.

    Returns
    -------
    tuple of numpy.ndarray
        The level per node, and the positions of the nodes on a cycle.

    Examples
    --------
    >>> import numpy as np
    >>> levels, cyclic = topological_levels(4, np.array([0, 1, 2, 2]), np.array([1, 2, 1, 3]))
    >>> levels.tolist(), cyclic.tolist()
    ([0, 1, 1, 2], [1, 2])
    """
    if n_nodes == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    adjacency = csr_matrix((np.ones(len(src)), (src, dst)), shape=(n_nodes, n_nodes))
    n_comp, comp = connected_components(adjacency, directed=True, connection="strong")
    comp_size = np.bincount(comp, minlength=n_comp)
    cyclic_nodes = np.flatnonzero(comp_size[comp] > 1)
    csrc, cdst = comp[src], comp[dst]
    between = csrc != cdst
    csrc, cdst = csrc[between], cdst[between]
    order = np.argsort(csrc, kind="stable")
    csrc, cdst = csrc[order], cdst[order]
    ptr = np.searchsorted(csrc, np.arange(n_comp + 1))
    indegree = np.bincount(cdst, minlength=n_comp)
    comp_level = np.zeros(n_comp, dtype=np.int64)
    frontier = np.flatnonzero(indegree == 0)
    level = 0
    while frontier.size:
        comp_level[frontier] = level
        starts, counts = ptr[frontier], ptr[frontier + 1] - ptr[frontier]
        offsets = np.repeat(starts - np.cumsum(counts) + counts, counts)
        targets = cdst[offsets + np.arange(counts.sum())]
        indegree -= np.bincount(targets, minlength=n_comp)
        frontier = np.unique(targets[indegree[targets] == 0])
        level += 1
    return comp_level[comp], cyclic_nodes


def reachable(
    n_nodes: int, src: np.ndarray, dst: np.ndarray, seeds: np.ndarray, *, upstream: bool = False
) -> np.ndarray:
    """Return the mask of nodes reachable from any seed along the edges (or against them).

    Parameters
    ----------
    n_nodes
        Number of nodes.
    src, dst
        Edge ends, as node positions.
    seeds
        Node positions (or a mask) to start from; they count as reached.
    upstream
        Walk against the edges: the nodes from which a seed can be reached.

    Returns
    -------
    numpy.ndarray
        One bool per node.

    Examples
    --------
    >>> import numpy as np
    >>> src, dst = np.array([0, 1, 3]), np.array([1, 2, 2])
    >>> reachable(4, src, dst, np.array([0])).tolist()
    [True, True, True, False]
    >>> reachable(4, src, dst, np.array([2]), upstream=True).tolist()
    [True, True, True, True]
    """
    seeds = np.flatnonzero(seeds) if seeds.dtype == bool else seeds
    if upstream:
        src, dst = dst, src
    # one breadth-first search from a virtual node linked to every seed
    rows = np.concatenate([src, np.full(len(seeds), n_nodes)])
    cols = np.concatenate([dst, seeds])
    links = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_nodes + 1, n_nodes + 1))
    reached = np.zeros(n_nodes + 1, dtype=bool)
    reached[breadth_first_order(links, n_nodes, directed=True, return_predecessors=False)] = True
    return reached[:n_nodes]


def build_graph(dataset: Dataset) -> SupplyGraph:
    """Build a SupplyGraph from a validated Dataset and add the graph-level warnings.

    Parameters
    ----------
    dataset
        Tables from :func:`supplygraph.dataset.io.load_dataset` (not modified).

    Returns
    -------
    SupplyGraph
    """
    nodes = dataset.nodes.reset_index(drop=True)
    ids = pa.array(nodes["id"].astype(str))
    edges = dataset.edges.copy()  # never mutate the caller's tables
    for column, end in (("src", "supplier"), ("dst", "customer")):
        position = pc.index_in(pa.array(edges[end].astype(str)), value_set=ids)
        if position.null_count:  # validated data names known nodes only
            unknown = edges[end][position.is_null().to_numpy(zero_copy_only=False)]
            raise KeyError(f"unknown {end} {unknown.iloc[0]!r}")
        edges[column] = position.to_numpy().astype(np.int64)
    graph = SupplyGraph(
        nodes,
        edges,
        dataset.regimes,
        dataset.folder,
        dataset.checksum,
        lines=dataset.lines,
        overlays=dataset.overlays,
    )
    warnings = list(dataset.warnings) + _graph_warnings(graph, dataset)
    object.__setattr__(graph, "warnings", tuple(warnings))
    return graph


def load(
    folder: str | Path | None = None, *, overlay: str | Path | Iterable[str | Path] = ()
) -> SupplyGraph:
    """Load and validate a dataset folder (the bundled data when None) into a SupplyGraph.

    Parameters
    ----------
    folder
        The dataset folder; None for the bundled data.
    overlay
        An overlay folder, or several applied in order, on top of the dataset
        (:mod:`supplygraph.dataset.overlay`): a company's own nodes, lines and flows.

    Returns
    -------
    SupplyGraph

    Raises
    ------
    DataError
        When the data has errors; each names file, line and column.
    """
    folders = [overlay] if isinstance(overlay, (str, Path)) else list(overlay)
    dataset = load_dataset(folder)
    if folders:
        dataset = apply_overlays(dataset, folders)
    return build_graph(dataset)


def subgraph(graph: SupplyGraph, keep: np.ndarray) -> SupplyGraph:
    """Return a new graph of the kept nodes, the edges between them and their lines.

    Parameters
    ----------
    graph
        The supply graph (not modified).
    keep
        One bool per node.

    Returns
    -------
    SupplyGraph
        With the same regimes, folder, checksum and overlays; rows keep their ``csv_line``.

    Examples
    --------
    >>> import numpy as np
    >>> graph = load("tests/data/tiny")
    >>> part = subgraph(graph, graph.nodes["stage"].isin(["mine", "separation"]).to_numpy())
    >>> sorted(set(part.nodes["stage"])), part.n_edges < graph.n_edges
    (['mine', 'separation'], True)
    """
    keep = np.asarray(keep, dtype=bool)
    src, dst = graph.edges["src"].to_numpy(), graph.edges["dst"].to_numpy()
    edges = graph.edges[keep[src] & keep[dst]].drop(columns=["src", "dst"])
    ids = set(graph.nodes["id"][keep])
    dataset = Dataset(
        graph.nodes[keep].reset_index(drop=True),
        edges.reset_index(drop=True),
        graph.regimes,
        graph.folder,
        graph.checksum,
        lines=graph.lines[graph.lines["node"].isin(ids)].reset_index(drop=True),
        overlays=graph.overlays,
    )
    return build_graph(dataset)


NO_MAKERS = (
    "no makers: no node has stage manufacturer, so there is no sector to report; "
    "simulate, compare, timeline, backtest, criticality and montecarlo refuse such a "
    "dataset (validate, export and graph show it)"
)


def require_makers(graph: SupplyGraph) -> None:
    """Refuse a graph without makers: every run reports what its sectors lose.

    Without a node of stage ``manufacturer`` there is no sector, and an empty sector
    table would read as "nothing lost" (docs/cli.md, "Exit status").

    Parameters
    ----------
    graph
        The supply graph.

    Raises
    ------
    DataError
        Naming the graph's ``nodes.csv``, when no node is a maker.
    """
    if not (graph.nodes["stage"] == "manufacturer").any():
        raise DataError([Issue(str(graph.folder / "nodes.csv"), 0, "-", NO_MAKERS)])


def _graph_warnings(graph: SupplyGraph, dataset: Dataset) -> list[Issue]:
    nodes_file = str(dataset.folder / "nodes.csv")
    warnings: list[Issue] = []
    inflow, outflow = graph.baseline_in_t, graph.baseline_out_t
    unbalanced = (graph.nodes["stage"].to_numpy() != "mine") & (
        outflow > inflow * (1 + schema.MASS_BALANCE_TOLERANCE)
    )
    ids, csv_lines = graph.nodes["id"], graph.nodes["csv_line"]
    # with overlays, each node's own file (dataset.overlay)
    files = graph.nodes.get("csv_file")
    for i in np.flatnonzero(unbalanced).tolist():  # only the offenders: a million rows is slow
        warnings.append(
            Issue(
                nodes_file if files is None else files.iat[i],
                int(csv_lines.iat[i]),
                "id",
                f"mass balance: {ids.iat[i]} ships {outflow[i]:g} t but receives {inflow[i]:g} t",
                "warning",
            )
        )
    makers = graph.nodes["stage"].to_numpy() == "manufacturer"
    if not makers.any():  # one warning, not one per node
        warnings.append(Issue(nodes_file, 0, "-", NO_MAKERS, "warning"))
    reaches = reachable(graph.n_nodes, graph.index.src, graph.index.dst, makers, upstream=True)
    for i in np.flatnonzero(~reaches & makers.any()).tolist():
        warnings.append(
            Issue(
                nodes_file if files is None else files.iat[i],
                int(csv_lines.iat[i]),
                "id",
                f"{ids.iat[i]} has no path to any manufacturer",
                "warning",
            )
        )
    cyclic = graph.index.cyclic_nodes
    if len(cyclic):
        ids = ", ".join(graph.nodes["id"].iloc[cyclic].head(8))
        warnings.append(
            Issue(
                str(dataset.folder / "edges.csv"),
                0,
                "-",
                f"{len(cyclic)} nodes sit on recycling loops, which are allowed: {ids}",
                "note",
            )
        )
    return warnings
