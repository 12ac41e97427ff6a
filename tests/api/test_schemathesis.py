"""Schemathesis against the API, as ``st run … --checks all`` does it: its engine (examples,
coverage and fuzzing phases; every check) runs in-process against the WSGI app with the
app's own OpenAPI description, once with a coordinator's, a prefecture's and an expert's token,
on a small world (``tests/security/world.py``). Examples are bounded so the test stays fast."""

import traceback

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from schemathesis.transport.wsgi import WSGITransport
from sqlalchemy import select

from review_app.auth.models import User
from review_app.extensions import db
from tests.security import world as wmod

from .helpers import call, token_for

MAX_EXAMPLES = 25  # per operation and phase: about 12 s on SQLite for the three tokens


@pytest.fixture()
def wsgi_probes(monkeypatch):
    """Schemathesis 4.32 bug: the ``ignored_auth`` check re-sends a request without the
    session, so socket-only settings reach werkzeug's test client (``TypeError:
    … unexpected keyword argument 'max_redirects'``); drop them as the transport does when a
    session is given."""
    send = WSGITransport.send

    def patched(self, case, *, session=None, **kwargs):
        if session is None:
            for name in ("max_redirects", "verify", "cert", "proxies"):
                kwargs.pop(name, None)
        return send(self, case, session=session, **kwargs)

    monkeypatch.setattr(WSGITransport, "send", patched)


def _run(app, token: str) -> tuple[int, list[str]]:
    """(how many requests Schemathesis sent, the failures it reports: one text each, with the
    check's name and a curl line to reproduce it)."""
    spec = call(app, "GET", "/api/v1/openapi.json", token).get_json()
    config = SchemathesisConfig.from_dict({
        "seed": 17,
        "headers": {"Authorization": f"Bearer {token}"},
        "generation": {"max-examples": MAX_EXAMPLES},
        "phases": {"stateful": {"enabled": False}},  # no links between operations to follow
        "suppress-health-check": ["all"],
    })  # fmt: skip
    schema = schemathesis.openapi.from_dict(spec, config=config)
    schema.app = app
    sent, failures = 0, []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            sent += len(event.recorder.cases)
            if event.status == Status.ERROR:
                failures.append(f"{event.recorder.label}: error")
            for checks in event.recorder.checks.values():
                for check in checks:
                    if check.failure_info is not None:
                        info = check.failure_info
                        failures.append(f"{event.recorder.label} {check.name}: "
                                        f"{info.failure.title}\n{info.code_sample}")  # fmt: skip
        elif isinstance(event, events.NonFatalError):
            failures.append(f"{event.label} ({event.phase}): "
                            + "".join(traceback.format_exception(event.value))[-2000:])  # fmt: skip
        elif isinstance(event, events.FatalError):
            failures.append(f"engine failed: {event.exception!r}")
    return sent, failures


def test_schemathesis_with_a_coordinator_a_prefecture_and_an_expert_finds_nothing(app, wsgi_probes):
    world = wmod.build()
    failures = []
    for role in ("coordinator", "prefecture", "expert"):
        user = db.session.scalar(select(User).where(User.username == world.users[role]))
        sent, found = _run(app, token_for(user, "write"))
        assert sent > 100, f"{role}: only {sent} requests"  # it did test the API
        failures += [f"[{role}] {text}" for text in found]
    assert failures == [], "\n\n".join(failures)
