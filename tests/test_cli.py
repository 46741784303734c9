"""The command-line shell: help, version, the entry points, and how failures end."""

from __future__ import annotations

import subprocess
import sys

import pytest
from cli_helpers import COMMANDS, TINY, invoke
from click.testing import CliRunner

from supplygraph.cli import cli


@pytest.mark.parametrize(
    "args", [["-h"], ["--help"], *([c, "--help"] for c in COMMANDS), *([c, "-h"] for c in COMMANDS)]
)
def test_help(args):
    result = invoke(*args)
    assert result.exit_code == 0
    assert "Usage: " in result.output
    assert "Example:" in result.output


def test_every_scenario_option_is_the_one_declared_in_base():
    # one decorator (cli._base.scenario_option): the same flags, metavar and parameter name
    options = {
        name: next(p for p in command.params if "--scenario" in getattr(p, "opts", []))
        for name, command in cli.commands.items()
        if any("--scenario" in getattr(p, "opts", []) for p in command.params)
    }
    assert set(options) == {
        "simulate",
        "timeline",
        "backtest",
        "export",
        "criticality",
        "montecarlo",
    }
    for name, option in options.items():
        assert option.opts == ["--scenario", "-s"], name
        assert (option.name, option.metavar) == ("scenario_name", "NAME|FILE"), name
    assert options["timeline"].required and options["montecarlo"].required
    assert options["backtest"].default == "2025-replay" and options["backtest"].show_default


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


def test_python_m_entry_point():
    out = subprocess.run(
        [sys.executable, "-m", "supplygraph", "--version"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "0.1.0" in out


def test_bad_data_dir_exits_2(tmp_path):
    result = invoke("simulate", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "nope: no such folder" in result.output and "Traceback" not in result.output


def test_unexpected_failure_exits_1_with_short_message(monkeypatch, tmp_path):
    def boom(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr("supplygraph.analyses.exposure.simulate", boom)
    result = CliRunner().invoke(cli, ["simulate", "--data", str(TINY), "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "unexpected failure: RuntimeError: kaboom" in result.output
    assert "Traceback" not in result.output
    debug = CliRunner().invoke(
        cli, ["--debug", "simulate", "--data", str(TINY), "--out", str(tmp_path)]
    )
    assert debug.exit_code == 1 and "Traceback" in debug.output


def test_a_reader_that_goes_away_is_no_error():
    # `supplygraph scenarios | head -1`: the pipe is closed before the command writes
    # anything; it must end without printing an error about it
    child = subprocess.Popen(
        [sys.executable, "-m", "supplygraph", "scenarios"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    child.stdout.close()
    stderr = child.stderr.read().decode()
    child.wait(timeout=60)
    assert "error" not in stderr, stderr


def test_the_terminal_table_aligns_each_column_as_told(capsys):
    from supplygraph.cli._base import print_table

    rows = [("sector", "lost t", "note"), ("Electric vehicles", "1,200", ""), ("Wind", "-", "x")]
    print_table(rows, "lrl")
    assert capsys.readouterr().out.splitlines() == [
        "  sector             lost t  note",
        "  Electric vehicles   1,200",  # no blanks after the last cell
        "  Wind                    -  x",
    ]


def test_a_check_at_its_bands_edge_prints_with_the_decimals_that_tell_them_apart():
    from supplygraph.cli._base import telling_digits

    # 46 / 620 = 0.0742 against a P10 of 0.0745: equal at 2 and 3 decimals (0.07, 0.074),
    # apart at 4; a value far from its band keeps 2; an edge equal to the value is no
    # contradiction (inside at the edge) and asks for nothing; apart only at the 6th
    # decimal, the most (4) is all it gets
    assert telling_digits(46 / 620, 0.0745, 0.53) == 4
    assert telling_digits(0.57, 0.37, 0.94) == 2
    assert telling_digits(0.5, 0.5, 0.9) == 2
    assert telling_digits(0.1234561, 0.1234567) == 4
