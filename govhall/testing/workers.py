"""What the tests with a real worker process share (the SIGKILL tests of
``core.tasks`` and of the 审批结果推送): the database the subprocess opens and its
environment. On SQLite the test database lives in memory, so it is copied (migrated,
with what the test wrote) to a file both processes open; on PostgreSQL the subprocess
opens the test database itself."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import connection

BASE_DIR = Path(settings.BASE_DIR)


def database_url(tmp_path: Path, *, filename: str = "worker.sqlite3") -> str:
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / filename
        target = sqlite3.connect(path)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}"
    user = params.get("USER") or "postgres"
    host = params.get("HOST") or "127.0.0.1"
    return f"postgres://{user}@{host}:{params.get('PORT') or 5432}/{params['NAME']}"


def worker_env(tmp_path: Path, *, filename: str = "worker.sqlite3", **extra: str) -> dict:
    """The subprocess's environment: this one without its GOVHALL_/DATABASE_
    variables, on the database of :func:`database_url` with the database task
    backend, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVHALL_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="govhall.settings",
        DATABASE_URL=database_url(tmp_path, filename=filename),
        GOVHALL_TASK_BACKEND="db",
        GOVHALL_SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def run_python(code: str, *args: str, env: dict, timeout: int = 60) -> str:
    """Runs ``code`` in a new interpreter with ``env``; its stdout (it must succeed)."""
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout
