"""The run record: which version ran which scenario on which data, for every run's JSON file."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from .._version import __version__
from ..dataset.io import bundled_data_dir

if TYPE_CHECKING:
    from ..dataset.graph import SupplyGraph
    from ..scenario.parse import Scenario


def run_record(
    scenario: Scenario,
    graph: SupplyGraph,
    fields: dict[str, Any] | None = None,
    *,
    in_full: bool = False,
) -> dict[str, Any]:
    """Return the record of a run: the version, the scenario, the run's own fields, the data.

    Parameters
    ----------
    scenario
        The scenario that was run.
    graph
        The graph it ran on.
    fields
        What the run adds (dates, draws, counts ...), between the scenario and the data.
    in_full
        Record the scenario in full (everything it says, so that ``scenario.json`` can
        reproduce the run) and the data's folder and size; else the scenario's name and the
        data's checksum.

    Returns
    -------
    dict
        ``supplygraph_version``, ``scenario``, the ``fields``, then ``data``.

    Examples
    --------
    >>> import supplygraph as sg
    >>> record = run_record(sg.Scenario("test"), sg.load(), {"draws": 5})
    >>> list(record), record["scenario"], record["data"]["checksum"].startswith("sha256:")
    (['supplygraph_version', 'scenario', 'draws', 'data'], 'test', True)
    """
    data: dict[str, Any] = {"checksum": graph.checksum}
    if in_full:
        bundled = graph.folder.resolve() == bundled_data_dir().resolve()
        data = {
            "folder": "bundled" if bundled else str(graph.folder),
            "checksum": graph.checksum,
            "nodes": graph.n_nodes,
            "edges": graph.n_edges,
        }
    if graph.overlays:  # the checksum covers their files too
        data["overlays"] = [str(folder) for folder in graph.overlays]
    if "taken_t" in graph.edges:
        taken = graph.edges[graph.edges["taken_t"] > 0]
        data["taken_by_overlays"] = [
            {
                "supplier": row["supplier"],
                "customer": row["customer"],
                "material": row["material"],
                "taken_t": row["taken_t"],
                "flow_t": row["flow_t"],
            }
            for row in taken.to_dict("records")
        ]
    return {
        "supplygraph_version": __version__,
        "scenario": _scenario_in_full(scenario) if in_full else scenario.name,
        **(fields or {}),
        "data": data,
    }


def record_json(record: dict[str, Any]) -> str:
    """Return a run record as the text of its JSON file.

    Parameters
    ----------
    record
        A record (:func:`run_record`).

    Returns
    -------
    str
        Indented JSON, non-ASCII characters kept, with a final newline.
    """
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def _scenario_in_full(scenario: Scenario) -> dict[str, Any]:
    """Everything a scenario says, as JSON values."""
    return {
        "name": scenario.name,
        "title": scenario.title,
        "description": scenario.description,
        "as_of": scenario.as_of.isoformat() if scenario.as_of else None,
        "sources": list(scenario.sources),
        "file": scenario.path or None,
        "licences": [
            {
                "regime": p.regime,
                "action": p.action,
                "share": p.share,
                "destinations": list(p.destinations) if p.destinations else None,
                "approvals": p.approvals or None,
                "approval_delay_days": p.approval_delay_days,
                **({"general_licence": p.general_licence} if p.general_licence else {}),
            }
            for p in scenario.licences
        ],
        "rules": [
            {"select": rule.select.text, "action": rule.action, "share": rule.share}
            for rule in scenario.rules
        ],
        "capacity": [{"select": c.select.text, "spare": c.spare} for c in scenario.capacity],
        "ignore_suspensions": scenario.ignore_suspensions,
        "extraterritorial": scenario.extraterritorial,
        "default_stock_days": scenario.default_stock_days,
        "start": scenario.start.isoformat() if scenario.start else None,
        "end": scenario.end.isoformat() if scenario.end else None,
        # a run without adaptation records nothing more (its record is as it was before)
        **({"dynamics": asdict(scenario.dynamics)} if scenario.dynamics.active else {}),
    }
