"""A confirmation racing an identifying edit (PostgreSQL): the confirmation waits for the edit
and judges the sections the edit left, never stamps 已确认 over a re-run that found a leak."""

import threading
import time

import pytest
from sqlalchemy import select

from review_app.anonymise import service
from review_app.applications.models import Application, Section
from review_app.errors import DomainError
from review_app.extensions import db
from review_app.intake.service import update_fields

from .. import factories as f
from .test_edits import NEW, OLD, TEXT


def test_a_confirmation_waits_for_a_concurrent_edit(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite serialises writers)")
    sections = {key: TEXT for key in ("profile", "link.factory")}
    application = f.application(name=OLD, sections=sections, anonymised=False)
    coordinator = f.user("coordinator")
    service.anonymise_application(application, coordinator)  # clean, awaiting confirmation
    db.session.commit()
    app_id, coordinator_id = application.id, coordinator.id
    # The edit: redone with the new name, and (as if its scan had found one) a leak. Not
    # committed yet while the coordinator confirms.
    update_fields(application, {"enterprise": {"name": NEW}}, coordinator)
    for section in application.sections:
        section.leak_status = "leaking"
    db.session.flush()
    outcome: list = []

    def confirm():
        with app.app_context():
            try:
                from review_app.auth.models import User

                service.confirm_anonymisation(
                    db.session.get(Application, app_id), db.session.get(User, coordinator_id)
                )
                db.session.commit()
                outcome.append("confirmed")
            except DomainError as err:
                db.session.rollback()
                outcome.append(err.message)
            finally:
                db.session.remove()

    worker = threading.Thread(target=confirm)
    worker.start()
    time.sleep(1.0)
    assert outcome == []  # waiting for the edit's lock
    db.session.commit()
    worker.join(30)
    assert len(outcome) == 1 and "泄露" in outcome[0]
    db.session.expire_all()
    statuses = db.session.execute(
        select(Section.leak_status).where(Section.application_id == app_id)
    ).scalars()
    assert set(statuses) == {"leaking"}
