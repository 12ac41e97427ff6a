"""The terms form of the redaction page (issue 22): refused, the page comes back (400) with the
term as typed and the error beside the field; the database is unchanged. Accepted, the term is
saved and the texts redacted again."""

import pytest
from flask import g
from sqlalchemy import select

from review_app.anonymise.models import RedactionTerm
from review_app.extensions import db

from .. import factories as f
from ..conftest import csrf_from, login
from ..form_checks import changed, contents, control, error_block, tied


@pytest.fixture()
def page(app, client):
    """An application and the coordinator on its redaction page: (URL, token)."""
    application = f.application(name="伊河精工有限公司")
    f.user("coordinator", "terms-coord")
    db.session.commit()
    g.pop("csrf_token", None)
    login(client, "terms-coord")
    url = f"/anonymise/applications/{application.id}"
    return url, csrf_from(client.get(url).get_data(as_text=True))


@pytest.mark.parametrize(
    ("term", "action", "message"),
    [
        ("   ", "redact", "词语不能为空。"),
        ("精" * 101, "redact", "词语不超过100字。"),
        ("精", "redact", "需隐去的词语至少2个字。"),  # refused by the service, not the form
    ],
    ids=["blank", "too-long", "one-character"],
)
def test_a_refused_term_comes_back_beside_its_error(app, client, page, term, action, message):
    url, token = page
    before = contents()
    response = client.post(
        f"{url}/terms", data={"csrf_token": token, "term": term, "action": action}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert tied(html, "term", message)
    assert f'value="{term}"' in control(html, "term")
    assert "aria-invalid" not in control(html, "action") and error_block(html, "action") is None
    # the whole page, not an error page
    assert "本申报的词语" in html and "伊河精工有限公司" in html
    assert changed(before, contents()) == []


def test_a_refused_choice_is_tied_to_its_select(app, client, page):
    url, token = page
    before = contents()
    response = client.post(
        f"{url}/terms", data={"csrf_token": token, "term": "润鑫云", "action": "erase"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'aria-invalid="true"' in control(html, "action") and error_block(html, "action")
    assert 'value="润鑫云"' in control(html, "term")
    assert changed(before, contents()) == []


def test_a_stale_token_keeps_the_term(app, client, page):
    url, _ = page
    before = contents()
    response = client.post(
        f"{url}/terms", data={"csrf_token": "stale", "term": "润鑫云", "action": "keep"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "表单已过期或缺少安全令牌" in html and 'value="润鑫云"' in control(html, "term")
    assert '<option selected value="keep">' in html
    assert changed(before, contents()) == []


def test_a_good_term_is_saved(app, client, page):
    url, token = page
    response = client.post(
        f"{url}/terms", data={"csrf_token": token, "term": "润鑫云", "action": "redact"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    db.session.rollback()
    terms = db.session.execute(select(RedactionTerm.term, RedactionTerm.action)).all()
    assert [tuple(t) for t in terms] == [("润鑫云", "redact")]
    html = client.get(url).get_data(as_text=True)
    assert "润鑫云（需隐去）" in html and "aria-invalid" not in html
