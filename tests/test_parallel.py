"""parallel.workers: a pure function mapped over items in forked worker processes gives the
results, in order, that the calling process gives; one process (or the setting 1) runs in the
caller; an exception reaches the caller at its item; the caller's database connection survives
the workers."""

import os

import pytest
from sqlalchemy import func, select

from review_app import parallel
from review_app.config import ConfigError, load_config
from review_app.extensions import db
from review_app.programs.models import Prefecture


def _square(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _refuse(x: int) -> int:
    if x == 7:
        raise ValueError("seven")
    return x


ENV = {"REVIEW_APP_ENV": "testing", "SECRET_KEY": "test"}
needs_fork = pytest.mark.skipif(not parallel._forkable(), reason="no fork start method")


@needs_fork
def test_workers_give_the_callers_results_in_order():
    with parallel.workers(2) as workers:
        assert workers.processes == 2
        results = list(workers.map(_square, range(40)))
    assert [r for r, _pid in results] == [x * x for x in range(40)]
    assert os.getpid() not in {pid for _r, pid in results}


def test_one_process_runs_in_the_caller():
    with parallel.workers(1) as workers:
        assert workers.processes == 1
        results = list(workers.map(_square, range(5)))
    assert results == [(x * x, os.getpid()) for x in range(5)]


@needs_fork
def test_an_exception_reaches_the_caller_at_its_item():
    with parallel.workers(2) as workers:
        results = workers.map(_refuse, range(12), chunksize=1)
        assert [next(results) for _ in range(7)] == list(range(7))
        with pytest.raises(ValueError, match="seven"):
            next(results)


def test_the_setting_chooses_how_many(app, tmp_path):
    app.config["WORKER_PROCESSES"] = 1
    assert parallel.worker_count() == 1
    app.config["WORKER_PROCESSES"] = 0
    assert parallel.worker_count() == len(os.sched_getaffinity(0))
    assert load_config(tmp_path, {**ENV, "WORKER_PROCESSES": "3"})["WORKER_PROCESSES"] == 3
    with pytest.raises(ConfigError, match="WORKER_PROCESSES"):
        load_config(tmp_path, {**ENV, "WORKER_PROCESSES": "-1"})


@needs_fork
def test_the_callers_database_connection_survives_the_workers(app):
    before = db.session.scalar(select(func.count(Prefecture.id)))
    db.session.add(Prefecture(name="测试新区", division_code="419999", sort_order=99))
    db.session.flush()  # a transaction open while the workers are forked and end
    with parallel.workers(2) as workers:
        assert [r for r, _pid in workers.map(_square, range(8))] == [x * x for x in range(8)]
    db.session.commit()
    assert db.session.scalar(select(func.count(Prefecture.id))) == before + 1
