"""A new year's program runs next to the previous one: the new applications belong to it and
carry its code year; the earlier program keeps its own applications, codes and rubrics."""

from sqlalchemy import select

from review_app.applications.models import Application
from review_app.extensions import db
from review_app.programs.create import create_program
from review_app.programs.service import current_program
from review_app.programs.years import code_year
from review_app.scoring.service import rubric_for

from .. import factories as f


def test_a_new_year_next_to_the_previous_one(app, tmp_path):
    old = current_program()
    earlier = f.application()
    assert earlier.anon_code.split("-")[1] == code_year(old.year)
    new = create_program(old.year + 1, old.year, tmp_path)
    db.session.commit()
    assert current_program() == new  # the newest year is the program in force

    later = f.application()
    assert later.program == new and earlier.program == old
    assert later.anon_code.split("-")[1] == code_year(new.year) != code_year(old.year)
    assert rubric_for(later.track_code, later.program).program == new.code
    assert rubric_for(earlier.track_code, earlier.program).program == old.code
    per_program = {
        p.year: db.session.scalars(
            select(Application.id).where(Application.program_id == p.id)
        ).all()
        for p in (old, new)
    }
    assert per_program == {old.year: [earlier.id], new.year: [later.id]}
