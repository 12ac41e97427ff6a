"""The machine's other cores for pure functions of many inputs (a process pool).

A verb that handles many rows in one transaction (the simulation's intake, endorsement and
anonymisation; ``anonymise.service.anonymise_applications``) reads its inputs from the database
in the calling process, hands the CPU-heavy pure part (parsing a Word file, tagging and redacting
texts, building documents) to ``Workers.map``, and writes the results in the calling process in
the order of the inputs: the database sees the same statements in the same order as without the
pool, and the results are the same (the functions are pure; ``tests/test_parallel.py``).

Workers are forked (Linux): they start with what the calling process has loaded (jieba's
dictionary, the place tables, compiled patterns), never touch its database connections (each
engine's pool is forgotten in the child, ``engine.dispose(close=False)``), and end with the
``with`` block, so their CPU time is counted as the caller's children's (``os.times()``).

How many: ``WORKER_PROCESSES`` (config; 0, the default, is one per core the process may run on;
1 runs everything in the calling process). In-process too where forking is not possible or not
wise: one core, no ``fork`` start method, or a daemonic process (a queue worker's child).
"""

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

from flask import current_app, has_app_context

from .extensions import db

# Items sent to a worker at once: fewer round trips, still an even spread over the workers.
CHUNK = 4


def worker_count(setting: int | None = None) -> int:
    """Processes to use: ``setting`` (or the app's ``WORKER_PROCESSES``); 0 means one per core."""
    if setting is None:
        setting = current_app.config.get("WORKER_PROCESSES", 0) if has_app_context() else 0
    if setting and setting > 0:
        return setting
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _forkable() -> bool:
    return (
        "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
    )


def _forget_connections(engines) -> None:
    """In a forked worker: drop the inherited connection pools without closing their
    connections (they belong to the parent)."""
    for engine in engines:
        engine.dispose(close=False)


class Workers:
    """``map`` over a process pool, or in the calling process (``processes`` is then 1)."""

    def __init__(self, executor: ProcessPoolExecutor | None, processes: int):
        self._executor = executor
        self.processes = processes

    def map(self, fn: Callable, items: Iterable, chunksize: int = CHUNK) -> Iterator:
        """``fn(item)`` for each item, in the order of ``items``; lazily, so the caller writes
        the first results while the workers compute the next ones. ``fn`` must be a module-level
        function and its results picklable. An exception is raised where its item's result is
        taken, as in the calling process."""
        if self._executor is None:
            return map(fn, items)
        return self._executor.map(fn, items, chunksize=chunksize)


@contextmanager
def workers(processes: int | None = None) -> Iterator[Workers]:
    """A ``Workers`` for the block (see the module's docstring); the processes end with it."""
    count = worker_count(processes)
    if count <= 1 or not _forkable():
        yield Workers(None, 1)
        return
    engines = []
    if has_app_context():
        engines = list(db.engines.values())
    executor = ProcessPoolExecutor(
        max_workers=count,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_forget_connections,
        initargs=(engines,),
    )
    try:
        yield Workers(executor, count)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
