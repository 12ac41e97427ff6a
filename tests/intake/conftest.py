"""Intake fixtures: a valid filled 申报书 for a prefecture, built from the blank template."""

import dataclasses

import pytest

from review_app.enterprises.uscc import make_uscc
from review_app.intake.template import filled_template

from . import docgen


def valid_sample(track: str = "excellent", n: int = 1, name: str | None = None, pref="洛阳市"):
    """A parsed application that passes every check (a real USCC, consistent figures)."""
    parsed = docgen.sample(track)
    division = {"洛阳市": "410300", "郑州市": "410100"}[pref]
    enterprise = dataclasses.replace(
        parsed.enterprise,
        uscc=make_uscc(division, f"MA{n:06d}"),
        name=name or f"河南测试智能装备{n}有限公司",
        prefecture=pref,
    )
    figures = dict(parsed.figures)
    figures["2025"] = dataclasses.replace(figures["2025"], profit_margin=6.5)
    return dataclasses.replace(
        parsed,
        enterprise=enterprise,
        figures=figures,
        maturity_score=4.1 if track == "leading" else 3.2,
    )


_DOCX_CACHE: dict[str, bytes] = {}


def docx_for(parsed) -> bytes:
    """The filled template for ``parsed`` (memoised: building a .docx takes ~0.2 s)."""
    key = repr(parsed)
    if key not in _DOCX_CACHE:
        _DOCX_CACHE[key] = filled_template(parsed.track, parsed)
    return _DOCX_CACHE[key]


@pytest.fixture()
def luoyang_officer(app):
    from review_app.extensions import db

    from .. import factories as f

    user = f.user("prefecture", "lyofficer", prefecture="洛阳市")
    db.session.commit()
    return user
