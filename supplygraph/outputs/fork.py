"""Work done in a forked process beside the rest of a command, collected when needed.

A command spends much of its time importing and drawing (matplotlib) or in the draws' own
loop, each independent of the rest of the command: started in a child process, that work
runs on the second core while the command goes on (docs/performance.md). The child runs
the same code on the same inputs, so the figures and files are the same bytes; where a
child is not available (no ``fork``: Windows, macOS's spawn-only libraries) or fails in
any way, the work runs in the command's own process instead, with the same result and
the same errors.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable
from typing import Any

# Linux only: macOS offers fork, but its system libraries may not survive one
FORK = sys.platform.startswith("linux") and hasattr(os, "fork")


# this process's ends of its children's pipes: a child forked later closes them, so that
# each pipe ends when its own two processes are done with it
_OPEN: set[int] = set()


def _read_exactly(fd: int, size: int) -> bytes:
    """Read ``size`` bytes from a pipe (fewer where it ends first)."""
    chunks, left = [], size
    while left and (chunk := os.read(fd, min(left, 1 << 20))):
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _receive(fd: int) -> Any:
    """Read one object that :meth:`Forked.send` wrote: its length, then its pickle."""
    size = int.from_bytes(_read_exactly(fd, 8), "little")
    data = _read_exactly(fd, size)
    if not size or len(data) < size:
        raise EOFError("nothing sent")
    return pickle.loads(data)


def _read_all(fd: int) -> bytes:
    """Read a pipe to its end."""
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _write_all(fd: int, data: bytes) -> None:
    """Write all of ``data`` to a pipe."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


class Forked:
    """Run ``function(*args, **kwargs)`` in a child process forked now; collect its value
    later with :meth:`result`.

    With ``inbox``, the function also gets ``receive``, which returns the one object the
    parent passes to :meth:`send` (work that starts before its input is known, such as
    importing matplotlib while the figures are computed). Use it as a context manager: a
    child whose value was not collected is stopped on leaving.

    Parameters
    ----------
    function
        A function of the arguments (and ``receive`` with ``inbox``); its value must pickle.
    *args, **kwargs
        Its arguments, inherited by the child as they are (nothing is pickled on the way in).
    inbox
        Pass the function ``receive`` (see above).

    Examples
    --------
    >>> with Forked(sum, [1, 2, 3]) as job:
    ...     job.result(lambda: sum([1, 2, 3]))
    6
    """

    def __init__(
        self, function: Callable[..., Any], *args: Any, inbox: bool = False, **kwargs: Any
    ) -> None:
        self.pid = 0
        self._done = False
        self._value: Any = None
        self._outbox = self._inbox = -1
        if not FORK:
            return
        out_read, out_write = os.pipe()
        in_read, in_write = os.pipe() if inbox else (-1, -1)
        sys.stdout.flush()  # nothing buffered is written twice
        sys.stderr.flush()
        try:
            pid = os.fork()
        except OSError:  # no process to be had (a limit): the work is done here
            for fd in (out_read, out_write, in_read, in_write):
                if fd >= 0:
                    os.close(fd)
            return
        if pid == 0:  # the child: never returns into the caller's code
            status = 1
            try:
                for fd in (out_read, in_write, *_OPEN):
                    if fd >= 0:
                        os.close(fd)
                _OPEN.clear()
                if inbox:
                    kwargs["receive"] = lambda: _receive(in_read)
                value = function(*args, **kwargs)
                _write_all(out_write, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
                status = 0
            except BaseException:  # the parent redoes the work, and reports its errors
                status = 1
            finally:
                os._exit(status)
        self.pid = pid
        os.close(out_write)
        self._outbox = out_read
        _OPEN.add(out_read)
        if inbox:
            os.close(in_read)
            self._inbox = in_write
            _OPEN.add(in_write)

    def send(self, value: Any) -> None:
        """Pass the child its input (with ``inbox``); nothing happens without a child.

        Parameters
        ----------
        value
            The object ``receive`` returns in the child; it must pickle.

        Returns
        -------
        None
        """
        if self._inbox < 0:
            return
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        try:  # a child that has gone (OSError): result() redoes the work
            with contextlib.suppress(OSError):
                _write_all(self._inbox, len(data).to_bytes(8, "little") + data)
        finally:
            self._close(self._inbox)
            self._inbox = -1

    def result(self, redo: Callable[[], Any]) -> Any:
        """Return the child's value, or ``redo()`` where there is no child or it failed.

        Parameters
        ----------
        redo
            The same work, done here: the fallback, which also raises the work's errors
            as they would be raised without a child.

        Returns
        -------
        object
            The value (the same on every later call).
        """
        if self._done:
            return self._value
        value, ok = None, False
        if self.pid:
            if self._inbox >= 0:  # a child still waiting for input gets none, and fails
                self._close(self._inbox)
                self._inbox = -1
            data = _read_all(self._outbox)
            ok = self._reap() == 0 and bool(data)
            if ok:
                value = pickle.loads(data)
        self._value = value if ok else redo()
        self._done = True
        return self._value

    @staticmethod
    def _close(fd: int) -> None:
        """Close this process's end of a pipe."""
        _OPEN.discard(fd)
        os.close(fd)

    def _reap(self) -> int:
        """Close the pipes, wait for the child; return its exit status."""
        for fd in (self._outbox, self._inbox):
            if fd >= 0:
                self._close(fd)
        self._outbox = self._inbox = -1
        pid, self.pid = self.pid, 0
        if not pid:
            return 1
        _, status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(status)

    def close(self) -> None:
        """Stop a child whose value was not collected.

        Returns
        -------
        None
        """
        if self.pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self._reap()

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
