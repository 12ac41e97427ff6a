"""归档: ``review-app archive --program YEAR --out DIR`` writes one folder per track and a
manifest (path, sha256, size for every file; the audit chain's head); ``archive verify DIR``
exits 0 when everything matches and 1 naming the first difference (one byte altered, a file
missing or added, the head not the database's)."""

import hashlib
import io
import json
import zipfile
from dataclasses import replace

from sqlalchemy import select

from review_app.applications.models import SourceFile
from review_app.audit.models import AuditEvent
from review_app.clock import utcnow
from review_app.decision import service as decision
from review_app.extensions import db
from review_app.jobs.models import Job
from review_app.panel import opinions
from review_app.programs.service import current_program

from ..panel import world as wmod

DOCX = b"PK\x03\x04 source docx bytes"


def _world():
    w = wmod.build()
    db.session.add(SourceFile(application_id=w.app.id, filename="申报书.docx",
                              content_type="application/octet-stream", size=len(DOCX),
                              sha256=hashlib.sha256(DOCX).hexdigest(), data=DOCX,
                              uploaded_at=utcnow()))  # fmt: skip
    tasks = wmod.panel_tasks(w)
    opinions.set_lead(w.panel, tasks[0].expert, w.actors.coordinator)
    opinions.start(w.app, w.panel, tasks[0].expert.user)
    program = current_program()
    params = replace(decision.default_params(program, "excellent"), capacity=1)
    decision.stage(program, "excellent", params, w.actors.coordinator)
    db.session.commit()
    return w


def test_write_then_verify_then_one_altered_byte_is_named(app, runner, tmp_path):
    w = _world()
    out = tmp_path / "归档"
    result = runner.invoke(args=["archive", "--program", "2026", "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    paths = {f["path"] for f in manifest["files"]}
    track = "卓越级智能工厂培育"
    code = w.app.anon_code
    assert f"{track}/申报书/{code}/1-申报书.docx" in paths
    assert any(p.startswith(f"{track}/匿名材料/{code}/") for p in paths)
    assert any(p.startswith(f"{track}/专家组意见/评审意见汇总表-") for p in paths)
    opinion = json.loads((out / f"{track}/专家组意见/{code}-{w.panel.name}.json").read_bytes())
    assert (opinion["status"], opinion["anon_code"], opinion["answers"]) == ("组长起草中", code, [])
    assert any(p.startswith(f"{track}/入库决定/") for p in paths)
    assert any(p.startswith("评分表/专家评分表-") for p in paths)
    for entry in manifest["files"]:
        data = (out / entry["path"]).read_bytes()
        assert entry["size"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
    db.session.expire_all()
    last = db.session.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert manifest["audit_head"] == {"id": last.id, "hash": last.hash}
    assert last.action == "archive.write"

    ok = runner.invoke(args=["archive", "verify", str(out)])
    assert ok.exit_code == 0 and "核验通过" in ok.output and "审计链头与数据库一致" in ok.output

    victim = out / f"{track}/申报书/{code}/1-申报书.docx"
    data = bytearray(victim.read_bytes())
    data[5] ^= 0x01
    victim.write_bytes(bytes(data))
    bad = runner.invoke(args=["archive", "verify", str(out)])
    assert bad.exit_code == 1
    assert f"{track}/申报书/{code}/1-申报书.docx" in bad.output and "改动" in bad.output


def test_a_missing_file_an_extra_file_and_a_foreign_head_are_named(app, runner, tmp_path):
    _world()
    out = tmp_path / "a"
    assert runner.invoke(args=["archive", "--program", "2026", "--out", str(out)]).exit_code == 0
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    first = out / manifest["files"][0]["path"]
    saved = first.read_bytes()
    first.unlink()
    missing = runner.invoke(args=["archive", "verify", str(out)])
    assert missing.exit_code == 1 and "缺少文件" in missing.output
    first.write_bytes(saved)
    (out / "多余.txt").write_text("x")
    extra = runner.invoke(args=["archive", "verify", str(out)])
    assert extra.exit_code == 1 and "清单中没有的文件：多余.txt" in extra.output
    (out / "多余.txt").unlink()
    manifest["audit_head"]["hash"] = "f" * 64
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    head = runner.invoke(args=["archive", "verify", str(out)])
    assert head.exit_code == 1 and "审计链头不符" in head.output
    offline = runner.invoke(args=["archive", "verify", "--offline", str(out)])
    assert offline.exit_code == 0 and "未与数据库核对" in offline.output


def test_refusals_write_nothing(app, runner, tmp_path):
    _world()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "x.txt").write_text("x")
    before = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    result = runner.invoke(args=["archive", "--program", "2026", "--out", str(busy)])
    assert result.exit_code == 2 and "不为空" in result.output
    assert sorted(p.name for p in busy.iterdir()) == ["x.txt"]
    result = runner.invoke(args=["archive", "--program", "1999", "--out", str(tmp_path / "n")])
    assert result.exit_code == 2 and "没有1999年度" in result.output
    assert not (tmp_path / "n").exists()
    db.session.expire_all()
    after = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    assert after == before
    assert runner.invoke(args=["archive", "verify", str(tmp_path / "none")]).exit_code == 1


def test_the_button_runs_the_archive_as_a_job_with_a_zip_result(app, tmp_path):
    _world()
    coordinator = db.session.execute(
        select(AuditEvent.actor).where(AuditEvent.action == "panel.lead")
    ).scalar_one()
    client = wmod.signed_in(app, coordinator)
    response = wmod.post(client, "/archive/run", {}, "/decision/excellent")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = db.session.execute(select(Job).where(Job.kind == "archive")).scalar_one()
    assert job.state == "done", job.message
    data = client.get(f"/jobs/{job.id}/file").data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        listed = {f["path"]: f["sha256"] for f in manifest["files"]}
        assert set(listed) == set(archive.namelist()) - {"manifest.json"}
        assert all(hashlib.sha256(archive.read(p)).hexdigest() == h for p, h in listed.items())
    officer = wmod.signed_in(app, db.session.execute(
        select(AuditEvent.actor).where(AuditEvent.action == "application.endorse")
    ).scalars().first())  # fmt: skip
    assert wmod.post(officer, "/archive/run", {}, "/panel/mine").status_code == 403
