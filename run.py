#!/usr/bin/env python3
"""Bootstrap with nothing but Python 3.11: create .venv, install the project, then run.

    python3 run.py demo     # install, build the SQLite demo database, serve on 127.0.0.1:5000
    python3 run.py test     # install with test extras, run pytest (extra args go to pytest)
                            # on every core (pytest-xdist, one worker per file); pass -n 0
                            # (or any -n) to choose otherwise
    python3 run.py install  # only install (with test extras)

The virtual environment is reinstalled only when pyproject.toml changes.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("REVIEW_APP_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_env(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - run.py must explain itself on old Pythons
        sys.exit("需要 Python 3.11 或更高版本。")
    if not PYTHON.exists():
        print(f"创建虚拟环境 {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / ".review-app-installed"
    if stamp.exists() and stamp.read_text() == digest:
        return
    print("安装依赖（首次运行需要几分钟）…", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)  # noqa: S603
    target = f".[{extras}]" if extras else "."
    subprocess.run([*pip, "-e", target], check=True, cwd=ROOT)  # noqa: S603
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "demo"
    rest = argv[1:]
    env = dict(os.environ)
    if command == "demo":
        ensure_env("")
        env.setdefault("REVIEW_APP_ENV", "development")
        cli = BIN / "review-app"
        return subprocess.call([str(cli), "demo", *rest], cwd=ROOT, env=env)  # noqa: S603
    if command == "install":
        ensure_env("test")
        return 0
    if command == "test":
        ensure_env("test")
        if not any(arg == "-n" or arg.startswith(("-n", "--numprocesses")) for arg in rest):
            # One worker per core; a file's tests stay on one worker so module fixtures
            # (the browser, the live server, a file's shared world) are built once.
            rest = ["-n", "auto", "--dist", "loadfile", *rest]
        return subprocess.call([str(PYTHON), "-m", "pytest", *rest], cwd=ROOT, env=env)  # noqa: S603
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
