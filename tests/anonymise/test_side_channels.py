"""What an expert can reach: every page, file, file name, title and header, searched for the
applicant's identity and for hints (prefecture, rank, other experts)."""

import io
import re
import zipfile

from docx import Document
from sqlalchemy import select

from review_app.assignment.models import Assignment
from review_app.extensions import db
from review_app.intake.reference import prefectures

from .. import factories as f
from ..conftest import login

NAME = "洛阳伊河精工轴承股份有限公司"


def _setup():
    sections = {
        key: f"本项目建设了MES系统，数控化率86%。{key}"
        for key in ("profile", "overview.background", "overview.integration", "link.factory",
                    "link.rnd", "link.production", "link.prod_mgmt", "link.operations",
                    "plan.goals", "plan.content", "plan.growth", "plan.promotion")
    }  # fmt: skip
    application = f.application(name=NAME, pref="洛阳市", sections=sections, priority_rank=7)
    application.enterprise.legal_rep_name = "赵德胜"
    application.enterprise.contact_name = "钱文华"
    application.enterprise.contact_phone = "13903791234"
    application.enterprise.factory_address = "洛阳市涧西区建设路9号"
    experts = f.staff(application)
    for i, e in enumerate(experts):
        e.name = f"孙专家{i:02d}"
        e.employer = f"某某大学{i:02d}"
    db.session.commit()
    return application, experts


def _identity_strings(application, experts, me):
    e = application.enterprise
    strings = {e.name, "伊河精工", e.uscc, e.legal_rep_name, e.contact_name, e.contact_phone,
               e.factory_address, "推荐顺序"}  # fmt: skip
    strings |= set(prefectures())  # any prefecture name is a hint
    strings |= {x.name for x in experts if x.id != me.id}
    strings |= {x.user.username for x in experts if x.id != me.id}
    strings |= {x.employer for x in experts if x.id != me.id}
    return {s for s in strings if s}


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs + section.footer.paragraphs]
    props = doc.core_properties
    parts += [props.author, props.title, props.subject, props.comments, props.last_modified_by,
              props.keywords, props.category]  # fmt: skip
    archive = zipfile.ZipFile(io.BytesIO(data))
    parts += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()
              if n.endswith(".xml") and not n.startswith("word/")]  # fmt: skip
    return "\n".join(p or "" for p in parts)


def _expert_urls(app, assignment_id: int) -> list[str]:
    """Every GET route, with ids filled by the expert's own assignment (and others' ids too)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values = {}
        for arg in rule.arguments:
            values[arg] = {"track": "excellent", "filename": "x"}.get(arg, assignment_id)
        urls.append(rule.build(values, append_unknown=False)[1])
    return urls


def test_nothing_an_expert_reaches_names_or_hints_at_the_applicant(app, client):
    application, experts = _setup()
    me = experts[0]
    login(client, me.user.username)
    mine = db.session.execute(select(Assignment).where(Assignment.expert_id == me.id)).scalar_one()
    secrets = _identity_strings(application, experts, me)
    reached = 0
    for url in _expert_urls(app, mine.id):
        response = client.get(url)
        # 401: the token API refuses a cookie session (tests/api walks it with a token)
        assert response.status_code in (200, 204, 302, 400, 401, 403, 404, 405), url
        if response.status_code != 200:
            continue
        reached += 1
        if response.mimetype.endswith("wordprocessingml.document"):
            body = _docx_text(response.data)
        elif response.mimetype.startswith("application/vnd.openxmlformats"):
            body = response.data.decode("latin-1")
        else:
            body = response.get_data(as_text=True)
        body += " ".join(f"{k}: {v}" for k, v in response.headers.items())
        leaked = sorted(s for s in secrets if s in body)
        assert leaked == [], f"{url} shows {leaked}"
    assert reached >= 3  # the list, the assignment page, the packet at least


def test_the_expert_packet_carries_code_and_text_only(app, client):
    application, experts = _setup()
    me = experts[0]
    login(client, me.user.username)
    mine = db.session.execute(select(Assignment).where(Assignment.expert_id == me.id)).scalar_one()
    response = client.get(f"/expert/assignments/{mine.id}/packet.docx")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert application.anon_code in disposition or "filename*" in disposition
    doc = Document(io.BytesIO(response.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert application.anon_code in text and "MES系统" in text
    props = doc.core_properties
    assert (props.author, props.last_modified_by, props.title, props.comments) == ("", "", "", "")
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert not any(
        n.startswith(("docProps/app", "docProps/custom", "customXml", "word/media")) for n in names
    )
    assert not any(re.match(r"word/(header|footer|comments)", n) for n in names)


def test_packet_of_unconfirmed_text_is_not_served(app, client):
    application, experts = _setup()
    me = experts[0]
    mine = db.session.execute(select(Assignment).where(Assignment.expert_id == me.id)).scalar_one()
    mine.section.leak_status = "clean"
    db.session.commit()
    login(client, me.user.username)
    response = client.get(f"/expert/assignments/{mine.id}/packet.docx")
    assert response.status_code == 409 and "正在复核" in response.get_data(as_text=True)
    page = client.get(f"/expert/assignments/{mine.id}").get_data(as_text=True)
    assert "正在复核" in page and "MES系统" not in page


def test_another_experts_packet_is_forbidden(app, client):
    application, experts = _setup()
    login(client, experts[0].user.username)
    other = db.session.execute(
        select(Assignment).where(Assignment.expert_id == experts[1].id)
    ).scalar_one()
    assert client.get(f"/expert/assignments/{other.id}/packet.docx").status_code == 403


def test_the_assignment_page_title_is_code_and_section_only(app, client):
    application, experts = _setup()
    me = experts[0]
    login(client, me.user.username)
    mine = db.session.execute(select(Assignment).where(Assignment.expert_id == me.id)).scalar_one()
    html = client.get(f"/expert/assignments/{mine.id}").get_data(as_text=True)
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title == f"{application.anon_code} · {mine.section.title}"
    assert html.count("申报回避</h2>") == 1
