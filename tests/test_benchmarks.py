"""Smoke-run the benchmark scripts at a small size (their figures live in docs/performance.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each test runs a script or a Dask cluster

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.parametrize(
    ("script", "args", "size"),
    [
        ("bench_propagate.py", ["--edges", "2000", "--repeat", "1"], "2,000"),
        ("bench_reroute.py", ["--edges", "2000", "--repeat", "1"], "2,000 edges, uniform"),
        # rounding the stages to whole nodes gives 2,028 edges
        (
            "bench_reroute.py",
            ["--edges", "2000", "--repeat", "1", "--shape", "pyramid"],
            "2,028 edges, pyramid",
        ),
        ("bench_timeline.py", ["--edges", "2000", "--repeat", "1"], "2,000 edges"),
        ("bench_timeline.py", ["--commands", "simulate", "--repeat", "1"], "whole command: "),
        # 562 nodes, four suppliers for each past the mines, repeated pairs dropped (seed 1)
        ("bench_load.py", ["--edges", "2000", "--repeat", "1"], "2,154"),
        ("bench_simulate.py", ["--edges", "2000"], "2,000 edges"),
        ("bench_simulate.py", ["--edges", "2000", "--reroute"], "2,000 edges"),
        ("bench_trade.py", ["--rows", "20000"], "20,000"),
        (
            "bench_risk.py",
            ["--edges", "2000", "--big-draws", "50", "--draws", "500", "--repeat", "1"],
            "2,000 edges",
        ),
    ],
)
def test_benchmark_script_runs(script, args, size):
    out = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    assert size in out  # the size it ran at
    assert " s" in out  # and a time
