"""Build small SupplyGraphs in tests from compact edge lists."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from supplygraph.dataset.graph import SupplyGraph, build_graph
from supplygraph.dataset.io import Dataset, load_regimes
from supplygraph.dataset.schema import LINE_COLUMNS

NODE_DEFAULTS = {
    "name": "",
    "stage": "separation",
    "country": "AU",
    "company": "",
    "sector": "",
    "capacity_t": float("nan"),
    "stock_days": float("nan"),
    "source": "test",
    "status": "assumption",
    "note": "",
}
EDGE_DEFAULTS = {
    "elements": "Nd",
    "source": "test",
    "status": "assumption",
    "licence": "",
    "note": "",
    "line": "",
    "from_line": "",
}


def make_graph(
    nodes: dict[str, dict], edges: list[tuple], lines: list[dict] | None = None
) -> SupplyGraph:
    """Build a graph: ``nodes`` maps id to attributes; edges are (supplier, customer,
    material, flow_t[, attributes]); ``lines`` are rows of lines.csv (node and line at
    least)."""
    node_rows = [
        {"csv_line": i + 2, "id": node_id, **NODE_DEFAULTS, "name": node_id, **attrs}
        for i, (node_id, attrs) in enumerate(nodes.items())
    ]
    edge_rows = []
    for i, edge in enumerate(edges):
        supplier, customer, material, flow = edge[:4]
        attrs = edge[4] if len(edge) > 4 else {}
        edge_rows.append(
            {
                "csv_line": i + 2,
                "supplier": supplier,
                "customer": customer,
                "material": material,
                "flow_t": float(flow),
                **EDGE_DEFAULTS,
                **attrs,
            }
        )
    regimes = load_regimes()
    line_rows = [
        {
            "csv_line": i + 2,
            "sector": "",
            "unit": "",
            "baseline_units": float("nan"),
            "source": "test",
            "status": "assumption",
            "note": "",
            **row,
        }
        for i, row in enumerate(lines or [])
    ]
    line_table = pd.DataFrame(line_rows, columns=["csv_line", *LINE_COLUMNS])
    dataset = Dataset(
        pd.DataFrame(node_rows), pd.DataFrame(edge_rows), regimes, Path("."), "", lines=line_table
    )
    return build_graph(dataset)


def licence_graph() -> SupplyGraph:
    """Exports from China of controlled and uncontrolled oxides, one exempt, one added."""
    return make_graph(
        {
            "cn": {"country": "CN"},
            "cn2": {"country": "CN"},
            "jp": {"country": "JP"},
            "us": {"country": "US"},
        },
        [
            ("cn", "jp", "heavy_oxide", 10, {"elements": "Dy;Tb"}),  # 0: licence edge
            ("cn", "jp", "ndpr_oxide", 90, {"elements": "Nd;Pr"}),  # 1: NdPr not controlled
            ("cn", "cn2", "y_oxide", 5, {"elements": "Y"}),  # 2: domestic
            ("cn", "us", "sm_oxide", 3, {"elements": "Sm"}),  # 3: licence edge
            ("cn", "us", "gd_oxide", 2, {"elements": "Gd", "licence": "exempt"}),  # 4: exempted
            ("jp", "us", "ndpr_metal", 4, {"elements": "Nd", "licence": "+CN-2025-18"}),
        ],  # 5
    )
