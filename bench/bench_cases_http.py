"""HTTP benchmarks with a real server and real HTTP clients (issue 9 §3).

1. **The case list** (``GET /api/v1/cases``, first page of 50) of a department chief
   whose department holds 50,000 of 1,000,000 cases, on PostgreSQL, served by the
   production server (gunicorn, 2 workers, ``DEBUG`` off, as ``make run``): 1 user, then
   16 users at once (processes with ``http.client``, one signed-in session each, the
   connection kept open where the server allows it), then the same for the staff inbox
   page (待办, ``/staff/cases/inbox/``) and, as the framework's ceiling, a view that
   touches no database (``/favicon.ico``). Prints p50/p95, requests/s, the server's CPU
   per request (gunicorn workers + PostgreSQL backends, from /proc: steadier than the
   wall clock on a shared machine) and whether the targets are met (p50 <= 20 ms with
   one user, >= 100 requests/s with 16).

   The 1,000,000 cases are made by one ``INSERT … SELECT generate_series`` into a
   template database, ``govhall_bench_list_tpl_<key>``, where the key is a digest of
   every migration file, requirements.txt and the generating SQL: built once (about a
   minute), then each run clones it (``CREATE DATABASE … TEMPLATE``, a few seconds)
   into the scratch database ``govhall_bench_list`` (dropped and re-created). A new
   migration makes a new key; older templates are dropped. ``--rebuild`` forces it.
   (``scratch.clone_template`` does it, as for bench_supervision.py.)

2. **The case flow** 收件 (POST /api/v1/cases) → 受理 → 审查 → 决定 → 制证 → 送达 → 办结,
   each a request to ``runserver --noreload`` (its own SQLite file, its own port),
   signed in with a session (CSRF header): requests/s, p50/p95, the server's peak memory.

    .venv/bin/python bench/bench_cases_http.py              # both
    .venv/bin/python bench/bench_cases_http.py list [--rows 1000000] [--seconds 10]
    .venv/bin/python bench/bench_cases_http.py flow [--cases 40] [--threads 4] [--postgres URL]

The PostgreSQL server is the one of ``BENCH_POSTGRES`` or ``DATABASE_URL`` (default
postgres://postgres@127.0.0.1:5432); its own databases are never touched. Without a
reachable PostgreSQL the list part is skipped.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookiejar
import json
import multiprocessing
import os
import resource
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

import scratch
from report import pct as _pct
from report import verdict as _verdict
from scratch import PY, ROOT

GUNICORN = str(Path(PY).with_name("gunicorn"))

# --------------------------------------------------------------------------- 1. the list

LIST_DB = "govhall_bench_list"
TEMPLATE_PREFIX = "govhall_bench_list_tpl_"
PASSWORD = "govhall-test"  # of govhall.testing.factories.make_staff
TARGET_P50_MS = 20
TARGET_RPS_16 = 100
API = "/api/v1/cases"
INBOX = "/staff/cases/"  # 待办 (cases:inbox)

# 1 case in 20 is the chief's department (50,000 of 1,000,000); the other 19 share the
# rest. Received over the last ~3 years, one every 90 s, the newest last: those of the
# last 40 days are open (不到 1 in 10 submitted, without a deadline yet), the older ones
# closed (办结, some 不予受理/撤回/不予许可), each accepted case with its 办结期限.
GENERATE_SQL = """
INSERT INTO cases_case (
  number, item_id, item_version_id, department_id, centre_id, channel,
  applicant_kind, applicant_name, applicant_id_number, applicant_phone, applicant_address,
  agent_name, agent_id_number, agent_phone, power_of_attorney,
  state, version, current_step, responsible_id, received_at, materials_received_on,
  accepted_at, accepted_on, limit_days, due_date, yellow_from, paused_days, clock_paused,
  extension_days, deadline_provisional, deemed_accepted_s32, child_failed,
  result, result_reason, result_number, delivery_method, tracking_number,
  decided_at, completed_at, closed_at)
SELECT
  'B' || lpad(g::text, 9, '0'), %(item)s, %(version)s,
  (%(depts)s::bigint[])[1 + g %% 20], %(centre)s,
  (ARRAY['window', 'online', 'window', 'kiosk', 'township'])[1 + g %% 5],
  CASE WHEN g %% 7 = 0 THEN 'organisation' ELSE 'person' END,
  CASE WHEN g %% 7 = 0 THEN '基准商贸有限公司' || g ELSE '申请人' || g END,
  '15062619850312' || lpad((g %% 10000)::text, 4, '0'),
  '139' || lpad((g %% 100000000)::text, 8, '0'), '测试县某街道' || (g %% 300) || '号',
  '', '', '', '',
  s.state, 3, 1, CASE WHEN g %% 20 = 0 THEN %(chief)s END, r, r::date,
  CASE WHEN s.state <> 'submitted' THEN r END, CASE WHEN s.state <> 'submitted' THEN r::date END,
  20, CASE WHEN s.state <> 'submitted' THEN r::date + 28 END,
  CASE WHEN s.state <> 'submitted' THEN r::date + 24 END,
  0, s.state = 'in_review' AND g %% 53 = 0, 0, false, false, false,
  CASE WHEN s.state = 'completed' THEN (CASE WHEN g %% 31 = 0 THEN 'denied' ELSE 'approved' END)
       ELSE '' END,
  '', CASE WHEN s.state = 'completed' THEN 'ZS' || g ELSE '' END,
  CASE WHEN s.state = 'completed' THEN 'window' ELSE '' END, '',
  CASE WHEN s.state IN ('completed', 'decided', 'certified') THEN r + interval '15 days' END,
  CASE WHEN s.state = 'completed' THEN r + interval '20 days' END,
  CASE WHEN s.state IN ('completed', 'refused_acceptance', 'withdrawn') THEN r + interval '20 days'
  END
FROM generate_series(1, %(rows)s) AS g,
     LATERAL (SELECT %(now)s::timestamptz - (%(rows)s - g) * interval '90 seconds' AS r) AS t,
     LATERAL (SELECT CASE
        WHEN r > %(now)s::timestamptz - interval '40 days' THEN
          (ARRAY['submitted', 'in_review', 'in_review', 'in_review', 'awaiting_correction',
                 'in_review', 'decided', 'certified', 'in_review', 'delivered', 'in_review',
                 'special_step'])[1 + g %% 12]
        WHEN g %% 97 = 0 THEN 'refused_acceptance'
        WHEN g %% 89 = 0 THEN 'withdrawn'
        ELSE 'completed' END AS state) AS s
"""

BUILD = r"""
import datetime as dt, json, os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from govhall.core import clock
from govhall.org.models import Department, Stationing
from govhall.testing import factories
call_command("migrate", verbosity=0, interactive=False)
county = factories.build_county()
departments = [county.market, county.health]
for i in range(18):
    d = Department.objects.create(code=factories.make_uscc(900 + i), name=f"基准局{i}")
    Stationing.objects.create(centre=county.county, department=d, since=dt.date(2024, 1, 1))
    departments.append(d)
# the chief's department is departments[0]: 1 + g % 20 == 1 when g % 20 == 0
started = time.perf_counter()
with connection.cursor() as cur:
    cur.execute(sys.argv[2], {
        "item": county.market_item.pk,
        "version": county.market_item.versions.get().pk,
        "depts": [d.pk for d in departments],
        "centre": county.county.pk,
        "chief": county.staff.market_chief.pk,
        "rows": int(sys.argv[1]),
        "now": clock.now(),
    })
inserted = time.perf_counter() - started
with connection.cursor() as cur:  # outside a transaction: VACUUM sets the visibility map
    cur.execute("VACUUM ANALYZE")
print(json.dumps({"insert_s": round(inserted, 1)}))
"""

TOKEN = r"""
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
import django
django.setup()
from django.contrib.auth import get_user_model
from govhall.org import services
from govhall.org.models import Staff
chief = Staff.objects.select_related("department").get(user__username="market_chief")
_, token = services.create_api_client(
    actor=get_user_model().objects.get(username="root"), name="基准系统", access="read",
    scope="department", acting_staff=chief, department=chief.department)
print(token)
"""


def _cpu_s(pid: int) -> float:
    """utime + stime of one process, seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return found


class ServerCpu:
    """CPU seconds of the gunicorn workers and of the PostgreSQL backends serving them."""

    def __init__(self, master: int, db_url: str):
        self.master, self.db_url = master, db_url

    def pids(self) -> tuple[list[int], list[int]]:
        import psycopg

        with psycopg.connect(scratch.with_db(self.db_url, "postgres"), autocommit=True) as conn:
            backends = [
                r[0]
                for r in conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [LIST_DB]
                )
            ]
        return _children(self.master), backends

    def sample(self) -> tuple[float, float]:
        workers, backends = self.pids()
        return sum(map(_cpu_s, workers)), sum(map(_cpu_s, backends))


def _wait_for(url: str, *, tries: int) -> None:
    """Until ``url`` answers (the server just started is up), ``tries`` times at most,
    0.1 s apart; then the benchmark goes on and its first request tells."""
    for _ in range(tries):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)


def _login(base: str) -> str:
    """A new session of the department chief through the sign-in page; its cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/staff/login/").read()
    csrf = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode(
        {"username": "market_chief", "password": PASSWORD, "csrfmiddlewaretoken": csrf}
    ).encode()
    req = urllib.request.Request(base + "/staff/login/", data=data)
    req.add_header("Referer", base + "/staff/login/")
    opener.open(req).read()
    session = next((c.value for c in jar if c.name == "sessionid"), None)
    if session is None:
        raise RuntimeError("sign-in failed: no session cookie")
    return f"sessionid={session}; csrftoken={csrf}"


def _get(conn: http.client.HTTPConnection, path: str, headers: dict) -> tuple[int, bytes]:
    for attempt in (1, 2):  # a closed keep-alive connection is re-opened once
        try:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            return resp.status, resp.read()
        except (http.client.HTTPException, ConnectionError):
            conn.close()
            if attempt == 2:
                raise
    raise AssertionError


def _client(port, path, headers, start, seconds, count, out) -> None:
    """One user: requests one after the other on one connection, until ``seconds``
    have passed (or ``count`` requests are done); puts (latencies, errors)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.time() < start:
        time.sleep(0.001)
    latencies, errors = [], []
    end = start + seconds
    while time.time() < end and (count is None or len(latencies) < count):
        t = time.perf_counter()
        status, body = _get(conn, path, headers)
        latencies.append(time.perf_counter() - t)
        if status != 200:
            errors.append((status, body[:200]))
    conn.close()
    out.put((latencies, errors))


def measure(port, path, headers_list, *, seconds, count=None, cpu: ServerCpu | None = None):
    """``len(headers_list)`` users at once (one process each): requests/s, p50, p95."""
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    start = time.time() + 0.5
    procs = [
        ctx.Process(target=_client, args=(port, path, h, start, seconds, count, out))
        for h in headers_list
    ]
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    for p in procs:
        p.start()
    before = cpu.sample() if cpu else (0.0, 0.0)
    results = [out.get() for _ in procs]
    elapsed = time.time() - start
    after = cpu.sample() if cpu else (0.0, 0.0)
    for p in procs:
        p.join()
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_s = done.ru_utime + done.ru_stime - children.ru_utime - children.ru_stime
    latencies = [x for lat, _ in results for x in lat]
    errors = [e for _, err in results for e in err]
    n = len(latencies)
    return {
        "n": n,
        "rps": n / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": _pct(latencies, 95) * 1000,
        "app_ms": (after[0] - before[0]) / n * 1000 if cpu else None,
        "db_ms": (after[1] - before[1]) / n * 1000 if cpu else None,
        "client_ms": client_s / n * 1000,
        "errors": errors,
    }


def _line(label: str, r: dict, target: str = "") -> str:
    cpu = ""
    if r["app_ms"] is not None:
        cpu = (
            f"  CPU/request: app {r['app_ms']:.1f} ms + PostgreSQL {r['db_ms']:.1f} ms"
            f" (+ client {r['client_ms']:.1f} ms)"
        )
    return (
        f"  {label:<36}p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  "
        f"{r['rps']:7.1f} requests/s{cpu}{target}"
    )


def list_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_cases_http.py list")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10, help="of each 16-user run")
    parser.add_argument("--single", type=int, default=300, help="requests of the 1-user run")
    parser.add_argument("--port", type=int, default=8105)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rebuild", action="store_true", help="rebuild the template")
    parser.add_argument("--keep", action="store_true", help="keep the server for a look")
    parser.add_argument(
        "--server-root",
        default=str(ROOT),
        help="serve from another checkout (a git worktree of an older commit, to compare)",
    )
    args = parser.parse_args(argv)
    url = scratch.server_url()
    if not scratch.reachable(url, "list benchmark"):
        return 0
    db_url = scratch.clone_template(
        url,
        prefix=TEMPLATE_PREFIX,
        db=LIST_DB,
        rows=args.rows,
        sql=GENERATE_SQL,
        build=BUILD,
        rebuild=args.rebuild,
    )
    tmp = tempfile.mkdtemp(prefix="govhall_bench_list_")
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MEDIA_ROOT": f"{tmp}/media",
    }
    token = scratch.run_code(TOKEN, env)
    # the command of `make run` (Procfile "web"), with its access log
    server = subprocess.Popen(
        [GUNICORN, "govhall.wsgi", "--bind", f"127.0.0.1:{args.port}"]
        + ["--workers", str(args.workers), "--timeout", "120", "--access-logfile", "-"],
        cwd=args.server_root,
        env=env,
        stdout=open(f"{tmp}/access.log", "w"),  # noqa: SIM115
        stderr=open(f"{tmp}/server.log", "w"),  # noqa: SIM115
    )
    base = f"http://127.0.0.1:{args.port}"
    try:
        _wait_for(base + "/favicon.ico", tries=300)
        sessions = [_login(base) for _ in range(16)]
        headers = [{"Cookie": c, "Accept": "application/json"} for c in sessions]
        api = API
        status, body = _get(http.client.HTTPConnection("127.0.0.1", args.port), api, headers[0])
        if status != 200:
            print(f"  {api}: HTTP {status} {body[:300]!r}")
            return 1
        first = json.loads(body)
        shown = {k: v for k, v in first.items() if k not in ("results", "next", "previous")}
        print(f"  chief's {api}: {len(first['results'])} rows, {shown}")
        cpu = ServerCpu(server.pid, url)
        # warm both workers (imports, prepared statements, the working-day copy)
        measure(args.port, api, headers, seconds=2, cpu=None)
        measure(args.port, INBOX, headers, seconds=2, cpu=None)
        results = {}
        results["api1"] = measure(
            args.port, api, headers[:1], seconds=60, count=args.single, cpu=cpu
        )
        results["api16"] = measure(args.port, api, headers, seconds=args.seconds, cpu=cpu)
        bearer = [{"Authorization": f"Bearer {token}", "Accept": "application/json"}]
        results["token1"] = measure(
            args.port, api, bearer, seconds=60, count=args.single // 2, cpu=cpu
        )
        inbox = INBOX
        results["inbox1"] = measure(
            args.port, inbox, headers[:1], seconds=60, count=args.single // 2, cpu=cpu
        )
        results["inbox16"] = measure(args.port, inbox, headers, seconds=args.seconds / 2, cpu=cpu)
        results["ceiling"] = measure(
            args.port, "/favicon.ico", [{}] * 16, seconds=args.seconds / 2, cpu=cpu
        )
        if args.keep:
            print(f"  server kept at {base} (pid {server.pid}); Ctrl-C to stop")
            server.wait()
    finally:
        server.terminate()
        server.wait(timeout=20)
    r = results
    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  {args.workers} gunicorn workers, DEBUG off, PostgreSQL {LIST_DB}; clients: processes")
    print(f"  load average (1/5/15 min) {load} on {os.cpu_count()} cores")
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        print("  (busier than the cores: wall-clock figures measure the neighbours too)")
    ok1 = r["api1"]["p50"] <= TARGET_P50_MS
    ok16 = r["api16"]["rps"] >= TARGET_RPS_16
    print(_line(f"{api}, 1 user", r["api1"], f"  target p50 <= {TARGET_P50_MS} ms {_verdict(ok1)}"))
    print(_line(f"{api}, 16 users", r["api16"], f"  target >= {TARGET_RPS_16}/s {_verdict(ok16)}"))
    x = r["api16"]
    per = x["app_ms"] + x["db_ms"] + x["client_ms"]
    print(f"    CPU-bound ceiling of this machine for it: {os.cpu_count()} cores / {per:.1f} ms "
          f"= {(os.cpu_count() or 1) * 1000 / per:.0f} requests/s (reached only when nothing else runs)")  # fmt: skip
    print(_line(f"{api}, 1 user, Bearer token", r["token1"]))
    print(_line("staff inbox 待办, 1 user", r["inbox1"]))
    print(_line("staff inbox 待办, 16 users", r["inbox16"]))
    print(_line("/favicon.ico (no database), 16", r["ceiling"], "  (framework ceiling)"))
    errors = [e for x in r.values() for e in x["errors"]]
    if errors:
        print(f"  errors: {len(errors)} e.g. {errors[0]}")
        return 1
    return 0


# --------------------------------------------------------------------------- 2. the flow


FLOW_SETUP = """
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


def flow_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8104)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES", ""),
        help="postgres://… of a scratch database (dropped and re-created); default SQLite",
    )
    args = parser.parse_args(argv)
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
    out = subprocess.run([PY, "-c", FLOW_SETUP], cwd=ROOT, env=env, capture_output=True, text=True)
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
        _wait_for(base + "/staff/login/", tries=100)
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


def main() -> int:
    argv = sys.argv[1:]
    parts = {"list": list_main, "flow": flow_main}
    if argv and argv[0] in parts:
        return parts[argv[0]](argv[1:])
    if argv:  # the options of the flow part, as before there were two parts
        return flow_main(argv)
    failed = 0
    for name, fn in parts.items():
        print(f"-- {name}", flush=True)
        failed |= fn([])
    return failed


if __name__ == "__main__":
    sys.exit(main())
