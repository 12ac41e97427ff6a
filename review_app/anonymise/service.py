"""Anonymisation verbs: redact an application's sections, scan for leaks, keep coordinator
terms, confirm for distribution. Each verb flushes and audits; the caller commits.

The rule for changes after a confirmation (issue 17, point 5): experts only ever read text that
the coordinator confirmed against the application's CURRENT identifiers.

* Any change to an identifying field (``IDENTIFYING_FIELDS``: name, USCC, prefecture, county,
  factory address, legal representative and contact names and phones, contact e-mail), by the
  edit form (intake ``update_fields``), a re-uploaded 申报书 or a new application of the same
  enterprise, re-runs the redaction and the leak scan of every application of that enterprise
  whose redaction has run (``identity_changed``); a change of the coordinator's terms (需隐去 /
  保留) or a re-run does the same for its application. Sections that were confirmed go back to
  unconfirmed, each audited as ``section.unconfirmed`` with the reason (企业信息已修改 for an
  edit).
* An unconfirmed section is hidden from experts (section page, scoring form, packet, offline
  sheet, API text: ``UNDER_REVIEW``) and no review of it can be saved or submitted
  (``check_distributable``) until the coordinator confirms it again.
* The values declared before a correction stay identifying: the old name, USCC, people, phones,
  e-mails, addresses and places (read from the ``application.update`` audit events of the
  enterprise's applications) are redacted and scanned for like the current ones.
* Confirming re-runs the leak scan on the stored redacted text against the current identifiers
  (old and new) and refuses while anything is found.
* Who may edit, and in which states, is one predicate: intake/permissions.py
  ``can_edit_application`` (the service, the edit page and the 修改 button ask it).
"""

import hashlib
import json
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from sqlalchemy import and_, exists, or_, select

from .. import parallel
from ..applications.catalogue import scored_sections
from ..applications.models import Application, Section
from ..audit import service as audit
from ..audit.models import AuditEvent
from ..errors import DomainError, InvalidInput
from ..extensions import db
from ..intake.records import parsed_from_records
from ..programs.models import Prefecture
from ..workflow.states import BEFORE_SCORED_STATES, DECIDABLE_STATES
from .leakscan import scan_sections
from .models import RedactionTerm
from .redact import (
    identity_from_parsed,
    prepare_redaction,
    redact_sections,
    with_former,
    with_short_forms,
)
from .redaction_types import Identity, Leak, Redaction

# Sections distributed to experts only when their anonymised text is confirmed.
DISTRIBUTABLE = "confirmed"
# What an expert reads instead of a section that is not (or no longer) confirmed.
UNDER_REVIEW = "该章节的匿名化正在复核，暂不可查看，也不能保存或提交评分。"
# Reasons of ``section.unconfirmed`` events.
EDIT_REASON = "企业信息已修改"
REUPLOAD_REASON = "申报书已重新上传"
TERMS_REASON = "需隐去或保留的词语已修改"
RERUN_REASON = "重新运行匿名化"
# Enterprise columns the redaction reads as known identifiers (via parsed_from_records and
# redact.identity_from_parsed), each with the kind its former values take (redact.with_former).
IDENTIFYING_FIELDS = {
    "name": "names",
    "uscc": "codes",
    "prefecture_id": "places",
    "county": "places",
    "factory_address": "addresses",
    "legal_rep_name": "people",
    "contact_name": "people",
    "legal_rep_phone": "phones",
    "contact_phone": "phones",
    "contact_email": "emails",
}
# The audit action whose ``after`` holds {"enterprise.<field>": [old, new]} for each change.
UPDATE_ACTION = "application.update"


class UnderReview(DomainError):
    """A section whose anonymisation is not (or no longer) confirmed: no expert reads it or
    scores it."""

    def __init__(self):
        super().__init__(UNDER_REVIEW, code="under_review")


def expert_refusal(section: Section) -> str | None:
    """Why an expert may not read or score ``section`` now, or None."""
    if section.leak_status != DISTRIBUTABLE or section.anonymised_text is None:
        return UNDER_REVIEW
    return None


def check_distributable(section: Section) -> None:
    """Raise UnderReview unless ``section`` is confirmed for experts."""
    if expert_refusal(section):
        raise UnderReview()


def touches_identity(changed) -> bool:
    """Whether the changed keys (``enterprise.<field>`` or bare field names) include an
    identifying field."""
    return any(key.removeprefix("enterprise.") in IDENTIFYING_FIELDS for key in changed)


def identity_changes(enterprise, new_values: dict) -> dict[str, list]:
    """{"enterprise.<field>": [old, new]} for the identifying fields ``new_values`` changes."""
    return {
        f"enterprise.{name}": [getattr(enterprise, name), value]
        for name, value in new_values.items()
        if name in IDENTIFYING_FIELDS and getattr(enterprise, name) != value
    }


def former_values(app: Application) -> dict[str, list[str]]:
    """The identifying values the enterprise declared before its corrections (kind -> values),
    from the ``application.update`` events of all its applications."""
    ids = db.session.execute(
        select(Application.id).where(Application.enterprise_id == app.enterprise_id)
    ).scalars()
    events = db.session.execute(
        select(AuditEvent.after).where(
            AuditEvent.object_type == "application",
            AuditEvent.object_id.in_([str(i) for i in ids]),
            AuditEvent.action == UPDATE_ACTION,
        )
    ).scalars()
    former: dict[str, list[str]] = {}
    for after in events:
        for key, change in (after or {}).items():
            kind = IDENTIFYING_FIELDS.get(key.removeprefix("enterprise."))
            if not key.startswith("enterprise.") or kind is None or not change or not change[0]:
                continue
            old = change[0]
            if key == "enterprise.prefecture_id":
                prefecture = db.session.get(Prefecture, int(old))
                old = prefecture.name if prefecture else None
            if old and str(old).strip():
                former.setdefault(kind, []).append(str(old).strip())
    return {kind: list(dict.fromkeys(values)) for kind, values in former.items()}


def terms_of(app: Application) -> list[RedactionTerm]:
    return list(
        db.session.execute(
            select(RedactionTerm)
            .where(RedactionTerm.application_id == app.id)
            .order_by(RedactionTerm.term)
        ).scalars()
    )


def identity_for(app: Application) -> Identity:
    """The application's current identifiers, its former ones and the coordinator's terms."""
    terms = terms_of(app)
    identity = identity_from_parsed(
        parsed_from_records(app),
        extra_terms=[t.term for t in terms if t.action == "redact"],
        allowed_terms=[t.term for t in terms if t.action == "keep"],
    )
    return with_former(identity, former_values(app))


def _lock_sections(app: Application) -> None:
    """Serialise the verbs that set a section's status (a re-run after an edit, a confirmation):
    the application row locked (PostgreSQL; SQLite serialises writers), then its sections read
    afresh, so a confirmation never stamps a text that a concurrent edit redid meanwhile."""
    db.session.execute(select(Application.id).where(Application.id == app.id).with_for_update())
    db.session.execute(
        select(Section)
        .where(Section.application_id == app.id)
        .execution_options(populate_existing=True)
    ).all()


def record_unconfirmed(app: Application, sections, actor, reason: str) -> None:
    """Audit each section that lost its confirmation (``section.unconfirmed``)."""
    for section in sections:
        audit.record(
            "section.unconfirmed", "application", app.id, actor=actor,
            before={"section": section.key, "leak_status": DISTRIBUTABLE},
            after={"section": section.key, "leak_status": section.leak_status},
            reason=reason,
        )  # fmt: skip


def anonymise_application(app: Application, actor, reason: str = RERUN_REASON) -> list[dict]:
    """Redact every section, scan the result, store text, report and status. Returns leaks.
    Confirmed sections go back to unconfirmed (audited with ``reason``)."""
    return next(anonymise_applications([app], actor, reason))[1]


def anonymise_applications(
    apps, actor, reason: str = RERUN_REASON, workers: parallel.Workers | None = None
) -> Iterator[tuple[Application, list[dict]]]:
    """``anonymise_application`` for each of ``apps``, in their order, yielding (application,
    leaks) as each is stored. Every application is read (locked, texts, identity) before the
    first is written; the redaction, a pure function of what was read, runs in ``workers``
    (parallel.workers) when given. Nothing this verb writes is read back by it (sections and
    audit events, not the identity), so the rows are those of one call per application; the
    caller may confirm each as it is yielded, but must change nothing else of the applications
    meanwhile."""
    apps = list(apps)
    workers = workers or parallel.Workers(None, 1)
    if workers.processes > 1:
        prepare_redaction()  # loaded once here, before the workers are forked
    jobs = (_redaction_job(app) for app in apps)
    outcomes = workers.map(redaction_outcome, jobs)
    for app, outcome in zip(apps, outcomes, strict=True):
        yield app, _store_redaction(app, outcome, actor, reason)


@dataclass(frozen=True)
class RedactionJob:
    """What the redaction of one application reads: its section texts and identity."""

    texts: dict[str, str]
    identity: Identity
    confirmed: tuple[str, ...]  # keys of the sections confirmed before


@dataclass(frozen=True)
class RedactionOutcome:
    job: RedactionJob
    identity: Identity  # with the short forms the texts declare
    results: dict[str, Redaction]
    leaks: list[Leak]


def _redaction_job(app: Application) -> RedactionJob:
    _lock_sections(app)
    texts = {s.key: s.text or "" for s in app.sections}
    confirmed = tuple(s.key for s in app.sections if s.leak_status == DISTRIBUTABLE)
    return RedactionJob(texts, identity_for(app), confirmed)


def redaction_outcome(job: RedactionJob) -> RedactionOutcome:
    """The redaction and leak scan of one application (pure: a worker may run it)."""
    # Short forms declared in the texts (以下简称“X”) are identifiers too: scan for them.
    identity = with_short_forms(job.identity, job.texts.values())
    results = redact_sections(job.texts, identity)
    leaks = scan_sections({key: r.text for key, r in results.items()}, identity)
    return RedactionOutcome(job, identity, results, leaks)


def _store_redaction(app: Application, outcome: RedactionOutcome, actor, reason: str) -> list:
    job, results, leaks = outcome.job, outcome.results, outcome.leaks
    if {s.key: s.text or "" for s in app.sections} != job.texts:  # the caller's promise
        raise RuntimeError("sections changed between reading and storing their redaction")
    _remember_scan(job.identity, job.texts, {k: r.text for k, r in results.items()}, leaks)
    leaks_by_section: dict[str, list[dict]] = {}
    for leak in leaks:
        leaks_by_section.setdefault(leak.section, []).append(asdict(leak))
    for section in app.sections:
        result = results[section.key]
        section.anonymised_text = result.text
        section.redaction_report = {
            "replacements": [asdict(r) for r in result.replacements],
            "leaks": leaks_by_section.get(section.key, []),
        }
        section.leak_status = "leaking" if leaks_by_section.get(section.key) else "clean"
    db.session.flush()
    audit.record(
        "application.anonymise",
        "application",
        app.id,
        actor=actor,
        after={
            "replacements": sum(len(r.replacements) for r in results.values()),
            "leaks": len(leaks),
        },
    )
    confirmed = [s for s in app.sections if s.key in job.confirmed]
    record_unconfirmed(app, confirmed, actor, reason)
    return [asdict(leak) for leak in leaks]


# The leak scans of the latest redactions: confirming right after a redaction scans the same
# texts against the same identity again, a pure function of them (key: their digest).
_SCANS: OrderedDict[str, list[Leak]] = OrderedDict()
SCANS_KEPT = 512


def _scan_key(identity: Identity, texts: dict[str, str], redacted: dict[str, str]) -> str:
    data = json.dumps([asdict(identity), texts, redacted], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()


def _remember_scan(identity, texts, redacted, leaks) -> None:
    key = _scan_key(identity, texts, redacted)
    _SCANS[key] = list(leaks)
    _SCANS.move_to_end(key)
    while len(_SCANS) > SCANS_KEPT:
        _SCANS.popitem(last=False)


def rescan(identity: Identity, texts: dict[str, str], redacted: dict[str, str]) -> list[Leak]:
    """The leaks left in ``redacted`` (the sections' stored redacted texts) against ``identity``
    (identity_for: without short forms) and the short forms ``texts`` declare: the scan a
    redaction of ``texts`` made when it produced ``redacted``, or a new one."""
    found = _SCANS.get(_scan_key(identity, texts, redacted))
    if found is not None:
        return list(found)
    return scan_sections(redacted, with_short_forms(identity, texts.values()))


def identity_changed(app: Application, actor, reason: str = EDIT_REASON) -> list[Application]:
    """An identifying field of ``app``'s enterprise changed (the change is flushed and audited
    as ``application.update``): redact again every application of the enterprise whose
    redaction has run, so that experts see none of them until the coordinator confirms the
    new text. Returns the applications redacted again."""
    db.session.expire(app.enterprise, ["prefecture"])  # a changed prefecture_id reloads it
    apps = db.session.execute(
        select(Application)
        .where(Application.enterprise_id == app.enterprise_id)
        .order_by(Application.id)
    ).scalars().all()  # fmt: skip
    redone = [a for a in apps if any(s.anonymised_text is not None for s in a.sections)]
    for each in redone:
        anonymise_application(each, actor, reason)
    return redone


def confirm_anonymisation(app: Application, actor) -> None:
    """The coordinator confirms the redaction; refused while any leak remains, the stored
    redacted text scanned again against the current identifiers (former ones included)."""
    _lock_sections(app)
    if not app.sections or any(s.anonymised_text is None for s in app.sections):
        raise DomainError("请先运行匿名化处理。", code="not_anonymised")
    leaking = [s.title for s in app.sections if s.leak_status == "leaking"]
    if leaking:
        raise DomainError(
            "以下章节仍有身份信息泄露，不能确认分发：" + "、".join(leaking) + "。", code="leaking"
        )
    texts = {s.key: s.text or "" for s in app.sections}
    redacted = {s.key: s.anonymised_text for s in app.sections}
    found = {leak.section for leak in rescan(identity_for(app), texts, redacted)}
    if found:
        raise DomainError(
            "按当前企业信息重新扫描，以下章节仍有身份信息泄露，请重新运行匿名化："
            + "、".join(s.title for s in app.sections if s.key in found)
            + "。",
            code="leaking",
        )
    for section in app.sections:
        section.leak_status = DISTRIBUTABLE
    db.session.flush()
    audit.record("application.anonymise_confirm", "application", app.id, actor=actor)


def set_term(app: Application, term: str, action: str, actor) -> None:
    """Add a term to redact or to keep, then redact again (the confirmation lapses)."""
    term = (term or "").strip()
    if not term or len(term) > 100:
        raise InvalidInput("词语不能为空，且不超过100字。")
    if action not in ("redact", "keep"):
        raise InvalidInput("无效的操作。")
    if action == "redact" and len(term) < 2:
        raise InvalidInput("需隐去的词语至少2个字。")
    row = db.session.execute(
        select(RedactionTerm).where(
            RedactionTerm.application_id == app.id, RedactionTerm.term == term
        )
    ).scalar_one_or_none()
    if row is None:
        row = RedactionTerm(application_id=app.id, term=term, added_by_id=actor.id)
        db.session.add(row)
    row.action = action
    db.session.flush()
    audit.record(
        "application.redaction_term", "application", app.id, actor=actor,
        after={"term": term, "action": action},
    )  # fmt: skip
    anonymise_application(app, actor, TERMS_REASON)


def remove_term(app: Application, term_id: int, actor) -> None:
    row = db.session.get(RedactionTerm, term_id)
    if row is None or row.application_id != app.id:
        raise InvalidInput("未找到该词语。")
    db.session.delete(row)
    db.session.flush()
    audit.record(
        "application.redaction_term_removed", "application", app.id, actor=actor,
        before={"term": row.term, "action": row.action},
    )  # fmt: skip
    anonymise_application(app, actor, TERMS_REASON)


def distribution_refusal(app: Application) -> str | None:
    """Why the application's scored sections cannot go to experts yet, or None."""
    pending = [
        spec.title
        for spec in scored_sections(app.track_code)
        if (section := app.section(spec.key)) is None or section.leak_status != DISTRIBUTABLE
    ]
    if pending:
        return "以下章节的匿名化文本尚未确认，不能分发给专家：" + "、".join(pending) + "。"
    return None


def worklist(program_id: int) -> list[Application]:
    """The program's applications whose sections are to be anonymised (recommended, not yet
    scored), with the scored ones too while a correction left a section unconfirmed."""
    unconfirmed = exists().where(
        Section.application_id == Application.id, Section.leak_status != DISTRIBUTABLE
    )
    return list(
        db.session.execute(
            select(Application)
            .where(
                Application.program_id == program_id,
                or_(
                    Application.state.in_(BEFORE_SCORED_STATES),
                    and_(Application.state.in_(DECIDABLE_STATES), unconfirmed),
                ),
            )
            .order_by(Application.state, Application.prefecture_id, Application.priority_rank)
        ).scalars()
    )
