"""The draw form keeps what was typed when the draw is refused, and says the reason once."""

import re

from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.draws.models import DrawRun, Invitation
from review_app.extensions import db
from review_app.outbox.models import OutboxMessage
from tests import factories as f
from tests.conftest import login, post_form

from .test_draws import panel, pool


def _counts() -> tuple[int, int, int, int]:
    return tuple(
        db.session.scalar(select(func.count(model.id)))
        for model in (DrawRun, Invitation, AuditEvent, OutboxMessage)
    )


def _checked(html: str, name: str) -> set[str]:
    return set(re.findall(rf'name="{name}" value="([^"]*)" checked', html))


def _value(html: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', html).group(1)


def _setup(client):
    pool(60)
    f.user("coordinator", "coord-form")
    the_panel = panel()
    db.session.commit()
    login(client, "coord-form")
    return f"/draws/panels/{the_panel.id}"


def test_a_refused_draw_comes_back_with_everything_typed_and_the_reason_once(app, client):
    url = _setup(client)
    before = _counts()
    response = post_form(client, url, {
        "action": "draw", "count": "20", "backups": "2", "specialties": "link.factory",
        "max_per_unit": "", "max_per_prefecture": "", "answer_hours": "36",
        "excluded_prefectures": ["洛阳市", "开封市"], "exclude_recent": "1",
        "recent_programs": "2", "seed": "583920",
    }, url)  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert (_value(html, "count"), _value(html, "backups"), _value(html, "answer_hours"),
            _value(html, "recent_programs"), _value(html, "seed")) == (
        "20", "2", "36", "2", "583920")  # fmt: skip
    assert _value(html, "max_per_unit") == "" and _value(html, "max_per_prefecture") == ""
    assert _checked(html, "specialties") == {"link.factory"}
    assert _checked(html, "excluded_prefectures") == {"洛阳市", "开封市"}
    assert 'name="exclude_recent" value="1" checked' in html
    # the reason, once: no second preamble, not flashed again on the next page
    assert html.count("无法按所设条件抽取") == 1 and "无法完成抽取" not in html
    assert html.count("还差") == 1 and 'id="draw-error" role="alert"' in html
    assert "无法按所设条件抽取" not in client.get(url).get_data(as_text=True)
    assert _counts() == before


def test_a_number_that_does_not_parse_is_kept_as_typed_with_its_field_named(app, client):
    url = _setup(client)
    before = _counts()
    response = post_form(client, url, {"action": "draw", "count": "七", "backups": "1",
                                       "seed": "77"}, url)  # fmt: skip
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert _value(html, "count") == "七" and _value(html, "seed") == "77"
    assert html.count("抽取人数") == 2  # the label and the message naming it, once
    assert _counts() == before


def test_a_fresh_page_shows_the_defaults_and_an_accepted_draw_redirects(app, client):
    url = _setup(client)
    html = client.get(url).get_data(as_text=True)
    assert (_value(html, "count"), _value(html, "backups"), _value(html, "seed")) == ("7", "3", "")
    assert _checked(html, "specialties") == {"link.factory"} and 'id="draw-error"' not in html
    response = post_form(client, url, {"action": "draw", "count": "3", "backups": "1",
                                       "specialties": "link.factory", "seed": "9"}, url)  # fmt: skip
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(DrawRun.id))) == 1
