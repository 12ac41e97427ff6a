"""Every route × every role (and anonymous), against a table written by hand from each view's
predicate (``permission_required``) and its object scope check: who gets the page, who is
refused (403, or 404 where the app answers 404), and that anonymous users are sent to /login. An object of someone
else (another prefecture's application, another expert's assignment, another inspector's
inspection, another prefecture's letter) is tried as well. POST-only routes are posted (with a
valid CSRF token) only by the roles that must be refused, so nothing changes.

The table is not derived from the app: a route that opens up, or a new route missing here,
fails the test."""

from urllib.parse import urlsplit

from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.extensions import db

from . import world as wmod
from .world import ROLES

CO, PR, EX, IN, AP, AD = ROLES
VIEW = (CO, PR, AP, IN)  # applications.permissions.can_view_applications


def ok(*roles, status=200):
    return {r: status for r in roles}


# GET routes: role -> status (or (302, path)) for the role's own object; unlisted roles: 403.
GET = {
    "main.index": {CO: (302, "/dashboard/"), PR: (302, "/dashboard/"), EX: (302, "/dashboard/"),
                   IN: (302, "/dashboard/"), AP: (302, "/applications/"),
                   AD: (302, "/admin/users")},
    "main.healthz": ok(*ROLES),
    "main.readyz": ok(*ROLES),
    "main.favicon": ok(*ROLES, status=204),
    "auth.login": {r: (302, "/") for r in ROLES},
    "auth.change_password": ok(*ROLES),
    "auth.forgot_password": ok(*ROLES),
    # without a valid link: back to the form that sends one
    "auth.reset_password": {r: (302, "/password/forgot") for r in ROLES},
    "admin.users": ok(AD),
    "admin.user": ok(AD),
    "admin.audit": ok(AD, CO),
    "anonymise.index": ok(CO),
    "anonymise.show": ok(CO),
    "applications.index": ok(*VIEW),
    "applications.show": ok(*VIEW),
    "assignment.auto": ok(CO),
    "assignment.manual": ok(CO),
    "assignment.conflicts": ok(CO),
    "assignment.panels": ok(CO),
    "dashboard.home": ok(*ROLES),  # each role its own: the applicant's and admin's included
    "dashboard.analysis": ok(CO),
    "decision.index": {CO: (302, "/decision/excellent")},
    "decision.track": ok(CO),
    "decision.export": ok(CO),
    "decision.prefecture_results": ok(CO),
    "decision.notice_list": ok(CO, PR),
    "decision.notice_file": ok(CO, PR),
    # can_review (experts only): the coordinator does not open an expert's pages either
    "expert.assignments": ok(EX),
    "expert.assignment": ok(EX),
    "expert.packet": ok(EX),
    "scoring.score": ok(EX),
    "experts_admin.index": ok(CO),
    "experts_admin.edit": ok(CO),
    "experts_admin.template": ok(CO),
    "inspection.index": ok(IN, CO),
    "inspection.show": ok(IN, CO),
    "inspection.evidence": ok(IN, CO),
    "inspection.service_worker": ok(*ROLES),  # a script, like /static/
    "intake.index": ok(PR),
    "intake.upload": ok(PR),
    "intake.edit": ok(CO),  # scored: the officer's 修改 is over (intake/permissions.py)
    "intake.format_queue": ok(CO),
    "intake.summary_export": ok(PR, CO),
    "intake.summary_import": ok(PR),
    "intake.template": ok(*ROLES),
    # the job belongs to the prefecture officer; login_required + owner check for the rest
    "intake.job": ok(PR),
    "jobs.index": ok(*ROLES),
    "jobs.show": ok(PR),
    "jobs.file": ok(PR),
    "scoring.breakdown": ok(CO),
    "scoring.flags": ok(CO),
    "scoring.progress": ok(CO),
    "scoring.sheet_download": ok(EX, CO),  # the coordinator names the expert (?expert=)
    "draws.index": ok(CO),
    "draws.panel": ok(CO),
    "draws.pool": ok(CO),
    "draws.invitations": ok(EX),
    "draws.invitation": ok(EX),
    "draws.pledge": ok(EX),
    "outbox.index": ok(CO),
    "api_pages.token_settings": ok(*ROLES),  # each user's own tokens
    "api_pages.docs": ok(*ROLES),
    "outbox.show": ok(CO),
    "webhooks.index": ok(CO),
    "webhooks.show": ok(CO),
    "similarity.index": ok(CO),
    "similarity.show": ok(CO),
    "dossier.index": ok(CO, PR),
    "dossier.letter": ok(CO, PR),
    "dossier.opinion": ok(CO, PR),  # the officer reads it; writing is over once scored
    "dossier.review_sheet_export": ok(CO, PR),
    "dossier.files": ok(CO, PR),
    "dossier.file": ok(CO, PR),
    "dossier.completeness": ok(CO),
    "dossier.checks_template": ok(CO),
    "dossier.figures": ok(CO, PR),
    "dossier.averages": ok(CO),
    "dossier.stats": ok(CO),
    "dossier.stats_export": ok(CO),
    "panel.thread": ok(CO, EX),  # the expert reviews the flagged section
    "panel.opinions_status": ok(CO),
    "panel.mine": ok(EX),
    "panel.opinion": ok(CO, EX),  # the expert reviewed the application in that panel
    "panel.score_sheet": ok(EX, CO),  # the coordinator names the expert (?expert=)
    "panel.summary_sheet": ok(CO),  # and the panel's 组长 (the world's expert is not)
    # after the decision (publicity/permissions.py); the 公示 pages are public
    "publicity.track": ok(CO),
    "publicity.minutes": ok(CO),
    "publicity.period_docx": ok(CO),
    "publicity.objection_list": ok(CO, IN),  # an inspector sees the ones assigned to them
    "publicity.objection": ok(CO, IN),
    "publicity.objection_file": ok(CO, IN),
    "publicity.issue": ok(CO),
    "publicity.issue_docx": {CO: 404},  # nothing issued yet
    "publicity.reconsider": ok(CO),
    "gongshi.index": ok(*ROLES),
    "gongshi.show": ok(*ROLES),
    # 会议评审 (meeting/permissions.py): the expert's sheet shows the identified application,
    # to the expert signed in at the meeting who holds its sections
    "meeting.track": ok(CO),
    "meeting.show": ok(CO),
    "meeting.mine": ok(EX),
    "meeting.score": ok(EX),
}  # fmt: skip

# The same routes with someone else's object: role -> status; unlisted roles: 403.
OTHER = {
    "anonymise.show": ok(CO),
    "applications.show": ok(CO),  # 郑州市's officer, the applicant, the inspector: 403
    "assignment.manual": ok(CO),
    "decision.notice_file": ok(CO),  # 洛阳市's letter: 403 to 郑州市's officer
    "expert.assignment": {},
    "expert.packet": {},
    "scoring.score": {},
    "inspection.show": ok(CO),
    "inspection.evidence": ok(CO),
    "intake.edit": ok(CO),
    "scoring.breakdown": ok(CO),
    "draws.invitation": {EX: 404},  # another expert's invitation
    "dossier.letter": ok(CO),  # 洛阳市's 推荐函: 403 to 郑州市's officer
    "dossier.opinion": ok(CO),
    "dossier.files": ok(CO),
    "dossier.file": ok(CO),
    "dossier.figures": ok(CO),
    "panel.thread": {CO: 200, EX: 404},  # a section the expert does not review
    "panel.opinion": {CO: 200, EX: 404},
    "publicity.objection": ok(CO),  # not assigned to the inspector: 403
    "publicity.objection_file": ok(CO),
    "publicity.reconsider": ok(CO),
}

# The API documentation page is for signed-in users (or tokens) unless API_DOCS_PUBLIC is set.
ANONYMOUS_OPEN = {"auth.login": 200, "main.healthz": 200, "main.readyz": 200,
                  "main.favicon": 204, "auth.forgot_password": 200,
                  "auth.reset_password": (302, "/password/forgot"),
                  "gongshi.index": 200, "gongshi.show": 200,
                  "inspection.service_worker": 200}  # fmt: skip

QUERY = {"scoring.sheet_download": {"expert": "expert_id"},
         "panel.score_sheet": {"expert": "expert_id"}}  # fmt: skip

# POST-only routes: the roles its decorator lets in (the others must get 403).
POST_ONLY = {
    "auth.logout": set(ROLES),
    "anonymise.run": {CO},
    "anonymise.confirm": {CO},
    "anonymise.add_term": {CO},
    "anonymise.delete_term": {CO},
    "applications.transition": set(VIEW),
    "assignment.declare": {EX},
    "decision.stage": {CO},
    "decision.bundle": {CO},
    "decision.confirm": {CO},
    "experts_admin.import_sheet": {CO},
    "inspection.draw": {CO},
    "inspection.add": {CO},
    "inspection.remove": {CO},
    "inspection.inspectors": {CO},
    "inspection.save_checklist": {IN, CO},
    "inspection.verdict": {IN, CO},
    "inspection.remove_evidence": {IN, CO},
    "intake.order": {PR},
    "intake.recheck": {CO, PR},
    "scoring.reopen": {CO},
    "scoring.sheet_upload": {EX, CO},
    "draws.verify": {CO},
    "webhooks.toggle": {CO},
    "webhooks.delete": {CO},
    "programs.select": {CO, AD},  # the program switcher (programs/permissions.py)
    "similarity.run": {CO},
    "similarity.mark": {CO},
    "dossier.upload_letter": {PR},
    "dossier.add_file": {PR},
    "dossier.remove_file": {CO, PR},
    "dossier.record_check": {CO},
    "dossier.import_checks": {CO},
    "panel.set_lead": {CO},
    "panel.sign_score_sheet": {EX},
    "panel.sign_summary": {EX},  # the panel's 组长: the view checks the panel
    "archive.run": {CO},
    "publicity.approve": {CO},
    "publicity.publish": {CO},
    "publicity.backfill": {CO},
    "meeting.schedule": {CO},
    "meeting.record_attendance": {CO},
    "meeting.open_scoring": {CO},
    "meeting.held": {CO},
    "meeting.sign_in": {EX},
}
# ... and, with someone else's object, the roles let in by the decorator but not by the scope.
POST_OTHER_REFUSED = {
    "applications.transition": {PR, AP, IN},
    "assignment.declare": {EX},
    "inspection.save_checklist": {IN},
    "inspection.verdict": {IN},
    "inspection.remove_evidence": {IN},
    "intake.recheck": {PR},
    "dossier.add_file": {PR},
    "dossier.remove_file": {PR},
}


def _rules(app):
    """Page routes; the token API (/api/v1/ but its documentation page) has its own matrix in
    tests/api/test_matrix.py."""
    return sorted(
        (
            r
            for r in app.url_map.iter_rules()
            if r.endpoint != "static"
            and (not r.rule.startswith("/api/") or r.endpoint == "api_pages.docs")
        ),
        key=lambda r: r.rule,
    )


def _url(rule, ids, world) -> str:
    path = rule.build({a: ids[a] for a in rule.arguments}, append_unknown=False)[1]
    query = QUERY.get(rule.endpoint)
    if query:
        path += "?" + "&".join(f"{k}={world.mine[v]}" for k, v in query.items())
    return path


def _differs(rule, world) -> bool:
    return any(world.mine[a] != world.other[a] for a in rule.arguments)


def _outcome(response):
    if response.status_code == 302:
        return (302, urlsplit(response.headers["Location"]).path)
    return response.status_code


def test_every_route_answers_every_role_as_the_table_says(app):
    world = wmod.build()
    rules = _rules(app)
    endpoints = {r.endpoint for r in rules}
    assert endpoints == set(GET) | set(POST_ONLY), "a route is missing from the tables"
    assert set(OTHER) <= set(GET) and set(POST_OTHER_REFUSED) <= set(POST_ONLY)
    for rule in rules:
        assert rule.endpoint in (GET if "GET" in rule.methods else POST_ONLY), rule.endpoint
        if rule.arguments - set(world.mine):
            raise AssertionError(f"no id for {rule.rule}")
        if _differs(rule, world) and "GET" in rule.methods:
            assert rule.endpoint in OTHER, rule.endpoint

    other_names = (world.other_app.enterprise.name, world.other_app.enterprise.uscc)
    mismatches = []

    # anonymous
    client = wmod.client_as(app, None)
    for rule in rules:
        if "GET" in rule.methods:
            url = _url(rule, world.mine, world)
            got = _outcome(client.get(url))
            want = ANONYMOUS_OPEN.get(rule.endpoint, (302, "/login"))
        else:
            url = _url(rule, world.mine, world)
            got = _outcome(client.post(url, data={"csrf_token": client.csrf}))
            want = (302, "/login")
        if got != want:
            mismatches.append(f"anonymous GET/POST {url}: {got}, table says {want}")

    for role in ROLES:
        client = wmod.client_as(app, world.users[role])
        for rule in rules:
            if "GET" in rule.methods:
                variants = [("mine", world.mine, GET[rule.endpoint])]
                if _differs(rule, world):
                    variants.append(("other", world.other, OTHER[rule.endpoint]))
                for variant, ids, table in variants:
                    url = _url(rule, ids, world)
                    response = client.get(url)
                    got, want = _outcome(response), table.get(role, 403)
                    if got != want:
                        mismatches.append(f"{role} GET {url} ({variant}): {got}, table says {want}")
                    if (
                        response.status_code == 200
                        and role != CO
                        and response.mimetype == "text/html"
                    ):
                        body = response.get_data(as_text=True)
                        shown = [s for s in other_names if s in body]
                        if shown:
                            mismatches.append(f"{role} GET {url} shows {shown} of 洛阳市")
            else:
                checks = []
                if role not in POST_ONLY[rule.endpoint]:
                    checks.append(_url(rule, world.mine, world))
                if role in POST_OTHER_REFUSED.get(rule.endpoint, ()):
                    checks.append(_url(rule, world.other, world))
                for url in checks:
                    before = _audit_count()
                    got = _outcome(client.post(url, data={"csrf_token": client.csrf}))
                    if got != 403:
                        mismatches.append(f"{role} POST {url}: {got}, table says 403")
                    if _audit_count() != before:
                        mismatches.append(f"{role} POST {url} was refused but changed data")

    assert mismatches == [], "\n".join(mismatches)


def _audit_count() -> int:
    db.session.rollback()  # see what the request committed
    return db.session.scalar(select(func.count(AuditEvent.id)))
