"""The two CSV readers of io.py: pyarrow for one-row-per-line files, the csv module otherwise."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from supplygraph.dataset import io as sio
from supplygraph.dataset import schema

TINY = Path(__file__).parent / "data" / "tiny"


def read(data: bytes) -> tuple[pd.DataFrame, list]:
    issues: list = []
    table = sio._read_table(
        Path("nodes.csv"), data, schema.NODE_COLUMNS, schema.NODE_REQUIRED, issues
    )
    return table, issues


@pytest.mark.parametrize(
    "edit",
    [
        ("Oz Co,,500,", "  Oz Co ,, 500 ,"),  # spaces around cells
        ("Oz Co,,500,", '"Oz ""Co""",,"500",'),  # quotes and escaped quotes
        ("Mine Co,", "Mine Co\u00e9,"),  # non-ASCII text
    ],
)
def test_arrow_reader_and_csv_module_reader_agree(edit):
    text = (TINY / "nodes.csv").read_text(encoding="utf-8").replace(*edit)
    one_per_line = (text + ",,,,,,,,,,\n").encode("utf-8")  # a line of empty cells: no row
    blank_line = (text + "\n").encode("utf-8")  # a blank line: the csv module reads it
    header = text.splitlines()[0].split(",")
    assert sio._rows_one_per_line(one_per_line, header) is not None
    assert sio._rows_one_per_line(blank_line, header) is None
    (fast, fast_issues), (slow, slow_issues) = read(one_per_line), read(blank_line)
    assert fast_issues == slow_issues
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["csv_line"].tolist() == list(range(2, 10))  # 8 nodes on lines 2-9


def test_multiline_cell_goes_to_the_csv_module_and_keeps_lines():
    text = (TINY / "nodes.csv").read_text(encoding="utf-8").replace("Oz Co", '"Oz\nCo"', 1)
    header = text.splitlines()[0].split(",")
    assert sio._rows_one_per_line(text.encode("utf-8"), header) is None
    table, issues = read(text.encode("utf-8"))
    assert issues == []
    # au-mine (line 3) spans lines 3-4, so the nodes after it start one line later
    assert table["csv_line"].tolist() == [2, 3, 5, 6, 7, 8, 9, 10]
