"""Case benchmark (issue 3 §7), PostgreSQL only.

1. 10,000 cases through 申请 → 受理 → 审查 → 决定 → 制证 → 送达 → 办结 via the services
   (cases/s; target >= 200).
2. A department's pending list (first page of 20, by urgency) and its overdue count
   among 1,000,000 generated cases (bulk-inserted rows; p50/p95 ms; targets p50 <= 30 ms
   list, <= 100 ms count).

Uses a dedicated database (``--db``, default ``govhall_bench_cases``; dropped and
recreated) on the server named by DATABASE_URL (default postgres://postgres@127.0.0.1:5432);
the database named in DATABASE_URL itself is never touched. ``--cases N --rows N``
change the sizes (``--rows 0`` skips part 2). Connection options, to compare:

* ``--socket`` connects over the Unix socket (``?host=/var/run/postgresql``) instead of
  TCP — shorter round trips;
* ``--prepared`` uses psycopg server-side binding and prepared statements
  (``OPTIONS = {"server_side_binding": True, "prepare_threshold": 5}``) — the server
  parses and plans each hot statement once per connection;
* ``--workers N`` runs part 1 in N processes at once (many windows working at the same
  time), each with its own connection, driving its share of the cases through the same
  services; the rate is all cases / wall time. Whatever N, the run ends by checking that
  every case got a distinct 受理编号, the day's counter equals the number of cases, and
  every case is 办结 with its 7 events, 7 audit entries and 3 notices.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PG_DB = "govhall_bench_cases"
SOCKET_DIR = "/var/run/postgresql"
RUNS = 200


def _pg_url(db: str = PG_DB, *, socket: bool = False) -> str | None:
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    import psycopg

    parts = urlsplit(url)
    if socket:  # same user, no host:port: libpq goes through the socket directory
        user = parts.netloc.rsplit("@", 1)[0] if "@" in parts.netloc else "postgres"
        parts = parts._replace(netloc=f"{user}@", query=f"host={SOCKET_DIR}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {db}")
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL not reachable ({exc}); skipped")
        return None
    return urlunsplit(parts._replace(path=f"/{db}"))


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


def _pct(values, pct):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(pct / 100 * (len(values) - 1))))]


def _life_fn(county):
    """One case's life 申请 → 办结 (7 service calls, 7 transactions) as a function of i."""
    from govhall.cases import services
    from govhall.cases.models import Channel
    from govhall.testing import factories

    s = county.staff
    item = county.market_item
    materials = list(item.versions.get().materials.all())
    applicant = {
        "kind": "person",
        "name": "基准申请人",
        "id_number": factories.make_id_number(1),
        "phone": "13900001111",
    }
    clerk, chief = s.clerk.user, s.market_chief.user

    def life(i):
        case = services.submit_application(
            actor=clerk,
            item=item,
            centre=county.county,
            channel=Channel.WINDOW,
            applicant=applicant,
            materials=[{"material": m} for m in materials],
        )
        case = services.transition(
            action="accept", actor=clerk, case=case, expected_version=case.version
        )
        case = services.transition(
            action="review", actor=chief, case=case, expected_version=case.version, opinion="符合"
        )
        case = services.transition(
            action="decide",
            actor=chief,
            case=case,
            expected_version=case.version,
            result="approved",
            opinion="同意",
        )
        case = services.transition(
            action="certify",
            actor=chief,
            case=case,
            expected_version=case.version,
            result_number=f"B{i}",
        )
        case = services.transition(
            action="deliver",
            actor=clerk,
            case=case,
            expected_version=case.version,
            method="electronic",
        )
        services.transition(
            action="complete", actor=clerk, case=case, expected_version=case.version
        )

    return life


def _report(n: int, took: float, label: str) -> None:
    rate = n / took
    print(f"  {'cases 申请→办结 via services':<34}{rate:>10,.0f} /s  >= 200 /s  "
          f"{'OK' if rate >= 200 else 'MISSED'}  ({n:,} cases, 7 transactions each, {took:.1f}s{label})")  # fmt: skip


def bench_services(county, n: int) -> None:
    """Single stream: one process, one connection, the cases one after the other."""
    from django.db import connection

    life = _life_fn(county)
    commits = []
    real_commit = connection.commit

    def timed_commit():
        t0 = time.perf_counter()
        real_commit()
        commits.append(time.perf_counter() - t0)

    life(0)  # the day's number counter and the working-day copy exist from here on
    connection.commit = timed_commit
    t = time.perf_counter()
    for i in range(1, n + 1):
        life(i)
    took = time.perf_counter() - t
    del connection.commit
    statements = []
    with connection.execute_wrapper(lambda execute, *a: statements.append(1) or execute(*a)):
        life(n + 1)
    _report(n, took, "")
    per_tx = took / n / 7 * 1000
    commit_ms = sum(commits) / len(commits) * 1000 if commits else 0
    print(f"    {took / n * 1000:.1f} ms per case = 7 transactions x {per_tx:.2f} ms; "
          f"{len(statements)} statements per case + 7 BEGIN/COMMIT (COMMIT {commit_ms:.2f} ms)")  # fmt: skip


def _worker(county, first: int, count: int, barrier, results) -> None:
    """One window of the centre: its own process and connection, its share of cases."""
    from django.db import connections

    life = _life_fn(county)  # reads the item's materials on the new connection
    life(first)  # warm: the working-day copy of this process
    barrier.wait()
    t0 = time.perf_counter()
    errors = []
    for i in range(first + 1, first + count + 1):
        try:
            life(i)
        except Exception as exc:  # reported, not hidden: a deadlock or duplicate fails the run
            errors.append(f"{type(exc).__name__}: {exc}")
    results.put((t0, time.perf_counter(), count, errors[:3], len(errors)))
    connections.close_all()


def bench_services_concurrent(county, n: int, workers: int) -> None:
    """N processes at once (fork: each inherits the frozen clock and the fixtures,
    then opens its own connection); the rate is all cases over the wall time from
    the common start to the last worker's end."""
    import multiprocessing

    from django.db import connections

    _life_fn(county)(0)  # the day's number counter exists before the windows open
    connections.close_all()  # never share the parent's socket with the children
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(workers), ctx.Queue()
    share = [n // workers + (1 if w < n % workers else 0) for w in range(workers)]
    procs, first = [], 1
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
    _report(n, took, f", {workers} workers")
    slowest = max(g[1] - g[0] for g in got)
    print(f"    {took / n * 1000:.2f} ms per case overall; per worker "
          f"{min(g[2] / (g[1] - g[0]) for g in got):,.0f}–{max(g[2] / (g[1] - g[0]) for g in got):,.0f} "
          f"cases/s (slowest {slowest:.1f}s); errors: {failed}")  # fmt: skip
    for g in got:
        for message in g[3]:
            print(f"    ! {message}")
    assert failed == 0, f"{failed} case lives failed under concurrency"


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
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=1, help="processes at once")
    parser.add_argument("--prepared", action="store_true", help="server-side binding")
    parser.add_argument("--socket", action="store_true", help=f"Unix socket {SOCKET_DIR}")
    parser.add_argument("--db", default=PG_DB, help="scratch database (dropped)")
    args = parser.parse_args()
    url = _pg_url(args.db, socket=args.socket)
    if url is None:
        return 0
    _setup(url, prepared=args.prepared)
    from govhall.core import clock
    from govhall.testing import factories

    with clock.frozen(dt.datetime(2026, 11, 23, 9)):
        county = factories.build_county()
        conditions = [
            "Unix socket" if args.socket else "TCP 127.0.0.1",
            "prepared statements" if args.prepared else "client-side binding",
            f"{args.workers} worker{'s' if args.workers > 1 else ''}",
        ]
        print(f"\n[{args.db}] postgresql, {', '.join(conditions)}")
        if args.workers > 1:
            bench_services_concurrent(county, args.cases, args.workers)
            check_numbers(args.cases + args.workers + 1)
        else:
            bench_services(county, args.cases)
            check_numbers(args.cases + 2)
        if args.rows:
            departments = generate_rows(county, args.rows)
            bench_queries(departments)
    return 0


if __name__ == "__main__":
    sys.exit(main())
