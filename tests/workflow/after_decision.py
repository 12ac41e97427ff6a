"""The data the guards after the decision ask for, made directly for one application: a
confirmed run with its entry, a 审定 of the list and a 公示 period (ended before
AFTER_DEADLINE), an upheld objection, a 复核 record."""

from datetime import date

from review_app.clock import utcnow
from review_app.decision.models import DecisionEntry, DecisionRun
from review_app.extensions import db
from review_app.publicity import rules
from review_app.publicity.models import (
    Approval,
    Objection,
    PublicityListing,
    PublicityPeriod,
    Reconsideration,
)

PERIOD = (date(2026, 3, 20), date(2026, 3, 26))
# Triggers fired only by the publicity verbs (rules.through_publicity).
VERBS = ("publish", "revoke", "backfill", "issue", "reconsider")


def _run(app, reason: str) -> DecisionRun:
    run = DecisionRun(program_id=app.program_id, track_code=app.track_code, status="confirmed",
                      parameters={}, summary={})  # fmt: skip
    run.entries.append(DecisionEntry(application_id=app.id, rank=1, score=80, outcome="rejected",
                                     numbers={"reason": reason}, explanation="测试"))  # fmt: skip
    db.session.add(run)
    db.session.flush()
    return run


def prepare(app, trigger: str) -> None:
    if trigger == "publish":
        run = _run(app, "admitted")
        listed = rules.awaiting_publicity(app.program_id, app.track_code)
        approval = Approval(
            program_id=app.program_id, track_code=app.track_code, run_id=run.id,
            run_hash="0" * 64, list_hash=rules.list_hash(run.id, listed), listed=listed,
            meeting_kind="special", meeting_date=PERIOD[0], attendees="处长",
            minutes_filename="纪要.pdf", minutes_data=b"%PDF-", minutes_sha256="0" * 64,
        )  # fmt: skip
        db.session.add(approval)
        db.session.flush()
        period = PublicityPeriod(
            program_id=app.program_id, track_code=app.track_code, approval_id=approval.id,
            start_on=PERIOD[0], end_on=PERIOD[1], working_days=5, contact="电话",
        )  # fmt: skip
        db.session.add(period)
        db.session.flush()
        db.session.add(PublicityListing(period_id=period.id, application_id=app.id))
    elif trigger == "revoke":
        db.session.add(Objection(program_id=app.program_id, application_id=app.id,
                                 channel="letter", content="异议", received_at=utcnow(),
                                 status="upheld"))  # fmt: skip
    elif trigger == "backfill":
        _run(app, "below_cut")
    db.session.flush()


def data_for(trigger: str) -> dict:
    if trigger == "reconsider":
        return {"reconsideration": Reconsideration(reason="复核", approval_record="厅长办公会"),
                "via_publicity": True}  # fmt: skip
    if trigger in VERBS:
        return {"via_publicity": True}
    return {}
