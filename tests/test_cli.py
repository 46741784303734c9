"""The command line: every command, its help, the reports and the error paths."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from supplygraph.cli import cli

TINY = Path(__file__).parent / "data" / "tiny"
COMMANDS = ["validate", "scenarios", "simulate", "compare", "export", "graph"]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.mark.parametrize(
    "args", [["-h"], ["--help"], *([c, "--help"] for c in COMMANDS), *([c, "-h"] for c in COMMANDS)]
)
def test_help(args):
    result = invoke(*args)
    assert result.exit_code == 0
    assert "Usage: " in result.output
    assert "Example:" in result.output


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_is_an_option_of_the_group(flag):
    result = invoke(flag)
    assert result.exit_code == 0 and "supplygraph, version 0.1.0" in result.output


def test_help_does_not_import_heavy_modules():
    code = (
        "import sys; from supplygraph.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('pandas', 'scipy', 'pyvis', 'numpy', 'networkx')"
        " if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().endswith("[]")


def test_validate_prints_counts_and_shares():
    result = invoke("validate", "--data", str(TINY))
    assert result.exit_code == 0
    assert "8 nodes, 8 edges, 6 countries: OK" in result.stdout
    # mine output 800 t CN + 300 t AU: CN 800 / 1100 = 72.7%
    assert "CN 72.7%, AU 27.3%" in result.stdout


def test_scenarios_lists_and_shows():
    listing = invoke("scenarios")
    assert listing.exit_code == 0
    for name in (
        "2025-04-heavy-licences",
        "2025-10-package",
        "2025-11-truce",
        "2026-11-lapse",
        "us-only",
        "myanmar-closure",
        "full-embargo",
        "CN-2025-18",
        "CN-HYPO-ALL",
    ):
        assert name in listing.stdout
    one = invoke("scenarios", "2025-11-truce")
    assert one.exit_code == 0 and "suspended" in one.stdout and "No. 70" in one.stdout


def test_scenarios_shows_spare_capacity_assumptions(tmp_path):
    path = tmp_path / "what-if.toml"
    path.write_text('title = "What if"\n[[capacity]]\nselect = "node:country=AU"\nspare = 0.2\n')
    result = invoke("scenarios", str(path))
    assert result.exit_code == 0, result.output
    assert "spare capacity: node:country=AU +20% of baseline" in result.output


def simulate_tiny(out: Path, *args: str):
    return invoke("simulate", "--data", str(TINY), "--out", str(out), "--no-html", "--quiet", *args)


def test_simulate_writes_reports(tmp_path):
    result = simulate_tiny(
        tmp_path, "--regime", "CN-2025-18=0.25", "--as-of", "2025-05-01", "--no-reroute"
    )
    assert result.exit_code == 0, result.output
    names = {p.name for p in tmp_path.iterdir()}
    assert names == {"sectors.csv", "nodes.csv", "countries.csv", "edges.csv", "scenario.json"}
    sectors = pd.read_csv(tmp_path / "sectors.csv")
    ev = sectors.set_index("sector").loc["ev"]
    # Dy/Tb to Japan throttled to 25%: the magnet plant, the motor and the carmaker get 25%,
    # 200 t x 0.75 = 150 t short; days 30 / 0.75 + 20 / 0.75 + 10 / 0.75 = 80
    assert (ev["shortfall_t"], ev["shortfall_pct"], ev["days_to_impact"]) == (150.0, 75.0, 80.0)
    record = json.loads((tmp_path / "scenario.json").read_text())
    assert record["regimes_resolved"][0]["regime"] == "CN-2025-18"
    assert record["data"]["checksum"].startswith("sha256:")


def test_simulate_is_byte_identical_on_rerun(tmp_path):
    for run in ("a", "b"):
        result = invoke("simulate", "-s", "2025-10-package", "--out", str(tmp_path / run), "-q")
        assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [
        "countries.csv",
        "edges.csv",
        "graph.html",
        "nodes.csv",
        "reroute.csv",
        "scenario.json",
        "sectors.csv",
    ]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_simulate_prints_sector_table(tmp_path):
    result = invoke(
        "simulate",
        "--data",
        str(TINY),
        "--out",
        str(tmp_path),
        "--no-html",
        "--no-reroute",
        "--cut",
        "dest=US",
    )
    assert result.exit_code == 0
    assert "wind" in result.stdout and "100.0" in result.stdout
    assert f"Reports in {tmp_path}/" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenario", "no-such-scenario"], "unknown scenario 'no-such-scenario'"),
        (["--cut", "planet=Mars"], "unknown key 'planet'"),
        (["--cut", "country=XX"], "country=XX matches no edge in the data"),
        (["--cut", "country"], "is not key=value"),
        (["--throttle", "country=CN=1.5"], "expected SELECTOR=SHARE"),
        (["--regime", "CN-2025-18=most"], "expected SELECTOR=SHARE"),
        (["--regime", "CN-1999-01"], "unknown regime 'CN-1999-01'"),
        (["--spare", "country=AU=0.2"], "spare capacity is for nodes; write node:country=AU"),
        (["--spare", "node:country=AU=-1"], "expected node:SELECTOR=SHARE"),
    ],
)
def test_simulate_usage_errors_exit_2(tmp_path, args, message):
    result = simulate_tiny(tmp_path / "out", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_simulate_spare_flag_reaches_rerouting_and_the_record(tmp_path):
    # au-mine has capacity_t 500 on a 300 t baseline: 200 t spare; the flag makes it 2 x 300
    for name, flags in (("data", []), ("flag", ["--spare", "node:id=au-mine=1"])):
        result = invoke(
            "simulate",
            "--data",
            str(TINY),
            "--out",
            str(tmp_path / name),
            "--no-html",
            "--quiet",
            "--cut",
            "from=cn-sep,to=jp-magnet",
            *flags,
        )
        assert result.exit_code == 0, result.output
    spare = {
        name: pd.read_csv(tmp_path / name / "nodes.csv").set_index("id")["spare_t"]
        for name in ("data", "flag")
    }
    assert spare["data"]["au-mine"] == 200 and spare["flag"]["au-mine"] == 300
    record = json.loads((tmp_path / "flag" / "scenario.json").read_text())
    assert record["scenario"]["capacity"] == [{"select": "node:id=au-mine", "spare": 1.0}]


def test_bad_data_dir_exits_2(tmp_path):
    result = invoke("simulate", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "dataset folder not found" in result.output and "Traceback" not in result.output


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


def test_unwritable_output_dir_exits_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = simulate_tiny(blocker / "out", "--cut", "country=CN", "--no-reroute")
    assert result.exit_code == 2
    assert "cannot write or read" in result.output and "Traceback" not in result.output


def test_unexpected_failure_exits_1_with_short_message(monkeypatch, tmp_path):
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr("supplygraph.exposure.simulate", boom)
    result = CliRunner().invoke(cli, ["simulate", "--data", str(TINY), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "unexpected failure: RuntimeError: kaboom" in result.output
    assert "Traceback" not in result.output
    debug = CliRunner().invoke(
        cli, ["--debug", "simulate", "--data", str(TINY), "--out", str(tmp_path)]
    )
    assert debug.exit_code == 1 and "Traceback" in debug.output


def test_formula_text_is_neutralised_and_numbers_stay_numbers(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    text = (data / "nodes.csv").read_text()
    text = text.replace("Chinese mine,mine,CN,Mine Co", '"=HYPERLINK(""x"")",mine,CN,+1')
    text = text.replace("German carmaker,manufacturer,DE,Car Co", "@SUM(A1),manufacturer,DE,-2")
    (data / "nodes.csv").write_text(text)
    out = tmp_path / "out"
    result = invoke(
        "simulate",
        "--data",
        str(data),
        "--out",
        str(out),
        "--no-html",
        "--quiet",
        "--cut",
        "country=CN",
        "--no-reroute",
    )
    assert result.exit_code == 0, result.output
    nodes = pd.read_csv(out / "nodes.csv", keep_default_na=False).set_index("id")
    assert nodes.loc["cn-mine", "name"] == '\'=HYPERLINK("x")'
    assert nodes.loc["cn-mine", "company"] == "'+1"
    assert nodes.loc["de-ev", "name"] == "'@SUM(A1)"
    assert nodes.loc["de-ev", "company"] == "'-2"
    assert pd.api.types.is_float_dtype(nodes["baseline_t"])
    assert pd.api.types.is_float_dtype(nodes["shortfall_pct"])
    assert nodes.loc["de-ev", "shortfall_pct"] == 100.0


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


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_export_formats_round_trip(tmp_path, fmt):
    import networkx as nx

    out = tmp_path / f"g.{fmt}"
    result = invoke("export", "--format", fmt, "--data", str(TINY), "--out", str(out))
    assert result.exit_code == 0, result.output
    if fmt == "json":
        data = json.loads(out.read_text())
        assert len(data["nodes"]) == 8 and len(data["edges"]) == 8
    else:
        graph = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(out)
        assert graph.number_of_nodes() == 8 and graph.number_of_edges() == 8
        assert graph.nodes["jp-magnet"]["country"] == "JP"


def test_python_m_entry_point():
    out = subprocess.run(
        [sys.executable, "-m", "supplygraph", "--version"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "0.1.0" in out


def test_golden_sectors_csv_on_bundled_data(tmp_path):
    """sectors.csv of 2025-10-package on the bundled data, byte for byte.

    A change here means the data, the engine or the report format changed: check the
    new figures, then refresh the file with
    `supplygraph simulate -s 2025-10-package --no-html --out DIR` and copy DIR/sectors.csv.
    """
    result = invoke(
        "simulate", "-s", "2025-10-package", "--no-html", "--quiet", "--out", str(tmp_path)
    )
    assert result.exit_code == 0, result.output
    golden = Path(__file__).parent / "data" / "golden" / "2025-10-package-sectors.csv"
    assert (tmp_path / "sectors.csv").read_text() == golden.read_text()


def test_export_with_a_scenario_adds_results(tmp_path):
    import networkx as nx

    out = tmp_path / "g.graphml"
    result = invoke(
        "export",
        "--format",
        "graphml",
        "--data",
        str(TINY),
        "--out",
        str(out),
        "--scenario",
        str(TINY.parent / "tiny-cut-dy.toml"),
    )
    assert result.exit_code == 0, result.output
    graph = nx.read_graphml(out)
    # the Dy/Tb oxide to Japan is cut: the magnet plant keeps 0 of 200 t
    assert graph.nodes["jp-magnet"]["shortfall_pct"] == 100.0
    edge = graph.edges["cn-sep", "jp-magnet", "heavy_oxide"]
    assert (edge["flow_status"], edge["status"]) == ("cut", "assumption")


def test_graph_writes_the_baseline_page(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr("click.launch", lambda url: opened.append(url))
    out = tmp_path / "page.html"
    result = invoke("graph", "--data", str(TINY), "--out", str(out), "--open")
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Baseline supply graph" in page
    assert opened == [str(out.resolve())]


def test_simulate_open_launches_the_page(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr("click.launch", lambda url: opened.append(url))
    result = invoke(
        "simulate",
        "--data",
        str(TINY),
        "--out",
        str(tmp_path),
        "--quiet",
        "--no-reroute",
        "--cut",
        "dest=US",
        "--open",
    )
    assert result.exit_code == 0, result.output
    assert opened == [str((tmp_path / "graph.html").resolve())]


def test_validate_bundled_data_prints_the_published_shares():
    result = invoke("validate")
    assert result.exit_code == 0
    assert "149 nodes, 292 edges" in result.stdout
    mine = next(line for line in result.stdout.splitlines() if line.strip().startswith("mine"))
    assert "CN 68.5%" in mine  # 270,000 of 394,405 t (USGS: 69%)
