"""A simulated round larger than the province's 附件3 quotas allow (``review-app simulate`` at
national scale): every prefecture's 卓越级 quota and the 卓越级 capacity are multiplied by one
whole factor, so the shares between prefectures and the admitted share stay those of the
notice. Used only by the simulation, on its own database."""

import math

from ..extensions import db
from .models import Program


def scale_factor(program: Program, excellent: int) -> int:
    """The smallest whole factor whose quotas hold ``excellent`` 卓越级 applications (1 when
    the province's own quotas do)."""
    total = sum(q.quota for q in program.quotas if q.track_code == "excellent")
    if total <= 0:
        raise ValueError("各地市卓越级名额之和为 0，无法安排模拟申报。")
    return max(1, math.ceil(excellent / total))


def scale_program(program: Program, factor: int) -> None:
    """Multiply the 卓越级 quotas and capacity by ``factor`` (nothing to do for 1)."""
    if factor < 1:
        raise ValueError("放大倍数须为正整数。")
    if factor == 1:
        return
    for quota in program.quotas:
        if quota.track_code == "excellent":
            quota.quota *= factor
    program.track("excellent").capacity *= factor
    db.session.flush()
