"""The signed 专家组意见 in the decision report and, where the coordinator chose it, in the
result letter as 主要问题与改进建议; an unsigned opinion goes nowhere."""

import io
from dataclasses import replace

import docx
import pytest

from review_app.decision import notices, service
from review_app.extensions import db
from review_app.panel import opinions
from review_app.programs.service import current_program
from review_app.workflow.service import fire

from ..conftest import AFTER_DEADLINE
from ..publicity.helpers import finalise
from . import world as wmod

PROBLEMS = "能耗数据采集不全，分析不足。"
ADVICE = "建议建设能源管理系统并与生产管理打通。"


def _text(data: bytes) -> str:
    doc = docx.Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _signed(in_letter: bool):
    w = wmod.build()
    tasks = wmod.panel_tasks(w)
    lead = tasks[0].expert
    opinions.set_lead(w.panel, lead, w.actors.coordinator)
    opinion = opinions.start(w.app, w.panel, lead.user)
    opinions.save(opinion, "基础扎实，数据采集覆盖主要产线。", PROBLEMS, ADVICE, lead.user,
                  version=None)  # fmt: skip
    opinions.circulate(opinion, lead.user)
    opinions.vote(opinion, "object", "问题写得太轻。", tasks[1].expert.user)
    opinions.vote(opinion, "agree", "", tasks[2].expert.user)
    opinions.sign(opinion, lead.user)
    if in_letter:
        opinions.choose_letter(opinion, True, w.actors.coordinator)
    fire(w.app, "complete_scoring", w.actors.coordinator, now=AFTER_DEADLINE)
    db.session.commit()
    return w


def test_the_decision_report_carries_the_signed_opinion_and_the_objection(app):
    w = _signed(in_letter=False)
    program = current_program()
    params = replace(service.default_params(program, "excellent"), capacity=1)
    service.stage(program, "excellent", params, w.actors.coordinator)
    db.session.commit()
    client = wmod.signed_in(app, w.actors.coordinator.username)
    text = _text(client.get("/decision/excellent/export/report.docx").data)
    assert "专家组意见" in text and PROBLEMS in text and "问题写得太轻" in text


@pytest.mark.parametrize("chosen", [True, False])
def test_the_letter_carries_the_advice_only_when_the_coordinator_chose_it(app, chosen):
    w = _signed(in_letter=chosen)
    program = current_program()
    params = replace(service.default_params(program, "excellent"), capacity=1)
    run = service.stage(program, "excellent", params, w.actors.coordinator)
    service.confirm(run, w.actors.coordinator)
    finalise(program, w.actors.coordinator)  # the letters are drafted at 正式发文
    (letter,) = notices.notices(program)
    text = _text(letter.data)
    assert ("主要问题与改进建议" in text and ADVICE in text) is chosen
