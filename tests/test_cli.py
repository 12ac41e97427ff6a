"""The review-app commands: init (idempotent reference data), user create, demo."""

from sqlalchemy import func, select

from review_app.auth.models import User
from review_app.extensions import db
from review_app.programs.models import Prefecture, Program, ProgramQuota


def test_init_loads_reference_data_idempotently(app, runner):
    first = runner.invoke(args=["init"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["init"])
    assert second.exit_code == 0
    assert "新增地市0个" in second.output
    assert db.session.scalar(select(func.count(Prefecture.id))) == 19
    program = db.session.execute(select(Program)).scalar_one()
    assert str(program.deadline) == "2026-03-27"
    assert {t.code: t.capacity for t in program.tracks} == {"excellent": 100, "leading": 5}
    quotas = db.session.execute(select(ProgramQuota)).scalars().all()
    assert sum(q.quota for q in quotas) == 200
    by_name = {q.prefecture.name: q.quota for q in quotas}
    assert by_name["郑州市"] == 27 and by_name["济源示范区"] == 4 and by_name["航空港区"] == 11


def test_init_restores_a_changed_quota(app, runner):
    quota = db.session.execute(
        select(ProgramQuota).join(Prefecture).where(Prefecture.name == "洛阳市")
    ).scalar_one()
    quota.quota = 99
    db.session.commit()
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0
    db.session.refresh(quota)
    assert quota.quota == 22
    assert "更新名额1项" in result.output


def test_user_create_for_a_prefecture(app, runner):
    result = runner.invoke(
        args=["user", "create", "--username", "ly01", "--role", "prefecture",
              "--prefecture", "洛阳市", "--password", "Secret123!"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    user = db.session.execute(select(User).where(User.username == "ly01")).scalar_one()
    assert user.role == "prefecture" and user.prefecture.name == "洛阳市"
    assert user.check_password("Secret123!")


def test_user_create_refusals_exit_2_with_chinese_message(app, runner):
    cases = [
        (["--role", "prefecture"], "须指定所属地市"),
        (["--role", "prefecture", "--prefecture", "北京市"], "未知地市"),
        (["--role", "wizard"], "角色无效"),
        (["--role", "expert", "--prefecture", "洛阳市"], "只有地市主管部门和实地核查人员账号"),
    ]
    for extra, message in cases:
        result = runner.invoke(
            args=["user", "create", "--username", "bad01", "--password", "Secret123!", *extra]
        )
        assert result.exit_code == 2, (extra, result.output)
        assert message in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_user_create_short_password_refused(app, runner):
    result = runner.invoke(
        args=["user", "create", "--username", "c01", "--role", "coordinator", "--password", "short"]
    )
    assert result.exit_code == 2
    assert "密码至少" in result.output


def test_duplicate_username_refused(app, runner):
    args = ["user", "create", "--username", "dup01", "--role", "admin", "--password", "Secret123!"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code == 2 and "已存在" in again.output


def test_demo_builds_every_role_and_several_states(app, runner):
    result = runner.invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "Demo@2026" in result.output
    roles = set(db.session.execute(select(User.role)).scalars())
    assert roles == {"coordinator", "prefecture", "expert", "inspector", "applicant", "admin"}
    from review_app.applications.models import Application

    states = set(db.session.execute(select(Application.state)).scalars())
    assert {"submitted", "prefecture_endorsed", "format_checked", "expert_assigned", "scored",
            "spot_inspected", "returned", "withdrawn", "rejected"} <= states  # fmt: skip
    again = runner.invoke(args=["demo", "--no-serve"])
    assert again.exit_code == 0 and "已存在" in again.output
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0


def test_rubric_check(app, runner, tmp_path):
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "rubrics"
    for name in ("excellent-2026.toml", "leading-2026.toml"):
        result = runner.invoke(args=["rubric", "check", str(root / name)])
        assert result.exit_code == 0, result.output
        assert "权重合计100" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text('[meta]\nprogram = "x"\n', encoding="utf-8")
    result = runner.invoke(args=["rubric", "check", str(bad)])
    assert result.exit_code == 2 and "bad.toml: meta.track" in result.output
