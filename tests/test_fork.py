"""Work in a forked process (outputs/fork.py): the child's value, or the same work redone
here when there is no child or it failed; and the commands that use it write the same
bytes with and without it."""

from __future__ import annotations

import os
import signal
import time

import pytest
from cli_helpers import TINY, invoke

from supplygraph.outputs import fork
from supplygraph.outputs.fork import Forked

needs_fork = pytest.mark.skipif(not fork.FORK, reason="no fork on this platform")


def where(*values):
    """The process that ran the work, and what it was given."""
    return os.getpid(), values


def failing():
    raise ValueError("bad input, line 3")


@needs_fork
def test_the_work_runs_in_another_process_and_its_value_comes_back():
    with Forked(where, 1, "two") as job:
        pid, values = job.result(lambda: pytest.fail("redone"))
    assert pid != os.getpid()
    assert values == (1, "two")
    assert job.result(lambda: None) == (pid, values)  # collected once, kept


@needs_fork
def test_a_child_that_fails_has_the_work_redone_here_with_its_error():
    with Forked(failing) as job, pytest.raises(ValueError, match="line 3"):
        job.result(failing)


def test_without_fork_the_work_is_done_here(monkeypatch):
    monkeypatch.setattr(fork, "FORK", False)
    with Forked(where, 5) as job:
        job.send("ignored")
        assert job.result(lambda: where(5)) == (os.getpid(), (5,))


def double_received(receive):
    return 2 * receive()


@needs_fork
def test_the_inbox_passes_the_child_its_input_after_the_start():
    with Forked(double_received, inbox=True) as job:
        job.send(21)
        assert job.result(lambda: pytest.fail("redone")) == 42
        with Forked(double_received, inbox=True) as unsent:  # never sent: fails, redone here
            assert unsent.result(lambda: -1) == -1


def sleeper(receive):
    time.sleep(60)


@needs_fork
def test_a_child_not_collected_is_stopped_on_leaving():
    started = time.perf_counter()
    with Forked(sleeper, inbox=True) as job:
        pid = job.pid
    assert time.perf_counter() - started < 30
    with pytest.raises(ChildProcessError):  # reaped: no such child any more
        os.waitpid(pid, 0)


@needs_fork
def test_simulate_draws_the_same_chart_in_a_child_as_here(tmp_path, monkeypatch):
    args = ["simulate", "--data", str(TINY), "-s", str(TINY.parent / "tiny-cut-dy.toml"), "-q"]
    assert invoke(*args, "--out", str(tmp_path / "child")).exit_code == 0
    monkeypatch.setattr(fork, "FORK", False)
    assert invoke(*args, "--out", str(tmp_path / "here")).exit_code == 0
    for name in ("sectors.png", "sectors.svg", "sectors.csv", "graph.html"):
        child, here = (tmp_path / run / name for run in ("child", "here"))
        assert child.read_bytes() == here.read_bytes(), name


@needs_fork
def test_timeline_draws_in_a_child_write_the_same_bytes_as_here(tmp_path, monkeypatch):
    args = ["timeline", "-s", "2025-replay", "--to", "2025-06-30", "--draws", "8"]
    child = invoke(*args, "--out", str(tmp_path / "child"))
    monkeypatch.setattr(fork, "FORK", False)
    here = invoke(*args, "--out", str(tmp_path / "here"))
    assert child.exit_code == 0 and here.exit_code == 0, child.output
    printed = [run.output.split("Reports in")[0] for run in (child, here)]
    assert "Bands over 8 draws" in printed[0] and printed[0] == printed[1]
    names = sorted(path.name for path in (tmp_path / "here").iterdir())
    assert "timeline-bands.csv" in names and "timeline-plants.csv" in names
    for name in names:
        assert (tmp_path / "child" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()


def test_when_no_process_can_be_forked_the_work_is_done_here(monkeypatch):
    def refused():
        raise BlockingIOError("Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)
    monkeypatch.setattr(fork, "FORK", True)
    with Forked(double_received, inbox=True) as job:
        job.send(4)
        assert job.pid == 0
        assert job.result(lambda: where(4)) == (os.getpid(), (4,))


def large(size):
    return b"x" * size


@needs_fork
def test_two_children_each_end_when_their_own_work_is_done():
    # the second child must not hold the first one's input open (it would never end, the
    # second blocked writing a value larger than a pipe holds: neither would finish)
    signal.alarm(60)
    try:
        with Forked(double_received, inbox=True) as first, Forked(large, 1 << 20) as second:
            first.send(5)
            assert first.result(lambda: pytest.fail("redone")) == 10
            assert second.result(lambda: pytest.fail("redone")) == large(1 << 20)
    finally:
        signal.alarm(0)
