"""A simulated round larger than the province's quotas (``review-app simulate`` at national
scale): the 卓越级 quotas and capacity are multiplied by one whole factor."""

import pytest
from sqlalchemy import select

from review_app.extensions import db
from review_app.programs.models import ProgramQuota
from review_app.programs.scale import scale_factor, scale_program
from review_app.programs.service import current_program


def _quotas(program) -> dict[int, int]:
    rows = db.session.execute(
        select(ProgramQuota).where(
            ProgramQuota.program_id == program.id, ProgramQuota.track_code == "excellent"
        )
    ).scalars()
    return {q.prefecture_id: q.quota for q in rows}


def test_the_factor_is_the_smallest_that_holds_the_applications(app):
    program = current_program()
    total = sum(_quotas(program).values())
    assert total > 0
    assert scale_factor(program, 1) == 1
    assert scale_factor(program, total) == 1
    assert scale_factor(program, total + 1) == 2
    assert scale_factor(program, 25 * total) == 25


def test_scaling_multiplies_every_quota_and_the_capacity(app):
    program = current_program()
    before, capacity = _quotas(program), program.track("excellent").capacity
    leading = program.track("leading").capacity
    scale_program(program, 3)
    db.session.commit()
    db.session.expire_all()
    assert _quotas(program) == {k: 3 * v for k, v in before.items()}
    assert program.track("excellent").capacity == 3 * capacity
    assert program.track("leading").capacity == leading  # 领航级 is not scaled


def test_factor_one_changes_nothing_and_a_bad_factor_is_refused(app):
    program = current_program()
    before, capacity = _quotas(program), program.track("excellent").capacity
    scale_program(program, 1)
    with pytest.raises(ValueError, match="正整数"):
        scale_program(program, 0)
    db.session.commit()
    db.session.expire_all()
    assert _quotas(program) == before
    assert program.track("excellent").capacity == capacity
