"""The archive holds the dossier and what comes after the decision: the 审定 records with their
minutes, each 公示's text, each objection's record with its files, findings and conclusion, the
推荐函 per prefecture and the 正式发文 notice; each with its stored bytes, in manifest.json; an
archive altered by one byte in one of them is named by ``archive verify``."""

import hashlib
import io
import json
from dataclasses import replace

import docx
from sqlalchemy import select

from review_app.clock import utcnow
from review_app.decision import service as decision
from review_app.dossier.models import Attachment, DossierCheck, EndorsementLetter
from review_app.extensions import db
from review_app.programs.service import current_program
from review_app.publicity import objections
from review_app.publicity.models import FinalIssue
from review_app.publicity.objections import Filing
from review_app.publicity.uploads import Upload

from .. import factories as f
from ..publicity.helpers import PDF, approve_and_publish, finalise

TRACK = "卓越级智能工厂培育"
EVIDENCE = PDF.replace(b"1 0 obj", b"2 0 obj")  # the objector's file
FINDING = PDF.replace(b"1 0 obj", b"3 0 obj")  # the checker's file
LETTER = PDF.replace(b"1 0 obj", b"4 0 obj")  # a prefecture's 推荐函
CREDIT = PDF.replace(b"1 0 obj", b"5 0 obj")  # the 信用核查 export


def _world():
    """Three scored applications, two proposed and approved; 公示, one objection filed with a
    file, checked with a finding file and dismissed, one letter without a period; issued."""
    actors = f.Actors()
    apps, experts = [], None
    for i, fraction in enumerate((0.9, 0.8, 0.7)):
        a = f.application(pref="郑州市", name=f"归档测试企业{i}有限公司")
        experts = f.scored(a, actors, fraction, experts)
        apps.append(a)
    program = current_program()
    now = utcnow()
    db.session.add(EndorsementLetter(
        program_id=program.id, prefecture_id=apps[0].prefecture_id, filename="推荐函.pdf",
        size=len(LETTER), pages=1, sha256=hashlib.sha256(LETTER).hexdigest(), data=LETTER,
        uploaded_at=now))  # fmt: skip
    credit = Attachment(application_id=apps[0].id, kind="credit_evidence", filename="信用.pdf",
                        content_type="application/pdf", size=len(CREDIT), sha256="0" * 64,
                        data=CREDIT, pages=1, differences=[], uploaded_at=now)  # fmt: skip
    db.session.add(credit)
    db.session.flush()
    db.session.add(DossierCheck(application_id=apps[0].id, kind="credit", result="pass",
                                checked_by="核对人", checked_on=now.date(), source="信用中国",
                                file_id=credit.id, recorded_at=now))  # fmt: skip
    params = replace(decision.default_params(program, "excellent"), capacity=2)
    decision.confirm(decision.stage(program, "excellent", params, actors.coordinator),
                     actors.coordinator)  # fmt: skip
    period = approve_and_publish(program, "excellent", actors.coordinator)
    filing = Filing(name="张三", unit="某公司", phone="13800000000", application_id=apps[0].id,
                    content="该企业申报的设备联网率与实际不符。")  # fmt: skip
    objection, notes = objections.record(program, period, filing, "letter", actors.coordinator,
                                         files=[Upload("证据.pdf", EVIDENCE)])  # fmt: skip
    assert notes == [] and objection.status == "received"
    objections.accept(objection, actors.coordinator)
    checker = f.user("inspector", prefecture="开封市")
    objections.assign_checker(objection, checker.id, actors.coordinator)
    objections.record_findings(objection, "现场核实，设备联网率与申报一致。",
                               [Upload("核查照片.pdf", FINDING)], checker)  # fmt: skip
    objections.conclude(objection, False, "经核查，异议反映的问题不属实。", actors.coordinator)
    stray, _ = objections.record(program, None, Filing(name="李四", unit="某单位", phone="1",
                                                       subject="某企业", content="公示前来信。"),
                                 "letter", actors.coordinator)  # fmt: skip
    finalise(program, actors.coordinator)
    db.session.commit()
    return apps, objection, stray


def _read(out, manifest, prefix: str) -> list[tuple[str, bytes]]:
    return [(e["path"], (out / e["path"]).read_bytes())
            for e in manifest["files"] if e["path"].startswith(prefix)]  # fmt: skip


def test_the_archive_holds_the_dossier_approval_publicity_objections_and_the_notice(
    app, runner, tmp_path
):
    apps, objection, stray = _world()
    out = tmp_path / "归档"
    result = runner.invoke(args=["archive", "--program", "2026", "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        data = (out / entry["path"]).read_bytes()
        assert entry["size"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
    code = apps[0].anon_code

    # the dossier: every stored file (the stamped 申报书 among them), the credit check naming
    # its file, the 地市审核意见; the 推荐函
    folder = f"{TRACK}/申报材料/{code}/"
    dossier = dict(_read(out, manifest, folder))
    stored = db.session.execute(
        select(Attachment).where(Attachment.application_id == apps[0].id)
    ).scalars().all()  # fmt: skip
    assert sorted(d for p, d in dossier.items() if not p.endswith(".json")) == sorted(
        a.data for a in stored
    )
    assert any("盖章版申报书" in p for p in dossier)
    credit_name = next(p for p, d in dossier.items() if d == CREDIT).removeprefix(folder)
    assert credit_name.endswith("-信用核查截图或导出文件-信用.pdf")
    checks = json.loads(dossier[f"{folder}核查与审核意见.json"])
    assert {"kind": "credit", "file": credit_name}.items() <= next(
        c for c in checks["checks"] if c["kind"] == "credit"
    ).items()
    assert dict(_read(out, manifest, "推荐函/")) == {"推荐函/郑州市-推荐函.pdf": LETTER}

    # 审定: the uploaded minutes with their bytes, the record naming the approved list
    approvals = dict(_read(out, manifest, f"{TRACK}/审定/"))
    minutes = [data for path, data in approvals.items() if "-会议纪要-" in path]
    assert minutes == [PDF]
    record = json.loads(next(d for p, d in approvals.items() if p.endswith(".json")))
    assert record["meeting"] == "厅长办公会"
    assert {a["anon_code"] for a in record["listed"]} == {apps[0].anon_code, apps[1].anon_code}
    assert record["minutes_sha256"] == hashlib.sha256(PDF).hexdigest()

    # 公示: the text as the website shows it, naming the listed enterprises
    docs = [(p, d) for p, d in _read(out, manifest, f"{TRACK}/公示/") if p.endswith(".docx")]
    assert len(docs) == 1
    text = "\n".join(c.text for t in docx.Document(io.BytesIO(docs[0][1])).tables
                     for row in t.rows for c in row.cells)  # fmt: skip
    assert apps[0].enterprise.name in text and apps[2].enterprise.name not in text

    # 异议: the record (findings, conclusion) and both files with their bytes
    folder = f"{TRACK}/异议/异议{objection.id}/"
    files = dict(_read(out, manifest, folder))
    assert files[f"{folder}异议材料-1-证据.pdf"] == EVIDENCE
    assert files[f"{folder}核查材料-2-核查照片.pdf"] == FINDING
    kept = json.loads(files[f"{folder}异议记录.json"])
    assert kept["status"] == "异议不成立" and kept["findings"] == "现场核实，设备联网率与申报一致。"
    assert kept["decision_reason"] == "经核查，异议反映的问题不属实。"
    assert kept["application"]["anon_code"] == code
    # the letter about no listed application: program-wide, its reason recorded
    assert json.loads(dict(_read(out, manifest, f"异议/异议{stray.id}/"))[
        f"异议/异议{stray.id}/异议记录.json"])["status"] == "不予受理"  # fmt: skip

    # 正式发文: the stored notice, byte for byte, and its record
    final = db.session.execute(select(FinalIssue)).scalar_one()
    issued = dict(_read(out, manifest, "正式发文/"))
    assert issued[f"正式发文/{final.filename}"] == final.data
    assert json.loads(issued["正式发文/发文记录.json"])["doc_number"] == final.doc_number

    ok = runner.invoke(args=["archive", "verify", str(out)])
    assert ok.exit_code == 0 and "核验通过" in ok.output
    victim = out / f"{folder}核查材料-2-核查照片.pdf"
    data = bytearray(victim.read_bytes())
    data[-3] ^= 0x01
    victim.write_bytes(bytes(data))
    bad = runner.invoke(args=["archive", "verify", str(out)])
    assert bad.exit_code == 1
    assert f"{folder}核查材料-2-核查照片.pdf" in bad.output and "改动" in bad.output
