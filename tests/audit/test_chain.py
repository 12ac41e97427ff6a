"""The audit chain: appends link by hash; any update, delete or out-of-band insert is caught."""

import pytest
from sqlalchemy import event, select, text, update
from sqlalchemy.exc import IntegrityError

from review_app.audit import service as audit
from review_app.audit.chain import canonical_json, event_hash
from review_app.audit.models import GENESIS_HASH, AuditEvent
from review_app.extensions import db
from review_app.programs.models import Prefecture


def _three_events():
    for i in range(3):
        audit.record("test.event", "thing", i, actor_label="tester", after={"n": i, "名称": "甲"})
    db.session.commit()


def test_events_chain_from_genesis(app):
    _three_events()
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    # reference data loading writes no event in the fixture; ours are the only three
    assert [e.object_id for e in events] == ["0", "1", "2"]
    assert events[0].prev_hash == GENESIS_HASH
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    report = audit.verify()
    assert report.ok and report.count == 3 and report.head == events[2].hash


def test_canonical_json_is_order_independent():
    base = {
        "id": 1,
        "created_at": "2026-01-01T00:00:00.000000",
        "actor_id": None,
        "actor": "a",
        "action": "x",
        "object_type": "t",
        "object_id": "1",
        "reason": "",
    }
    one = {**base, "before": {"a": 1, "b": 2}, "after": {}}
    two = {**base, "before": {"b": 2, "a": 1}, "after": {}}
    assert canonical_json(one) == canonical_json(two)
    assert event_hash("0" * 64, one) != event_hash("1" * 64, one)


def test_update_is_detected(app):
    _three_events()
    db.session.execute(update(AuditEvent).where(AuditEvent.id == 2).values(reason="改过"))
    db.session.commit()
    report = audit.verify()
    assert not report.ok
    assert report.broken_id == 2
    assert report.count == 1


def test_delete_is_detected(app):
    _three_events()
    db.session.execute(text("DELETE FROM audit_event WHERE id = 2"))
    db.session.commit()
    report = audit.verify()
    assert not report.ok
    assert report.broken_id == 3  # its predecessor is gone


def test_out_of_band_insert_is_detected(app):
    _three_events()
    last = db.session.execute(select(AuditEvent).where(AuditEvent.id == 3)).scalar_one()
    forged = AuditEvent(
        id=4,
        created_at=last.created_at,
        actor="intruder",
        action="application.admit",
        object_type="application",
        object_id="99",
        before={},
        after={"state": "admitted"},
        reason="",
        prev_hash=last.hash,
        hash="f" * 64,  # not the hash of its content
    )
    db.session.add(forged)
    db.session.commit()
    report = audit.verify()
    assert not report.ok and report.broken_id == 4


def _forged_fields(id_, created_at):
    return {
        "id": id_,
        "created_at": created_at,
        "actor_id": None,
        "actor": "intruder",
        "action": "x",
        "object_type": "t",
        "object_id": "1",
        "before": {},
        "after": {},
        "reason": "",
    }


def test_a_fork_of_the_chain_is_refused_by_the_database(app):
    _three_events()
    two = db.session.get(AuditEvent, 2)
    fields = _forged_fields(20, two.created_at)
    db.session.add(AuditEvent(**fields, prev_hash=two.hash, hash=event_hash(two.hash, fields)))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert audit.verify().ok


def test_insert_in_the_middle_is_detected(app):
    _three_events()
    # Move event 3 away and put a forged row, hashed correctly over its own content, before it.
    db.session.execute(update(AuditEvent).where(AuditEvent.id == 3).values(id=10))
    two = db.session.get(AuditEvent, 2)
    fields = _forged_fields(3, two.created_at)
    prev = "a" * 64
    db.session.add(AuditEvent(**fields, prev_hash=prev, hash=event_hash(prev, fields)))
    db.session.commit()
    report = audit.verify()
    assert not report.ok
    assert report.broken_id == 3


def test_cli_verify_ok_then_broken(app, runner):
    _three_events()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0
    assert "3 条事件" in ok.output
    db.session.execute(update(AuditEvent).where(AuditEvent.id == 2).values(actor="someone"))
    db.session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert "id=2" in broken.output


def test_cli_verify_with_recorded_head_catches_tail_deletion(app, runner):
    _three_events()
    head = audit.verify().head
    db.session.execute(text("DELETE FROM audit_event WHERE id = 3"))
    db.session.commit()
    plain = runner.invoke(args=["audit", "verify"])
    assert plain.exit_code == 0  # a shorter chain is still a valid chain
    anchored = runner.invoke(args=["audit", "verify", "--head", head])
    assert anchored.exit_code == 1
    assert head in anchored.output


def test_audit_page_runs_verification_job(app, client):
    from .. import factories as f
    from ..conftest import login, post_form

    f.user("coordinator", "coord")
    _three_events()
    login(client, "coord")
    response = post_form(client, "/admin/audit", token_page="/admin/audit")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "核验通过" in page


def test_an_event_after_a_rolled_back_savepoint_links_to_the_surviving_head(app):
    # Within a transaction the head is remembered after an append; a savepoint rolled back
    # takes its event away, and the next event must link to the one that survived.
    audit.record("test.kept", "thing", 1, actor_label="tester")
    savepoint = db.session.begin_nested()
    audit.record("test.undone", "thing", 2, actor_label="tester")
    savepoint.rollback()
    audit.record("test.after", "thing", 3, actor_label="tester")
    db.session.commit()
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    assert [e.action for e in events] == ["test.kept", "test.after"]
    assert events[1].prev_hash == events[0].hash and events[1].id == events[0].id + 1
    assert audit.verify().ok


def test_events_in_two_transactions_chain(app):
    audit.record("test.first", "thing", 1, actor_label="tester")
    db.session.commit()
    audit.record("test.second", "thing", 2, actor_label="tester")
    audit.record("test.third", "thing", 3, actor_label="tester")
    db.session.rollback()  # the head remembered for this transaction goes with it
    audit.record("test.fourth", "thing", 4, actor_label="tester")
    db.session.commit()
    events = db.session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
    assert [e.action for e in events] == ["test.first", "test.fourth"]
    report = audit.verify()
    assert report.ok and report.count == 2


def test_the_head_is_asked_once_per_transaction_whatever_flushes_in_between(app):
    # Each flush opens and closes an inner transaction: its end must not forget the head (it
    # did, and nearly every event asked for the head again).
    asked = []

    def note(conn, cursor, statement, *rest):
        if statement.lstrip().upper().startswith("SELECT") and "audit_event" in statement:
            asked.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        for n in range(4):
            audit.record("test.flushed", "thing", n, actor_label="tester")
            db.session.add(
                Prefecture(name=f"测试单位{n}", division_code=f"99000{n}", sort_order=90 + n)
            )
            db.session.flush()  # a write of its own between two events, as a verb's
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    db.session.commit()
    assert len(asked) == 1
    assert audit.verify().ok
