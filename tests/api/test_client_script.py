"""The issue's end-to-end check: ``examples/api_client.py``, using only ``requests`` and tokens
against the app on a real HTTP server, lists a prefecture's applications, endorses one, reads
the confirmed ranking, receives the signed webhook for the change, and with an expert's token
sees only the anonymised sections of its own assignments."""

import importlib.util
import socket
import threading
import time
from dataclasses import replace
from pathlib import Path

from review_app.applications.models import Application
from review_app.decision import service as decision
from review_app.extensions import db
from review_app.programs.service import current_program
from review_app.webhooks import service as webhooks
from tests import factories as f

from .helpers import token_for

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "api_client.py"


def _script():
    spec = importlib.util.spec_from_file_location("api_client", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_example_client_does_the_whole_round(app, live_server, capsys, monkeypatch):
    actors = f.Actors()
    experts, scored = None, []
    for i, fraction in enumerate((0.9, 0.8, 0.7)):
        a = f.application(pref="郑州市", name=f"接口测试{i}智能制造有限公司")
        experts = f.scored(a, actors, fraction, experts)
        f.confirm_sections(a)
        scored.append(a)
    program = current_program()
    params = replace(decision.default_params(program, "excellent"), capacity=2)
    decision.confirm(decision.stage(program, "excellent", params, actors.coordinator),
                     actors.coordinator)  # fmt: skip
    waiting = f.application(pref="郑州市", name="待推荐接口测试装备有限公司")
    port, secret = _free_port(), "webhook-secret-for-the-test-1234"
    # The receiver runs on this machine: loopback is refused unless allow-listed.
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOWED_HOSTS", ("127.0.0.1",))
    webhooks.register(f"http://127.0.0.1:{port}/", secret, "接口测试", actors.coordinator)
    expert = experts[-1]
    tokens = {
        "prefecture": token_for(actors.officer("郑州市")),
        "coordinator": token_for(actors.coordinator, "read"),
        "expert": token_for(expert.user, "read"),
    }
    db.session.commit()

    result = {}
    args = ["--base", live_server, "--prefecture-token", tokens["prefecture"],
            "--coordinator-token", tokens["coordinator"], "--expert-token", tokens["expert"],
            "--webhook-port", str(port), "--webhook-secret", secret, "--webhook-wait", "30"]  # fmt: skip
    thread = threading.Thread(target=lambda: result.update(code=_script().main(args)))
    thread.start()
    for _ in range(200):  # the worker's periodic task delivers once the change is committed
        db.session.expire_all()
        if db.session.get(Application, waiting.id).state == "prefecture_endorsed":
            break
        time.sleep(0.05)
    assert webhooks.deliver_due()["sent"] == 1
    thread.join(60)
    out = capsys.readouterr().out
    assert result.get("code") == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("1 本地市待推荐的申报 1 份") and waiting.anon_code in lines[0]
    assert lines[1].startswith(f"2 已推荐 {waiting.anon_code}：地市已推荐")
    assert "入库 2 家" in lines[2] and scored[0].anon_code in lines[2]
    assert lines[3] == (f"4 收到 Webhook：{waiting.anon_code} submitted → prefecture_endorsed，"
                        "签名有效")  # fmt: skip
    assert lines[4].startswith("5 专家的评审任务") and lines[4].endswith("申报列表：403")
    for a in scored + [waiting]:
        assert a.enterprise.name not in lines[4]
