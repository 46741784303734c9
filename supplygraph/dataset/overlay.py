"""Overlay folders: a company's own nodes, lines and flows on top of a base dataset.

An overlay folder holds ``nodes.csv``, ``edges.csv`` and optionally ``lines.csv`` (and
``scenarios/``) in the dataset's format, with two columns more (``schema.OVERLAY_*``):

- ``replace`` (``yes``): the row replaces the base row with the same node id (or edge key:
  supplier, customer, material, from_line, line). Without it, a collision is an error.
- ``takes_from`` (edges): the base node (an aggregate, usually) whose flow this row is a
  share of. The base edge of the same material between that node and the row's base end
  is reduced by the row's ``flow_t``, so the tonnes are not counted twice; the merged
  edges say how much was taken (``taken_t``). Where the row leaves the line on its base
  end empty, it takes the base edge's (the tonnes went to that line).

Every row of the merged tables says where it comes from (``layer``: ``base`` or
``overlay``). Problems are located in the overlay's files.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import DataError, Issue
from . import _validate, schema
from .io import Dataset, empty_table, read_table, typed

EDGE_KEY = ["supplier", "customer", "material", "from_line", "line"]
YES = "yes"


def apply_overlays(base: Dataset, folders: Iterable[str | os.PathLike[str]]) -> Dataset:
    """Return the base dataset with each overlay folder applied on top, in order.

    Parameters
    ----------
    base
        A loaded dataset (not modified).
    folders
        Overlay folders; a later one may name the nodes of an earlier one.

    Returns
    -------
    Dataset
        The merged tables, each with a ``layer`` column; edges with ``taken_t`` (the
        tonnes overlays took out of a base edge, NaN where none); ``overlays`` names the
        folders and ``checksum`` covers their files too.

    Raises
    ------
    DataError
        Listing every problem of an overlay, located in its files.
    """
    dataset = base
    for folder in folders:
        dataset = apply_overlay(dataset, folder)
    return dataset


def apply_overlay(base: Dataset, folder: str | os.PathLike[str]) -> Dataset:
    """Return the base dataset with one overlay folder applied (see the module's text).

    Parameters
    ----------
    base
        A loaded dataset, possibly with overlays already (not modified).
    folder
        The overlay folder.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        Listing every problem found, each with the overlay's file, line and column.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError([Issue(str(folder), 0, "-", "no such overlay folder")])
    paths = {name: folder / f"{name}.csv" for name in ("nodes", "edges", "lines")}
    if not paths["nodes"].is_file() and not paths["edges"].is_file():
        raise DataError(
            [
                Issue(
                    str(folder),
                    0,
                    "-",
                    "no overlay here: an overlay folder holds nodes.csv and/or edges.csv "
                    "(and may hold lines.csv and scenarios/)",
                )
            ]
        )
    issues: list[Issue] = []
    layouts = {
        "nodes": (schema.OVERLAY_NODE_COLUMNS, schema.NODE_REQUIRED),
        "edges": (schema.OVERLAY_EDGE_COLUMNS, schema.EDGE_REQUIRED),
        "lines": (schema.LINE_COLUMNS, schema.LINE_REQUIRED),
    }
    tables: dict[str, pd.DataFrame | None] = {}
    digest = hashlib.sha256(base.checksum.encode("utf-8"))
    for name, path in paths.items():
        columns, required = layouts[name]
        if not path.is_file():
            tables[name] = empty_table(columns)
            continue
        data = path.read_bytes()
        digest.update(f"{name}.csv {len(data)}\n".encode() + data)  # one file after another
        tables[name] = read_table(path, columns, required, issues)
    nodes, edges, lines = tables["nodes"], tables["edges"], tables["lines"]
    files = {name: str(path) for name, path in paths.items()}
    if nodes is not None and edges is not None and lines is not None:
        _check(base, nodes, edges, lines, files, issues)
    errors = sorted(i for i in issues if i.severity == "error")
    if errors:
        raise DataError(errors)
    assert nodes is not None and edges is not None and lines is not None
    merged_edges = _merge_edges(base.edges, typed(edges, schema.EDGE_NUMERIC), set(nodes["id"]))
    return replace(
        base,
        nodes=_merge_nodes(
            base.nodes.assign(csv_file=base.nodes.get("csv_file", str(base.folder / "nodes.csv"))),
            typed(nodes, schema.NODE_NUMERIC).assign(csv_file=files["nodes"]),
        ),
        edges=merged_edges,
        lines=_merge_rows(base.lines, typed(lines, schema.LINE_NUMERIC)),
        checksum="sha256:" + digest.hexdigest(),
        warnings=[*base.warnings, *(i for i in issues if i.severity != "error")],
        overlays=(*base.overlays, folder),
    )


# ---------------------------------------------------------------- checks across the two


def _check(
    base: Dataset,
    nodes: pd.DataFrame,
    edges: pd.DataFrame,
    lines: pd.DataFrame,
    files: dict[str, str],
    issues: list[Issue],
) -> None:
    """The overlay's own row checks, then those across it and the base."""
    base_ids = set(base.nodes["id"])
    for table, file in ((nodes, files["nodes"]), (edges, files["edges"])):
        _validate.report(
            issues,
            file,
            table,
            ~table["replace"].isin(["", YES]),
            "replace",
            lambda cell: f"invalid replace {cell!r}: expected empty or {YES!r}",
        )
    if not nodes.empty:
        _validate.check_nodes(nodes, files["nodes"], issues)
    collides = nodes["id"].isin(base_ids).to_numpy()
    replaces = (nodes["replace"] == YES).to_numpy()
    _validate.report(
        issues,
        files["nodes"],
        nodes,
        collides & ~replaces,
        "id",
        lambda cell: (
            f"id {cell!r} is a node of the base data: give replace={YES} to "
            "replace it, or another id"
        ),
    )
    _validate.report(
        issues,
        files["nodes"],
        nodes,
        replaces & ~collides,
        "replace",
        lambda cell: f"replace={cell}, but the base data has no node of this id",
    )
    kept = base.nodes[~base.nodes["id"].isin(nodes["id"])]
    all_nodes = pd.concat(
        [kept[["id", "stage", "sector"]], nodes[["id", "stage", "sector"]]], ignore_index=True
    )
    _validate.report(
        issues,
        files["lines"],
        lines,
        lines["node"].isin(base_ids).to_numpy(),
        "node",
        lambda cell: f"{cell} is a node of the base data: its lines are declared there",
    )
    _validate.check_lines(lines, all_nodes, files["lines"], issues)
    _check_units(base, nodes, lines, files, issues)
    all_lines = pd.concat([base.lines[["node", "line"]], lines[["node", "line"]]])
    if not edges.empty:
        _validate.check_edges(
            edges, all_nodes, base.regimes["id"], files["edges"], issues, lines=all_lines
        )
    _check_edge_collisions(base.edges, edges, files["edges"], issues)
    _check_takes(base, set(nodes["id"]), edges, files["edges"], issues)


def _check_units(
    base: Dataset,
    nodes: pd.DataFrame,
    lines: pd.DataFrame,
    files: dict[str, str],
    issues: list[Issue],
) -> None:
    """A maker's line of the overlay counts its products in the unit its sector has in the
    base: without one, the sector's unit figures would leave the line out silently."""
    unit_of = {}
    for row in base.lines.itertuples(index=False):
        if row.unit:
            unit_of.setdefault(row.sector or _sector_of(base.nodes, row.node), row.unit)
    makers = nodes[nodes["stage"] == "manufacturer"]
    sector_of = dict(zip(makers["id"], makers["sector"]))
    declared = set(lines["node"])
    for row in lines.itertuples(index=False):
        if row.node not in sector_of:
            continue
        sector = row.sector or sector_of[row.node]
        unit = unit_of.get(sector)
        if unit is not None and row.unit != unit:
            issues.append(
                Issue(
                    files["lines"],
                    row.csv_line,
                    "unit",
                    f"a maker's line of sector {sector!r} counts {unit!r} in the base data; "
                    + ("give unit and baseline_units" if not row.unit else f"not {row.unit!r}"),
                )
            )
    for row in makers.itertuples(index=False):
        unit = unit_of.get(row.sector)
        if row.id not in declared and unit is not None:
            issues.append(
                Issue(
                    files["nodes"],
                    row.csv_line,
                    "sector",
                    f"sector {row.sector!r} counts {unit!r} in the base data: declare "
                    f"{row.id}'s line in lines.csv with a unit and baseline_units",
                )
            )


def _sector_of(nodes: pd.DataFrame, node: str) -> str:
    found = nodes.loc[nodes["id"] == node, "sector"]
    return str(found.iloc[0]) if len(found) else ""


def _check_edge_collisions(
    base_edges: pd.DataFrame, edges: pd.DataFrame, file: str, issues: list[Issue]
) -> None:
    """An edge with a base edge's key replaces it only with ``replace=yes``."""
    if edges.empty:
        return
    key = pd.MultiIndex.from_frame(edges[EDGE_KEY])
    collides = key.isin(pd.MultiIndex.from_frame(base_edges[EDGE_KEY]))
    replaces = (edges["replace"] == YES).to_numpy()
    _validate.report(
        issues,
        file,
        edges,
        collides & ~replaces,
        "material",
        lambda cell: (
            f"the base data has this edge ({cell}): give replace={YES} to replace "
            "it, or takes_from to take a share of it"
        ),
    )
    _validate.report(
        issues,
        file,
        edges,
        replaces & ~collides,
        "replace",
        lambda cell: (
            f"replace={cell}, but the base data has no edge with this supplier, "
            "customer, material, from_line and line"
        ),
    )


def taken_edge(
    base_edges: pd.DataFrame, row: pd.Series, overlay_ids: set[str]
) -> tuple[np.ndarray, str]:
    """Return the base edges an overlay edge with ``takes_from`` may take its flow out of.

    The aggregate stands in for the overlay's end: the base edge runs from the row's base
    supplier to the aggregate (the overlay's node buys what the aggregate bought), or from
    the aggregate to the row's base customer (it ships what the aggregate shipped), of the
    same material; a line the row names on the base end must match.

    Parameters
    ----------
    base_edges
        The base edges (text or typed).
    row
        The overlay edge.
    overlay_ids
        The overlay's node ids.

    Returns
    -------
    tuple of (numpy.ndarray, str)
        The positions of the matching base edges, and a problem ("" when there is none).
    """
    aggregate = row["takes_from"]
    if row["customer"] in overlay_ids and row["supplier"] not in overlay_ids:
        ends = (row["supplier"], aggregate)
        line_column, line = "from_line", row["from_line"]
    elif row["supplier"] in overlay_ids and row["customer"] not in overlay_ids:
        ends = (aggregate, row["customer"])
        line_column, line = "line", row["line"]
    else:
        return np.array([], dtype=np.int64), "takes_from needs one end of the edge in the overlay"
    match = (
        (base_edges["supplier"] == ends[0])
        & (base_edges["customer"] == ends[1])
        & (base_edges["material"] == row["material"])
    )
    if line:
        match &= base_edges[line_column] == line
    found = np.flatnonzero(match.to_numpy())
    what = f"{ends[0]} -> {ends[1]} of {row['material']!r}"
    what += f" ({line_column} {line})" if line else ""
    if len(found) == 0:
        return found, f"the base data has no edge {what} to take the flow from"
    if len(found) > 1:
        named = ", ".join(sorted({str(c) for c in base_edges[line_column].iloc[found]}))
        return found, (
            f"the base data has {len(found)} edges {what} ({line_column}: {named}): "
            f"give {line_column} to say which"
        )
    return found, ""


def _check_takes(
    base: Dataset, overlay_ids: set[str], edges: pd.DataFrame, file: str, issues: list[Issue]
) -> None:
    """Each ``takes_from`` names one base edge, and no more is taken out of it than it has."""
    rows = edges[edges["takes_from"] != ""]
    if rows.empty:
        return
    base_ids = set(base.nodes["id"])
    left = base.edges["flow_t"].to_numpy(np.float64).copy()  # a copy: reduced as rows take
    for _, row in rows.iterrows():
        where = (file, int(row["csv_line"]), "takes_from")
        if row["takes_from"] not in base_ids:
            issues.append(Issue(*where, f"unknown base node {row['takes_from']!r}"))
            continue
        found, problem = taken_edge(base.edges, row, overlay_ids)
        if problem:
            issues.append(Issue(*where, problem))
            continue
        flow = schema.parse_number(row["flow_t"])
        if flow is None:  # reported by the number check
            continue
        j = int(found[0])
        if flow > left[j] * (1 + 1e-9):
            carries = float(base.edges["flow_t"].iat[j])
            issues.append(
                Issue(
                    *where,
                    f"takes {flow:g} t out of {base.edges['supplier'].iat[j]} -> "
                    f"{base.edges['customer'].iat[j]} of {row['material']!r}, which carries "
                    f"{carries:g} t"
                    + (f" ({carries - left[j]:g} t already taken)" if left[j] < carries else ""),
                )
            )
            continue
        left[j] = max(left[j] - flow, 0.0)


# ---------------------------------------------------------------- merging


def _layered(table: pd.DataFrame, layer: str) -> pd.DataFrame:
    table = table.copy()
    if "layer" not in table:
        table["layer"] = layer
    return table


def _merge_rows(base: pd.DataFrame, overlay: pd.DataFrame) -> pd.DataFrame:
    """The base rows, then the overlay's, each with its ``layer``."""
    overlay = overlay.drop(columns=["replace", "takes_from"], errors="ignore")
    merged = pd.concat([_layered(base, "base"), _layered(overlay, "overlay")], ignore_index=True)
    return merged


def _merge_nodes(base: pd.DataFrame, overlay: pd.DataFrame) -> pd.DataFrame:
    """Replaced nodes keep their place (their edges are the base's); new ones follow."""
    base = _layered(base, "base")
    replacing = overlay[overlay["replace"] == YES].set_index("id")
    if not replacing.empty:
        base = base.set_index("id")
        columns = [c for c in replacing.columns if c in base.columns]
        base.loc[replacing.index, columns] = replacing[columns]
        base.loc[replacing.index, "layer"] = "overlay"
        base = base.reset_index()
    return _merge_rows(base, overlay[overlay["replace"] != YES])


def _merge_edges(base: pd.DataFrame, overlay: pd.DataFrame, overlay_ids: set[str]) -> pd.DataFrame:
    """Base edges less what the overlay replaces or takes out of them, then the overlay's."""
    base = _layered(base, "base")
    if "taken_t" not in base:
        base["taken_t"] = np.nan
    flow = base["flow_t"].to_numpy(np.float64).copy()
    taken = base["taken_t"].to_numpy(np.float64).copy()
    overlay = overlay.copy()  # takes the base edge's line where it names none
    for i, row in overlay[overlay["takes_from"] != ""].iterrows():
        j = int(taken_edge(base, row, overlay_ids)[0][0])
        flow[j] = max(flow[j] - row["flow_t"], 0.0)
        taken[j] = np.nan_to_num(taken[j]) + row["flow_t"]
        line_column = "from_line" if row["customer"] in overlay_ids else "line"
        if not row[line_column]:
            overlay.loc[i, line_column] = base[line_column].iat[j]
    base["flow_t"], base["taken_t"] = flow, taken
    replacing = pd.MultiIndex.from_frame(overlay.loc[overlay["replace"] == YES, EDGE_KEY])
    base = base[~pd.MultiIndex.from_frame(base[EDGE_KEY]).isin(replacing)]
    overlay = overlay.drop(columns=["replace", "takes_from"]).assign(taken_t=np.nan)
    return pd.concat([base, _layered(overlay, "overlay")], ignore_index=True)
