"""HiGHS, quietly: a scaled linear program solved in stages on one model, warm-started."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.sparse import csr_array


class Stopped(Exception):
    """The solver ended a stage without an optimum: its time limit, or a failure."""

    def __init__(self, stage: str, status: str, *, timed_out: bool) -> None:
        super().__init__(f"{stage}: {status}")
        self.stage, self.status, self.timed_out = stage, status, timed_out


def quiet(make: Callable[[], Any]) -> Any:
    """Call ``make`` with the process's standard output shut: HiGHS prints a banner to it
    when the first solver object is made, before any option can be set.

    Parameters
    ----------
    make
        What to call.

    Returns
    -------
    object
        What ``make`` returns.
    """
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        return make()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


# Sizes HiGHS handles well as they are. A column, row or cost whose typical size lies in this
# band is left unscaled, so ordinary data is solved exactly as written; outside it, it is
# brought to about 1.
PLAIN = (1e-3, 1e6)


def scale_of(size: np.ndarray) -> np.ndarray:
    """Return the unit to express each size in: 1 inside PLAIN, else the nearest power of two.

    Sizes that are 0 or not finite get 1. Scaling by powers of two is exact in binary
    floating point: it adds no rounding.

    Parameters
    ----------
    size
        Magnitudes (positive).

    Returns
    -------
    numpy.ndarray
        A power of two per size (1 for sizes within 1e-3..1e6).

    Examples
    --------
    >>> scale_of(np.array([1e15, 300.0, 1e-6, 0.0, np.inf])).tolist()
    [1125899906842624.0, 1.0, 9.5367431640625e-07, 1.0, 1.0]
    """
    size = np.where(np.isfinite(size) & (size > 0), size, 1.0)
    plain = (size >= PLAIN[0]) & (size <= PLAIN[1])
    return np.where(plain, 1.0, np.exp2(np.round(np.log2(size))))


class Lp:
    """A HiGHS model ``min cost x  s.t.  a x <= b,  lower <= x <= upper``, solved in stages.

    HiGHS works on a scaled copy: each column in units of its typical value ``size``, then
    each row divided by its largest coefficient and the cost by its largest term, where
    those lie outside PLAIN (see :func:`scale_of`). Without this, flows of 10^15 t exceed
    HiGHS' largest accepted matrix value (10^15), and its absolute tolerances (10^-7) mean
    nothing for flows of micrograms or billions of tonnes. Solutions are returned in the
    caller's units.
    """

    def __init__(
        self, a: csr_array, b: np.ndarray, lower: np.ndarray, upper: np.ndarray, size: np.ndarray
    ) -> None:
        import highspy

        self.highspy = highspy
        self.highs = quiet(highspy.Highs)
        self.highs.setOptionValue("output_flag", False)
        self.col = scale_of(size)
        row_of = np.repeat(np.arange(a.shape[0]), np.diff(a.indptr))
        value = a.data * self.col[a.indices]
        largest = np.zeros(a.shape[0])
        np.maximum.at(largest, row_of, np.abs(value))
        row = 1 / scale_of(largest)
        value = value * row[row_of]
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
        lp.col_cost_ = np.zeros(a.shape[1])
        lp.col_lower_ = lower / self.col
        lp.col_upper_ = np.where(np.isinf(upper), highspy.kHighsInf, upper / self.col)
        lp.row_lower_, lp.row_upper_ = np.full(a.shape[0], -highspy.kHighsInf), b * row
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = a.indptr, a.indices, value
        lp.a_matrix_.num_row_, lp.a_matrix_.num_col_ = a.shape
        self.highs.passModel(lp)
        self.status = ""

    def solve(self, cost: np.ndarray, stage: str, method: str, time_limit: float) -> np.ndarray:
        """Set the cost, solve by interior point ("ipm", with crossover to a vertex) or by
        primal simplex from the current basis within ``time_limit`` seconds, and return x.

        Parameters
        ----------
        cost
            The objective per column (minimised).
        stage
            The stage's name, for messages.
        method
            ``"ipm"`` (interior point, then crossover) or ``"primal simplex"`` (from the
            current basis).
        time_limit
            Seconds the solver may take; None for no limit.

        Returns
        -------
        numpy.ndarray
            The columns' values, in the model's units.

        Raises
        ------
        Stopped
            When HiGHS ends without an optimum.
        """
        highs = self.highs
        scaled = cost * self.col
        scaled = scaled / scale_of(np.max(np.abs(scaled), initial=0.0))
        highs.changeColsCost(len(cost), np.arange(len(cost), dtype=np.int32), scaled)
        highs.setOptionValue("solver", "ipm" if method == "ipm" else "simplex")
        highs.setOptionValue("simplex_strategy", 4)  # primal: the basis stays feasible
        highs.setOptionValue("time_limit", max(float(time_limit), 0.0))
        highs.run()
        status = highs.getModelStatus()
        self.status = highs.modelStatusToString(status)
        if status != self.highspy.HighsModelStatus.kOptimal:
            timed_out = status == self.highspy.HighsModelStatus.kTimeLimit
            raise Stopped(stage, self.status, timed_out=timed_out)
        return np.asarray(highs.getSolution().col_value) * self.col

    def set_bounds(self, column: int, lower: float, upper: float) -> None:
        """Change one column's bounds, keeping the basis for the next :meth:`solve`.

        Parameters
        ----------
        column
            The column.
        lower, upper
            Its new bounds, in the model's units.
        """
        self.highs.changeColBounds(column, lower / self.col[column], upper / self.col[column])
