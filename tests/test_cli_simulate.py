"""supplygraph simulate: the reports, the table, the flags and the error paths."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import TINY, invoke, simulate_tiny


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


def test_unwritable_output_dir_exits_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = simulate_tiny(blocker / "out", "--cut", "country=CN", "--no-reroute")
    assert result.exit_code == 2
    assert "cannot write or read" in result.output and "Traceback" not in result.output


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


def test_rerouting_time_limit_leaves_its_columns_blank(tmp_path):
    def package(out, *args):
        return invoke("simulate", "-s", "2025-10-package", "--out", str(out), *args)

    # 1e-9 s is spent before the solver starts: rerouting stops, the rest is written
    stopped, plain = tmp_path / "stopped", tmp_path / "plain"
    result = package(stopped, "--reroute-time-limit", "1e-9")
    assert result.exit_code == 0, result.output
    message = (
        "rerouting stopped after 1e-09 s, its time limit (max-min share stage): "
        "the after-rerouting columns are blank"
    )
    assert f"warning: {message}\n" in result.stderr
    assert json.loads((stopped / "scenario.json").read_text())["warnings"] == [message]
    ev = next(line for line in result.stdout.splitlines() if line.strip().startswith("ev "))
    assert ev.split()[-1] == "-"  # no after-rerouting share, rather than nan or 0
    # the page shows the unknown figures as "-"
    assert "after rerouting: - t/yr (shortfall -)" in (stopped / "graph.html").read_text()
    assert package(plain, "--no-reroute", "--no-html", "-q").exit_code == 0
    rerouted = ["after_reroute_t", "shortfall_reroute_t", "shortfall_reroute_pct"]
    for name in ("sectors.csv", "nodes.csv", "countries.csv", "edges.csv"):
        with_stop = pd.read_csv(stopped / name, keep_default_na=False)
        blank = [column for column in rerouted if column in with_stop]
        assert blank and (with_stop[blank] == "").all().all(), name  # blank cells, not 0
        # the worst case is intact: every other column as in a run without rerouting
        without = pd.read_csv(plain / name, keep_default_na=False)
        assert with_stop.drop(columns=[*blank, "spare_t"], errors="ignore").equals(without)
    assert (stopped / "reroute.csv").read_text() == (
        "supplier,customer,material,baseline_t,no_adaptation_t,after_t,extra_t,new_link\n"
    )


def test_reroute_time_limit_defaults_to_the_library_s():
    from supplygraph.cli import simulate
    from supplygraph.reroute import TIME_LIMIT

    option = next(p for p in simulate.params if p.name == "reroute_time_limit")
    assert option.default == TIME_LIMIT
