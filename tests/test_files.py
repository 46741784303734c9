"""Report sets written by supplygraph.outputs.files.write_file_set: all of a run's files or none."""

from __future__ import annotations

import errno
import json
import os
import signal

import pytest

from supplygraph._errors import WriteError
from supplygraph.outputs.files import RUN_MANIFEST, finish_file_set, write_file_set

OLD = {"sectors.csv": "old sectors\n", "nodes.csv": "old nodes\n", "graph.html": "old page\n"}
NEW = {"sectors.csv": "new sectors\n", "nodes.csv": "new nodes\n", "reroute.csv": "new flows\n"}
USERS = {"notes.txt": "mine\n", ".sectors.csv.notours.tmp": "mine too\n"}


def folder_files(folder):
    """Return the folder's files with their text, the tool's bookkeeping aside."""
    return {
        p.name: p.read_text()
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".supplygraph-")
    }


def bookkeeping(folder):
    """Return the names of the tool's manifest, journal and temporaries in the folder."""
    return {p.name for p in folder.iterdir() if p.name.startswith(".supplygraph-")}


def old_folder(tmp_path):
    folder = tmp_path / "out"
    write_file_set(folder, OLD)
    for name, text in USERS.items():
        (folder / name).write_text(text)
    return folder


def test_a_new_set_replaces_the_old_one_and_nothing_else(tmp_path):
    folder = old_folder(tmp_path)
    paths = write_file_set(folder, NEW)
    assert paths == [folder / name for name in NEW]
    # graph.html was the old run's (its manifest lists it): gone; the user's files stay
    assert folder_files(folder) == {**NEW, **USERS}
    manifest = json.loads((folder / RUN_MANIFEST).read_text())
    assert sorted(manifest["files"]) == sorted(NEW)


def test_a_folder_in_the_way_leaves_the_old_set(tmp_path):
    folder = old_folder(tmp_path)
    (folder / "reroute.csv").mkdir()
    with pytest.raises(WriteError, match=f"cannot write {folder / 'reroute.csv'}: a folder"):
        write_file_set(folder, NEW)
    assert folder_files(folder) == {**OLD, **USERS}
    assert bookkeeping(folder) == {RUN_MANIFEST}
    assert (folder / "reroute.csv").is_dir()


def test_a_failed_write_names_the_file_and_leaves_the_old_set(tmp_path, monkeypatch):
    folder = old_folder(tmp_path)
    manifest = (folder / RUN_MANIFEST).read_bytes()
    calls = []
    real_fsync = os.fsync

    def full_disk_on_second_file(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full_disk_on_second_file)
    with pytest.raises(WriteError) as caught:
        write_file_set(folder, NEW)
    assert str(caught.value).startswith(
        f"cannot write {folder / 'nodes.csv'}: No space left on device;"
    )
    assert folder_files(folder) == {**OLD, **USERS}
    assert bookkeeping(folder) == {RUN_MANIFEST}  # no staging folder left
    assert (folder / RUN_MANIFEST).read_bytes() == manifest


def test_a_folder_that_is_a_file_is_named(tmp_path):
    (tmp_path / "out").write_text("a file")
    with pytest.raises(WriteError, match=f"cannot write {tmp_path / 'out'}: "):
        write_file_set(tmp_path / "out", NEW)


def test_stale_temporaries_of_ours_are_cleaned(tmp_path):
    folder = old_folder(tmp_path)
    (folder / ".supplygraph-tmp-abcd1234").mkdir()
    (folder / ".supplygraph-tmp-abcd1234" / "sectors.csv").write_text("half")
    (folder / ".nodes.csv.k3j4h5g6.tmp").write_text("half")  # write_atomic's, earlier versions
    write_file_set(folder, NEW)
    assert folder_files(folder) == {**NEW, **USERS}
    assert bookkeeping(folder) == {RUN_MANIFEST}


def killed_at(step, folder):
    """Fork a child that writes NEW into ``folder`` and SIGKILLs itself at its ``step``-th
    fsync, rename or unlink (before the call); return whether it was killed."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        calls = [0]

        def dying(function):
            def call(*args, **kwargs):
                calls[0] += 1
                if calls[0] == step:
                    os.kill(os.getpid(), signal.SIGKILL)
                return function(*args, **kwargs)

            return call

        os.fsync, os.replace, os.unlink = map(dying, (os.fsync, os.replace, os.unlink))
        try:
            write_file_set(folder, NEW)
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WIFSIGNALED(status)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_run_killed_at_any_step_leaves_the_old_or_the_new_set(tmp_path):
    outcomes = []
    for step in range(1, 100):
        folder = old_folder(tmp_path / str(step))
        killed = killed_at(step, folder)
        visible = folder_files(folder)
        if (folder / ".supplygraph-swap.json").exists():  # committed, not yet all in place
            outcomes.append("committed")
        else:
            assert visible in ({**OLD, **USERS}, {**NEW, **USERS}), step
            outcomes.append("old" if visible == {**OLD, **USERS} else "new")
        finish_file_set(folder)  # what the next run does first
        assert folder_files(folder) in ({**OLD, **USERS}, {**NEW, **USERS}), step
        assert bookkeeping(folder) == {RUN_MANIFEST}, step
        if not killed:
            break
    # every step was hit: before the commit (old), after it (being finished), and done (new)
    assert {"old", "committed", "new"} <= set(outcomes), outcomes
    assert outcomes[-1] == "new"


def test_a_journal_naming_files_outside_the_folder_is_refused(tmp_path):
    folder = old_folder(tmp_path)
    outside = tmp_path / "precious.txt"
    outside.write_text("keep\n")
    journal = {"staging": ".supplygraph-tmp-x", "write": [], "remove": ["../precious.txt"]}
    (folder / ".supplygraph-swap.json").write_text(json.dumps(journal))
    with pytest.raises(WriteError, match=r"cannot finish replacing the reports in .*not a file"):
        write_file_set(folder, NEW)
    assert outside.read_text() == "keep\n"
    assert folder_files(folder) == {**OLD, **USERS}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_two_runs_into_one_folder_take_turns(tmp_path):
    folder = old_folder(tmp_path)
    sets = [{name: text * 2000 for name, text in files.items()} for files in (OLD, NEW)]
    for _ in range(10):
        children = []
        for files in sets:
            pid = os.fork()
            if pid == 0:  # the child: never returns into pytest
                try:
                    write_file_set(folder, files)
                    os._exit(0)
                finally:
                    os._exit(1)
            children.append(pid)
        statuses = [os.waitpid(pid, 0)[1] for pid in children]
        assert all(os.WIFEXITED(s) and os.WEXITSTATUS(s) == 0 for s in statuses), statuses
        assert folder_files(folder) in ({**sets[0], **USERS}, {**sets[1], **USERS})
        assert bookkeeping(folder) == {RUN_MANIFEST}
