"""supplygraph validate: counts, shares, and every problem in bad data."""

from __future__ import annotations

import shutil

from cli_helpers import TINY, invoke


def test_validate_prints_counts_and_shares():
    result = invoke("validate", "--data", str(TINY))
    assert result.exit_code == 0
    assert "8 nodes, 8 edges, 6 countries: OK" in result.stdout
    # mine output 800 t CN + 300 t AU: CN 800 / 1100 = 72.7%
    assert "CN 72.7%, AU 27.3%" in result.stdout


def test_bad_data_lists_every_problem_and_writes_nothing(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    text = (data / "nodes.csv").read_text().replace("separation,MY", "smelter,MY")
    (data / "nodes.csv").write_text(text.replace("component,DE", "component,ZZ"))
    result = invoke("validate", "--data", str(data))
    assert result.exit_code == 2
    assert f"error: {data / 'nodes.csv'}:5: stage: unknown stage 'smelter'" in result.output
    assert f"error: {data / 'nodes.csv'}:7: country: invalid ISO" in result.output
    out = tmp_path / "out"
    assert invoke("simulate", "--data", str(data), "--out", str(out)).exit_code == 2
    assert not out.exists()


def test_validate_bundled_data_prints_the_published_shares():
    result = invoke("validate")
    assert result.exit_code == 0
    # 327 edges: the Chinese makers' edges leave two grades each (data/SOURCES.md 9a)
    assert "157 nodes, 327 edges" in result.stdout
    mine = next(line for line in result.stdout.splitlines() if line.strip().startswith("mine"))
    assert "CN 68.5%" in mine  # 270,000 of 394,405 t (USGS: 69%)


def test_validate_keeps_notes_behind_verbose_and_drops_zero_shares():
    quiet, verbose = invoke("validate"), invoke("validate", "-v")
    assert quiet.exit_code == verbose.exit_code == 0
    assert "recycling loops" not in quiet.output and "recycling loops" in verbose.stderr
    assert " 0.0%" not in quiet.stdout  # a country that rounds to nothing is not listed


def test_an_empty_folder_is_no_dataset(tmp_path):
    result = invoke("validate", "--data", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[0] == (
        f"error: {tmp_path}: no dataset here: a dataset folder holds nodes.csv and edges.csv "
        "(and may hold lines.csv, regimes.csv and scenarios/)"
    )
    assert result.stderr.splitlines()[1] == "1 error in the data"  # validate writes nothing
