"""人员管理 at a county's scale (issue 15 part 2, docs/staff.md "性能"), on PostgreSQL.

A scratch database (``--db``, default ``govhall_bench_staff``; dropped and recreated,
dropped again at the end unless ``--keep``) on the server of ``BENCH_POSTGRES`` or
``DATABASE_URL``; the project's own databases are never touched. Skipped without
PostgreSQL. In it: the test organisation (``factories.build_org``), ``--staff`` window
workers (default 200) assigned through ``services.assign`` at the start of the year,
``--cases`` cases (default 20,000: one made through the case services, the rest bulk
copies of it) each with two 办理记录 by random workers, half of them completed (one in
ten late) and rated.

1. **Import.** One clock-device CSV of ``--rows`` punches (default 100,000: each worker
   in, at noon and out on every working day of the year until the rows run out) through
   ``services.import_attendance`` (all rows checked, then one transaction). Target:
   ≤ 30 s.
2. **Appraisal.** ``selectors.figures_for`` for every worker for the year (attendance,
   leave, training, cases, on-time rate, ratings, complaints, warnings), three times;
   the best is printed with the number of queries. Target: ≤ 5 s for 200 people and
   20,000 cases.

The exit status is 1 if a target is missed.

    .venv/bin/python bench/bench_staff.py --rows 20000 --cases 5000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import scratch
from report import verdict

DB = "govhall_bench_staff"
TARGET_IMPORT_S = 30
TARGET_APPRAISAL_S = 5

CODE = r"""
import datetime as dt, json, random, sys, time
import django
django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from govhall.calendar import selectors as calendar
from govhall.cases.models import Case, CaseEvent
from govhall.core import clock
from govhall.feedback.ratings.models import Rating
from govhall.org.models import Role, Window
from govhall.staff import selectors, services
from govhall.testing import factories

n_staff, n_cases, n_rows = (int(x) for x in sys.argv[1:4])
rng = random.Random(15)
year = 2026
with clock.frozen(dt.datetime(year, 1, 5, 9, 0)):
    org = factories.build_org()
    item = factories.add_county_item(org, "market_item")
    windows = [
        Window.objects.create(centre=org.county, number=f"{i:02d}", name=f"窗口{i}", type="comprehensive")
        for i in range(2, 22)
    ]
    people = []
    for i in range(n_staff):
        person = factories.make_staff(
            username=f"w{i}", name=f"窗口人员{i}", role=Role.APPROVER, centre=org.county,
            department=org.market,
        )
        services.assign(actor=org.staff.admin.user, staff=person, window=windows[i % 20],
                        starts_on=dt.date(year, 1, 5))
        people.append(person)
    template = factories.window_case(org, item)
fields = {f.attname: getattr(template, f.attname) for f in Case._meta.concrete_fields if f.attname != "id"}
cases = []
for i in range(n_cases):
    row = dict(fields, number=f"150626-2026-{i:08d}")
    received = timezone.make_aware(dt.datetime(year, 1, 6) + dt.timedelta(minutes=17 * i % 400000))
    row["received_at"] = received
    if i % 2 == 0:
        row["due_date"] = received.date() + dt.timedelta(days=20)
        late = i % 20 == 0
        row["completed_at"] = received + dt.timedelta(days=25 if late else 10)
    cases.append(Case(**row))
Case.objects.bulk_create(cases, batch_size=2000)
cases = list(Case.objects.exclude(pk=template.pk).only("pk", "received_at", "completed_at"))
events, ratings = [], []
for c in cases:
    for k in range(2):
        p = people[rng.randrange(n_staff)]
        events.append(CaseEvent(case_id=c.pk, action="accept", from_state="submitted", to_state="accepted",
                                actor_id=p.user_id, actor_name=p.name, at=c.received_at + dt.timedelta(hours=k)))
    if c.completed_at:
        p = people[rng.randrange(n_staff)]
        level = rng.choice([5, 5, 5, 4, 4, 3, 2])
        ratings.append(Rating(case_id=c.pk, channel="window", level=level, is_bad=level <= 2,
                              department_id=org.market.pk, staff_id=p.pk, rated_at=c.completed_at,
                              rated_on=timezone.localdate(c.completed_at)))
CaseEvent.objects.bulk_create(events, batch_size=5000)
Rating.objects.bulk_create(ratings, batch_size=5000)

lines = ["工号,时间"]
day = dt.date(year, 1, 5)
while len(lines) - 1 < n_rows and day < dt.date(year, 11, 20):
    if calendar.is_workday(day=day):
        for p in people:
            if len(lines) - 1 >= n_rows:
                break
            lines.append(f"{p.user.username},{day} 08:{rng.randint(0, 45):02d}:00")
            lines.append(f"{p.user.username},{day} 17:{rng.randint(20, 59):02d}:00")
            lines.append(f"{p.user.username},{day} 12:{rng.randint(0, 9):02d}:00")
    day += dt.timedelta(days=1)
content = "\n".join(lines[: n_rows + 1]).encode()
with clock.frozen(dt.datetime(year, 11, 23, 9, 0)):
    started = time.perf_counter()
    done = services.import_attendance(actor=org.staff.admin.user, file_name="bench.csv", content=content)
    took_import = time.perf_counter() - started
    ids = [p.pk for p in people]
    best, queries = None, 0
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            figures = selectors.figures_for(staff_ids=ids, year=year)
            took = time.perf_counter() - started
        best = took if best is None else min(best, took)
        queries = len(ctx.captured_queries)
handled = sum(f["cases"]["handled"] for f in figures.values())
print(json.dumps({"rows": done.rows, "records": done.records, "import_s": took_import,
                  "appraisal_s": best, "queries": queries, "handled": handled,
                  "people": len(ids), "cases": n_cases}))
"""


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_staff.py")
    parser.add_argument("--staff", type=int, default=200)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", default=DB)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    if (
        not 1 <= args.staff <= 2000
        or not 1 <= args.cases <= 500_000
        or not 1 <= args.rows <= 200_000
    ):
        parser.error("--staff 1–2,000; --cases 1–500,000; --rows 1–200,000")
    server = scratch.server_url()
    if not scratch.reachable(server, "staff benchmark"):
        return 0
    url = scratch.recreate(server, args.db)
    if url is None:
        return 0
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "govhall.settings",
        "DEBUG": "false",
    }
    try:
        subprocess.run(
            [scratch.PY, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=scratch.ROOT,
            env=env,
            check=True,
        )
        result = json.loads(
            scratch.run_code(CODE, env, str(args.staff), str(args.cases), str(args.rows))
        )
    finally:
        if not args.keep:
            scratch.drop(server, args.db)
    ok_import = result["import_s"] <= TARGET_IMPORT_S
    ok_appraisal = result["appraisal_s"] <= TARGET_APPRAISAL_S
    print(
        f"  attendance import: {result['rows']:,} rows → {result['records']:,} records in "
        f"{result['import_s']:.1f} s ({result['rows'] / result['import_s']:,.0f} rows/s); "
        f"target ≤ {TARGET_IMPORT_S} s: {verdict(ok_import)}"
    )
    print(
        f"  appraisal figures: {result['people']} people, {result['cases']:,} cases "
        f"({result['handled']:,} case-person pairs handled) in {result['appraisal_s']:.2f} s, "
        f"{result['queries']} queries; target ≤ {TARGET_APPRAISAL_S} s: {verdict(ok_appraisal)}"
    )
    return 0 if ok_import and ok_appraisal else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
