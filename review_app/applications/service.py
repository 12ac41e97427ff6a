"""Application verbs: submission (申报) with its enterprise, figures and sections."""

import random
import secrets
from collections.abc import Mapping
from contextlib import contextmanager

from sqlalchemy import select

from ..anonymise import service as anonymise
from ..audit import service as audit
from ..clock import utcnow
from ..enterprises.models import Enterprise
from ..errors import InvalidInput
from ..extensions import db
from ..programs.models import TRACKS, Prefecture, Program
from ..programs.years import code_year
from ..scoring.service import track_scores
from .catalogue import BY_KEY
from .models import Application, ApplicationFigure, Section
from .wordcount import word_count

ANON_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
ANON_PREFIX = {"excellent": "ZY", "leading": "LH"}


class _CodeSource:
    """Where the characters of anonymous codes come from: the operating system's cryptographic
    source, except inside ``seeded_codes``."""

    choice = staticmethod(secrets.choice)


CODE_SOURCE = _CodeSource()


@contextmanager
def seeded_codes(rng: random.Random):
    """Draw anonymous codes from ``rng`` while the block runs: for ``review-app simulate`` only,
    whose generated data must come out the same for the same seed (its inspection sample, for
    one, is ordered by the codes). Real applications never get guessable codes."""
    CODE_SOURCE.choice = rng.choice
    try:
        yield
    finally:
        CODE_SOURCE.choice = secrets.choice


def random_code_body() -> str:
    """Four characters from a cryptographic random source (not sequential, not guessable)."""
    return "".join(CODE_SOURCE.choice(ANON_ALPHABET) for _ in range(4))


def new_anon_code(track: str, year: int) -> str:
    """A random code such as ZY-<yy>-K7Q3 of the ``year`` program (``code_year``) that reveals
    neither prefecture nor rank."""
    for _ in range(50):
        code = f"{ANON_PREFIX[track]}-{code_year(year)}-{random_code_body()}"
        if not db.session.execute(
            select(Application.id).where(Application.anon_code == code)
        ).first():
            return code
    raise RuntimeError("could not draw a free anonymous code")  # pragma: no cover


def upsert_enterprise(fields: Mapping) -> tuple[Enterprise, dict]:
    """Find the enterprise by USCC or create it; update the declared fields. Returns it with
    the identifying values changed on a known enterprise ({"enterprise.<field>": [old, new]}):
    a returning enterprise (another program) may declare new ones."""
    uscc = (fields.get("uscc") or "").strip().upper()
    if not uscc:
        raise InvalidInput("缺少统一社会信用代码。")
    enterprise = db.session.execute(
        select(Enterprise).where(Enterprise.uscc == uscc)
    ).scalar_one_or_none()
    changed = {}
    if enterprise is None:
        enterprise = Enterprise(uscc=uscc)
        db.session.add(enterprise)
    else:
        changed = anonymise.identity_changes(
            enterprise, {k: v for k, v in fields.items() if k != "uscc"}
        )
    for name, value in fields.items():
        if name != "uscc" and hasattr(Enterprise, name):
            setattr(enterprise, name, value)
    if not enterprise.name:
        raise InvalidInput("缺少企业名称。")
    return enterprise, changed


def submit_application(
    program: Program,
    track: str,
    prefecture: Prefecture,
    enterprise_fields: Mapping,
    *,
    sections: Mapping[str, str] | None = None,
    figures: Mapping[int, Mapping] | None = None,
    files: list | None = None,
    actor=None,
    actor_label: str | None = None,
    **application_fields,
) -> Application:
    """Record a submitted 申报书 (state ``submitted``), audited as ``application.submit``.
    ``files``: SourceFile rows to store with it. The enterprise, the application, its sections,
    figures and files are written by one flush."""
    if track not in TRACKS:
        raise InvalidInput(f"申报类别无效：{track}。")
    enterprise, changed = upsert_enterprise(enterprise_fields)
    # A new enterprise (not written yet) has no application: only one on record is looked up.
    if enterprise.id is not None:
        duplicate = db.session.execute(
            select(Application.id).where(
                Application.program_id == program.id, Application.enterprise_id == enterprise.id
            )
        ).first()
        if duplicate:
            raise InvalidInput(
                f"该企业（统一社会信用代码 {enterprise.uscc}）在本批次已有申报，不能重复申报。"
            )
    if any(isinstance(o, Application) for o in db.session.new):
        anon_code = new_anon_code(track, program.year)  # (autoflush: their codes count too)
    else:  # the code lookup does not need the new enterprise written: one flush below
        with db.session.no_autoflush:
            anon_code = new_anon_code(track, program.year)
    app = Application(
        program=program,
        track_code=track,
        enterprise=enterprise,
        prefecture=prefecture,
        anon_code=anon_code,
        submitted_at=utcnow(),
        **application_fields,
    )
    db.session.add(app)
    for source_file in files or ():
        app.files.append(source_file)
    for key, text in (sections or {}).items():
        spec = BY_KEY.get(key)
        if spec is None:
            raise InvalidInput(f"未知章节：{key}。")
        app.sections.append(
            Section(
                key=key,
                title=spec.title,
                text=text,
                char_count=word_count(text),
                word_limit=spec.limit,
                leak_status="pending",
                redaction_report={},
            )
        )
    for year, values in (figures or {}).items():
        app.figures.append(ApplicationFigure(year=int(year), **values))
    db.session.flush()
    audit.record(
        "application.submit",
        "application",
        app.id,
        actor=actor,
        actor_label=actor_label,
        after={
            "state": app.state,
            "track": track,
            "enterprise": enterprise.name,
            "uscc": enterprise.uscc,
            "prefecture": prefecture.name,
        },
    )
    if changed:  # the old values stay identifying; the enterprise's other texts are redone
        audit.record(anonymise.UPDATE_ACTION, "application", app.id, actor=actor,
                     actor_label=actor_label, after=changed)  # fmt: skip
        anonymise.identity_changed(app, actor, anonymise.EDIT_REASON)
    return app


def track_applications(program: Program, track: str, states) -> list[Application]:
    """The program's applications of ``track`` in ``states``, by anonymous code."""
    return list(
        db.session.execute(
            select(Application)
            .where(
                Application.program_id == program.id,
                Application.track_code == track,
                Application.state.in_(tuple(states)),
            )
            .order_by(Application.anon_code)
        ).scalars()
    )


def provisional_ranking(program: Program, track: str, states) -> list[tuple[Application, float]]:
    """The track's applications in ``states`` that have a raw review score, best first (ties by
    anonymous code): the ranking before any decision run."""
    scores = track_scores(program.id, track)
    ranked = [
        (a, scores[a.id][0].score)
        for a in track_applications(program, track, states)
        if a.id in scores and scores[a.id][0].score is not None
    ]
    return sorted(ranked, key=lambda t: (-t[1], t[0].anon_code))
