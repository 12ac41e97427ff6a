"""``review-app simulate``: the whole pipeline headless on its own database."""

import json

import docx
import openpyxl
from click.testing import CliRunner

from review_app.cli import main


def test_simulate_runs_the_pipeline_and_leaves_a_chain_that_verifies(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["simulate", "--applications", "14", "--experts", "60", "--seed", "3", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[result.output.index("{") :])
    assert summary == json.loads((out / "summary.json").read_text(encoding="utf-8")) | {
        "database": summary["database"]
    }
    # every application decided, no track over capacity
    assert set(summary["states"]) <= {"admitted", "rejected"}
    assert sum(summary["states"].values()) == 14
    admitted = summary["admitted"]
    assert admitted["leading"] <= 5 and admitted["excellent"] <= 100
    assert admitted["excellent"] + admitted["leading"] == summary["states"].get("admitted", 0)
    assert summary["audit"]["ok"] is True and summary["audit"]["events"] > 14
    # after the decision: 公示 periods in working days, objections (one upheld), 递补
    periods = summary["publicity"]
    assert periods and {p["track"] for p in periods} <= {"excellent", "leading"}
    for p in periods:
        assert p["start"] <= p["end"] and p["working_days"] == 5
    assert summary["objections"] == {"received": 3, "accepted": 2, "upheld": 1}
    assert summary["backfilled"] in (0, 1)
    assert summary["revoked_then_rejected"] == 1
    assert set(summary["seconds"]) >= {"intake", "scoring", "inspection", "decision", "meeting"}
    # 会议评审: the 领航级 application defended in a meeting, scored whole by the experts present
    meeting = summary["meeting"]
    assert meeting["meetings"] == 1 and meeting["slots"] == 1
    assert 3 <= meeting["attended"] <= 9 and meeting["reviews"] >= 3 * 13  # 13 scored sections
    assert set(summary["cpu_seconds"]) == set(summary["seconds"]) - {"audit_verify"}
    assert summary["quota_factor"] == 1  # 13 卓越级 fit the province's quotas
    assert 0 <= summary["true_top_admitted"]["excellent"]["raw"] <= 1
    # 雷同检测: the planted copies (across prefectures, from an earlier year) are found
    similar = summary["similarity"]
    assert similar["planted"] >= 3 and similar["found"] == similar["planted"]
    assert similar["false_pairs"] == 0
    # the exports open and hold the applications
    ranking = openpyxl.load_workbook(out / "卓越级智能工厂培育评审排名.xlsx").active
    codes = [
        c.value for row in ranking.iter_rows() for c in row if str(c.value).startswith("ZY-26")
    ]
    assert len(codes) == 14 - 1  # one application is 领航级 at this size
    letters = [name for name in summary["files"] if name.startswith("结果通知/")]
    assert letters
    text = "\n".join(p.text for p in docx.Document(out / letters[0]).paragraphs)
    assert "评审结果" in text
    # the panel's record: every 专家组意见 signed, sheets signed, the archive verified
    panel = summary["panel"]
    assert panel["opinions_signed"] > 14 and panel["signed_sheets"] > 0
    assert panel["thread_posts"] <= summary["dispersion_flags"]
    assert 0 < panel["signed_with_objections"] <= panel["objections"]
    assert panel["signed_with_objections"] <= panel["opinions_signed"]
    # the archive holds what came after the decision: 审定, 公示, objections, 正式发文
    archived = json.loads((out / "归档" / "manifest.json").read_text(encoding="utf-8"))
    paths = [f["path"] for f in archived["files"]]
    for folder in ("/审定/", "/公示/", "/异议/", "/申报材料/"):
        assert any(folder in p for p in paths), folder
    assert any(p.startswith("正式发文/") and p.endswith(".docx") for p in paths)
    # and each 会议评审's record: the seed its order was drawn with, the slots, who signed in
    met = [json.loads((out / "归档" / p).read_bytes()) for p in paths if "/会议评审/" in p]
    assert len(met) == meeting["meetings"]
    assert len(met[0]["slots"]) == meeting["slots"] and met[0]["seed"]
    assert len(met[0]["attendance"]) == meeting["attended"]
    kept = [json.loads((out / "归档" / p).read_bytes()) for p in paths
            if "/专家组意见/" in p and p.endswith(".json")]  # fmt: skip
    assert sum(o["status"] == "组长已签发" for o in kept) == panel["opinions_signed"]
    objected = [o for o in kept if any(a["stance"] == "object" for a in o["answers"])]
    assert len(objected) == panel["signed_with_objections"]
    assert summary["archive"]["verified"] is True and summary["archive"]["files"] > 14
    report = docx.Document(out / "卓越级智能工厂培育评审决定报告.docx")
    cells = [c.text for t in report.tables for row in t.rows for c in row.cells]
    assert any("投入产出量化不足" in c for c in cells)
    # the same database verifies with the audit command
    verify = CliRunner(env={"DATABASE_URL": summary["database"], "REVIEW_APP_ENV": "development",
                            "SECRET_KEY": "x"}).invoke(main, ["audit", "verify"])  # fmt: skip
    assert verify.exit_code == 0, verify.output
    assert "审计链完整" in verify.output
    # the simulated archive verifies against that database; one byte altered is named
    env = {"DATABASE_URL": summary["database"], "REVIEW_APP_ENV": "development", "SECRET_KEY": "x"}
    root = out / "归档"
    checked = CliRunner(env=env).invoke(main, ["archive", "verify", str(root)])
    assert checked.exit_code == 0 and "审计链头与数据库一致" in checked.output, checked.output
    victim = next(p for p in paths if "/异议/" in p)
    data = bytearray((root / victim).read_bytes())
    data[0] ^= 0x01
    (root / victim).write_bytes(bytes(data))
    altered = CliRunner(env=env).invoke(main, ["archive", "verify", str(root)])
    assert altered.exit_code == 1 and victim in altered.output and "改动" in altered.output


def test_simulate_refuses_too_few_experts(tmp_path):
    result = CliRunner().invoke(main, ["simulate", "--experts", "5", "--out", str(tmp_path)])
    assert result.exit_code == 2
    assert "至少需要" in result.output
