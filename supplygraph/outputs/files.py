"""Write report files safely: one file through a rename, or a run's whole set or none of it."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeAlias

from .._errors import WriteError

# A file of a set: its text (written as UTF-8) or bytes, or the function that renders them
# (or the bytes in pieces) when the file is staged.
FileContent: TypeAlias = str | bytes | Callable[[], str | bytes | Iterable[bytes]]


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file and a rename (UTF-8 for text).

    Parameters
    ----------
    path
        The file to write.
    data
        Text (written as UTF-8) or bytes.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- report sets

RUN_MANIFEST = ".supplygraph-run.json"  # the set in the folder: file names and checksums
SWAP_JOURNAL = ".supplygraph-swap.json"  # a committed set still being moved into place
TEMP_PREFIX = ".supplygraph-tmp-"  # the staging folder of a set being written


def write_file_set(folder: str | os.PathLike[str], files: dict[str, FileContent]) -> list[Path]:
    """Replace the files of the previous set in ``folder`` by ``files``: all of them or none.

    The set is written and flushed to disk in a staging folder inside ``folder``; a journal
    renamed into place then commits it, and the files are renamed over the old ones. A run
    killed before the commit leaves the old set untouched, one killed after it is finished
    by the next call (or :func:`finish_file_set`). Files of the previous set that the new
    one lacks are removed (the manifest, ``.supplygraph-run.json``, lists them); no other
    file in ``folder`` is touched.

    Parameters
    ----------
    folder
        The report folder (created if needed).
    files
        Text (written as UTF-8) or bytes, keyed by file name; or a function that returns
        them (or the bytes in pieces), called when the file is staged, so that a large
        file is never whole in memory.

    Returns
    -------
    list of Path
        The files written, in the order of ``files``.

    Raises
    ------
    WriteError
        Naming the file that could not be written; the folder's earlier files are unchanged.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> [p.name for p in write_file_set(folder, {"a.csv": "x\\n1\\n", "b.json": "{}\\n"})]
    ['a.csv', 'b.json']
    >>> [p.name for p in write_file_set(folder, {"a.csv": "x\\n2\\n"})]
    ['a.csv']
    >>> sorted(p.name for p in folder.iterdir())
    ['.supplygraph-run.json', 'a.csv']
    """
    folder = Path(folder)
    payloads = {_plain_name(name): data for name, data in files.items()}
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot write {folder}: {exc.strerror or exc}") from None
    lock = _lock_folder(folder)
    try:
        return _replace_set(folder, payloads)
    finally:
        _unlock_folder(lock)


def _replace_set(folder: Path, payloads: dict[str, FileContent]) -> list[Path]:
    """Stage, commit and move in a set (the steps of :func:`write_file_set`)."""
    _finish_set(folder, set(payloads))
    for name in (*payloads, RUN_MANIFEST):
        if (folder / name).is_dir() and not (folder / name).is_symlink():
            raise WriteError(
                f"cannot write {folder / name}: a folder is in the way; "
                f"the files already in {folder} were left as they were"
            )
    checksums = {}
    journal = {"write": list(payloads), "remove": sorted(_manifest_names(folder) - set(payloads))}
    try:
        staging = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=folder))
    except OSError as exc:
        raise WriteError(f"cannot write in {folder}: {exc.strerror or exc}") from None
    try:
        for name, payload in payloads.items():
            data = payload() if callable(payload) else payload  # rendered now, one at a time
            if isinstance(data, str):
                data = data.encode("utf-8")
            checksums[name] = _write_synced(staging / name, data, shown_as=folder / name)
            del data
        _write_synced(
            staging / RUN_MANIFEST,
            _json_bytes({"files": checksums}),
            shown_as=folder / RUN_MANIFEST,
        )
        _write_synced(
            staging / SWAP_JOURNAL,
            _json_bytes({**journal, "staging": staging.name}),
            shown_as=folder / SWAP_JOURNAL,
        )
        _sync_folder(staging)
        os.replace(staging / SWAP_JOURNAL, folder / SWAP_JOURNAL)
    except BaseException:
        _remove_staging(staging)
        raise
    _sync_folder(folder)  # the journal's rename was the commit: make it last
    _finish_set(folder, set(payloads))
    return [folder / name for name in payloads]


def finish_file_set(
    folder: str | os.PathLike[str], *, names: set[str] | frozenset[str] = frozenset()
) -> None:
    """Finish moving a committed set into ``folder`` and remove stale temporaries.

    A run killed between the commit and its last rename leaves old and new files side by
    side with the journal ``.supplygraph-swap.json``; this completes the new set. Staging
    folders of uncommitted runs are removed, and so are the ``.NAME.XXXXXXXX.tmp`` files
    that single-file writes leave, for the names of the folder's set and ``names``.

    Parameters
    ----------
    folder
        A report folder.
    names
        More report names whose single-file temporaries are ours.

    Raises
    ------
    WriteError
        When the journal cannot be read or a rename fails (the journal is kept for a retry).
    """
    lock = _lock_folder(Path(folder))
    try:
        _finish_set(Path(folder), names)
    finally:
        _unlock_folder(lock)


def _finish_set(folder: Path, names: set[str] | frozenset[str]) -> None:
    """Roll a committed set forward and remove stale temporaries (see :func:`finish_file_set`)."""
    journal_path = folder / SWAP_JOURNAL
    if journal_path.is_file():
        try:
            journal = json.loads(journal_path.read_bytes())
            staging = folder / _plain_name(journal["staging"])
            for name in map(_plain_name, journal["write"]):
                if (staging / name).is_file():
                    os.replace(staging / name, folder / name)
            for name in map(_plain_name, journal["remove"]):
                if (folder / name).is_file():
                    (folder / name).unlink()
            if (staging / RUN_MANIFEST).is_file():  # last: it names the set now in place
                os.replace(staging / RUN_MANIFEST, folder / RUN_MANIFEST)
            _sync_folder(folder)
            journal_path.unlink()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise WriteError(
                f"cannot finish replacing the reports in {folder}: {exc}; the next run "
                f"into it finishes the job ({SWAP_JOURNAL} says what is left)"
            ) from None
    ours = _manifest_names(folder) | names
    for entry in folder.iterdir():
        if entry.name.startswith(TEMP_PREFIX) and entry.is_dir() and not entry.is_symlink():
            _remove_staging(entry)
        elif _is_single_file_temporary(entry.name, ours) and entry.is_file():
            entry.unlink()


def _lock_folder(folder: Path) -> int | None:
    """Wait until no other run writes into ``folder``, then hold its lock until
    :func:`_unlock_folder` (a POSIX flock: it goes with the process, however it ends)."""
    if os.name != "posix":  # Windows: runs into one folder are not serialised
        return None
    import fcntl  # POSIX only

    fd = os.open(folder, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def _unlock_folder(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)  # releases the flock


def _is_single_file_temporary(name: str, names: set[str]) -> bool:
    """Tell whether ``name`` is :func:`write_atomic`'s ``.NAME.XXXXXXXX.tmp`` for a name."""
    stem, _, random = name.removesuffix(".tmp").rpartition(".")
    return name.endswith(".tmp") and stem.startswith(".") and stem[1:] in names and len(random) == 8


def _remove_staging(staging: Path) -> None:
    """Remove a staging folder (it holds files only)."""
    for child in staging.iterdir():
        child.unlink()
    staging.rmdir()


def _manifest_names(folder: Path) -> set[str]:
    """Return the names of the set the folder's manifest lists (none without one)."""
    try:
        listed = json.loads((folder / RUN_MANIFEST).read_bytes())["files"]
        return {_plain_name(name) for name in listed}
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _plain_name(name: object) -> str:
    """Return ``name`` if it names a file in the folder itself, else raise ValueError."""
    if not isinstance(name, str) or name in ("", ".", "..") or "/" in name or "\\" in name:
        raise ValueError(f"not a file name: {name!r}")
    return name


def _write_synced(path: Path, payload: bytes | Iterable[bytes], *, shown_as: Path) -> str:
    """Write a new file (its bytes, or pieces of them) and flush it to disk; return its
    SHA-256. A failure names ``shown_as``."""
    digest = hashlib.sha256()
    try:
        with open(path, "xb") as handle:
            for piece in [payload] if isinstance(payload, bytes) else payload:
                digest.update(piece)
                handle.write(piece)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise WriteError(
            f"cannot write {shown_as}: {exc.strerror or exc}; "
            f"the files already in {shown_as.parent} were left as they were"
        ) from None
    return "sha256:" + digest.hexdigest()


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries (its renames) to disk."""
    if os.name != "posix":  # Windows cannot open a folder to flush it
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _json_bytes(value: object) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True) + "\n").encode("utf-8")
