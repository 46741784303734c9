"""HiGHS, quietly: a linear program solved in stages on one model, warm-started."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.sparse import csr_array

from ._errors import SupplyGraphError


def quiet(make: Callable[[], Any]) -> Any:
    """Call ``make`` with the process's standard output shut: HiGHS prints a banner to it
    when the first solver object is made, before any option can be set."""
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        return make()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


class Lp:
    """A HiGHS model ``min cost x  s.t.  a x <= b,  lower <= x <= upper``, solved in stages."""

    def __init__(self, a: csr_array, b: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        import highspy

        self.highspy = highspy
        self.highs = quiet(highspy.Highs)
        self.highs.setOptionValue("output_flag", False)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
        lp.col_cost_ = np.zeros(a.shape[1])
        lp.col_lower_, lp.col_upper_ = lower, np.where(np.isinf(upper), highspy.kHighsInf, upper)
        lp.row_lower_, lp.row_upper_ = np.full(a.shape[0], -highspy.kHighsInf), b
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, a.data
        lp.a_matrix_.num_row_, lp.a_matrix_.num_col_ = a.shape
        self.highs.passModel(lp)
        self.status = ""

    def solve(self, cost: np.ndarray, stage: str, method: str) -> np.ndarray:
        """Set the cost, solve by interior point ("ipm", with crossover to a vertex) or by
        primal simplex from the current basis, and return x."""
        highs = self.highs
        highs.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), cost)
        highs.setOptionValue("solver", "ipm" if method == "ipm" else "simplex")
        highs.setOptionValue("simplex_strategy", 4)  # primal: the basis stays feasible
        highs.run()
        status = highs.getModelStatus()
        self.status = highs.modelStatusToString(status)
        if status != self.highspy.HighsModelStatus.kOptimal:
            raise SupplyGraphError(f"rerouting LP ({stage}) failed: {self.status}")
        return np.asarray(highs.getSolution().col_value)

    def set_bounds(self, column: int, lower: float, upper: float) -> None:
        """Change one column's bounds, keeping the basis for the next :meth:`solve`."""
        self.highs.changeColBounds(column, lower, upper)
