"""Report text: the column-wise CSV rendering against a plain cell-by-cell reference."""

from __future__ import annotations

import math
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supplygraph.outputs import report


def reference_csv_text(table, columns, *, raw=False):
    """Cell by cell: round each number, then format it; pandas writes the CSV."""
    present = [c for c in columns if c in table.columns]
    out = pd.DataFrame(index=table.index)
    for column in present:
        series, places = table[column], report._decimals(column)
        if column in report.INTEGER_COLUMNS:
            out[column] = series.map(lambda v: str(int(v)))
        elif pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
            out[column] = series.map(
                lambda v, p=places: (
                    "" if math.isnan(v) else f"{round(float(v), p) + 0.0:.{p}f}"
                )  # + 0.0 turns -0.0 into 0.0
            )
        else:
            text = series.fillna("").astype(str)
            safe = text.map(lambda t: "'" + t if t.startswith(report.FORMULA_PREFIXES) else t)
            out[column] = text if raw else safe
    return out.to_csv(index=False, lineterminator="\n")


numbers = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e6, max_value=1e6),
    # decimals with a 5 right after the last place kept: the rounding ties
    st.integers(-(10**9), 10**9).map(lambda k: k / 2000),
    st.sampled_from([0.0, -0.0, -0.0004, 0.0005, 2.675, 1e15, 1e-320]),
)
texts = st.text(alphabet=st.sampled_from(list("ab ,;\"'=+-@\t\r\n\0é")), max_size=6)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(numbers, numbers, numbers, texts, st.booleans(), st.integers(0, 10**6)),
        max_size=8,
    ),
    raw=st.booleans(),
)
def test_to_csv_text_matches_the_cell_by_cell_reference(rows, raw):
    columns = ["name", "makers", "baseline_t", "shortfall_pct", "licensed_share", "new_link"]
    table = pd.DataFrame(
        {
            "baseline_t": np.array([r[0] for r in rows], dtype=np.float64),
            "shortfall_pct": np.array([r[1] for r in rows], dtype=np.float64),
            "licensed_share": np.array([r[2] for r in rows], dtype=np.float64),
            "name": pd.Series([r[3] for r in rows], dtype=object),
            "new_link": np.array([r[4] for r in rows], dtype=bool),
            "makers": np.array([r[5] for r in rows], dtype=np.int64),
        }
    )
    expected = reference_csv_text(table, columns, raw=raw)
    assert report.to_csv_text(table, columns, raw=raw) == expected
    with mock.patch.object(report, "CHUNK_ROWS", 3):  # several chunks
        assert report.to_csv_text(table, columns, raw=raw) == expected


def test_counts_are_whole_numbers_and_the_hhi_is_rounded_to_a_tenth():
    # one rule for every report: the risk reports' counts and HHI as the scenario's are
    table = pd.DataFrame(
        {
            "rank": [1.0, 2.0],
            "countries": np.array([13, 2], dtype=np.int64),
            "draws": [10_000, 10_000],
            "hhi": [4914.94, 1234.56],
            "shortfall_t": [1.23456, np.nan],
        }
    )
    # 4914.94 rounds to 4914.9 and 1234.56 to 1234.6, then a unitless figure's 3 decimals
    assert report.to_csv_text(table, list(table.columns)) == (
        "rank,countries,draws,hhi,shortfall_t\n1,13,10000,4914.900,1.235\n2,2,10000,1234.600,\n"
    )
    # sectors.csv's countries is a list of codes, not a count: written as text
    listed = pd.DataFrame({"countries": ["CN;DE", "=JP"]})
    assert report.to_csv_text(listed, ["countries"]) == "countries\nCN;DE\n'=JP\n"
