"""--overlay on every command: runs, report folders of their own, located errors, the page."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cli_helpers import invoke
from test_overlay import relabelling, write_overlay

EXAMPLE = Path(__file__).parents[1] / "examples" / "emotor-overlay"


@pytest.fixture()
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ["simulate", "-s", "2025-10-package", "--no-html", "-q"],
        ["timeline", "-s", "2025-replay", "--to", "2025-07-01"],
        ["criticality", "--top", "5", "-q"],
        ["montecarlo", "-s", "2025-10-package", "--draws", "20", "--quiet"],
        ["export", "--format", "gexf"],
        ["graph"],
    ],
    ids=lambda args: args[0],
)
def test_commands_run_with_an_overlay(in_tmp: Path, args: list[str]) -> None:
    overlay = relabelling(in_tmp / "ov")
    result = invoke(*args, "--overlay", str(overlay))
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (in_tmp / "output").iterdir())
    folders = [name for name in written if (in_tmp / "output" / name).is_dir()]
    assert written and all("--data-" in name for name in folders), written
    if args[0] == "export":
        gexf = next((in_tmp / "output").iterdir()).read_text()
        assert 'value="overlay"' in gexf and "my-plant" in gexf


def test_runs_on_other_data_or_overlays_never_share_a_folder(in_tmp: Path) -> None:
    one, two = relabelling(in_tmp / "one"), relabelling(in_tmp / "two")
    (two / "nodes.csv").write_text((two / "nodes.csv").read_text().replace(",30,", ",31,"))
    folders = []
    for extra in ([], ["--overlay", str(one)], ["--overlay", str(two)], ["--overlay", str(one)]):
        result = invoke("simulate", "-s", "2025-10-package", "--no-reroute", *extra)
        assert result.exit_code == 0, result.output
        folders.append(re.search(r"Reports in (\S+)/:", result.output).group(1))
    assert "--data-" not in folders[0]  # the bundled data alone: the plain folder
    assert len(set(folders[:3])) == 3  # base, overlay one, overlay two (other stock)
    assert folders[3] == folders[1]  # the same overlay, the same folder
    record = json.loads((in_tmp / folders[1] / "scenario.json").read_text())
    assert record["data"]["overlays"] == [str(one)]
    taken = {
        (t["supplier"], t["customer"]): t["taken_t"] for t in record["data"]["taken_by_overlays"]
    }
    assert taken[("cn-jl-mag", "de-ev-motor-agg")] == 10
    edges = (in_tmp / folders[1] / "edges.csv").read_text().splitlines()
    assert edges[0].split(",")[4:7] == ["layer", "baseline_t", "taken_t"]
    assert any(row.startswith("my-plant,de-volkswagen,") and ",overlay," in row for row in edges)


def test_a_bad_overlay_exits_2_and_writes_nothing(in_tmp: Path) -> None:
    overlay = write_overlay(
        in_tmp / "overlay", [], ["nowhere,de-volkswagen,traction_motor,Nd,1,,,,,s"]
    )
    result = invoke("simulate", "-s", "2025-10-package", "--overlay", str(overlay))
    assert result.exit_code == 2
    assert f"{overlay}/edges.csv:2: supplier: unknown node 'nowhere'" in result.output
    assert "nothing was written" in result.output and "Traceback" not in result.output
    assert not (in_tmp / "output").exists()


def test_focus_table_and_file_of_the_worked_example(in_tmp: Path) -> None:
    result = invoke(
        "simulate", "-s", "jl-mag-stops", "--overlay", str(EXAMPLE), "--focus", "overlay"
    )
    assert result.exit_code == 0, result.output
    # the plant buys 12 t from JL Mag (stopped) and 6 t from Narva: 6 / 18 arrives, it
    # loses 12 / 18 = 66.7%; 45 days of stock last 45 / (1 - 1/3) = 67.5 days
    # with its P10-P90 band over the default 200 draws (the overlay's flows are assumptions)
    assert re.search(
        r"example-emotor-plant\s+12\.0\s+66\.7 \(\d+-\d+\)\s+6[78]\s+ndfeb_sintered", result.output
    )
    assert "12 t/yr of ndfeb_sintered taken out of cn-jl-mag -> de-ev-motor-agg" in result.output
    folder = re.search(r"Reports in (\S+)/:", result.output).group(1)
    focus = (in_tmp / folder / "focus.csv").read_text().splitlines()
    assert len(focus) == 2 and focus[1].startswith("example-emotor-plant,,")
    assert focus[0].startswith("node,line,name,layer,") and ",overlay," in focus[1]
    assert ",18.000,12.000,66.67," in focus[1]  # baseline, shortfall t, %
    # the line's band, as sectors.csv has each sector's
    band = ["shortfall_pct_p10", "shortfall_pct_p50", "shortfall_pct_p90", "band_draws"]
    header, row = focus[0].split(","), focus[1].split(",")
    assert header[-4:] == band
    p10, p50, p90, draws = (float(row[header.index(name)]) for name in band)
    assert p10 < 66.67 < p90 and p10 <= p50 <= p90 and draws == 200
    quiet = invoke(
        "simulate", "-s", "jl-mag-stops", "--overlay", str(EXAMPLE), "--focus", "overlay",
        "--draws", "0", "-q", "--out", "no-band",
    )  # fmt: skip
    assert quiet.exit_code == 0, quiet.output
    assert "_p10" not in (in_tmp / "no-band" / "focus.csv").read_text()


def test_focus_on_unknown_node_is_refused(in_tmp: Path) -> None:
    result = invoke("simulate", "-s", "2025-10-package", "--focus", "nowhere", "--no-reroute")
    assert result.exit_code == 2 and "focus: unknown node 'nowhere'" in result.output
    assert not (in_tmp / "output").exists()


def test_the_page_highlights_the_overlay_in_chromium(offline_page: Any, in_tmp: Path) -> None:
    result = invoke("simulate", "-s", "2025-10-package", "--overlay", str(EXAMPLE), "-q")
    assert result.exit_code == 0, result.output
    page_file = next((in_tmp / "output").glob("*/graph.html"))
    page = offline_page.open(page_file)
    assert page.evaluate("typeof vis") == "object"
    overlay = page.evaluate(
        "network.body.data.nodes.get({filter: n => n.layer === 'overlay'}).map(n => n.id)"
    )
    assert overlay == ["example-emotor-plant"]
    plant = page.evaluate("network.body.data.nodes.get('example-emotor-plant')")
    assert plant["borderWidth"] == 5 and plant["color"]["border"] == "#009e73"
    assert plant["labelled"]  # named at the first view
    upstream = page.evaluate(
        "network.body.data.nodes.get({filter: n => n.upstream_of_overlay}).map(n => n.id)"
    )
    assert {"cn-jl-mag", "ee-neo-narva"} <= set(upstream)
    assert "de-volkswagen" not in upstream  # downstream of the plant, not on its supply path
    paths = page.evaluate(
        "network.body.data.edges.get({filter: e => e.to_overlay}).map(e => [e.from, e.to])"
    )
    assert ["cn-jl-mag", "example-emotor-plant"] in paths
    assert ["example-emotor-plant", "de-volkswagen"] not in paths
    assert "your nodes (overlay)" in page.inner_text("#sg-legend")
    assert offline_page.blocked == [] and offline_page.errors == []


def test_timeline_on_what_reaches_the_focus_gives_the_focus_the_same_rows(in_tmp: Path) -> None:
    rows = []
    for extra in ([], ["--focus", "overlay"]):
        args = ["timeline", "-s", "2026-11-lapse", "--overlay", str(EXAMPLE), *extra]
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        folder = re.search(r"Reports in (\S+)/:", result.output.replace("\n  ", " ")).group(1)
        lines = (in_tmp / folder / "timeline-lines.csv").read_text().splitlines()
        rows.append([row for row in lines if row.startswith("example-emotor-plant,")])
    assert rows[0] == rows[1] and len(rows[0]) == 1
    assert ",overlay,2027-01-26," in rows[0][0]  # its stock lasts into January
    assert "restricted to the 38 nodes that reach the focus" in result.output
    assert re.search(r"example-emotor-plant\s+36\.7\s+2027-01-26", result.output)


def test_criticality_focus_from_the_command_line(in_tmp: Path) -> None:
    result = invoke(
        "criticality",
        "-s",
        "jl-mag-stops",
        "--overlay",
        str(EXAMPLE),
        "--focus",
        "overlay",
        "--top",
        "3",
    )
    assert result.exit_code == 0, result.output
    # with JL Mag stopped, the plant lives on Narva's 6 t: whatever stops Narva stops it
    assert re.search(r"1\s+node\s+\S+\s+100\.0", result.output)
    assert "focus %" in result.output.lower()  # the table's header
    folder = re.search(r"Reports in (\S+)/:", result.output).group(1)
    header = (in_tmp / folder / "criticality.csv").read_text().splitlines()[0].split(",")
    assert header[6:11] == ["layer", "nodes_down", "rank_by", "rank_pct", "focus_shortfall_t"]
