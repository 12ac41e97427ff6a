"""A program whose track names no rubric file that exists (a year added by hand, a file moved)
is refused in Chinese naming the file: never a 500 on the score pages."""

import pytest

from review_app.errors import InvalidInput
from review_app.extensions import db
from review_app.scoring import service

from .. import factories as f
from ..conftest import login


@pytest.fixture()
def missing(app):
    application = f.application()
    track = application.program.track("excellent")
    track.rubric_file = "rubrics/excellent-1999.toml"
    f.user("coordinator", "coord")
    db.session.commit()
    return application


def test_rubric_for_names_the_missing_file(missing):
    with pytest.raises(InvalidInput) as caught:
        service.rubric_for("excellent", missing.program)
    assert caught.value.code == "rubric_missing" and "excellent-1999.toml" in caught.value.message


def test_the_score_page_answers_in_chinese(missing, client):
    login(client, "coord")
    response = client.get(f"/scoring/applications/{missing.id}")
    assert response.status_code == 400
    assert "找不到评分细则文件 excellent-1999.toml" in response.get_data(as_text=True)
