"""Case benchmark (issue 3 §7, issue 9 §3), PostgreSQL only.

0. ``pgbench -N`` on the same server in the same run (a scratch pgbench database,
   ``pgbench -i -s 1``, dropped after): transactions/s with 1 and with 4 clients — what
   the database alone allows on this machine.
1. Cases through 申请 → 受理 → 审查 → 决定 → 制证 → 送达 → 办结 via the services (7
   transactions each), in one stream and in 4 worker processes (each its own
   connection). Printed: cases/s, Python CPU ms per case (process CPU time, all
   workers), statements per case, and the ratio cases/s × 7 ÷ pgbench tps (1 stream
   against ``-c 1``, 4 workers against ``-c 4``). Targets: >= 200 cases/s with 4
   workers, ratio >= 0.5 with one stream, CPU <= 8 ms per case.
2. A department's pending list (first page of 20, by urgency) and its overdue count
   among 1,000,000 generated cases (bulk-inserted rows; p50/p95 ms; targets p50 <= 30 ms
   list, <= 100 ms count).

Uses a dedicated database (``--db``, default ``govhall_bench_cases``; dropped and
recreated, dropped again at the end) on the server named by DATABASE_URL (default
postgres://postgres@127.0.0.1:5432); the database named in DATABASE_URL itself is never
touched. ``--cases N --rows N`` change the sizes (``--rows 0`` skips part 2),
``--workers 1,4`` the streams, ``--pgbench-seconds`` the length of each pgbench run (0
skips it). ``--profile N`` runs N cases under cProfile instead and prints the top
entries and each step's statements (``CaptureQueriesContext``). Connection options:

* ``--socket`` connects over the Unix socket (``?host=/var/run/postgresql``) instead of
  TCP — shorter round trips (pgbench then uses the socket too);
* prepared statements (server-side binding) are on as in settings.py unless
  ``GOVHALL_PG_PREPARE=false``.

Whatever the streams, the run ends by checking that every case got a distinct 受理编号,
the day's counter equals the number of cases, and every case is 办结 with its 7 events,
7 audit entries and 3 notices.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit, urlunsplit

import scratch
from lifecycle import life_fn as _life_fn
from report import met as _ok
from report import pct as _pct

ROOT = Path(__file__).resolve().parent.parent
PG_DB = "govhall_bench_cases"
PGBENCH_DB = "govhall_bench_pgbench"
SOCKET_DIR = "/var/run/postgresql"
RUNS = 200
STEPS = ("submit", "accept", "review", "decide", "certify", "deliver", "complete")
# Targets of issue 9 §3.
TARGET_RATE_4 = 200  # cases/s with 4 worker processes
TARGET_RATIO_1 = 0.5  # cases/s × 7 ÷ pgbench tps, one stream
TARGET_CPU_MS = 8.0  # Python CPU per case


def _server_url(*, socket: bool = False) -> str:
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(url)
    if socket:  # same user, no host:port: libpq goes through the socket directory
        user = parts.netloc.rsplit("@", 1)[0] if "@" in parts.netloc else "postgres"
        parts = parts._replace(netloc=f"{user}@", query=f"host={SOCKET_DIR}")
    return urlunsplit(parts._replace(path="/postgres"))


_recreate, _drop = scratch.recreate, scratch.drop


def _pg_url(db: str = PG_DB, *, socket: bool = False) -> str | None:
    return _recreate(_server_url(socket=socket), db)


def _setup(url: str, *, prepared: bool = False) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "govhall.settings"
    # As in production: with DEBUG every query is also formatted and logged.
    os.environ.setdefault("DEBUG", "false")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if prepared:
        from django.conf import settings

        options = settings.DATABASES["default"].setdefault("OPTIONS", {})
        options.update(server_side_binding=True, prepare_threshold=5)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --------------------------------------------------------------------------- pgbench


def _pgbench_binary() -> str | None:
    found = shutil.which("pgbench")
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"))
    return str(candidates[-1]) if candidates else None


def _libpq_args(url: str) -> list[str]:
    parts = urlsplit(url)
    host = parse_qs(parts.query).get("host", [parts.hostname or "127.0.0.1"])[0]
    args = ["-h", host, "-U", parts.username or "postgres"]
    if parts.port and not host.startswith("/"):
        args += ["-p", str(parts.port)]
    return args


def run_pgbench(server: str, clients: list[int], seconds: int) -> dict[int, float]:
    """``pgbench -N`` (TPC-B without the teller/branch updates: UPDATE, SELECT, INSERT
    per transaction) for ``seconds`` with each number of clients, on a scratch
    database (``pgbench -i -s 1``) of the same server, dropped after. tps by clients."""
    binary = _pgbench_binary()
    if binary is None or seconds <= 0:
        print("  pgbench: not found or skipped; no ratio")
        return {}
    if _recreate(server, PGBENCH_DB) is None:
        return {}
    conn = _libpq_args(server)
    result: dict[int, float] = {}
    try:
        subprocess.run(
            [binary, *conn, "-i", "-s", "1", "-q", PGBENCH_DB], check=True, capture_output=True
        )
        for c in clients:
            out = subprocess.run(
                [binary, *conn, "-N", "-c", str(c), "-j", str(c), "-T", str(seconds), PGBENCH_DB],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
            result[c] = float(match.group(1)) if match else 0.0
            print(f"  {'pgbench -N, ' + str(c) + ' client' + ('s' if c > 1 else ''):<34}"
                  f"{result[c]:>10,.0f} tps  ({seconds} s, scale 1)")  # fmt: skip
    finally:
        _drop(server, PGBENCH_DB)
    return result


# --------------------------------------------------------------------------- the case


def count_statements(life, i: int) -> dict[str, int]:
    """Statements of each step of one case (BEGIN/COMMIT not included)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts: dict[str, int] = {}

    def step(name, fn):
        with CaptureQueriesContext(connection) as ctx:
            result = fn()
        counts[name] = sum(
            1 for q in ctx.captured_queries if q["sql"] not in ("BEGIN", "COMMIT", "ROLLBACK")
        )
        return result

    life(i, step)
    return counts


def _report(label: str, n: int, took: float, cpu: float, statements: int, tps, target_rate=None):
    """One line of figures: cases/s, CPU ms/case, statements/case, ratio to pgbench."""
    rate = n / took
    cpu_ms = cpu / n * 1000
    ratio = rate * 7 / tps if tps else None
    line = f"  {label:<34}{rate:>8,.0f} cases/s"
    if target_rate is not None:
        line += f" (>= {target_rate}: {_ok(rate >= target_rate)})"
    line += f"  CPU {cpu_ms:.2f} ms/case (<= {TARGET_CPU_MS:g}: {_ok(cpu_ms <= TARGET_CPU_MS)})"
    line += f"  {statements} statements/case"
    if ratio is not None:
        line += f"  ratio {ratio:.2f} (x7 / {tps:,.0f} tps)"
    print(line + f"  [{n:,} cases, {took:.1f} s]")
    return rate, cpu_ms, ratio


def bench_single(county, n: int, first: int, tps, statements: int) -> int:
    """Single stream: one process, one connection, the cases one after the other."""
    from django.db import connection

    life = _life_fn(county)
    commits = []
    real_commit = connection.commit

    def timed_commit():
        t0 = time.perf_counter()
        real_commit()
        commits.append(time.perf_counter() - t0)

    connection.commit = timed_commit
    cpu0, t0 = time.process_time(), time.perf_counter()
    for i in range(first, first + n):
        life(i)
    took, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    del connection.commit
    rate, cpu_ms, ratio = _report("1 stream", n, took, cpu, statements, tps)
    commit_ms = sum(commits) / len(commits) * 1000 if commits else 0
    print(f"    {took / n * 1000:.1f} ms per case = 7 transactions x {took / n / 7 * 1000:.2f} ms "
          f"(COMMIT {commit_ms:.2f} ms); ratio >= {TARGET_RATIO_1}: "
          f"{_ok(ratio is not None and ratio >= TARGET_RATIO_1) if tps else 'no pgbench'}")  # fmt: skip
    return first + n


def _worker(county, first: int, count: int, barrier, results) -> None:
    """One window of the centre: its own process and connection, its share of cases."""
    from django.db import connections

    life = _life_fn(county)  # reads the item's materials on the new connection
    life(first)  # warm: the working-day copy of this process
    barrier.wait()
    t0, cpu0 = time.perf_counter(), time.process_time()
    errors = []
    for i in range(first + 1, first + count + 1):
        try:
            life(i)
        except Exception as exc:  # reported, not hidden: a deadlock or duplicate fails the run
            errors.append(f"{type(exc).__name__}: {exc}")
    results.put(
        (t0, time.perf_counter(), count, errors[:3], len(errors), time.process_time() - cpu0)
    )
    connections.close_all()


def bench_workers(county, n: int, workers: int, first: int, tps, statements: int) -> int:
    """N processes at once (fork: each inherits the frozen clock and the fixtures, then
    opens its own connection); the rate is all cases over the wall time from the common
    start to the last worker's end; CPU is the sum of the workers' process CPU."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # never share the parent's socket with the children
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    share = [n // workers + (1 if w < n % workers else 0) for w in range(workers)]
    procs = []
    for w in range(workers):
        procs.append(ctx.Process(target=_worker, args=(county, first, share[w], barrier, results)))
        first += share[w] + 1  # +1: each worker's warm-up case
    for p in procs:
        p.start()
    got = [results.get() for _ in procs]
    for p in procs:
        p.join()
    took = max(g[1] for g in got) - min(g[0] for g in got)
    failed = sum(g[4] for g in got)
    cpu = sum(g[5] for g in got)
    _report(f"{workers} worker processes", n, took, cpu, statements, tps, TARGET_RATE_4)
    print(f"    per worker {min(g[2] / (g[1] - g[0]) for g in got):,.0f}–"
          f"{max(g[2] / (g[1] - g[0]) for g in got):,.0f} cases/s; errors: {failed}; "
          f"{os.cpu_count()} CPU cores for the workers and PostgreSQL")  # fmt: skip
    for g in got:
        for message in g[3]:
            print(f"    ! {message}")
    assert failed == 0, f"{failed} case lives failed under concurrency"
    return first


def notify_share(county, n: int, first: int) -> int:
    """What enqueueing a case's notifications costs (issue 9 §3: at most 10 % of the
    case's time): ``n`` cases with ``cases.messages.enqueue_for``, ``n`` without,
    alternating in blocks, one stream. Returns the number of cases run."""
    from govhall.cases import messages

    life = _life_fn(county)
    real = messages.enqueue_for
    with_, without = [0.0, 0.0], [0.0, 0.0]
    block = max(1, n // 5)
    done = 0
    while done < n:
        for on, acc in ((True, with_), (False, without)):
            messages.enqueue_for = real if on else (lambda **kwargs: None)
            t0, cpu0 = time.perf_counter(), time.process_time()
            for i in range(first, first + block):
                life(i)
            acc[0] += time.perf_counter() - t0
            acc[1] += time.process_time() - cpu0
            first += block
        done += block
    messages.enqueue_for = real
    n = done
    statements_on = sum(count_statements(life, first).values())
    messages.enqueue_for = lambda **kwargs: None
    statements_off = sum(count_statements(life, first + 1).values())
    messages.enqueue_for = real
    share = (with_[0] - without[0]) / with_[0]
    cpu_share = (with_[1] - without[1]) / with_[1]
    print(f"  {'notifications enqueued':<34}{share * 100:>7.1f} % of the case's time "
          f"(<= 10 %: {_ok(share <= 0.10)}), {cpu_share * 100:.1f} % of its CPU; "
          f"{with_[0] / n * 1000:.1f} vs {without[0] / n * 1000:.1f} ms per case, "
          f"{statements_on} vs {statements_off} statements  [{n:,} + {n:,} cases]")  # fmt: skip
    return 2 * n + 2


def profile_cases(county, n: int, top: int = 25) -> None:
    """cProfile over ``n`` warm cases; each step's statements of one case."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    life = _life_fn(county)
    for i in range(1, 21):
        life(i)

    def step(name, fn):
        with CaptureQueriesContext(connection) as ctx:
            result = fn()
        sqls = [q["sql"] for q in ctx.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")]
        print(f"  {name}: {len(sqls)} statements")
        for sql in sqls:
            print(f"      {sql[:150]}")
        return result

    life(21, step)
    profiler = cProfile.Profile()
    cpu0 = time.process_time()
    profiler.enable()
    for i in range(22, 22 + n):
        life(i)
    profiler.disable()
    print(f"  {n} cases under cProfile, {(time.process_time() - cpu0) / n * 1000:.1f} ms CPU each")
    for order in ("tottime", "cumulative"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
        print(out.getvalue())


def check_numbers(expected: int) -> None:
    """受理编号 stay unique under any number of windows; nothing was skipped."""
    from django.db.models import Count

    from govhall.cases.models import Case, CaseCounter, CaseDocument, CaseEvent, State
    from govhall.core.models import AuditEntry

    cases = Case.objects.count()
    distinct = Case.objects.values("number").distinct().count()
    counters = list(CaseCounter.objects.values_list("last", flat=True))
    assert cases == expected, (cases, expected)
    assert distinct == cases, f"duplicate 受理编号: {cases - distinct}"
    assert sum(counters) == cases, f"counter {counters} != {cases} cases"
    assert not Case.objects.exclude(state=State.COMPLETED).exists()
    assert CaseEvent.objects.count() == 7 * cases
    assert AuditEntry.objects.filter(object_type="cases.case").count() == 7 * cases
    assert CaseDocument.objects.count() == 3 * cases
    per_case = CaseDocument.objects.values("case").annotate(n=Count("id")).filter(n=3).count()
    assert per_case == cases
    print(f"  checked: {cases:,} cases, {distinct:,} distinct 受理编号 (counter {sum(counters):,}), "
          f"all 办结 with 7 events, 7 audit entries, 3 notices each")  # fmt: skip


def generate_rows(county, rows: int) -> list:
    """Bulk-insert ``rows`` cases over 20 departments with SQL (generate_series)."""
    from django.db import connection

    from govhall.org.models import Department, Stationing
    from govhall.testing import factories

    departments = [county.market, county.health]
    for i in range(18):
        d = Department.objects.create(code=factories.make_uscc(900 + i), name=f"基准局{i}")
        Stationing.objects.create(centre=county.county, department=d, since=dt.date(2024, 1, 1))
        departments.append(d)
    dept_ids = [d.pk for d in departments]
    version = county.market_item.versions.get()
    today = dt.date(2026, 11, 23)
    sql = f"""
    INSERT INTO cases_case (
      number, item_id, item_version_id, department_id, centre_id, channel,
      applicant_kind, applicant_name, applicant_id_number, applicant_phone, applicant_address,
      agent_name, agent_id_number, agent_phone, power_of_attorney,
      state, version, current_step, received_at, materials_received_on, accepted_at,
      accepted_on, limit_days, due_date, yellow_from, paused_days, clock_paused,
      extension_days, deadline_provisional, deemed_accepted_s32, child_failed,
      result, result_reason, result_number, delivery_method, tracking_number,
      completed_at, closed_at)
    SELECT
      'G-' || g, %(item)s, %(version)s, (%(depts)s::bigint[])[1 + g %% 20], %(centre)s, 'window',
      'person', '申请人' || g, '150626198503120011', '13900001111', '', '', '', '', '',
      CASE WHEN g / 20 %% 20 < 14 THEN 'completed' WHEN g / 20 %% 20 < 19 THEN 'in_review'
           ELSE 'submitted' END,
      1, 0, r, r::date, r, r::date, 5,
      CASE WHEN g / 20 %% 20 = 19 THEN NULL ELSE (r::date + 7) END,
      CASE WHEN g / 20 %% 20 = 19 THEN NULL ELSE (r::date + 5) END,
      0, false, 0, false, false, false,
      CASE WHEN g / 20 %% 20 < 14 THEN 'approved' ELSE '' END, '', '', '', '',
      CASE WHEN g / 20 %% 20 < 14 THEN r + interval '6 days' END,
      CASE WHEN g / 20 %% 20 < 14 THEN r + interval '6 days' END
    FROM generate_series(1, %(rows)s) AS g,
         LATERAL (SELECT timestamptz '{today:%Y-%m-%d} 09:00+08'
                         - ((g::bigint * 7919) %% 400) * interval '1 day' AS r) AS x
    """
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            sql,
            {
                "item": county.market_item.pk,
                "version": version.pk,
                "depts": dept_ids,
                "centre": county.county.pk,
                "rows": rows,
            },
        )
    with connection.cursor() as cur:  # outside the transaction: VACUUM sets the visibility map
        cur.execute("VACUUM ANALYZE cases_case")
    print(f"  generated {rows:,} cases in {time.perf_counter() - t:.1f}s")
    return departments


def bench_queries(departments) -> None:
    from govhall.cases import selectors
    from govhall.cases.models import Case

    dept = departments[3]
    total = Case.objects.filter(department=dept).count()
    page, counts = [], []
    for _ in range(RUNS):
        t = time.perf_counter()
        first = list(selectors.department_cases(department=dept)[:20])
        page.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        overdue = selectors.overdue_count(department=dept)
        counts.append((time.perf_counter() - t) * 1000)
    assert first and overdue
    p50, p95 = statistics.median(page), _pct(page, 95)
    print(f"  {'department list, first 20':<34}p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
          f"target p50 <= 30 ms  {'OK' if p50 <= 30 else 'MISSED'}  ({total:,} cases of the department)")  # fmt: skip
    p50, p95 = statistics.median(counts), _pct(counts, 95)
    print(f"  {'department overdue count':<34}p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
          f"target p50 <= 100 ms  {'OK' if p50 <= 100 else 'MISSED'}  ({overdue:,} overdue)")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=3_000, help="cases per run")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", default="1,4", help="streams, e.g. 1,4")
    parser.add_argument("--pgbench-seconds", type=int, default=10)
    parser.add_argument("--prepared", action="store_true", help="server-side binding")
    parser.add_argument("--socket", action="store_true", help=f"Unix socket {SOCKET_DIR}")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile N cases")
    parser.add_argument(
        "--no-notify", action="store_true", help="cases.messages.enqueue_for does nothing"
    )
    parser.add_argument(
        "--notify-share",
        type=int,
        default=1_000,
        metavar="N",
        help="N cases with and N without the notifications (0 skips)",
    )
    parser.add_argument("--db", default=PG_DB, help="scratch database (dropped)")
    args = parser.parse_args()
    streams = [int(w) for w in args.workers.split(",") if w]
    server = _server_url(socket=args.socket)
    url = _recreate(server, args.db)
    if url is None:
        return 0
    try:
        return _run(args, url, server, streams)
    finally:
        from django.db import connections

        connections.close_all()
        _drop(server, args.db)


def _run(args, url: str, server: str, streams: list[int]) -> int:
    _setup(url, prepared=args.prepared)
    from django.conf import settings
    from django.db import connections

    from govhall.core import clock
    from govhall.testing import factories

    options = settings.DATABASES["default"].get("OPTIONS", {})
    conditions = [
        "Unix socket" if args.socket else "TCP",
        "prepared statements" if options.get("server_side_binding") else "client-side binding",
        f"{os.cpu_count()} cores",
    ]
    if args.no_notify:
        from govhall.cases import messages

        messages.enqueue_for = lambda **kwargs: None
        conditions.append("notifications off")
    print(f"\n[{args.db}] postgresql, {', '.join(conditions)}")
    with clock.frozen(dt.datetime(2026, 11, 23, 9)):
        county = factories.build_county()
        life = _life_fn(county)
        life(0)  # the day's number counter and the working-day copy exist from here on
        if args.profile:
            profile_cases(county, args.profile)
            return 0
        per_step = count_statements(life, 1)
        statements = sum(per_step.values())
        print(f"  statements per case: {statements} + 7 BEGIN/COMMIT ("
              + ", ".join(f"{k} {v}" for k, v in per_step.items()) + ")")  # fmt: skip
        connections.close_all()
        tps = run_pgbench(server, sorted(set(streams)), args.pgbench_seconds)
        first, total = 2, 2
        for workers in streams:
            if workers == 1:
                first = bench_single(county, args.cases, first, tps.get(1), statements)
                total += args.cases
            else:
                first = bench_workers(
                    county, args.cases, workers, first, tps.get(workers), statements
                )
                total += args.cases + workers
        if args.notify_share and not args.no_notify:
            total += notify_share(county, args.notify_share, first)
        check_numbers(total)
        if args.rows:
            departments = generate_rows(county, args.rows)
            bench_queries(departments)
    return 0


if __name__ == "__main__":
    sys.exit(main())
