"""Scratch PostgreSQL databases for the benchmarks: created fresh, dropped after, so a
benchmark never touches the project's own databases.

Either empty (:func:`recreate`) or, for a benchmark that needs a large table, cloned
from a template database (:func:`clone_template`): filled once by a piece of SQL, kept
under a name that carries a digest of what the rows depend on, then copied by
``CREATE DATABASE … TEMPLATE`` in seconds instead of filled again in a minute."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
if not Path(PY).exists():
    PY = sys.executable


def with_db(url: str, name: str) -> str:
    """``url`` with the database ``name`` in place of its own."""
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def server_url() -> str:
    """The server of ``BENCH_POSTGRES`` or ``DATABASE_URL`` (default
    postgres://postgres@127.0.0.1:5432), as a URL to its ``postgres`` database: the
    benchmarks name their own databases on it."""
    url = os.environ.get("BENCH_POSTGRES") or os.environ.get("DATABASE_URL") or ""
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return with_db(url, "postgres")


def reachable(server: str, what: str) -> bool:
    """Whether ``server`` answers; if not, says that ``what`` is skipped (a benchmark
    without PostgreSQL is skipped, not failed)."""
    import psycopg

    try:
        psycopg.connect(server, connect_timeout=3).close()
    except Exception as exc:  # noqa: BLE001 - any failure to connect skips the benchmark
        print(f"  PostgreSQL not reachable ({exc}); {what} skipped")
        return False
    return True


def recreate(server: str, db: str) -> str | None:
    """Drop and create the scratch database ``db`` on ``server`` (a URL to its
    ``postgres`` database); its URL, or None if the server does not answer."""
    import psycopg

    try:
        with psycopg.connect(server, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {db}")
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable ({exc}); skipped")
        return None
    return with_db(server, db)


def drop(server: str, db: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def run_code(code: str, env: dict, *args: str) -> str:
    """Run ``code`` in the project's Python (its own process: its own Django set-up and
    ``DATABASE_URL``) with ``args`` as its argv; the last line it printed."""
    out = subprocess.run([PY, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return out.stdout.strip().splitlines()[-1]


def template_key(rows: int, sql: str, build: str, args: Sequence[str] = ()) -> str:
    """Digest of what the filled database depends on: migrations, packages, the SQL,
    the code that runs it and what it is given."""
    digest = hashlib.sha256("\n".join([str(rows), *args, sql, build]).encode())
    # every app's migrations, the nested ones too (govhall/feedback/ratings/migrations)
    files = sorted(ROOT.glob("govhall/**/migrations/*.py")) + [ROOT / "requirements.txt"]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def clone_template(
    server: str,
    *,
    prefix: str,
    db: str,
    rows: int,
    sql: str,
    build: str,
    args: Sequence[str] = (),
    rebuild: bool = False,
) -> str:
    """Clone the template ``<prefix><key>`` (:func:`template_key`) into the scratch
    database ``db`` (dropped first) on ``server``; returns ``db``'s URL.

    Without that template (or with ``rebuild``) every database named ``<prefix>…`` (an
    older key) is dropped and the template built: ``build``, Python code run with
    ``DATABASE_URL`` the new database and argv ``rows sql *args``, migrates it, runs
    ``sql`` and prints a JSON line with its ``insert_s``. It is built under another name
    and renamed when done, so an interrupted build is never cloned."""
    import psycopg

    template = prefix + template_key(rows, sql, build, args)
    with psycopg.connect(server, autocommit=True, connect_timeout=3) as conn:
        names = {
            r[0]
            for r in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                [prefix.replace("_", r"\_") + "%"],
            )
        }
        if rebuild or template not in names:
            building = template + "_building"
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{building}"')
            print(f"  building {template} ({rows:,} cases, once per migration state) …")
            started = time.perf_counter()
            env = {**os.environ, "DATABASE_URL": with_db(server, building), "DEBUG": "false"}
            done = json.loads(run_code(build, env, str(rows), sql, *args))
            conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
            print(f"  built in {time.perf_counter() - started:.0f}s (INSERT {done['insert_s']}s)")
        started = time.perf_counter()
        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{db}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        print(f"  {db}: cloned from {template} in {time.perf_counter() - started:.1f}s")
    return with_db(server, db)
