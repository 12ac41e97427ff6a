"""Walk a program's confirmed decisions through 审定, 公示 and 正式发文 (for tests of what comes
after: letters, visibility, 复核)."""

from dataclasses import replace
from datetime import date, datetime, timedelta

from review_app.clock import china_date, utcnow
from review_app.decision import service as decision
from review_app.programs.service import current_program
from review_app.publicity import issue, rules, service
from review_app.publicity.uploads import Upload

from .. import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def minutes(name: str = "纪要.pdf") -> Upload:
    return Upload(name, PDF)


def approve(program, track: str, coordinator, meeting_date: date | None = None):
    return service.record_approval(
        program, track, meeting_kind="director_office",
        meeting_date=meeting_date or china_date(utcnow()), attendees="厅长、副厅长、装备工业处",
        minutes=minutes(), actor=coordinator,
    )  # fmt: skip


def approve_and_publish(program, track: str, coordinator, start: date | None = None):
    approve(program, track, coordinator)
    return service.publish(program, track, start_on=start or china_date(utcnow()),
                           contact="装备工业处 0371-65509873", actor=coordinator)  # fmt: skip


def after(period) -> datetime:
    """A moment (naive UTC) the day after ``period`` ends, in Beijing."""
    day = period.end_on + timedelta(days=1)
    return datetime(day.year, day.month, day.day, 2, 0)


def finalise(program, coordinator, doc_number: str = "豫工信装〔2026〕12号"):
    """审定 and 公示 every track with proposals, then 正式发文 once every period is over."""
    last = None
    for t in program.tracks:
        if service.confirmed_run_or_none(program, t.code) is None:
            continue
        if not rules.awaiting_publicity(program.id, t.code):
            continue
        last = approve_and_publish(program, t.code, coordinator)
    now = after(last) if last is not None else utcnow() + timedelta(days=30)
    return issue.issue(program, doc_number=doc_number, addressees="", copied_to="",
                       actor=coordinator, now=now)  # fmt: skip


def four_proposed(names: str, fractions=(0.9, 0.85, 0.8, 0.75)):
    """Four scored 卓越级 applications (``{names}{i}有限公司``), the top two proposed by a
    confirmed decision: (actors, applications, program)."""
    actors = f.Actors()
    experts, apps = None, []
    for i, fraction in enumerate(fractions):
        a = f.application(pref=("郑州市", "洛阳市")[i % 2], name=f"{names}{i}有限公司")
        experts = f.scored(a, actors, fraction, experts)
        apps.append(a)
    program = current_program()
    params = replace(decision.default_params(program, "excellent"), capacity=2)
    decision.confirm(decision.stage(program, "excellent", params, actors.coordinator),
                     actors.coordinator)  # fmt: skip
    return actors, apps, program
