"""The transaction's memo (``review_app/txmemo.py``): the panel's lookups asked once per
transaction, forgotten at commit and rollback and at any write they may depend on; the opinion
verbs run in a bounded number of statements; answers stay right after a change in between."""

import re

from review_app import txmemo
from review_app.assignment.models import Conflict
from review_app.experts.service import expert_of
from review_app.extensions import db
from review_app.panel import opinions, roles

from ..conftest import statements as counted
from .test_opinions import _with_lead


def test_lookups_are_asked_once_per_transaction_and_forgotten_at_its_end(app):
    w, tasks, lead = _with_lead()

    def ask():
        assert roles.lead_of(w.panel).id == lead.id
        assert roles.member_ids(w.app, w.panel)
        assert expert_of(lead.user).id == lead.id
        assert roles.conflicted(lead.id, w.app) is False

    with counted() as first:
        ask()
    assert first  # asked the database (and loaded what the commit expired)
    with counted() as again:
        ask()
        ask()
    assert again == []
    assert txmemo.KEY in db.session.info
    db.session.commit()
    assert txmemo.KEY not in db.session.info
    roles.lead_of(w.panel)
    db.session.rollback()
    assert txmemo.KEY not in db.session.info


def test_a_write_the_answers_depend_on_is_seen(app):
    w, tasks, lead = _with_lead()
    assert roles.acting_lead_id(w.app, w.panel) == lead.id
    # A conflict added (not even flushed): the next lookup sees it, as the query did.
    db.session.add(Conflict(expert_id=lead.id, enterprise_id=w.app.enterprise_id,
                            rule="declared_relation", source="declared", evidence="曾提供咨询",
                            status="active"))  # fmt: skip
    assert roles.conflicted(lead.id, w.app) is True
    assert roles.acting_lead_id(w.app, w.panel) != lead.id
    # Another 组长 named by the coordinator in the same transaction.
    other = tasks[1].expert
    opinions.set_lead(w.panel, other, w.actors.coordinator)
    assert roles.lead_of(w.panel).id == other.id
    # A task declined: no longer a member.
    before = roles.member_ids(w.app, w.panel)
    tasks[1].status = "declined_conflict"
    assert roles.member_ids(w.app, w.panel) == [e for e in before if e != other.id]


def test_an_opinion_from_draft_to_signed_in_bounded_statements(app):
    w, tasks, lead = _with_lead()
    members = roles.member_ids(w.app, w.panel)
    db.session.commit()
    with counted() as found:
        opinion = opinions.start(w.app, w.panel, lead.user)
        opinions.save(opinion, "优点。", "问题不足。", "建议改进。", lead.user, version=None)
        opinions.circulate(opinion, lead.user)
        for expert_id in opinions.waiting_for(opinion):
            member = next(a.expert for a in tasks if a.expert_id == expert_id)
            opinions.vote(opinion, "agree", "", member.user)
        opinions.sign(opinion, lead.user)
    assert opinion.status == "signed" and len(members) == 3
    # SQLite: 81 statements with every lookup asked again (txmemo.get computing each time), 46
    # with the memo; PostgreSQL 51 (the chain's lock, the opinion's own reload).
    assert len(found) <= 55, len(found)


def test_the_members_answers_are_written_together_and_the_chain_holds(app):
    """``vote`` leaves its row and its audit event to the transaction's next flush: several
    members' answers one after another are one flush, and the chain verifies once committed."""
    from sqlalchemy import event, func, select

    from review_app.audit import service as audit
    from review_app.audit.models import AuditEvent
    from review_app.panel.models import OpinionVote

    w, tasks, lead = _with_lead()
    opinion = opinions.start(w.app, w.panel, lead.user)
    opinions.save(opinion, "优点。", "问题不足。", "建议改进。", lead.user, version=None)
    opinions.circulate(opinion, lead.user)
    voters = [
        next(a.expert for a in tasks if a.expert_id == e) for e in opinions.waiting_for(opinion)
    ]
    assert len(voters) == 2
    assert all(roles.is_member(v.user, opinion) for v in voters)  # loaded and memoised
    flushes = []
    listener = lambda session, context: flushes.append(1)  # noqa: E731
    event.listen(db.session(), "after_flush", listener)
    try:
        opinions.vote(opinion, "agree", "", voters[0].user)
        opinions.vote(opinion, "object", "数据不足。", voters[1].user)
        assert flushes == []  # nothing written yet
        assert db.session.scalar(select(func.count()).select_from(OpinionVote)) == 2  # autoflush
        assert flushes == [1]
    finally:
        event.remove(db.session(), "after_flush", listener)
    opinions.sign(opinion, lead.user)
    db.session.commit()
    actions = (
        db.session.execute(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(3))
        .scalars()
        .all()
    )
    assert actions == ["opinion.sign", "opinion.object", "opinion.agree"]
    assert audit.verify().ok


def test_the_scans_identity_is_read_once_and_follows_a_change_of_the_enterprise(app):
    from review_app.panel import comments

    w, tasks, lead = _with_lead()
    text = "该企业即河南新晨精密制造有限公司，建议加强数据贯通。"
    assert comments.leaks(text, w.app, None) == []
    with counted() as again:
        assert comments.leaks(text, w.app, None) == []
    assert again == []  # the identity is read once per transaction
    w.app.enterprise.name = "河南新晨精密制造有限公司"  # not flushed: still seen
    assert [h.found for h in comments.leaks(text, w.app, None)] == ["河南新晨精密制造有限公司"]
    db.session.rollback()
    assert comments.leaks(text, w.app, None) == []


def test_a_panels_batch_reads_are_kept_and_answer_as_the_lookups_do(app):
    """``members_by_application`` and ``read_conflicts`` keep what ``member_ids`` and
    ``conflicted`` would ask, in one query each; not when a change came in between."""
    w, tasks, lead = _with_lead()
    expected = roles.member_ids(w.app, w.panel)
    conflicted = roles.conflicted(lead.id, w.app)
    db.session.commit()  # the memo forgotten
    with counted() as batch:
        assert roles.members_by_application([w.app], w.panel) == {w.app.id: expected}
        roles.read_conflicts(lead.id, [w.app])
    # one query each (besides reloading what the commit expired)
    assert sum("FROM assignment" in s for s in batch) == 1
    assert (
        sum(re.search(r'FROM "?conflict\b', s) is not None for s in batch) == 1
    )  # quoted on SQLite
    with counted() as again:
        assert roles.member_ids(w.app, w.panel) == expected
        assert roles.conflicted(lead.id, w.app) is conflicted
    assert again == []
    # A conflict added after the batch read: seen, as the query would see it.
    db.session.add(Conflict(expert_id=lead.id, enterprise_id=w.app.enterprise_id,
                            rule="declared_relation", source="declared", evidence="曾提供咨询",
                            status="active"))  # fmt: skip
    assert roles.conflicted(lead.id, w.app) is True
    # Values read before a change the memo depends on are not kept, pending or written.
    db.session.commit()
    gone = expected[1]
    for written in (False, True):
        mine = [a for a in tasks if a.application_id == w.app.id and a.expert_id == gone]
        memo = txmemo.reading()
        for a in mine:
            a.status = "declined_conflict"
        if written:
            db.session.flush()
        txmemo.prime("panel_members", {(w.app.id, w.panel.id): tuple(expected)}, memo)
        assert roles.member_ids(w.app, w.panel) == [e for e in expected if e != gone]
        db.session.rollback()
    # Read with nothing written in between: kept.
    memo = txmemo.reading()
    txmemo.prime("panel_members", {(w.app.id, w.panel.id): (1, 2)}, memo)
    assert roles.member_ids(w.app, w.panel) == [1, 2]
