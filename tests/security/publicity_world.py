"""The world's objects after the decision: a 审定 (its minutes), a 公示 period listing the
world's own application, an objection assigned to the world's inspector ("mine", with a file)
and one assigned to nobody ("other", with a file)."""

from dataclasses import asdict
from datetime import date

from review_app.clock import utcnow
from review_app.decision import service as decision
from review_app.decision.models import DecisionRun
from review_app.extensions import db
from review_app.publicity.models import (
    Approval,
    Objection,
    ObjectionFile,
    PublicityListing,
    PublicityPeriod,
)

PDF = b"%PDF-1.4\n%%EOF\n"


def _objection(program, period, app, checker_id) -> Objection:
    objection = Objection(
        program_id=program.id, period_id=period.id, application_id=app.id, channel="web",
        objector_name="张三", objector_unit="某公司", objector_phone="13800000000",
        subject=app.enterprise.name, content="测试异议", received_at=utcnow(),
        status="checking" if checker_id else "received", checker_id=checker_id,
    )  # fmt: skip
    objection.files.append(ObjectionFile(
        kind="attachment", filename="证据.pdf", content_type="application/pdf", size=len(PDF),
        sha256="0" * 64, data=PDF, uploaded_at=utcnow(),
    ))  # fmt: skip
    db.session.add(objection)
    return objection


def add(program, own, inspector) -> tuple[dict, dict]:
    """(the ids for ``mine``, those for ``other``). The 审定 names a confirmed run of its own
    (the world's excellent run stays staged: the decision pages restage it)."""
    run = DecisionRun(program_id=program.id, track_code="leading", status="confirmed",
                      parameters=asdict(decision.default_params(program, "leading")),
                      summary={"candidates": 0, "admitted": 0, "cut_rank": None,
                               "cut_score": None, "blocking": [], "vetoed": 0})  # fmt: skip
    db.session.add(run)
    db.session.flush()
    approval = Approval(
        program_id=program.id, track_code="excellent", run_id=run.id, run_hash="0" * 64,
        list_hash="0" * 64, listed=[own.id], meeting_kind="special",
        meeting_date=date(2026, 3, 19), attendees="处长", minutes_filename="纪要.pdf",
        minutes_data=PDF, minutes_sha256="0" * 64,
    )  # fmt: skip
    db.session.add(approval)
    db.session.flush()
    period = PublicityPeriod(
        program_id=program.id, track_code="excellent", approval_id=approval.id,
        start_on=date(2026, 3, 20), end_on=date(2026, 3, 26), working_days=5, contact="电话",
    )  # fmt: skip
    db.session.add(period)
    db.session.flush()
    db.session.add(PublicityListing(period_id=period.id, application_id=own.id))
    mine = _objection(program, period, own, inspector.id)
    other = _objection(program, period, own, None)
    db.session.flush()
    ids = {"approval_id": approval.id, "period_id": period.id}
    return (
        {**ids, "objection_id": mine.id, "objection_file_id": mine.files[0].id},
        {**ids, "objection_id": other.id, "objection_file_id": other.files[0].id},
    )
