"""Text on the HTML page: tooltips and number formats."""

from __future__ import annotations

import math
from typing import Any

from ..dataset.schema import sector_label, split_list


def node_tip(row: dict[str, Any], exposure: bool) -> str:
    """Plain-text tooltip (vis-network shows string titles with innerText, never as HTML)."""
    lines = [
        row["name"],
        f"id: {row['id']}",
        f"company: {row['company'] or '-'}",
        f"country: {row['country']}    stage: {row['stage']}",
        f"sector: {', '.join(map(sector_label, split_list(row['sector']))) or '-'}",
        f"baseline: {tonnes(row['baseline_t'])} t/yr",
    ]
    if exposure:
        lines.append(
            f"after: {tonnes(row['after_t'])} t/yr (shortfall {percent(row['shortfall_pct'])})"
        )
        if "after_reroute_t" in row:
            lines.append(
                f"after rerouting: {tonnes(row['after_reroute_t'])} t/yr (shortfall "
                f"{percent(row['shortfall_reroute_pct'])})"
            )
        lines.append(f"days to impact: {days(row['days_to_impact'])}")
        if row.get("limiting_input"):
            lines.append(
                f"limited by: {row['limiting_input']} from {row['limiting_suppliers'] or '-'}"
                f" (cause: {row['limiting_regimes'] or '-'})"
            )
    if not missing(row["stock_days"]):
        lines.append(f"stock: {row['stock_days']:g} days")
    lines.append(f"Chinese-origin content: {percent(row['china_content_pct'])}")
    lines.append(f"source: {row['source'] or '-'}")
    return "\n".join(lines)


def edge_tip(row: dict[str, Any], names: dict[str, str], exposure: bool) -> str:
    lines = [
        f"{names[row['supplier']]} -> {names[row['customer']]}",
        f"material: {row['material']}",
        f"elements: {row['elements'] or '-'}",
        f"baseline: {tonnes(row['baseline_t'])} t/yr",
    ]
    if exposure:
        lines += [
            f"after: {tonnes(row['after_t'])} t/yr",
            f"status: {row['flow_status']}",
            f"regimes: {row['regimes'] or '-'}",
        ]
    return "\n".join(lines)


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: Any) -> float | None:
    return None if missing(value) else round(float(value), 3)


# "z" (PEP 682): a value that rounds to zero shows as 0, never -0, as in the CSV reports
def tonnes(value: float) -> str:
    return "-" if missing(value) else f"{value:z,.0f}" if abs(value) >= 100 else f"{value:z,.1f}"


def percent(value: float) -> str:
    return "-" if missing(value) else f"{value:z.1f}%"


def days(value: float) -> str:
    return "never" if missing(value) else f"{value:z.0f}"


def short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"
