"""Run independent chunks of work in-process, or on a Dask cluster (the optional extra)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from .._errors import SupplyGraphError

Chunk = TypeVar("Chunk")
Output = TypeVar("Output")


TRIM_KEY = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"


class SchedulerError(SupplyGraphError):
    """Dask is not installed, or its scheduler cannot be reached."""


def run_chunks(
    function: Callable[[Chunk, Any], Output],
    chunks: Sequence[Chunk],
    shared: Any,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    connect_timeout: float = 10.0,
) -> list[Output]:
    """Return ``[function(chunk, shared) for chunk in chunks]``, in order, wherever it runs.

    Without ``scheduler`` or ``workers`` the chunks run here, one after the other. With
    ``scheduler`` (``tcp://HOST:PORT``) they run on that Dask cluster; with ``workers``
    on a local cluster of that many single-threaded worker processes, started and shut
    down here. ``shared`` is sent to each worker once. The results are the same bytes
    wherever they run, as long as ``function`` depends on nothing but its arguments.

    Parameters
    ----------
    function
        A module-level function (workers import it by name).
    chunks
        The pieces of work.
    shared
        What every chunk needs (the graph's arrays).
    scheduler
        The address of a Dask scheduler.
    workers
        Start a local cluster of this many workers.
    connect_timeout
        Seconds to wait for the scheduler.

    Returns
    -------
    list
        One result per chunk, in the chunks' order.

    Raises
    ------
    SchedulerError
        When dask is not installed or the scheduler cannot be reached.

    Examples
    --------
    >>> run_chunks(pow, [1, 2, 3], 2)
    [1, 4, 9]
    """
    if scheduler is None and not workers:
        return [function(chunk, shared) for chunk in chunks]
    try:
        # an optional extra: only runs that ask for a cluster need it
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise SchedulerError(
            "--scheduler and --workers need Dask: pip install 'supplygraph[dask]'"
        ) from None
    cluster = None
    try:
        if scheduler is None:
            # Dask sets MALLOC_TRIM_THRESHOLD_=65536 in its workers, so every large numpy
            # temporary goes back to the kernel and is faulted in again: chunks ran 1.7x
            # slower on a worker than here (docs/performance.md). Unset, glibc's default.
            with dask.config.set({TRIM_KEY: None}):
                cluster = LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
                )
            client = Client(cluster)
        else:
            client = Client(scheduler, timeout=connect_timeout)
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise SchedulerError(f"cannot reach the Dask scheduler {scheduler}: {exc}") from None
    try:
        on_workers = client.scatter(shared, broadcast=True)
        futures = client.map(function, list(chunks), [on_workers] * len(chunks), pure=False)
        return list(client.gather(futures))
    finally:
        if cluster is None:
            client.close()
        else:
            close_quietly(client, cluster)


def close_quietly(client: Any, cluster: Any) -> None:
    """Close a local cluster this run started without its shutdown's log lines.

    Once the results are in (or have failed), what the workers and the scheduler log while
    they close is noise to the user: a worker's heartbeat that meets the scheduler already
    gone logs a traceback (``CommClosedError``) on stderr now and then, a race inside
    distributed. So the workers stop logging before they are told to close, and this
    process logs nothing until the cluster is gone.

    Parameters
    ----------
    client
        The ``distributed.Client`` of the run.
    cluster
        The ``distributed.LocalCluster`` the run started.
    """
    before = logging.root.manager.disable
    try:
        client.run(silence_logging)
    except (OSError, TimeoutError):
        pass  # a worker that is gone logs nothing either
    finally:
        logging.disable(logging.CRITICAL)
        try:
            client.close()
            cluster.close()
        finally:
            logging.disable(before)


def silence_logging() -> None:
    """Stop this process's logging (run on each worker of a closing local cluster)."""
    logging.disable(logging.CRITICAL)
