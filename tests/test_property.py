"""Issue 11: mutated copies of the bundled data give exit 0 with sound reports, or exit 2.

Each example copies the bundled dataset and one bundled scenario to a temp folder, breaks it
(a cell, a header, the encoding, a TOML value) and runs ``simulate`` in-process over a report
folder that holds earlier reports. Exit 1 (our bug) fails the test; on exit 2 the folder must
be exactly as it was; on exit 0 every number in the reports must be finite, scenario.json
strict JSON, and no RuntimeWarning raised on the way.

The files come from ``supplygraph.dataset.io.DATA_FILES`` (and ``DATED_FILES`` for ``timeline``,
``DATED_FILES`` and ``BACKTEST_FILES`` for ``backtest`` and ``timeline`` with their options,
``QUALITY_FILES`` for ``validate``) and the keys from ``SCENARIO_KEYS`` and ``TABLE_KEYS``, so
a new input file or scenario key is broken here too.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from supplygraph.cli import cli
from supplygraph.dataset.io import (
    BACKTEST_FILES,
    DATA_FILES,
    DATED_FILES,
    QUALITY_FILES,
    bundled_data_dir,
)
from supplygraph.scenario.parse import SCENARIO_KEYS, TABLE_KEYS

BUNDLED = bundled_data_dir()
SCENARIO = "2025-10-package"  # regimes with a date, a suspension and the 0.1% rule
# Values that look like numbers, dates, lists or ids to someone, and may not to us.
NASTY_CELLS = (
    "",
    " ",
    "0",
    "-1",
    "1_000",
    "0_0",
    "１２",
    "١٢",
    "nan",
    "inf",
    "-inf",
    "1e308",
    "1e-320",
    "1e9",
    "3650",
    "0.1",
    "150",
    "abc",
    ";;",
    ";",
    "+",
    "+;;",
    "+NOPE",
    "+CN-2025-18",
    "exempt",
    "all",
    "20250404",
    "2025-W14-5",
    "2025-02-30",
    "2026-11-10",
    "yes",
    "maybe",
    "reported",
    "Nd;Dy",
    "Xx",
    "CN",
    "ZZ",
    "manufacturer",
    '"',
    "=1+1",
    "a\nb",
    "\u00e9",
)
TOML_KEYS = sorted(SCENARIO_KEYS) + sorted(
    f"{t}.{k}" for t, keys in TABLE_KEYS.items() for k in keys
)
TOML_VALUES = (
    "5",
    "-1",
    "0",
    "nan",
    "inf",
    "-inf",
    "1e308",
    "true",
    '"see MOFCOM"',
    '"2025-05-01"',
    '"20250404"',
    "2025-05-01",
    "2025-05-01T00:00:00",
    "12:00:00",
    "[]",
    '[["US"]]',
    '["US"]',
    '["ZZ"]',
    "[1, 2]",
    "{}",
    "{a = 1}",
    '[{select = "node:country=AU", spare = inf}]',
    '[{regime = "CN-9999"}]',
    '[{select = "country=XX"}]',
    '[{select = "country=CN,dest=DE"}]',
    "[" * 600 + "]" * 600,
)


def numeric_columns(folder: Path) -> dict[str, set[str]]:
    """The columns of each CSV report whose cells are all numbers or empty."""
    found = {}
    for path in folder.glob("*.csv"):
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
        found[path.name] = {
            name
            for name in (rows[0] if rows else {})
            if all(_is_number(row[name]) or row[name] == "" for row in rows)
        }
    return found


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _run(args: list[str]) -> tuple[int, str, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = CliRunner().invoke(cli, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # our bug: show its traceback
    runtime = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    return result.exit_code, result.output, runtime


@pytest.fixture(scope="module")
def good_reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, set[str]]]:
    """Reports of the unbroken data (written once), and their numeric columns."""
    folder = tmp_path_factory.mktemp("good")
    code, output, _ = _run(["simulate", "-s", SCENARIO, "--out", str(folder), "--quiet"])
    assert code == 0, output
    return folder, numeric_columns(folder)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _refuse(name: str) -> float:
    raise ValueError(f"{name} in scenario.json")


def break_csv(data: st.DataObject, folder: Path, files: tuple[str, ...] = DATA_FILES) -> str:
    """Break one of the CSV files; return what was done, for the failure report."""
    name = data.draw(st.sampled_from(files), label="file")
    path = folder / name
    text = path.read_text(encoding="utf-8", errors="replace")  # broken by a first edit?
    rows = list(csv.reader(io.StringIO(text, newline="")))
    kind = data.draw(st.sampled_from(["cell", "cell", "cell", "header", "encoding"]), label="kind")
    rows = rows or [[]]  # a first edit may have emptied the file
    if kind == "cell":
        row = rows[data.draw(st.integers(min(1, len(rows) - 1), len(rows) - 1), label="row")]
        value = data.draw(st.sampled_from(NASTY_CELLS) | st.text(max_size=6), label="value")
        set_cell(data, row, value)
    elif kind == "header":
        value = data.draw(st.sampled_from(["", "id", "flow_t", "X", "note"]), label="name")
        set_cell(data, rows[0], value)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    if kind != "encoding":
        path.write_text(out.getvalue(), encoding="utf-8")
        return f"{name} {kind}"
    encoding = data.draw(
        st.sampled_from(["latin-1", "utf-16", "utf-8-sig", "crlf", "blank lines", "cut"]),
        label="encoding",
    )
    if encoding == "crlf":
        path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    elif encoding == "blank lines":
        path.write_text(text.replace("\n", "\n\n", 3), encoding="utf-8")
    elif encoding == "cut":
        path.write_bytes(text.encode("utf-8")[: data.draw(st.integers(0, len(text)))])
    else:
        path.write_bytes(text.replace("Nd", "Nd\u00e9", 1).encode(encoding, errors="replace"))
    return f"{name} {encoding}"


def set_cell(data: st.DataObject, row: list[str], value: str) -> None:
    """Replace a drawn cell of a row (or add one to an empty row)."""
    if not row:
        row.append(value)
        return
    row[data.draw(st.integers(0, len(row) - 1), label="column")] = value


def break_toml(data: st.DataObject, path: Path) -> str:
    """Set one scenario key (or one of its tables' keys) to a value of another type."""
    key = data.draw(st.sampled_from(TOML_KEYS), label="key")
    value = data.draw(st.sampled_from(TOML_VALUES), label="value")
    text = path.read_text(encoding="utf-8")
    if "." in key:  # a new table whose other keys are sound
        table, inner = key.split(".")
        sound = {
            "licences": {"regime": '"CN-2025-18"', "action": '"throttle"', "share": "0.5"},
            "rules": {"select": '"country=CN"', "action": '"throttle"', "share": "0.5"},
            "capacity": {"select": '"node:country=AU"', "spare": "0.2"},
        }[table]
        sound[inner] = value
        text += f"\n[[{table}]]\n" + "".join(f"{k} = {v}\n" for k, v in sound.items())
    else:
        lines = [x for x in text.splitlines() if not x.startswith(f"{key} =")]
        first_table = next((i for i, x in enumerate(lines) if x.startswith("[[")), len(lines))
        lines.insert(first_table, f"{key} = {value}")
        text = "\n".join(lines) + "\n"
    path.write_text(text, encoding="utf-8")
    return f"{key} = {value[:40]}"


@pytest.mark.slow
@settings(
    max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_mutated_data_exits_0_with_sound_reports_or_2_with_nothing_written(good_reports, data):
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "data", Path(tmp) / "out"
        shutil.copytree(BUNDLED, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
        good, numeric = good_reports
        shutil.copytree(good, out)
        scenario = folder / "scenarios" / f"{SCENARIO}.toml"
        done = [
            break_csv(data, folder)
            if data.draw(st.booleans(), label="csv")
            else break_toml(data, scenario)
        ]
        if data.draw(st.booleans(), label="twice"):
            done.append(break_csv(data, folder))
        before = snapshot(out)
        args = ["simulate", "--data", str(folder), "-s", str(scenario), "--out", str(out), "-q"]
        code, output, runtime = _run(args)
        event(f"exit {code}")  # pytest --hypothesis-show-statistics shows the mix
        assert code in (0, 2), (done, output)
        assert "Traceback" not in output
        if code == 2:
            assert snapshot(out) == before, done
            return
        assert not runtime, (done, runtime)
        json.loads((out / "scenario.json").read_text(encoding="utf-8"), parse_constant=_refuse)
        for name, columns in numeric.items():
            for row in csv.DictReader(io.StringIO((out / name).read_text(encoding="utf-8"))):
                for column in columns & set(row):
                    cell = row[column]
                    assert cell == "" or math.isfinite(float(cell)), (done, name, column, cell)


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_mutated_dated_tables_exit_0_or_2_with_nothing_written(data):
    # the dated run's own tables (approval paths, transit times, capacity by date), broken
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "data", Path(tmp) / "out"
        shutil.copytree(BUNDLED, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
        done = [break_csv(data, folder, DATED_FILES)]
        out.mkdir()
        (out / "mine.txt").write_text("the user's own file")
        before = snapshot(out)
        args = [
            "timeline",
            "--data",
            str(folder),
            "-s",
            "2026-11-lapse",
            "--to",
            "2026-11-30",
            "--out",
            str(out),
            "-q",
        ]
        code, output, runtime = _run(args)
        assert code in (0, 2), (done, output)
        assert "Traceback" not in output
        if code == 2:
            assert snapshot(out) == before, done
            return
        assert not runtime, (done, runtime)
        json.loads((out / "timeline.json").read_text(encoding="utf-8"), parse_constant=_refuse)
        for row in csv.DictReader(io.StringIO((out / "timeline.csv").read_text(encoding="utf-8"))):
            for column in ("output_pct", "lost_t", "best_output_pct"):
                assert row[column] == "" or math.isfinite(float(row[column])), (done, row)


# The dated commands' options, with values that look like days, places in a queue or shifts
# to someone (issue 22, items 8 and 12); the runs they allow stay short.
DATED_OPTIONS = {
    "timeline": {
        "--from": (
            "2025-03-01", "2025-06-01", "2026-03-01", "2025-4-4", "20250404", "2025-02-30",
            "9999-12-01", "0001-01-01", "1900-01-01", "", "٢٠٢٥-03-01",
        ),
        "--to": (
            "2025-03-20", "2025-02-28", "2025-5-1", "2199-12-31", "9999-12-31", "2025-13-01",
            "",
        ),
        "--applicant": ("0", "0.5", "last", "1.5", "-1", "nan", "inf", "1_0", "first", ""),
    },
    "backtest": {
        "--stock-shift": (
            "0", "-7", "7", "-3650", "3651", "99999999999999999999", "1_0", "١", "1.5",
            "-", "",
        ),
    },
    "validate": {},  # which checks the five tables too
}  # fmt: skip
# What a located message looks like: a CSV file's line and column, a scenario file's key, or
# the option at fault (in click's usage error or ours).
LOCATED = re.compile(
    r"error: (?:\S+\.csv:\d+: [\w-]+: |\S+\.toml: |--[\w-]+)"
    r"|Error: Invalid value for '--[\w-]+'"
)


def assert_located(output: str, done: list[str]) -> None:
    """Every error line of a run that exited 2 says where the problem is."""
    errors = [line for line in output.splitlines() if line.lower().startswith("error")]
    assert errors, (done, output)
    for line in errors:
        assert LOCATED.match(line), (done, line)


@pytest.mark.slow
@settings(
    max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_mutated_dated_and_backtest_tables_and_options_exit_0_or_2_located(data):
    # issue 22: the five dated tables (approvals, transit, capacity, observed series, events)
    # and the dated options, broken; timeline, backtest or validate must run soundly or exit
    # 2 with every message located (file:line: column, file: key, or option), nothing written
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "data", Path(tmp) / "out"
        shutil.copytree(BUNDLED, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
        command = data.draw(st.sampled_from(sorted(DATED_OPTIONS)), label="command")
        written = "--quality-out" if command == "validate" else "--out"
        args = [command, "--data", str(folder), written, str(out)]
        done = []
        for option, values in DATED_OPTIONS[command].items():
            if data.draw(st.booleans(), label=f"{option}?"):
                value = data.draw(st.sampled_from(values), label=option)
                args += [option, value]
                done.append(f"{option} {value}")
        if command == "timeline":
            args += ["-s", "2025-replay", "-q"]
            if "--to" not in args:  # a short run: the default is a year
                args += ["--to", "2025-03-20"]
        what = data.draw(st.sampled_from(["csv", "csv", "csv", "toml", "none"]), label="break")
        if what == "csv":
            done.append(break_csv(data, folder, DATED_FILES + BACKTEST_FILES))
        elif what == "toml":
            done.append(break_toml(data, folder / "scenarios" / "2025-replay.toml"))
        out.mkdir()
        (out / "mine.txt").write_text("the user's own file")
        before = snapshot(out)
        code, output, runtime = _run(args)
        event(f"{command} exit {code}")
        assert code in (0, 2), (done, output)
        assert "Traceback" not in output
        if code == 2:
            assert snapshot(out) == before, done
            assert_located(output, done)
            return
        assert not runtime, (done, runtime)
        if command == "validate":
            return  # test_mutated_quality_tables_... checks its report
        if command == "timeline":
            reports = {"timeline.csv": ("output_pct", "lost_t", "best_output_pct")}
        else:
            reports = {
                "backtest-series.csv": ("observed_t", "observed_share", "modelled_share"),
                "backtest-events.csv": ("days_off", "last_applicant_days_off"),
            }
        for name, columns in reports.items():
            for row in csv.DictReader(io.StringIO((out / name).read_text(encoding="utf-8"))):
                for column in columns:
                    cell = row[column]
                    assert cell == "" or math.isfinite(float(cell)), (done, name, row)


@pytest.mark.slow
@settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(data=st.data())
def test_mutated_quality_tables_exit_0_or_2_with_nothing_written(data):
    # validate's data-quality tables (publishers' kinds, published shares), broken
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "data", Path(tmp) / "out"
        shutil.copytree(BUNDLED, folder, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
        done = [break_csv(data, folder, QUALITY_FILES)]
        out.mkdir()
        (out / "mine.txt").write_text("the user's own file")
        before = snapshot(out)
        code, output, runtime = _run(["validate", "--data", str(folder), "--quality-out", str(out)])
        assert code in (0, 2), (done, output)
        assert "Traceback" not in output
        if code == 2:
            assert snapshot(out) == before, done
            return
        assert not runtime, (done, runtime)
        for row in csv.DictReader(io.StringIO((out / "published-shares.csv").read_text("utf-8"))):
            for column in ("stage_output_t", "computed_pct", "published_pct", "difference_pct"):
                assert row[column] == "" or math.isfinite(float(row[column])), (done, row)
