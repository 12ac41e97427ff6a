"""Issue 22.4 in a real browser: the inspector on a factory floor without signal. The page comes
from the service worker's cache, two items and a photo are saved into the phone's queue
(IndexedDB) with a "未同步 N 项" badge, and when the connection returns the queue is sent and
the database holds both items and the photo, once."""

from sqlalchemy import func, select

from review_app.audit.models import AuditEvent
from review_app.extensions import db
from review_app.inspection import service as inspection_service
from review_app.inspection.models import ChecklistSave, EvidenceFile, Inspection, InspectionItem

from .. import factories as f
from ..conftest import AFTER_DEADLINE
from .test_journeys import fresh, tiny_png

try:
    from playwright.sync_api import expect
except ImportError:  # the folder's conftest skips these tests
    expect = None

PHOTOS = "证明材料（照片或 PDF，单个不超过 10MB）"
OFFLINE_ERRORS = ("ERR_INTERNET_DISCONNECTED", "Failed to load resource")


def _counts():
    db.session.expire_all()
    return [db.session.scalar(select(func.count(m.id)))
            for m in (AuditEvent, EvidenceFile, ChecklistSave)]  # fmt: skip


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def works_offline(j, page, inspection_id: int, name: str) -> int:
    """The inspector signed in on ``page`` (a phone) opens the inspection of ``name`` (its
    items empty), loses the signal, saves two items and a photo into the queue, and when the
    signal returns the queue is sent once."""
    png = tiny_png()
    page.goto(f"/inspections/{inspection_id}")
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    # the service worker controls the page and the page is kept on the phone
    # (functions, not expression strings: the page's CSP forbids eval, which polling one uses)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function("() => caches.match(location.pathname).then((r) => !!r)")
    j.shot(page, "online")

    context = page.context
    context.set_offline(True)
    before = _counts()
    # without signal the page still opens (from the service worker's cache)
    page.reload()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(page.locator("#offline-note")).to_be_visible()

    first = page.locator("#item-maturity")
    first.get_by_label("属实", exact=True).check()
    first.get_by_role("button", name="保存本项").click()
    expect(page.locator("#sync-badge")).to_have_text("未同步 1 项")
    second = page.locator("#item-equipment")
    second.get_by_label("基本属实", exact=True).check()
    second.get_by_label("情况说明").fill("两台设备未联网")
    second.get_by_label(PHOTOS).set_input_files(
        {"name": "车间照片.png", "mimeType": "image/png", "buffer": png}
    )
    second.get_by_role("button", name="保存本项").click()
    expect(page.locator("#sync-badge")).to_have_text("未同步 2 项")
    expect(second.locator(".queued")).to_have_text("待同步的照片：车间照片.png")
    expect(second.get_by_label(PHOTOS)).to_have_value("")
    j.errors[:] = [e for e in j.errors if not any(m in e for m in OFFLINE_ERRORS)]
    j.shot(page, "queued-offline")
    assert _counts() == before  # nothing reached the server

    context.set_offline(False)  # the signal returns: the queue is sent, the page reloads
    expect(page.locator("#item-equipment").get_by_role("link", name="车间照片.png")).to_be_visible()
    expect(page.locator("#sync-badge")).to_be_hidden()
    expect(page.locator("#item-maturity h3 .tag")).to_have_text("属实")
    expect(page.locator("#item-equipment h3 .tag")).to_have_text("基本属实")
    expect(page.locator("#item-equipment textarea")).to_have_value("两台设备未联网")
    j.errors[:] = [e for e in j.errors if not any(m in e for m in OFFLINE_ERRORS)]
    j.shot(page, "synced")

    found = {i.code: (i.finding, i.note) for i in fresh(Inspection, inspection_id).items}
    assert found["maturity"] == ("true", "")
    assert found["equipment"] == ("mostly_true", "两台设备未联网")
    assert found["finance"] == (None, "")
    evidence = db.session.execute(
        select(EvidenceFile).join(InspectionItem)
        .where(InspectionItem.inspection_id == inspection_id)
    ).scalar_one()  # fmt: skip
    assert evidence.filename == "车间照片.png" and evidence.data == png
    assert evidence.item.code == "equipment"
    # two queued saves, each accepted once: 2 items + 1 photo audited, 2 save ids kept
    assert _counts() == [before[0] + 3, before[1] + 1, before[2] + 2]
    # the queue on the phone is empty
    left = page.evaluate("""() => new Promise(function (resolve) {
        var r = indexedDB.open("inspection-queue", 1);
        r.onsuccess = function () {
            var q = r.result.transaction("saves").objectStore("saves").count();
            q.onsuccess = function () { resolve(q.result); };
        };
    })""")
    return left  # saves still queued on the phone


def test_inspector_saves_without_signal_and_the_queue_syncs_once(journey, app):
    actors = f.Actors()
    name = "郑州离线核查浏览器测试有限公司"
    application = f.application(name=name, pref="郑州市")
    f.scored(application, actors, 0.8)
    app.config["FROZEN_NOW"] = AFTER_DEADLINE
    inspection = inspection_service.add_manual(application, "现场核对", actors.coordinator)
    inspector = f.user("inspector", "insp-off", prefecture="洛阳市", display_name="离线核查员")
    inspection_service.set_inspectors(inspection, [inspector.id], actors.coordinator)
    db.session.commit()

    j = journey("inspector-offline")
    assert works_offline(j, j.login("insp-off", **PHONE), inspection.id, name) == 0  # all sent
