"""``review-app redact FILE.docx``."""

import json

from ..intake.conftest import docx_for, valid_sample


def _run(runner, tmp_path, parsed, *extra):
    path = tmp_path / "申报书.docx"
    path.write_bytes(docx_for(parsed))
    result = runner.invoke(args=["redact", str(path), *extra])
    return result, json.loads(result.output[result.output.index("{") :])


def test_redact_prints_sections_and_replacements_and_exits_0(app, runner, tmp_path):
    parsed = valid_sample(name="河南伊川精锻股份有限公司")
    parsed.sections["link.factory"] = (
        "河南伊川精锻股份有限公司（以下简称“伊川精锻”）由总经理张建国负责，MES覆盖率100%。"
        "产品以“龙腾牌”锻件为主。"
    )
    result, out = _run(runner, tmp_path, parsed, "--term", "龙腾牌")
    assert result.exit_code == 0, result.output
    assert out["code"].startswith("ZY-26-") and len(out["code"]) == 10
    text = out["sections"]["link.factory"]
    for secret in ("伊川精锻", "张建国", "龙腾牌"):
        assert secret not in text
    assert "MES覆盖率100%" in text
    originals = {(r["section"], r["original"]) for r in out["replacements"]}
    assert ("link.factory", "张建国") in originals
    assert out["leaks"] == []


def test_redact_exits_1_when_a_leak_remains(app, runner, tmp_path, monkeypatch):
    from review_app.anonymise import redact
    from review_app.anonymise.redaction_types import Redaction

    # Simulate a redaction that misses everything: the scan must catch it and fail the command.
    monkeypatch.setattr(
        redact,
        "redact_sections",
        lambda sections, identity: {k: Redaction(v) for k, v in sections.items()},
    )
    parsed = valid_sample(name="河南伊川精锻股份有限公司")
    parsed.sections["link.rnd"] = "河南伊川精锻股份有限公司建成了协同研发平台。"
    result, out = _run(runner, tmp_path, parsed)
    assert result.exit_code == 1
    assert any(leak["kind"] == "enterprise" for leak in out["leaks"])


def test_redact_unreadable_file_exits_2(app, runner, tmp_path):
    path = tmp_path / "x.docx"
    path.write_bytes(b"nope")
    result = runner.invoke(args=["redact", str(path)])
    assert result.exit_code == 2 and "错误" in result.output
