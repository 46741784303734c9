"""supplygraph compare: two scenarios side by side."""

from __future__ import annotations

import shutil

import pandas as pd
from cli_helpers import TINY, invoke


def test_compare_reports_difference(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    (data / "scenarios").mkdir()
    (data / "scenarios" / "a.toml").write_text('[[rules]]\nselect = "dest=US"\n')
    (data / "scenarios" / "b.toml").write_text('[[rules]]\nselect = "country=CN"\n')
    out = tmp_path / "cmp"
    result = invoke("compare", "a", "b", "--data", str(data), "--out", str(out))
    assert result.exit_code == 0, result.output
    sectors = pd.read_csv(out / "sectors.csv").set_index("sector")
    # a cuts only CN -> US (wind 100%); b cuts every CN export (ev: NdPr 150 of 200 t lost
    # and all Dy: magnet output 0 -> ev 100%, wind 100%)
    assert sectors.loc["ev", "shortfall_pct_a"] == 0.0
    assert sectors.loc["ev", "shortfall_pct_b"] == 100.0
    assert sectors.loc["ev", "shortfall_pct_diff"] == 100.0
    assert sectors.loc["wind", "shortfall_pct_diff"] == 0.0
