"""supplygraph simulate: the reports, the table, the flags and the error paths."""

from __future__ import annotations

import errno
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from cli_helpers import TINY, FakeBrowser, invoke, simulate_tiny


def test_simulate_writes_reports(tmp_path):
    result = simulate_tiny(
        tmp_path, "--regime", "CN-2025-18=0.25", "--as-of", "2025-05-01", "--no-reroute"
    )
    assert result.exit_code == 0, result.output
    names = {p.name for p in tmp_path.iterdir()}
    # no lines.csv: the tiny data declares no product lines, so nodes.csv says it all
    assert names == {
        "sectors.csv",
        "nodes.csv",
        "countries.csv",
        "edges.csv",
        "scenario.json",
        "sectors.png",
        "sectors.svg",
        ".supplygraph-run.json",  # the manifest of the set
    }
    sectors = pd.read_csv(tmp_path / "sectors.csv")
    ev = sectors.set_index("sector").loc["ev"]
    # Dy/Tb to Japan throttled to 25%: the magnet plant, the motor and the carmaker get 25%,
    # 200 t x 0.75 = 150 t short; days 30 / 0.75 + 20 / 0.75 + 10 / 0.75 = 80
    assert (ev["shortfall_t"], ev["shortfall_pct"], ev["days_to_impact"]) == (150.0, 75.0, 80.0)
    record = json.loads((tmp_path / "scenario.json").read_text())
    assert record["regimes_resolved"][0]["regime"] == "CN-2025-18"
    assert record["data"]["checksum"].startswith("sha256:")


@pytest.mark.slow
def test_simulate_is_byte_identical_on_rerun(tmp_path):
    for run in ("a", "b"):
        result = invoke("simulate", "-s", "2025-10-package", "--out", str(tmp_path / run), "-q")
        assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == [
        ".supplygraph-run.json",
        "countries.csv",
        "edges.csv",
        "graph.html",
        "lines.csv",
        "nodes.csv",
        "reroute.csv",
        "scenario.json",
        "sectors.csv",
        "sectors.png",
        "sectors.svg",
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
    assert "Wind turbines" in result.stdout and "100.0" in result.stdout
    assert f"Reports in {tmp_path}/" in result.stdout


def test_the_sector_table_is_worst_first_readable_and_fits_80_columns(tmp_path):
    out = tmp_path / "out"
    result = invoke("simulate", "-s", "2026-11-lapse", "--out", str(out), "--no-html")
    assert result.exit_code == 0, result.output
    block = next(b for b in result.stdout.split("\n\n") if b.lstrip().startswith("sector"))
    table = block.splitlines()
    assert table[0].split() == [
        "sector", "lost", "t/yr", "%", "of", "t", "%", "units", "%", "outside", "CN", "days",
        "%", "best", "case",
    ]  # fmt: skip
    rows = [line for line in table[1:] if re.search(r"[0-9]$", line)]
    assert "Consumer" in block and "consumer_electronics" not in result.stdout[:2000]
    # sorted by shortfall (% of tonnes), the worst first
    shares = [float(line.split()[-5]) for line in rows]
    assert len(shares) >= 7 and shares == sorted(shares, reverse=True)
    # the key under the table says what each heading means
    assert "Key: lost t/yr: rare-earth tonnes a year" in " ".join(block.split())
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scenario", "no-such-scenario"], "unknown scenario 'no-such-scenario'"),
        (["--cut", "planet=Mars"], "unknown key 'planet'"),
        (["--cut", "country=XX"], "country=XX matches no edge in the data"),
        (["--cut", "country"], "is not key=value"),
        (["--throttle", "country=CN=1.5"], "--throttle country=CN=1.5: expected SELECTOR=SHARE"),
        # each option says what it expects: a regime's share, not a selector's
        (["--regime", "CN-2025-18=most"], "--regime CN-2025-18=most: expected ID=SHARE"),
        (["--regime", "CN-2025-18=25%"], "(0.25 for 25%)"),
        # codes in any case; typos get suggestions and the valid values
        (["--cut", "dest=USA"], "dest=USA matches no edge in the data; did you mean US?"),
        (["--cut", "stage=mines"], "did you mean mine or magnet? known: component, magnet"),
        (["--cut", "contry=CN"], "unknown key 'contry' for edges; did you mean 'country'?"),
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
    assert f"cannot write {blocker / 'out'}: " in result.output
    assert "Traceback" not in result.output


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


GOLDEN = Path(__file__).parent / "data" / "golden"


@pytest.mark.parametrize("scenario", ["2025-10-package", "2026-11-lapse"])
def test_reports_on_bundled_data_match_the_golden_files(tmp_path, scenario):
    """Every CSV report of two bundled scenarios, byte for byte.

    A change here means the data, the engine or the report format changed: check the
    new figures, then refresh the files with `python tests/data/golden/refresh.py`.
    """
    result = invoke("simulate", "-s", scenario, "--no-html", "--quiet", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    expected = sorted(path.name for path in (GOLDEN / scenario).glob("*.csv"))
    assert expected == [
        "countries.csv",
        "edges.csv",
        "lines.csv",
        "nodes.csv",
        "reroute.csv",
        "sectors.csv",
    ]
    for name in expected:
        assert (tmp_path / name).read_text() == (GOLDEN / scenario / name).read_text(), name


def test_simulate_open_launches_the_page(tmp_path, monkeypatch):
    opened = []
    monkeypatch.setattr("webbrowser.get", lambda: FakeBrowser(opened))
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
    assert opened == [(tmp_path / "graph.html").resolve().as_uri()]


def test_open_without_a_browser_says_so_plainly(tmp_path, monkeypatch):
    import webbrowser

    def no_browser():
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr("webbrowser.get", no_browser)
    result = invoke("graph", "--data", str(TINY), "--out", str(tmp_path / "g.html"), "--open")
    assert result.exit_code == 0
    assert result.stderr == (
        f"No web browser was found to open the page; open {tmp_path / 'g.html'} in one.\n"
    )


# ---------------------------------------------------------------- replacing an earlier run

OLD_RUN = ["--cut", "dest=US"]  # with rerouting and the page
NEW_RUN = ["--cut", "country=CN", "--no-reroute"]  # no reroute.csv: the set shrinks


def reports(folder):
    """Return the folder's files (bytes), the tool's manifest and temporaries aside."""
    return {
        p.name: p.read_bytes()
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".supplygraph-")
    }


def bookkeeping(folder):
    return {p.name for p in folder.iterdir() if p.name.startswith(".")}


def run_tiny(out, *args, **kwargs):
    """Run ``simulate`` on the tiny data in a subprocess, as a user would."""
    command = [sys.executable, "-m", "supplygraph", "simulate", "--data", str(TINY)]
    return subprocess.Popen(
        [*command, "--out", str(out), "-q", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


@pytest.fixture
def earlier_run(tmp_path):
    """An output folder holding OLD_RUN's reports and a file of the user's."""
    out = tmp_path / "out"
    assert invoke("simulate", "--data", str(TINY), "--out", str(out), "-q", *OLD_RUN).exit_code == 0
    (out / "notes.txt").write_text("the user's own\n")
    return out


def test_a_folder_where_a_report_should_be_exits_2_and_keeps_the_earlier_run(earlier_run):
    (earlier_run / "reroute.csv").unlink()
    (earlier_run / "reroute.csv").mkdir()
    before = reports(earlier_run)
    result = invoke("simulate", "--data", str(TINY), "--out", str(earlier_run), *OLD_RUN)
    assert result.exit_code == 2
    assert f"cannot write {earlier_run / 'reroute.csv'}: a folder is in the way" in result.output
    assert "Traceback" not in result.output
    assert reports(earlier_run) == before
    assert bookkeeping(earlier_run) == {".supplygraph-run.json"}


def test_a_full_disk_names_the_file_and_keeps_the_earlier_run(earlier_run, monkeypatch):
    before = reports(earlier_run)
    real_fsync, calls = os.fsync, []

    def full_on_third_file(fd):
        calls.append(fd)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_on_third_file)
    result = invoke("simulate", "--data", str(TINY), "--out", str(earlier_run), *NEW_RUN)
    assert result.exit_code == 2
    # the third file of the set: sectors, nodes, countries
    message = f"cannot write {earlier_run / 'countries.csv'}: No space left on device; "
    assert message in result.output and "Traceback" not in result.output
    assert reports(earlier_run) == before
    assert bookkeeping(earlier_run) == {".supplygraph-run.json"}


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX resource limits")
def test_a_file_too_large_names_the_file_and_keeps_the_earlier_run(earlier_run):
    import resource

    before = reports(earlier_run)
    limit = 100_000  # the CSVs are a few hundred bytes, graph.html is larger
    assert len(before["graph.html"]) > limit
    process = run_tiny(
        earlier_run,
        *OLD_RUN,
        preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)),
    )
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2, stderr
    assert f"cannot write {earlier_run / 'graph.html'}: File too large; " in stderr
    assert "Traceback" not in stderr
    assert reports(earlier_run) == before
    assert bookkeeping(earlier_run) == {".supplygraph-run.json"}


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_a_killed_run_leaves_the_earlier_run_or_the_new_one(tmp_path, earlier_run):
    old = reports(earlier_run)
    new_folder = tmp_path / "new"
    result = invoke("simulate", "--data", str(TINY), "--out", str(new_folder), "-q", *NEW_RUN)
    assert result.exit_code == 0, result.output
    new = {**reports(new_folder), "notes.txt": old["notes.txt"]}
    pristine = tmp_path / "pristine"
    shutil.copytree(earlier_run, pristine)
    rng = random.Random(11)
    outcomes = []
    for kill in range(12):
        shutil.rmtree(earlier_run)
        shutil.copytree(pristine, earlier_run)
        process = run_tiny(earlier_run, *NEW_RUN)
        if kill % 2:  # at any moment of the run
            time.sleep(rng.uniform(0.0, 1.0))
        else:  # while it replaces the reports: once its staging folder appears
            while process.poll() is None and not any(
                name.startswith(".supplygraph-tmp-") for name in os.listdir(earlier_run)
            ):
                time.sleep(0.0005)
            time.sleep(rng.uniform(0.0, 0.003))
        process.send_signal(signal.SIGKILL)
        process.communicate()
        left = reports(earlier_run)
        if ".supplygraph-swap.json" in bookkeeping(earlier_run):
            outcomes.append("committed")  # finished by the next run
        else:
            assert left in (old, new), kill
            midway = any(n.startswith(".supplygraph-tmp-") for n in bookkeeping(earlier_run))
            outcomes.append("new" if left == new else "old, staged" if midway else "old")
    # the next run (here: of the old flags) cleans up and replaces the set
    process = run_tiny(earlier_run, *OLD_RUN)
    assert process.wait(timeout=60) == 0
    assert reports(earlier_run) == old
    assert bookkeeping(earlier_run) == {".supplygraph-run.json"}
    assert "old, staged" in outcomes or "committed" in outcomes, outcomes  # kills mid-write


# ---------------------------------------------------------------- where a run's reports go


@pytest.mark.slow
def test_a_run_with_flags_leaves_the_named_scenarios_folder(tmp_path, monkeypatch):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    (data / "scenarios").mkdir()
    (data / "scenarios" / "lapse.toml").write_text('[[rules]]\nselect = "dest=US"\n')
    monkeypatch.chdir(tmp_path)
    output = Path("output")
    assert invoke("simulate", "--data", str(data), "-s", "lapse", "-q").exit_code == 0
    # not the bundled data: the scenario's folder carries the data's tag
    (plain,) = output.iterdir()
    assert plain.name.startswith("lapse--data-")
    before = reports(plain)
    spare = ["--spare", "node:id=au-mine=1"]
    flagged = invoke("simulate", "--data", str(data), "-s", "lapse", *spare, "--no-html")
    assert flagged.exit_code == 0, flagged.output
    assert reports(plain) == before
    (folder,) = (p for p in output.iterdir() if p != plain)
    assert folder.name.startswith(f"{plain.name}--")
    assert f"Reports in {folder}/: sectors.csv" in flagged.output
    assert f"{plain}/ was left as it was" in flagged.output
    record = json.loads((folder / "scenario.json").read_text())
    assert record["options"]["flags"] == [*spare, "--no-html"]
    assert "flags" not in json.loads((plain / "scenario.json").read_text())["options"]
    # the same flags find the same folder; other flags, and flags without a scenario, others
    for args in ([*spare, "--no-html"], ["--stock-days", "5"], ["--cut", "country=CN"]):
        scenario = ["-s", "lapse"] if args != ["--cut", "country=CN"] else []
        assert invoke("simulate", "--data", str(data), *scenario, *args, "-q").exit_code == 0
    names = sorted(p.name for p in output.iterdir())
    assert len(names) == 4 and names[0].startswith("custom--data-"), names
    assert reports(plain) == before


@pytest.mark.slow
def test_two_datasets_never_share_a_report_folder(tmp_path, monkeypatch):
    # three datasets: the tiny data, a copy with one flow changed, and an exact copy at
    # another path (whose scenarios/ or dated tables could differ); each names scenario "lapse"
    datasets = [tmp_path / name for name in ("first", "edited", "copy")]
    for data in datasets:
        shutil.copytree(TINY, data)
        (data / "scenarios").mkdir()
        (data / "scenarios" / "lapse.toml").write_text('[[rules]]\nselect = "dest=US"\n')
    edges = datasets[1] / "edges.csv"
    edges.write_text(edges.read_text().replace(",800,", ",700,"))
    monkeypatch.chdir(tmp_path)
    output = Path("output")

    def run(data, *flags):
        result = invoke("simulate", "--data", str(data), "-s", "lapse", *flags)
        assert result.exit_code == 0, result.output
        (folder,) = [p for p in output.iterdir() if p.name not in seen]
        seen[folder.name] = json.loads((folder / "scenario.json").read_text())["data"]
        assert f"Reports in {folder}/" in result.output
        return folder

    seen: dict[str, dict] = {}
    plain = [run(data) for data in datasets]
    flagged = [run(data, "--stock-days", "5") for data in datasets]
    # six runs, six folders; each holds its own data's reports
    assert len(seen) == 6
    for data, folder in zip(datasets * 2, plain + flagged):
        assert seen[folder.name]["folder"] == str(data)
    # a dataset's plain run is output/<scenario>--data-<8 hex>, its flagged runs beside it
    for folder, with_flags in zip(plain, flagged):
        assert re.fullmatch(r"lapse--data-[0-9a-f]{8}", folder.name), folder.name
        assert with_flags.name.startswith(folder.name + "--")
    # the same data and flags find the same folder again (the same bytes, written over)
    before = {p.name: p.read_bytes() for p in plain[0].iterdir()}
    again = invoke("simulate", "--data", str(datasets[0]), "-s", "lapse", "-q")
    assert again.exit_code == 0 and len(list(output.iterdir())) == 6
    assert {p.name: p.read_bytes() for p in plain[0].iterdir()} == before
    # data edited in place is other data: a folder of its own, the earlier reports kept
    edges = datasets[0] / "edges.csv"
    edges.write_text(edges.read_text().replace(",800,", ",750,"))
    assert invoke("simulate", "--data", str(datasets[0]), "-s", "lapse", "-q").exit_code == 0
    assert len(list(output.iterdir())) == 7
    assert {p.name: p.read_bytes() for p in plain[0].iterdir()} == before


def test_the_bundled_data_keeps_its_folders(tmp_path, monkeypatch):
    from supplygraph.dataset.io import bundled_data_dir

    monkeypatch.chdir(tmp_path)
    args = ("simulate", "-s", "us-only", "--no-reroute", "--no-html", "-q")
    assert invoke(*args).exit_code == 0
    # --data naming the bundled folder is the bundled data: the same folder, no data suffix
    assert invoke(*args, "--data", str(bundled_data_dir())).exit_code == 0
    (folder,) = (tmp_path / "output").iterdir()
    assert re.fullmatch(r"us-only--[0-9a-f]{8}", folder.name), folder.name


def test_the_dataset_folder_is_no_report_folder(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(TINY, data)
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    result = invoke("simulate", "--data", str(data), "--out", str(data), "--cut", "country=CN")
    assert result.exit_code == 2
    assert f"cannot write the reports into the dataset folder {data}: " in result.output
    scenario = tmp_path / "cut.toml"
    scenario.write_text('[[rules]]\nselect = "country=CN"\n')
    result = invoke(
        "compare", str(scenario), str(scenario), "--data", str(data), "--out", str(data)
    )
    assert result.exit_code == 2
    assert f"cannot write the reports into the dataset folder {data}: " in result.output
    assert {p.name: p.read_bytes() for p in data.iterdir() if p.name in before} == before


@pytest.mark.slow
def test_rerouting_time_limit_leaves_its_columns_blank(tmp_path):
    def package(out, *args):
        return invoke("simulate", "-s", "2025-10-package", "--out", str(out), *args)

    # 1e-9 s is spent before the solver starts: rerouting stops, the rest is written
    stopped, plain = tmp_path / "stopped", tmp_path / "plain"
    result = package(stopped, "--reroute-time-limit", "1e-9")
    assert result.exit_code == 0, result.output
    # the first stage is max-min share when the worst-off sector can improve, else max
    # delivered: which one depends on the bundled data
    stages = ("max-min share", "max delivered")
    messages = [
        f"rerouting stopped after 1e-09 s, its time limit ({stage} stage): "
        "the after-rerouting columns are blank"
        for stage in stages
    ]
    message = next(m for m in messages if f"warning: {m}\n" in result.stderr)
    assert json.loads((stopped / "scenario.json").read_text())["warnings"] == [message]
    ev = next(
        line
        for line in result.stdout.splitlines()
        if line.startswith("  Electric vehicles") and ":" not in line
    )
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
    from supplygraph.engine.reroute import TIME_LIMIT

    option = next(p for p in simulate.params if p.name == "reroute_time_limit")
    assert option.default == TIME_LIMIT


def test_country_codes_and_element_symbols_match_in_any_case(tmp_path):
    lower = simulate_tiny(tmp_path / "a", "--cut", "country=cn,element=dy", "--no-reroute")
    upper = simulate_tiny(tmp_path / "b", "--cut", "country=CN,element=Dy", "--no-reroute")
    assert lower.exit_code == upper.exit_code == 0, lower.output
    assert (tmp_path / "a" / "sectors.csv").read_text() == (
        tmp_path / "b" / "sectors.csv"
    ).read_text()
