"""The review-app commands: init (idempotent reference data), user create, demo."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import NoSuchModuleError

from review_app.auth.models import User
from review_app.cli import main
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
    root = Path(__file__).resolve().parents[1] / "rubrics"
    for name in ("excellent-2026.toml", "leading-2026.toml"):
        result = runner.invoke(args=["rubric", "check", str(root / name)])
        assert result.exit_code == 0, result.output
        assert "权重合计100" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text('[meta]\nprogram = "x"\n', encoding="utf-8")
    result = runner.invoke(args=["rubric", "check", str(bad)])
    assert result.exit_code == 2 and "bad.toml: meta.track" in result.output


# --- The command as the README shows it: no environment for file commands, no tracebacks -------

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = Path(sys.executable).with_name("review-app")


def _run(args, **env):
    """The real console script (``python -m review_app.cli`` where it is not installed) with
    only the given environment: no SECRET_KEY, no DATABASE_URL, production mode."""
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "review_app.cli"]
    environment = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(  # noqa: S603
        [*command, *args], env=environment, cwd=ROOT, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


def test_file_commands_run_with_no_environment_at_all(tmp_path):
    blank = tmp_path / "空白申报书.docx"
    made = _run(["template", "--track", "excellent", "-o", str(blank)])
    assert made.returncode == 0, made.stderr
    assert "已生成空白申报书" in made.stdout and blank.stat().st_size > 0
    parsed = _run(["parse", str(blank)])
    assert parsed.returncode == 0, parsed.stderr
    assert "problems" in json.loads(parsed.stdout)
    redacted = _run(["redact", str(blank)])
    assert redacted.returncode == 0, redacted.stderr
    assert json.loads(redacted.stdout)["leaks"] == []
    rubric = _run(["rubric", "check", str(ROOT / "rubrics" / "excellent-2026.toml")])
    assert rubric.returncode == 0 and "权重合计100" in rubric.stdout, rubric.stderr
    for result in (made, parsed, redacted, rubric):
        assert "SECRET_KEY" not in result.stderr and "Traceback" not in result.stderr


def test_commands_on_data_still_need_the_configuration():
    bare = {"REVIEW_APP_ENV": None, "SECRET_KEY": None, "DATABASE_URL": None}
    init = CliRunner().invoke(main, ["init"], env=bare)
    assert init.exit_code == 2 and "生产模式必须设置 SECRET_KEY" in init.output
    listed = CliRunner().invoke(main, ["--help"], env=bare)
    assert listed.exit_code == 0 and "parse" in listed.output and "rubric" in listed.output


@pytest.mark.parametrize("command", [["simulate"], ["parse"], ["user", "create"], ["audit"]])
def test_a_command_s_help_is_its_usage_not_an_internal_error(command):
    shown = CliRunner().invoke(main, [*command, "--help"], env=_env("sqlite://"))
    assert shown.exit_code == 0, shown.output
    assert "Usage:" in shown.output and "内部错误" not in shown.output


def test_an_unreachable_database_is_one_chinese_line_through_the_real_script():
    result = _run(["audit", "verify"], REVIEW_APP_ENV="development", SECRET_KEY="x",
                  DATABASE_URL="postgresql+psycopg://postgres:s3cret-pw@127.0.0.1:1/x")  # fmt: skip
    assert result.returncode == 2
    assert "无法连接数据库" in result.stderr and "127.0.0.1" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout and "s3cret-pw" not in result.stderr
    shown = CliRunner().invoke(main, ["--traceback", "audit", "verify"], env=_env("foo://x"))
    assert isinstance(shown.exception, NoSuchModuleError)  # the operator can still ask for it


@pytest.fixture(scope="module")
def initialised_file(tmp_path_factory):
    """An SQLite database built by ``review-app init``, to open read-only."""
    path = tmp_path_factory.mktemp("ro") / "review.sqlite3"
    result = CliRunner().invoke(main, ["init"], env=_env(f"sqlite:///{path}"))
    assert result.exit_code == 0, result.output
    return path


def _env(url: str) -> dict:
    return {"REVIEW_APP_ENV": "development", "SECRET_KEY": "cli-test", "DATABASE_URL": url,
            "REVIEW_APP_TODAY": None}  # fmt: skip


def _broken_databases(tmp_path, initialised, command):
    if command == "init":  # an empty file that the schema cannot be written to
        initialised = tmp_path / "empty.sqlite3"
        sqlite3.connect(initialised).close()
    read_only = f"sqlite:///file:{initialised}?mode=ro&uri=true"
    cases = {
        "missing file": (f"sqlite:///{tmp_path}/no/such/dir/db.sqlite3", "无法打开数据库文件"),
        "wrong port": ("postgresql+psycopg://postgres:pw-x@127.0.0.1:1/x", "无法连接数据库"),
        "mysql": ("mysql://root:pw-x@127.0.0.1/review", "不支持的数据库地址：mysql"),
        "unknown scheme": ("foo://bar", "不支持的数据库地址：foo"),
        "not a URL": ("not a url", "数据库地址无效"),
        "read-only": (read_only, "数据库只读"),
    }
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    if test_url.startswith("postgresql"):
        missing = make_url(test_url).set(database="wt_no_such_database")
        cases["missing database"] = (missing.render_as_string(False), "数据库不存在")
    return cases


@pytest.mark.parametrize(
    "args",
    [["init"], ["audit", "verify"],
     ["user", "create", "--username", "cli01", "--role", "admin", "--password", "Secret123!x"]],
)  # fmt: skip
def test_database_faults_exit_2_with_a_chinese_message(args, tmp_path, initialised_file):
    for name, (url, message) in _broken_databases(tmp_path, initialised_file, args[0]).items():
        if name == "read-only" and args[0] == "audit":
            message = "审计链完整"  # reading works on a read-only file
        result = CliRunner().invoke(main, args, env=_env(url))
        assert result.exit_code == (0 if message == "审计链完整" else 2), (name, result.output)
        assert message in result.output, (name, result.output)
        assert isinstance(result.exception, SystemExit | None), (name, result.exception)
        assert "pw-x" not in result.output


def test_an_empty_database_asks_for_init(tmp_path):
    for args in (["audit", "verify"], ["user", "create", "--username", "cli01", "--role",
                                       "admin", "--password", "Secret123!x"]):  # fmt: skip
        result = CliRunner().invoke(main, args, env=_env(f"sqlite:///{tmp_path}/empty.sqlite3"))
        assert result.exit_code == 2, result.output
        assert "数据库尚未初始化：请先运行 review-app init" in result.output


def test_an_unexpected_error_is_short_and_exits_1(monkeypatch, tmp_path):
    def boom():
        raise RuntimeError("something odd")

    monkeypatch.setattr("review_app.audit.service.verify", boom)
    result = CliRunner().invoke(main, ["audit", "verify"], env=_env(f"sqlite:///{tmp_path}/e"))
    assert result.exit_code == 1 and "内部错误（RuntimeError：something odd）" in result.output
