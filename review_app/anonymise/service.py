"""Anonymisation verbs: redact an application's sections, scan for leaks, keep coordinator
terms, confirm for distribution. Each verb flushes and audits; the caller commits."""

from dataclasses import asdict

from sqlalchemy import select

from ..applications.catalogue import scored_sections
from ..applications.models import Application
from ..audit import service as audit
from ..errors import DomainError, InvalidInput
from ..extensions import db
from ..intake.records import parsed_from_records
from .leakscan import scan_sections
from .model import Identity
from .models import RedactionTerm
from .redact import identity_from_parsed, redact_sections, with_short_forms

# Sections distributed to experts only when their anonymised text is confirmed.
DISTRIBUTABLE = "confirmed"


def terms_of(app: Application) -> list[RedactionTerm]:
    return list(
        db.session.execute(
            select(RedactionTerm)
            .where(RedactionTerm.application_id == app.id)
            .order_by(RedactionTerm.term)
        ).scalars()
    )


def identity_for(app: Application) -> Identity:
    terms = terms_of(app)
    return identity_from_parsed(
        parsed_from_records(app),
        extra_terms=[t.term for t in terms if t.action == "redact"],
        allowed_terms=[t.term for t in terms if t.action == "keep"],
    )


def anonymise_application(app: Application, actor) -> list[dict]:
    """Redact every section, scan the result, store text, report and status. Returns leaks."""
    texts = {s.key: s.text or "" for s in app.sections}
    # Short forms declared in the texts (以下简称“X”) are identifiers too: scan for them.
    identity = with_short_forms(identity_for(app), texts.values())
    results = redact_sections(texts, identity)
    leaks = scan_sections({key: r.text for key, r in results.items()}, identity)
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
    return [asdict(leak) for leak in leaks]


def confirm_anonymisation(app: Application, actor) -> None:
    """The coordinator confirms the redaction; refused while any leak remains."""
    if not app.sections or any(s.anonymised_text is None for s in app.sections):
        raise DomainError("请先运行匿名化处理。", code="not_anonymised")
    leaking = [s.title for s in app.sections if s.leak_status == "leaking"]
    if leaking:
        raise DomainError(
            "以下章节仍有身份信息泄露，不能确认分发：" + "、".join(leaking) + "。", code="leaking"
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
    anonymise_application(app, actor)


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
    anonymise_application(app, actor)


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
