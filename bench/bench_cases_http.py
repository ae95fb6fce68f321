"""HTTP benchmark of the case flow through the API with a real server.

收件 (POST /api/v1/cases) → 受理 → 审查 → 决定 → 制证 → 送达 → 办结, each a request to
``runserver --noreload`` on 127.0.0.1 (its own SQLite file, its own port), logged in
with a session (CSRF header). Prints requests/s, p50/p95 latency and the server's
peak memory (VmHWM of the server process).

    .venv/bin/python bench/bench_cases_http.py [--cases 40] [--threads 4] [--port 8104]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
if not Path(PY).exists():
    PY = sys.executable

SETUP = """
import django, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from govhall.testing import factories
from govhall.cases.models import Case
c = factories.build_county()
v = c.market_item.versions.get()
import json
print(json.dumps({"item": c.market_item.implementation_code,
                  "materials": [m.pk for m in v.materials.all()]}))
"""


class Client:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def login(self, username: str, password: str) -> None:
        self.opener.open(self.base + "/staff/login/").read()
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": self.csrf()}
        ).encode()
        req = urllib.request.Request(self.base + "/staff/login/", data=data)
        req.add_header("Referer", self.base + "/staff/login/")
        self.opener.open(req).read()

    def post(self, path: str, body: dict, headers: dict | None = None) -> tuple[int, dict, float]:
        req = urllib.request.Request(
            self.base + path, data=json.dumps(body).encode(), method="POST"
        )
        req.add_header("Content-Type", "application/json")
        req.add_header("X-CSRFToken", self.csrf())
        req.add_header("Referer", self.base + "/")
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        start = time.perf_counter()
        try:
            with self.opener.open(req) as resp:
                status, payload = resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, json.loads(exc.read() or b"{}")
        return status, payload, time.perf_counter() - start


def id_number(serial: int) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    body = f"15062619850312{serial % 1000:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def flow(client: Client, setup: dict, serial: int, latencies: list, errors: list) -> None:
    body = {
        "item": setup["item"],
        "applicant": {
            "kind": "person",
            "name": f"压测{serial}",
            "id_number": id_number(serial),
            "phone": "13900001234",
        },
        "materials": [{"material": m} for m in setup["materials"]],
    }
    status, case, took = client.post("/api/v1/cases", body, {"Idempotency-Key": f"bench-{serial}"})
    latencies.append(took)
    if status != 201:
        errors.append((status, case))
        return
    steps = [
        ("accept", {}),
        ("review", {"opinion": "同意"}),
        ("decide", {"result": "approved", "opinion": "准予"}),
        ("certify", {"result_number": f"B{serial}"}),
        ("deliver", {"method": "window"}),
        ("complete", {}),
    ]
    for action, inputs in steps:
        status, case_new, took = client.post(
            f"/api/v1/cases/{case['number']}/{action}",
            {"expected_version": case["version"], **inputs},
        )
        latencies.append(took)
        if status != 200:
            errors.append((status, case_new))
            return
        case = case_new


def peak_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def recreate_postgres(url: str) -> None:
    import psycopg

    base, _, name = url.rpartition("/")
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES", ""),
        help="postgres://… of a scratch database (dropped and re-created); default SQLite",
    )
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="govhall_bench_cases_")
    db_url = f"sqlite:///{tmp}/bench.sqlite3"
    if args.postgres:
        recreate_postgres(args.postgres)
        db_url = args.postgres
    else:
        # SQLite upgrades read transactions to write locks and answers "database is
        # locked" to concurrent writers: one thread measures it honestly.
        args.threads = 1
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "MEDIA_ROOT": f"{tmp}/media",
        "DEBUG": "false",
    }
    out = subprocess.run([PY, "-c", SETUP], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode:
        print(out.stderr, file=sys.stderr)
        return 1
    setup = json.loads(out.stdout.strip().splitlines()[-1])
    server = subprocess.Popen(
        [PY, "manage.py", "runserver", f"127.0.0.1:{args.port}", "--noreload", "--insecure"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(f"{tmp}/server.log", "w"),  # noqa: SIM115
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/staff/login/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        latencies: list[float] = []
        errors: list = []
        per_thread = [range(i, args.cases, args.threads) for i in range(args.threads)]

        def work(serials):
            client = Client(base)
            client.login("market_chief", "govhall-test")
            for s in serials:
                flow(client, setup, s, latencies, errors)

        threads = [threading.Thread(target=work, args=(s,)) for s in per_thread]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        rss = peak_rss_kb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    lat = sorted(latencies)
    p95 = lat[int(len(lat) * 0.95) - 1] if lat else 0
    db = "PostgreSQL" if args.postgres else "SQLite"
    print(
        f"bench_cases_http ({db}): {args.cases} 件 × 7 请求 = {len(lat)} 请求，{args.threads} 线程"
    )
    print(f"  requests/s: {len(lat) / elapsed:.1f}")
    print(f"  p50: {statistics.median(lat) * 1000:.1f} ms  p95: {p95 * 1000:.1f} ms")
    print(f"  server peak RSS: {rss / 1024:.1f} MB")
    if errors:
        print(f"  errors: {len(errors)} e.g. {errors[0]}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
