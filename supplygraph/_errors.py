"""Exception types and located problems shared by the library."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Issue:
    """One located problem in an input file."""

    file: str
    line: int
    column: str
    message: str
    severity: str = "error"  # "error", "warning" (a problem worth a look) or "note" (not one)

    def __str__(self) -> str:
        if self.line == 0 and self.column == "-":  # about the whole file
            return f"{self.file}: {self.message}"
        return f"{self.file}:{self.line}: {self.column}: {self.message}"


class SupplyGraphError(Exception):
    """Base class of the errors the library raises on bad input."""


class DataError(SupplyGraphError):
    """Input data failed validation; ``issues`` lists every problem found."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


class ScenarioError(SupplyGraphError):
    """A scenario or selector is invalid."""


class WriteError(SupplyGraphError):
    """A report could not be written; the folder's earlier reports were left as they were."""
