"""Inspection verbs: the sample, inspectors with 回避, findings, evidence and the verdict."""

import pytest
from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.errors import DomainError, InvalidInput, PermissionDenied
from review_app.extensions import db
from review_app.inspection import service
from review_app.inspection.models import EvidenceFile, Inspection
from review_app.inspection.sampling import SampleParams
from review_app.programs.service import current_program

from .. import factories as f

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture()
def world(app):
    actors = f.Actors()
    experts = None
    apps = []
    for i, pref in enumerate(("郑州市", "郑州市", "洛阳市", "洛阳市", "开封市", "新乡市")):
        a = f.application(pref=pref)
        experts = f.scored(a, actors, 0.9 - i * 0.05, experts)
        apps.append(a)
    return actors, apps


def _params(seed="s1", **kw):
    kw.setdefault("cut_line", 3)
    kw.setdefault("near_cut", 1)
    kw.setdefault("random_per_prefecture", 1)
    return SampleParams(seed=seed, **kw)


def _codes(inspections):
    return sorted(i.application.anon_code for i in inspections)


def test_draw_is_reproducible_records_rules_and_seed_and_builds_the_checklist(world):
    actors, apps = world
    program = current_program()
    first = _codes(service.draw(program, "excellent", _params(), actors.coordinator))
    again = _codes(service.draw(program, "excellent", _params(), actors.coordinator))
    assert first == again
    rows = service.inspections_of(program, "excellent")
    assert _codes(rows) == first
    by_code = {i.application.anon_code: i for i in rows}
    # ranks 3 and 4 sit next to the cut line (cut 3, N 1): chosen by rule, with the detail
    for app in apps[2:4]:
        assert "near_cut" in by_code[app.anon_code].sample_rule.split(",")
        assert "入库线" in by_code[app.anon_code].sample_detail
    assert all(i.sample_seed == "s1" for i in rows)
    # every prefecture with candidates is represented
    assert {i.application.prefecture.name for i in rows} == {"郑州市", "洛阳市", "开封市", "新乡市"}
    # checklist from the rubric file
    assert [it.code for it in rows[0].items] == [
        "maturity", "nc_rate", "equipment", "safety_env", "finance",
    ]  # fmt: skip
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.action == "inspection.draw").order_by(AuditEvent.id)
    ).scalars().all()[-1]  # fmt: skip
    assert event.after["seed"] == "s1"


def test_redraw_refused_once_work_has_started(world):
    actors, apps = world
    program = current_program()
    rows = service.draw(program, "excellent", _params(), actors.coordinator)
    inspector = f.user("inspector", prefecture="许昌市")
    service.set_inspectors(rows[0], [inspector.id], actors.coordinator)
    with pytest.raises(DomainError, match="不能重新抽取"):
        service.draw(program, "excellent", _params(seed="other"), actors.coordinator)


def test_manual_add_and_remove_need_reasons_and_keep_the_manual_one_on_redraw(world):
    actors, apps = world
    program = current_program()
    with pytest.raises(InvalidInput, match="理由"):
        service.add_manual(apps[0], " ", actors.coordinator)
    manual = service.add_manual(apps[0], "群众举报数据不实", actors.coordinator)
    assert manual.sample_rule == "manual"
    with pytest.raises(DomainError, match="已在抽查名单"):
        service.add_manual(apps[0], "再次", actors.coordinator)
    service.draw(program, "excellent", _params(random_per_prefecture=0, near_cut=0),
                 actors.coordinator)  # fmt: skip
    assert db.session.get(Inspection, manual.id) is not None
    with pytest.raises(PermissionDenied):
        service.add_manual(apps[1], "理由", actors.inspector)
    service.remove(manual, "误选", actors.coordinator)
    assert db.session.get(Inspection, manual.id) is None


def test_inspector_from_the_same_prefecture_is_refused(world):
    actors, apps = world
    inspection = service.add_manual(apps[0], "抽查", actors.coordinator)  # 郑州市
    local = f.user("inspector", prefecture="郑州市")
    other = f.user("inspector", prefecture="洛阳市")
    with pytest.raises(DomainError, match="回避"):
        service.set_inspectors(inspection, [local.id, other.id], actors.coordinator)
    assert inspection.inspectors == []
    service.set_inspectors(inspection, [other.id], actors.coordinator)
    assert [i.user_id for i in inspection.inspectors] == [other.id]
    with pytest.raises(InvalidInput):
        service.set_inspectors(inspection, [actors.coordinator.id], actors.coordinator)


def _assigned(world):
    actors, apps = world
    inspection = service.add_manual(apps[0], "抽查", actors.coordinator)
    inspector = f.user("inspector", prefecture="洛阳市")
    service.set_inspectors(inspection, [inspector.id], actors.coordinator)
    return inspection, inspector


def test_findings_need_a_note_unless_true_and_only_assigned_inspectors_record(world):
    inspection, inspector = _assigned(world)
    with pytest.raises(InvalidInput, match="须写明情况"):
        service.record_item(inspection, "finance", "mostly_true", "", inspector)
    with pytest.raises(InvalidInput):
        service.record_item(inspection, "finance", "maybe", "", inspector)
    stranger = f.user("inspector", prefecture="开封市")
    with pytest.raises(PermissionDenied):
        service.record_item(inspection, "finance", "true", "", stranger)
    item = service.record_item(
        inspection, "finance", "mostly_true", "利润率与审计报告不符", inspector
    )
    assert (item.finding, item.note) == ("mostly_true", "利润率与审计报告不符")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.jpg", PNG, "扩展名与内容不符"),
        ("virus.exe", b"MZ\x90\x00" + b"\x00" * 40, "不是 JPG"),
        ("empty.png", b"", "是空的"),
        ("huge.pdf", b"%PDF-" + b"0" * service.MAX_EVIDENCE_BYTES, "超过10MB"),
        ("IMG_0001.HEIC", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40, "HEIC"),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_stored(world, name, data, message):
    inspection, inspector = _assigned(world)
    with pytest.raises(InvalidInput, match=message):
        service.add_evidence(inspection, "equipment", service.Upload(name, data), inspector)
    assert db.session.scalar(select(func.count(EvidenceFile.id))) == 0


def test_good_evidence_is_stored_with_hash_and_a_safe_name(world):
    inspection, inspector = _assigned(world)
    stored = service.add_evidence(
        inspection, "equipment", service.Upload("../../etc/现场照片.png", PNG), inspector
    )
    pdf = service.add_evidence(
        inspection, "finance", service.Upload("审计报告.PDF", PDF), inspector
    )
    assert stored.filename == "现场照片.png" and stored.content_type == "image/png"
    assert pdf.content_type == "application/pdf" and len(stored.sha256) == 64
    service.remove_evidence(stored, inspector)
    assert db.session.get(EvidenceFile, stored.id) is None


def _all_items(inspection, inspector, finding="true", note=""):
    for item in inspection.items:
        service.record_item(inspection, item.code, finding, note, inspector)


def test_verdict_needs_every_item_and_cannot_be_milder_than_an_item(world):
    inspection, inspector = _assigned(world)
    with pytest.raises(InvalidInput, match="尚未填写"):
        service.record_verdict(inspection, "true", 0, "", inspector)
    _all_items(inspection, inspector)
    service.record_item(inspection, "nc_rate", "untrue", "数控化率虚报", inspector)
    with pytest.raises(InvalidInput, match="不能是基本属实"):
        service.record_verdict(inspection, "mostly_true", 2, "说明", inspector)
    assert inspection.application.state == "scored"


@pytest.mark.parametrize("deduction", ["0", "-1", "5.01", "abc"])
def test_mostly_true_needs_a_deduction_within_the_rubric_bound(world, deduction):
    inspection, inspector = _assigned(world)
    _all_items(inspection, inspector)
    with pytest.raises(InvalidInput, match="扣分"):
        service.record_verdict(inspection, "mostly_true", deduction, "部分不符", inspector)
    assert inspection.verdict is None


def test_verdict_moves_the_application_and_freezes_the_record(world):
    inspection, inspector = _assigned(world)
    _all_items(inspection, inspector)
    service.record_item(inspection, "finance", "mostly_true", "收入口径不一致", inspector)
    service.record_verdict(inspection, "mostly_true", "2.5", "总体基本属实", inspector)
    assert inspection.application.state == "spot_inspected"
    assert float(inspection.deduction) == 2.5 and inspection.completed_by_id == inspector.id
    with pytest.raises(DomainError, match="不能再修改"):
        service.record_item(inspection, "finance", "true", "", inspector)
    actions = db.session.execute(
        select(AuditEvent.action).where(AuditEvent.object_id == str(inspection.application_id))
    ).scalars().all()  # fmt: skip
    assert "inspection.verdict" in actions and "application.record_inspection" in actions


@pytest.mark.parametrize("raw", ["sNaN", "NaN", "Infinity", "1e309", "1e-400", "٣", "", " "])
def test_a_hostile_deduction_is_refused(raw):
    from types import SimpleNamespace

    from review_app.errors import InvalidInput
    from review_app.inspection.service import _deduction

    settings = SimpleNamespace(deduction_mostly_true="points", max_deduction=5.0)
    with pytest.raises(InvalidInput):
        _deduction("mostly_true", raw, settings)
    assert _deduction("mostly_true", "２．５", settings) == 2.5
