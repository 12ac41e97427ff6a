"""Malformed posts never give a 500 and change nothing: every POST route of the pages, posted
by a role its decorator lets in, with the seeded world's ids in the URL and, in the body, every
field name any form of the app declares set to a malformed value (letters where an id or a
number is read, NaN, a number too large for any column, lists with junk, nothing at all). The
answer must be below 500, and the row count of every table and the audit head must not move.

And no view reads ``request.form`` by hand: every POST goes through a form class."""

import importlib
import pkgutil
import re
from pathlib import Path

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

import review_app
from review_app.extensions import db
from review_app.form_fields import TextListField

from . import world as wmod
from .test_get_writes_nothing import _snapshot
from .test_route_matrix import GET, POST_ONLY, _url

# The sign-in, sign-out and password forms write by design (failed sign-ins are counted) and
# are covered by tests/auth; the API tokens page is the API's.
SKIPPED = {"auth.login", "auth.logout", "auth.change_password", "auth.forgot_password",
           "auth.reset_password", "api_pages.token_settings"}  # fmt: skip
# Buttons that post nothing but their CSRF token: any body is a valid request to act, so only
# "no 500" is asserted for them.
BUTTONS = {"anonymise.run", "anonymise.confirm", "decision.confirm", "draws.verify",
           "intake.recheck", "webhooks.delete", "draws.index", "admin.audit",
           "inspection.remove_evidence", "similarity.run",
           "applications.transition", "archive.run", "panel.sign_score_sheet",
           "panel.sign_summary", "meeting.open_scoring", "meeting.held",
           "meeting.sign_in"}  # fmt: skip

# Forms whose every field is optional with a default: an empty post is a valid request (the
# suggested seed and date, the default parameters, no inspectors, an item left blank).
DEFAULTS = {"assignment.auto", "decision.stage", "decision.bundle", "inspection.inspectors",
            "inspection.save_checklist", "intake.order", "inspection.draw"}  # fmt: skip
TEXT_FIELDS = (StringField, TextAreaField, TextListField)
HUGE = "9" * 40


def _field_names() -> tuple[set[str], set[str]]:
    """Every field name declared by a form class of the app (its forms modules imported):
    the names of free text fields, and the others (ids, numbers, choices, lists, boxes)."""
    for module in pkgutil.walk_packages(review_app.__path__, "review_app."):
        if module.name.endswith(".forms"):
            importlib.import_module(module.name)
    text, typed, todo = set(), set(), list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        for name, unbound in vars(cls).items():
            kind = getattr(unbound, "field_class", None)
            if kind is None or name == "csrf_token":
                continue
            (text if issubclass(kind, TEXT_FIELDS) else typed).add(name)
    return text, typed


def _payloads(world) -> list[dict]:
    """Typed fields get a malformed value, free text a text longer than any form allows (so
    that no payload is a valid request of any form), and one payload posts nothing at all."""
    text, typed = _field_names()
    typed.add(f"rank_{world.own_app.id}")
    # ASCII: the same length in characters, without nine bytes of percent-encoding per character
    # for the test client to write and the server to parse in pure Python (most of this test's
    # time when it was a full-width letter).
    long_text = {k: "A" * 5000 for k in text}
    values = ["abc", "sNaN", "NaN", "Infinity", "1e309", HUGE, "-" + HUGE, "１２x", "",
              ["x", "1", "NaN", "1e309"], ["NaN", "1", "2", "abc"]]  # fmt: skip
    return [{**long_text, **{k: v for k in typed}} for v in values] + [{}]


def _roles(endpoint: str) -> set[str]:
    if endpoint in POST_ONLY:
        return POST_ONLY[endpoint]
    return {r for r, status in GET[endpoint].items() if status == 200}


def test_malformed_posts_answer_below_500_and_change_nothing(app):
    world = wmod.build()
    text, typed = _field_names()
    assert {"panel_id", "inspectors", "conflict_id", "count", "capacity", "notice_id"} <= typed
    assert {"reason", "note", "seed"} <= text
    payloads = _payloads(world)
    rules = sorted(
        (r for r in app.url_map.iter_rules() if "POST" in r.methods
         and not r.rule.startswith("/api/") and r.endpoint not in SKIPPED),
        key=lambda r: r.rule,
    )  # fmt: skip
    assert len(rules) > 35
    clients = {}
    problems = []
    for rule in rules:
        for role in sorted(_roles(rule.endpoint)):
            if role not in clients:
                clients[role] = wmod.client_as(app, world.users[role])
            client = clients[role]
            url = _url(rule, world.mine, world)
            # A button acts on any body, so only "no 500" is asserted: the first and the empty
            # payload are enough (each 归档 post builds a whole archive).
            tried = payloads if rule.endpoint not in BUTTONS else (payloads[0], payloads[-1])
            for payload in tried:
                shown = repr(payload.get("panel_id", "nothing"))
                before = _snapshot()
                try:
                    response = client.post(url, data={**payload, "csrf_token": client.csrf})
                except Exception as err:  # the test client re-raises what would be a 500
                    problems.append(f"{role} POST {url} {shown}: {err!r}")
                    continue
                if response.status_code >= 500:
                    problems.append(f"{role} POST {url} {shown}: {response.status_code}")
                empty = payload.get("panel_id", "") == ""
                acts = rule.endpoint in BUTTONS or (empty and rule.endpoint in DEFAULTS)
                if not acts and _snapshot() != before:
                    changed = {k for k, v in _snapshot().items() if before[k] != v}
                    problems.append(f"{role} POST {url} {shown} changed {changed}")
                db.session.rollback()
    assert problems == [], "\n".join(problems)


def test_no_view_reads_request_form_by_hand():
    root = Path(review_app.__file__).parent
    found = [
        f"{path.relative_to(root)}:{n}"
        for path in sorted(root.rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"request\.form\b", line)
    ]
    assert found == []
