"""supplygraph: rare-earth supply-chain graph explorer for export-licence disruptions."""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# Imported on first use, so that `supplygraph --help` does not load pandas or scipy.
_API = {
    "load": "graph",
    "SupplyGraph": "graph",
    "Scenario": "scenario",
    "load_scenario": "scenario",
    "simulate": "exposure",
    "Result": "exposure",
    "DataError": "_errors",
    "ScenarioError": "_errors",
    "SupplyGraphError": "_errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'supplygraph' has no attribute {name!r}")
