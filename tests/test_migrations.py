"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from review_app.extensions import db


def test_migrations_match_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_check_constraints_guard_the_state_column(app):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from . import factories as f

    application = f.application()
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(
            text("UPDATE application SET state = 'bogus' WHERE id = :id"), {"id": application.id}
        )
        db.session.flush()
    db.session.rollback()
