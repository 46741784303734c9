"""Issue 22, item 9: a dataset without makers is refused by every command that reports sectors.

timeline failed with KeyError 'date', montecarlo with KeyError 'p5_shortfall_pct',
criticality with the argmax of an empty sequence, while simulate and backtest exited 0
with empty sector tables that read as "nothing lost". Every such command now exits 2 with
one message naming nodes.csv; validate warns once; export and graph work.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cli_helpers import TINY, invoke

import supplygraph as sg
from supplygraph.analyses.criticality import criticality
from supplygraph.analyses.montecarlo import montecarlo
from supplygraph.dataset.io import bundled_data_dir
from supplygraph.scenario.parse import Scenario

MESSAGE = "no makers: no node has stage manufacturer, so there is no sector to report"


@pytest.fixture
def upstream(tmp_path: Path) -> Path:
    """The tiny dataset without its two makers and their edges, with two scenarios."""
    folder = tmp_path / "data"
    shutil.copytree(TINY, folder)
    for name, drop in (("nodes.csv", "manufacturer"), ("edges.csv", ",de-ev,|,us-wind,")):
        path = folder / name
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        keep = [line for line in lines if not any(word in line for word in drop.split("|"))]
        path.write_text("".join(keep), encoding="utf-8")
    (folder / "scenarios").mkdir()
    for name in ("2025-replay", "2025-10-package"):
        shutil.copy(bundled_data_dir() / "scenarios" / f"{name}.toml", folder / "scenarios")
    return folder


COMMANDS = [
    ["simulate", "-s", "2025-10-package"],
    ["compare", "2025-10-package", "2025-replay"],
    ["timeline", "-s", "2025-replay"],
    ["backtest"],
    ["criticality"],
    ["montecarlo", "-s", "2025-10-package", "--draws", "10"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_a_command_that_reports_sectors_refuses_a_dataset_without_makers(
    upstream, tmp_path, command
):
    out = tmp_path / "out"
    result = invoke(*command, "--data", str(upstream), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert f"error: {upstream / 'nodes.csv'}: {MESSAGE}" in result.output
    assert "Traceback" not in result.output and "unexpected failure" not in result.output
    assert not out.exists()


def test_validate_warns_once_and_export_and_graph_work(upstream, tmp_path):
    result = invoke("validate", "--data", str(upstream))
    assert result.exit_code == 0, result.output
    assert result.output.count(MESSAGE) == 1
    assert "has no path to any manufacturer" not in result.output  # six times the same news
    for command in (["export", "--format", "json", "-s", "2025-10-package"], ["graph"]):
        out = tmp_path / f"{command[0]}.out"
        result = invoke(*command, "--data", str(upstream), "--out", str(out))
        assert result.exit_code == 0, result.output
        assert out.is_file()


def test_the_library_runs_refuse_it_too(upstream):
    graph = sg.load(upstream)
    with pytest.raises(sg.DataError, match=MESSAGE):
        criticality(graph)
    with pytest.raises(sg.DataError, match=MESSAGE):
        montecarlo(graph, Scenario("baseline"), draws=10)
