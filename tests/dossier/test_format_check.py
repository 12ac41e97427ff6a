"""The dossier at the format check (形式审查): the coordinator's queue lists 盖章版已核对 and
what is missing, and ``pass_format_check`` is refused, naming the gaps, until it is complete."""

from datetime import date

import pytest

from review_app.dossier import attachments, checks
from review_app.dossier.format_items import dossier_items
from review_app.dossier.service import Upload
from review_app.errors import DomainError
from review_app.extensions import db
from review_app.workflow.service import fire

from .. import factories as f
from ..conftest import BEFORE_DEADLINE, login
from ..workflow.test_transitions import assert_refused_unchanged
from .pdfs import blank_pdf

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture()
def actors(app):
    return f.Actors()


@pytest.fixture()
def endorsed(app, actors):
    """An endorsed application whose dossier is empty (no attachments, nothing verified)."""
    a = f.application(name="形式审查材料测试有限公司", maturity_level=3, dossier=False)
    fire(a, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    db.session.commit()
    return a


def stamped(result="pass", note=""):
    return checks.CheckInput("stamped_copy", result, "王核对", date(2026, 3, 10), "", note)


def refusal(application, coordinator) -> str:
    error = assert_refused_unchanged(
        application,
        DomainError,
        lambda: fire(application, "pass_format_check", coordinator, now=BEFORE_DEADLINE),
        code="guard",
    )
    return error.message


def supply(application, actors):
    attachments.add_attachment(application, "maturity_certificate", Upload("c.png", PNG),
                               actors.prefecture)  # fmt: skip
    for kind in ("financial_statement", "stamped_form"):
        attachments.add_attachment(application, kind, Upload("f.pdf", blank_pdf()),
                                   actors.prefecture)  # fmt: skip


def test_pass_is_refused_naming_every_missing_item(endorsed, actors):
    message = refusal(endorsed, actors.coordinator)
    assert message.startswith("申报材料不全，不能通过形式审查：")
    for item in ("智能制造能力成熟度评估证书", "最近一年经审计的财务报表", "盖章版申报书（PDF）",
                 "盖章版申报书尚未核对"):  # fmt: skip
        assert item in message
    assert "荣誉称号证书" not in message  # no honours declared: none required


def test_attachments_without_the_verified_stamped_copy_are_not_enough(endorsed, actors):
    supply(endorsed, actors)
    db.session.commit()
    assert refusal(endorsed, actors.coordinator) == (
        "申报材料不全，不能通过形式审查：盖章版申报书尚未核对。"
    )


def test_a_stamped_copy_found_different_blocks_with_its_note(endorsed, actors):
    supply(endorsed, actors)
    checks.record_check(endorsed, stamped("fail", "第3页数据与Word版不同"), actors.coordinator)
    db.session.commit()
    assert "盖章版与Word版不一致（第3页数据与Word版不同）" in refusal(endorsed, actors.coordinator)


def test_the_complete_dossier_passes(endorsed, actors):
    supply(endorsed, actors)
    checks.record_check(endorsed, stamped(), actors.coordinator)
    assert dossier_items(endorsed).complete and dossier_items(endorsed).stamped_label == "已核对"
    fire(endorsed, "pass_format_check", actors.coordinator, now=BEFORE_DEADLINE)
    assert endorsed.state == "format_checked"


def test_the_format_queue_lists_what_is_missing_and_the_stamped_check(client, endorsed, actors):
    complete = f.application(name="材料齐全测试有限公司")
    fire(complete, "endorse", actors.prefecture, now=BEFORE_DEADLINE)
    db.session.commit()
    login(client, actors.coordinator.username)
    page = client.get("/intake/format-check").get_data(as_text=True)
    row_of = {name: page[page.index(name) :].split("</tr>")[0]
              for name in ("形式审查材料测试有限公司", "材料齐全测试有限公司")}  # fmt: skip
    missing_row = row_of["形式审查材料测试有限公司"]
    assert "缺少智能制造能力成熟度评估证书" in missing_row and "盖章版申报书尚未核对" in missing_row
    assert "未核对" in missing_row and f"/dossier/applications/{endorsed.id}/files" in missing_row
    complete_row = row_of["材料齐全测试有限公司"]
    assert "齐全" in complete_row and "已核对" in complete_row and "缺少" not in complete_row
