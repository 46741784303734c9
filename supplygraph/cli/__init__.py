"""The supplygraph command line: parse, call the library, print, map errors to exit codes.

One module per family of commands; importing them registers their commands on the group.
"""

from . import data, dated, risk, run, trade  # noqa: F401 - each registers its commands
from ._base import cli, main
from .run import simulate

__all__ = ["cli", "main", "simulate"]
