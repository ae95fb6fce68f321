"""审批结果推送 delivery at scale (issue 14 "Reliability"), on PostgreSQL.

100,000 decisions (``BENCH_LICENCES_N``) of 食品经营许可, half approved with a licence
in the registry, half refused, each pushed to 卫健委, whose system (``Endpoint``) is a
local HTTP server in a process of its own (stdlib ``ThreadingHTTPServer``: checks the
HMAC signature and its timestamp, records the delivery id and the time it took the
request, answers 200). The cases and licences are written in bulk (``INSERT … SELECT generate_series`` copying
two cases made through the case services); the pushes are made by the real
``services.push_decision`` — the ResultPush row, the liaison's inbox notification, the
``deliver_push`` delivery and its task row — inside one transaction per batch of
``BENCH_LICENCES_BATCH`` decisions (default 10; 1 is a transaction per decision). The
bench notes the commit time of each batch; the system notes when it took each push.

1. **Live.** Two real ``manage.py run_worker`` processes (``BENCH_LICENCES_WORKERS``)
   are started first and deliver while the N decisions are made. Printed: the
   producer's decisions/s, ms per ``push_decision`` and statements per decision;
   pushes/s delivered from the first commit to the last push taken (the producer's
   pace when the workers keep up) and the workers' CPU per push; latency from commit to
   taken: p50, p95, max. Target: p95 ≤ 60 s.
2. **Backlog.** The workers stopped (the department's system unreachable, or the
   workers down), ``BENCH_LICENCES_BACKLOG`` more decisions (default N/10, at most
   10,000) are pushed in batches of 100, then two workers are started again. Printed:
   pushes/s drained (first → last taken, and from the workers' start), their CPU per
   push, and the wait. Target: ≥ 50 pushes/s with two workers.

Then what is left: every push taken once (duplicates on the wire counted), with a valid
signature, ``delivered_at`` set, every push delivery done, none dead; the exit status
is 1 if any is missing. The targets are argued in docs/tasks.md ("What the benchmark
measured"): a county decides a few hundred cases a day, so what matters is that a push
waits seconds when the workers keep up, and that a backlog drains in minutes.

Uses its own database (``--db``, default ``govhall_bench_licences``; dropped and
recreated, dropped again at the end unless ``--keep``) on the server of
``BENCH_POSTGRES`` or ``DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432);
the project's own databases are never touched. Skipped without PostgreSQL.

    BENCH_LICENCES_N=5000 .venv/bin/python bench/bench_licences.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import scratch
from report import pct, verdict

ROOT = Path(__file__).resolve().parent.parent
PG_DB = "govhall_bench_licences"
SECRET = "bench-secret-0123456789abcdef"
TARGET_P95_S = 60  # live: commit → taken by the department's system
TARGET_DRAIN = 50  # backlog: pushes/s drained by two workers

RECEIVER = r"""
import hashlib, hmac, http.server, json, signal, sys, threading, time
port_file, out_file, secret = sys.argv[1], sys.argv[2], sys.argv[3].encode()
lock = threading.Lock()
taken = {}      # delivery id -> time first taken
wire = {}       # delivery id -> requests
bad = [0]

class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        at = time.time()
        delivery = self.headers.get("X-Govhall-Delivery") or ""
        stamp = self.headers.get("X-Govhall-Timestamp") or ""
        mac = hmac.new(secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest("sha256=" + mac, self.headers.get("X-Govhall-Signature") or "")
        ok = ok and stamp.isdigit() and abs(at - int(stamp)) <= 300
        with lock:
            wire[delivery] = wire.get(delivery, 0) + 1
            if ok:
                taken.setdefault(delivery, at)
            else:
                bad[0] += 1
        self.send_response(200 if ok else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

server = Server(("127.0.0.1", 0), Handler)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *a: stop.set())
threading.Thread(target=server.serve_forever, daemon=True).start()
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os; os.replace(port_file + ".tmp", port_file)
stop.wait()
server.shutdown()
with lock:
    json.dump({"taken": taken, "wire": wire, "bad": bad[0]}, open(out_file, "w"))
"""


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "govhall.settings"
    os.environ.setdefault("DEBUG", "false")
    os.environ["GOVHALL_TASK_BACKEND"] = "db"  # as in production
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", verbosity=0, interactive=False)


# --------------------------------------------------------------------------- the data


def _templates(hall):
    """One approved and certified case (licence entered) and one refused, through the
    case services: the rows the bulk copies are made of."""
    from govhall.cases import services as case_services
    from govhall.testing import factories

    s = hall.staff

    def act(case, action, actor, **inputs):
        return case_services.transition(
            action=action, actor=actor, case=case, expected_version=case.version, **inputs
        )

    made = []
    for n, result in enumerate(("approved", "denied")):
        case = factories.window_case(hall, applicant=factories.person(n + 1, "模板申请人"))
        case = act(case, "accept", s.clerk.user)
        case = act(case, "review", s.market_chief.user, opinion="符合")
        if result == "approved":
            case = act(case, "decide", s.market_chief.user, result="approved", opinion="同意")
            case = act(case, "certify", s.market_chief.user, result_number="JYTEMPLATE")
        else:
            case = act(
                case,
                "decide",
                s.market_chief.user,
                result="denied",
                opinion="不予许可",
                reason="经营场所与住宅未有效隔离，不符合《食品经营许可管理办法》第十一条",
            )
        made.append(case)
    return made


def _bulk_cases(n: int, approved, denied) -> list[int]:
    """``n`` decided cases copied from the two templates (every other one approved,
    with its licence in the registry); their ids in order."""
    from django.db import connection

    from govhall.cases.models import Case
    from govhall.licences.models import Licence

    varying = {
        "number": "'BL' || lpad(g::text, 8, '0')",
        "applicant_name": "'申请人' || g",
        "result_number": "CASE WHEN t.result = 'approved' THEN 'JY' || lpad(g::text, 8, '0') "
        "ELSE '' END",
    }
    columns = [f.column for f in Case._meta.concrete_fields if f.column != "id"]
    values = [varying.get(c, f't."{c}"') for c in columns]
    licence = Licence.objects.get(case=approved)
    lcols = [f.column for f in Licence._meta.concrete_fields if f.column != "id"]
    lvaring = {
        "case_id": "c.id",
        "number": "c.result_number",
        "holder_name": "c.applicant_name",
        "identifier": "l.identifier || '.' || c.id",
    }
    lvalues = [lvaring.get(c, f'l."{c}"') for c in lcols]
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO cases_case ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in columns)}) "
            f"SELECT {', '.join(values)} FROM generate_series(1, %s) AS g "
            f"JOIN cases_case t ON t.id = CASE WHEN g %% 2 = 1 THEN %s ELSE %s END ORDER BY g",
            [n, approved.pk, denied.pk],
        )
        cur.execute(
            f"INSERT INTO licences_licence ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in lcols)}) "
            f"SELECT {', '.join(lvalues)} FROM cases_case c JOIN licences_licence l "
            f"ON l.id = %s WHERE c.number LIKE 'BL%%' AND c.result = 'approved' ORDER BY c.id",
            [licence.pk],
        )
        cur.execute("ANALYZE cases_case")
        cur.execute("ANALYZE licences_licence")
    return list(
        Case.objects.filter(number__startswith="BL").order_by("pk").values_list("pk", flat=True)
    )


# --------------------------------------------------------------------------- processes


def _receiver(tmp: Path) -> tuple[subprocess.Popen, str, Path]:
    port_file, out_file = tmp / "port", tmp / "taken.json"
    proc = subprocess.Popen(
        [sys.executable, "-c", RECEIVER, str(port_file), str(out_file), SECRET],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while not port_file.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the receiver did not start")
        time.sleep(0.05)
    return proc, f"http://127.0.0.1:{port_file.read_text()}/pushes", out_file


def _workers(url: str, count: int) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "GOVHALL_TASK_BACKEND": "db",
        "DEBUG": "false",
    }
    command = [scratch.PY, str(ROOT / "manage.py"), "run_worker", "--no-startup-delay",
               "--interval", "0.05", "--verbosity", "0"]  # fmt: skip
    return [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        for _ in range(count)
    ]


def _wait_connected(db: str, count: int) -> None:
    """Until ``count`` other sessions (the workers) are connected to ``db``."""
    from django.db import connection

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [db],
            )
            if cur.fetchone()[0] >= count:
                return
        time.sleep(0.1)
    raise RuntimeError("the workers did not connect")


def _stop(procs) -> float:
    """SIGTERM each, wait for it; their CPU seconds."""
    cpu = 0.0
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
    for p in procs:
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        cpu += usage.ru_utime + usage.ru_stime
    return cpu


# --------------------------------------------------------------------------- the run


def _produce(ids: list[int], batch: int) -> tuple[dict[int, float], float, float, float]:
    """Push every case of ``ids`` through ``services.push_decision``, ``batch``
    decisions a transaction; the commit time of each case's push, the wall and CPU
    seconds spent, and statements per decision (of the first 200)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from govhall.cases.models import Case
    from govhall.licences import services
    from govhall.licences.models import Licence

    committed: dict[int, float] = {}
    statements = 0.0
    wall = cpu = 0.0
    chunk = max(batch, 500)  # read this many cases at once, outside the transactions
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        cases = list(
            Case.objects.filter(pk__in=part)
            .select_related("item", "item_version", "department")
            .order_by("pk")
        )
        licences = {lic.case_id: lic for lic in Licence.objects.filter(case_id__in=part)}
        for b in range(0, len(cases), batch):
            group = cases[b : b + batch]
            measure = start == 0 and b < 200
            ctx = CaptureQueriesContext(connection) if measure else None
            t0, c0 = time.perf_counter(), time.process_time()
            if ctx is not None:
                ctx.__enter__()
            with transaction.atomic():
                for case in group:
                    services.push_decision(case=case, licence=licences.get(case.pk))
            at = time.time()
            if ctx is not None:
                ctx.__exit__(None, None, None)
                statements += sum(
                    1 for q in ctx.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")
                )
            wall += time.perf_counter() - t0
            cpu += time.process_time() - c0
            for case in group:
                committed[case.pk] = at
    return committed, wall, cpu, statements / min(200, len(ids))


def _wait_delivered(total: int) -> int:
    """Until ``total`` pushes have ``delivered_at`` (or a generous time-out)."""
    from govhall.licences.models import ResultPush

    deadline = time.monotonic() + max(900, total / 10)
    delivered = 0
    while time.monotonic() < deadline:
        delivered = ResultPush.objects.filter(delivered_at__isnull=False).count()
        if delivered >= total:
            break
        time.sleep(0.5)
    return delivered


def _print_latency(label: str, latencies: list[float], target: float | None) -> bool:
    if not latencies:
        print(f"  {label}: nothing taken")
        return False
    latencies = sorted(latencies)
    p50, p95 = pct(latencies, 50), pct(latencies, 95)
    ok = target is None or p95 <= target
    goal = f" (p95 <= {target:.0f} s: {verdict(ok)})" if target is not None else ""
    print(f"  {label}: p50 {p50:.2f} s, p95 {p95:.2f} s, max {latencies[-1]:.2f} s{goal}")
    return ok


def run(url: str, db: str, n: int, batch: int, workers: int, backlog: int) -> bool:
    from django.db import connections
    from django.db.models import Count

    from govhall.core import clock
    from govhall.core.models import TaskDelivery
    from govhall.licences import services
    from govhall.licences.models import ItemLinkage, ResultPush
    from govhall.testing import factories

    load0 = os.getloadavg()
    with clock.frozen(dt.datetime(2026, 11, 23, 9)):
        hall = factories.build_hall("market_item")
        linkage = ItemLinkage.objects.create(
            item=hall.market_item,
            licence_name="食品经营许可证",
            type_code="11100000000013338W001",
            validity_months=60,
        )
        linkage.supervisors.add(hall.health)
        approved, denied = _templates(hall)
    t0 = time.perf_counter()
    ids = _bulk_cases(n + backlog, approved, denied)
    live_ids, backlog_ids = ids[:n], ids[n:]
    print(f"  {len(ids):,} decided cases (every other one with its licence) written "
          f"in bulk in {time.perf_counter() - t0:.1f} s")  # fmt: skip

    tmp = Path(tempfile.mkdtemp(prefix="bench_licences_"))
    receiver, endpoint, out_file = _receiver(tmp)
    services.set_endpoint(actor=hall.root, department=hall.health, url=endpoint, secret=SECRET)
    procs: list[subprocess.Popen] = []
    try:
        # 1. live: the workers run while the decisions are made
        procs = _workers(url, workers)
        _wait_connected(db, workers)
        time.sleep(1.0)  # past their first (empty) claim
        p0 = time.perf_counter()
        committed, wall, cpu, statements = _produce(live_ids, batch)
        produced = time.perf_counter() - p0
        per = "decision" if batch == 1 else f"batch of {batch} decisions"
        print(f"  1. live, {n:,} decisions made while {workers} run_worker processes deliver")
        print(f"     producer: {n / produced:,.1f} decisions/s (one transaction per {per}); "
              f"push_decision {wall / n * 1000:.2f} ms wall, {cpu / n * 1000:.2f} ms CPU each; "
              f"{statements:.1f} statements per decision")  # fmt: skip
        _wait_delivered(n)
        live_cpu = _stop(procs)
        procs = []
        # 2. backlog: the workers stopped (the department's system unreachable, say),
        # decisions made, then the workers started again
        drain_committed: dict[int, float] = {}
        if backlog:
            drain_committed, *_ = _produce(backlog_ids, 100)
            connections.close_all()
            d0 = time.time()
            procs = _workers(url, workers)
            _wait_delivered(n + backlog)
            drain_cpu = _stop(procs)
            procs = []
        connections.close_all()
    finally:
        _stop(procs)
        _stop([receiver])
    load1 = os.getloadavg()
    got = json.loads(out_file.read_text())
    taken = got["taken"]
    pushes = dict(ResultPush.objects.filter(by_webhook=True).values_list("delivery_id", "case_id"))
    live = {d: c for d, c in pushes.items() if c in committed}
    live_taken = [taken[d] for d in live if d in taken]
    first_commit = min(committed.values())
    span = max(live_taken) - first_commit if live_taken else 0
    rate = len(live_taken) / span if span > 0 else 0.0
    print(f"     delivered {rate:,.1f} pushes/s, first commit → last taken ({len(live_taken):,} "
          f"in {span:.1f} s: as fast as they were made, or the workers' limit); worker CPU "
          f"{live_cpu / max(len(live_taken), 1) * 1000:.2f} ms a push")  # fmt: skip
    ok_p95 = _print_latency(
        "     commit → taken by the system",
        [taken[d] - committed[c] for d, c in live.items() if d in taken],
        TARGET_P95_S,
    )
    ok_drain = True
    if backlog:
        drained = {d: c for d, c in pushes.items() if c in drain_committed}
        drained_taken = sorted(taken[d] for d in drained if d in taken)
        inner = drained_taken[-1] - drained_taken[0] if len(drained_taken) > 1 else 0
        whole = drained_taken[-1] - d0 if drained_taken else 0
        drain_rate = (len(drained_taken) - 1) / inner if inner > 0 else 0.0
        ok_drain = drain_rate >= TARGET_DRAIN
        print(f"  2. backlog, {backlog:,} pushes queued with the workers stopped, then "
              f"{workers} run_worker processes started")  # fmt: skip
        print(f"     drained {drain_rate:,.1f} pushes/s first → last taken "
              f"(>= {TARGET_DRAIN}/s: {verdict(ok_drain)}), {len(drained_taken) / whole if whole else 0:,.1f}/s "
              f"from the workers' start ({whole:.1f} s); worker CPU "
              f"{drain_cpu / max(len(drained_taken), 1) * 1000:.2f} ms a push (start-up included)")  # fmt: skip
        _print_latency(
            "     commit → taken (the wait for the drain)",
            [taken[d] - drain_committed[c] for d, c in drained.items() if d in taken],
            None,
        )
    duplicates = sum(1 for d, k in got["wire"].items() if k > 1 and d in pushes)
    states = dict(
        TaskDelivery.objects.filter(delivery_id__startswith="licences:push:")
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    others = dict(
        TaskDelivery.objects.exclude(delivery_id__startswith="licences:push:")
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    not_delivered = ResultPush.objects.filter(by_webhook=True, delivered_at__isnull=True).count()
    got_all = sum(1 for d in pushes if d in taken)
    print(f"  left: {got_all:,} of {len(pushes):,} pushes taken by the system, {duplicates} "
          f"sent more than once, {got['bad']} bad signatures, {not_delivered} without "
          f"delivered_at; push deliveries {states}; other tasks {others}")  # fmt: skip
    print(f"  load average {load0[0]:.2f} at the start, {load1[0]:.2f} at the end "
          f"({os.cpu_count()} cores, shared)")  # fmt: skip
    complete = (
        got_all == len(pushes) == n + backlog
        and not_delivered == 0
        and states == {"done": n + backlog}
        and got["bad"] == 0
    )
    if not complete:
        print("  INCOMPLETE: some pushes were not delivered")
    elif ok_p95 and ok_drain:
        print("  every push delivered once; targets met")
    return complete


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=PG_DB, help="scratch database (dropped)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    n = int(os.environ.get("BENCH_LICENCES_N") or 100_000)
    batch = int(os.environ.get("BENCH_LICENCES_BATCH") or 10)
    workers = int(os.environ.get("BENCH_LICENCES_WORKERS") or 2)
    backlog = os.environ.get("BENCH_LICENCES_BACKLOG")
    backlog = int(backlog) if backlog else min(10_000, max(1, n // 10))
    server = scratch.server_url()
    if not scratch.reachable(server, "the push benchmark"):
        return 0
    url = scratch.recreate(server, args.db)
    if url is None:
        return 0
    try:
        _setup(url)
        print(f"\n[{args.db}] postgresql, {os.cpu_count()} cores, {n:,} decisions, "
              f"{workers} workers")  # fmt: skip
        return 0 if run(url, args.db, n, batch, workers, backlog) else 1
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            scratch.drop(server, args.db)


if __name__ == "__main__":
    sys.exit(main())
