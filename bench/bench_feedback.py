"""好差评 and 有诉即办 at county scale (issue 12, "Scale and bad input"), on PostgreSQL,
through the REST API served as ``make run`` serves it (gunicorn, one sync worker more
than cores, DEBUG off).

Measured, each with its target:

1. **Ratings**: ``POST /api/v1/ratings/`` (a 电话/窗口评价器 rating entered through an
   API client of the centre, ``Authorization: Bearer``), ``--clients`` processes at
   once, until ``--count`` ratings are accepted or a minute has passed: ≥ 10,000
   accepted per minute, none refused;
2. **Complaints**: ``POST /api/v1/complaints/`` (the 有诉即办 window's intake through the
   same client: numbered, 受理 at once): ≥ 10,000 per minute, none refused;
3. **Satisfaction statistics over 5,000,000 ratings** (``ratings.selectors.satisfaction``
   as the supervision office: all departments, one department, one year, p95 of
   ``--calls``) ≤ 200 ms, read from the ratings' daily rollup (``RatingDay``).

The cases come from the template of ``bench_supervision.py`` (1,000,000 cases over three
years, cloned in seconds; built once if missing). ``--count`` of its completed cases are
moved into the rating period (completed in the last ten days) in the scratch copy, so
each can be rated once per channel. The ratings' per-address throttle stays at its
default: it counts applicants' submissions, not those of a signed-in client.

    .venv/bin/python bench/bench_feedback.py [--count 10000] [--clients 16]
        [--ratings 5000000] [--calls 20] [--keep]

Without a reachable PostgreSQL the benchmark is skipped.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_supervision as sup  # noqa: E402 - the template of its cases
import scratch  # noqa: E402
from report import pct, verdict  # noqa: E402

GUNICORN = str(Path(scratch.PY).with_name("gunicorn"))
DB = "govhall_bench_feedback"
TARGET_PER_MINUTE = 10_000
TARGET_STATS_MS = 200

SETUP = r"""
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
import django
django.setup()
from django.db import connection
from govhall.org import services
from govhall.org.models import Role, Staff
count = int(sys.argv[1])
with connection.cursor() as cur:
    # Completed cases of the template, moved into the rating period (办结 in the last
    # ten days, one every few minutes), so that each may be rated.
    cur.execute(
        "UPDATE cases_case SET completed_at = now() - (g.n * interval '1 minute') "
        "FROM (SELECT id, row_number() OVER (ORDER BY id DESC) AS n FROM cases_case "
        "      WHERE state = 'completed' AND parent_id IS NULL AND bundle_id IS NULL "
        "      ORDER BY id DESC LIMIT %s) g WHERE cases_case.id = g.id "
        "RETURNING cases_case.number",
        [count],
    )
    numbers = [r[0] for r in cur.fetchall()]
admin = Staff.objects.filter(role=Role.CENTRE_ADMIN, is_active=True).select_related("user").first()
client, token = services.create_api_client(
    actor=admin.user, name="评价器与窗口压测", access="read_write", scope="centre",
    acting_staff=admin,
)
print(json.dumps({"token": token, "numbers": numbers}))
"""

REASONS = ["slow", "attitude", "unclear"]


def _wait_for(url: str, tries: int = 300) -> None:
    for _ in range(tries):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)


def _rating(number: str, serial: int) -> dict:
    level = random.Random(serial).choice([5, 5, 5, 4, 4, 3, 2, 1])
    body = {"case": number, "channel": "phone", "level": level}
    if level <= 2:
        body["reasons"] = [REASONS[serial % len(REASONS)]]
        body["text"] = "等候时间较长"
    return body


def _complaint(serial: int) -> dict:
    return {
        "category": ["consultation", "suggestion", "complaint", "help"][serial % 4],
        "subject": f"窗口压测诉求 {serial}",
        "content": "上午在窗口办理营业执照变更，等候时间较长，建议增加窗口。",
        "name": "压测群众",
        "phone": f"139{serial % 100_000_000:08d}",
    }


def _poster(port, token, path, bodies, deadline, out) -> None:
    """One client: POST ``bodies`` one after the other on one connection until done
    or ``deadline``; puts (latencies, errors). A body is a dict (sent as JSON) or
    ``(bytes, content type)`` (e.g. multipart with files)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies, errors = [], []
    for body in bodies:
        if time.time() > deadline:
            break
        if isinstance(body, tuple):
            data, content_type = body
        else:
            data, content_type = json.dumps(body, ensure_ascii=False).encode(), "application/json"
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": content_type,
            "Accept": "application/json",
        }
        t = time.perf_counter()
        for attempt in (1, 2):  # a closed keep-alive connection is re-opened once
            try:
                conn.request("POST", path, body=data, headers=headers)
                resp = conn.getresponse()
                payload = resp.read()
                break
            except (http.client.HTTPException, ConnectionError):
                conn.close()
                if attempt == 2:
                    raise
        latencies.append(time.perf_counter() - t)
        if resp.status != 201:
            errors.append((resp.status, payload[:200]))
    conn.close()
    out.put((latencies, errors))


def post_all(port, token, path, bodies, clients) -> dict:
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    shares = [bodies[i::clients] for i in range(clients)]
    start = time.time()
    deadline = start + 60
    procs = [
        ctx.Process(target=_poster, args=(port, token, path, share, deadline, out))
        for share in shares
    ]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    elapsed = time.time() - start
    for p in procs:
        p.join()
    latencies = [x for lat, _ in results for x in lat]
    errors = [e for _, err in results for e in err]
    accepted = len(latencies) - len(errors)
    return {
        "accepted": accepted,
        "errors": errors,
        "seconds": elapsed,
        "per_minute": accepted / elapsed * 60 if elapsed else 0.0,
        "p50": pct(latencies, 50) * 1000 if latencies else 0.0,
        "p95": pct(latencies, 95) * 1000 if latencies else 0.0,
    }


def _line(label: str, r: dict, count: int) -> str:
    ok = r["accepted"] >= min(count, TARGET_PER_MINUTE) and not r["errors"] and r["seconds"] <= 61
    return (
        f"  {label}: {r['accepted']:,} accepted in {r['seconds']:.1f} s = "
        f"{r['per_minute']:,.0f}/min, p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms, "
        f"{len(r['errors'])} refused (target ≥ {TARGET_PER_MINUTE:,}/min, none refused) "
        f"{verdict(ok and r['per_minute'] >= TARGET_PER_MINUTE)}"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_feedback.py")
    parser.add_argument("--count", type=int, default=10_000, help="ratings and complaints")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--port", type=int, default=8107)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 2) + 1)
    parser.add_argument("--ratings", type=int, default=5_000_000, help="for the statistics")
    parser.add_argument("--calls", type=int, default=20, help="of the statistics")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    if not 100 <= args.count <= 100_000 or not 1 <= args.clients <= 64:
        parser.error("--count 100 to 100,000; --clients 1 to 64")
    if not 0 <= args.ratings <= 10_000_000 or not 1 <= args.calls <= 1000:
        parser.error("--ratings 0 to 10,000,000; --calls 1 to 1,000")
    server = scratch.server_url()
    if not scratch.reachable(server, "feedback benchmark"):
        return 0
    rows = 1_000_000
    db_url = scratch.clone_template(
        server,
        prefix=f"{sup.TEMPLATE_PREFIX}{rows}_",
        db=DB,
        rows=rows,
        sql=sup.GENERATE_SQL,
        build=sup.BUILD,
        args=[sup.NOW],
    )
    tmp = tempfile.mkdtemp(prefix="govhall_bench_feedback_")
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MEDIA_ROOT": f"{tmp}/media",
    }
    setup = json.loads(scratch.run_code(SETUP, env, str(args.count)))
    token, numbers = setup["token"], setup["numbers"]
    proc = subprocess.Popen(
        [GUNICORN, "govhall.wsgi", "--bind", f"127.0.0.1:{args.port}"]
        + ["--workers", str(args.workers), "--timeout", "120"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(f"{tmp}/server.log", "w"),  # noqa: SIM115
    )
    failed = 0
    try:
        _wait_for(f"http://127.0.0.1:{args.port}/favicon.ico")
        print(
            f"  {len(numbers):,} completed cases to rate; {args.workers} gunicorn workers, "
            f"{args.clients} clients; load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        bodies = [_rating(n, i) for i, n in enumerate(numbers)]
        r = post_all(args.port, token, "/api/v1/ratings/", bodies, args.clients)
        print(_line("ratings (POST /api/v1/ratings/)", r, args.count))
        if r["errors"]:
            print(f"    e.g. {r['errors'][0]}")
            failed += 1
        bodies = [_complaint(i) for i in range(args.count)]
        r = post_all(args.port, token, "/api/v1/complaints/", bodies, args.clients)
        print(_line("complaints (POST /api/v1/complaints/)", r, args.count))
        if r["errors"]:
            print(f"    e.g. {r['errors'][0]}")
            failed += 1
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    if args.ratings:
        result = json.loads(scratch.run_code(STATS, env, str(args.ratings), str(args.calls)))
        for line in stats_lines(result):
            print(line)
    if not args.keep:
        scratch.drop(server, DB)
    return 1 if failed else 0


# 3. The satisfaction statistics over --ratings ratings (5,000,000): every completed case
# rated on up to five channels (one in four a second round), 96 % 基本满意 or better, one in seven 实名; made by one
# INSERT … SELECT, then the rollup rebuilt and the statistics read as the supervision
# office (all departments), for one department and for one year.
STATS = r"""
import json, os, statistics, sys, time, datetime as dt
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection
from govhall.feedback.ratings import rollups, selectors
from govhall.feedback.ratings.models import Rating
count, calls = int(sys.argv[1]), int(sys.argv[2])
SQL = '''
    INSERT INTO ratings_rating (case_id, channel, round, level, is_bad, reasons, text,
        real_name, rater_name, rater_phone, item_id, bundle_id, department_id, window_id,
        staff_id, entered_by_id, rated_at, rated_on, token_nonce, excluded, excluded_at)
    SELECT c.id, ch.channel, r.round, lv.level, lv.level <= 2,
        CASE WHEN lv.level <= 2 THEN '["slow"]' ELSE '[]' END::jsonb, '',
        c.id %% 7 = 0, '', '', c.item_id, NULL, c.department_id, NULL, c.responsible_id,
        NULL, c.completed_at + interval '2 hours',
        ((c.completed_at + interval '2 hours') AT TIME ZONE 'Asia/Shanghai')::date,
        NULL, false, NULL
    FROM (SELECT id, item_id, department_id, responsible_id, completed_at FROM cases_case
          WHERE completed_at IS NOT NULL AND department_id IS NOT NULL) c
    CROSS JOIN (VALUES ('window', 1), ('phone', 2), ('portal', 3), ('qr', 4), ('sms', 5))
        AS ch(channel, n)
    CROSS JOIN (VALUES (1), (2)) AS r(round)
    CROSS JOIN LATERAL (SELECT CASE WHEN (c.id * 31 + ch.n * 17) %% 100 < 2 THEN 1
                                    WHEN (c.id * 31 + ch.n * 17) %% 100 < 4 THEN 2
                                    WHEN (c.id * 31 + ch.n * 17) %% 100 < 9 THEN 3
                                    WHEN (c.id * 31 + ch.n * 17) %% 100 < 35 THEN 4
                                    ELSE 5 END AS level) lv
    WHERE r.round = 1 OR c.id %% 4 = 0  -- a second round (after 整改) on some
    LIMIT %s
    ON CONFLICT DO NOTHING'''
t = time.perf_counter()
with connection.cursor() as cur:
    cur.execute(SQL, [count])
    made = cur.rowcount
    cur.execute("ANALYZE ratings_rating")
insert_s = time.perf_counter() - t
t = time.perf_counter()
rows = rollups.rebuild()
rebuild_s = time.perf_counter() - t
with connection.cursor() as cur:
    cur.execute("ANALYZE ratings_ratingday")
supervisor = get_user_model().objects.get(username="supervisor")
dept = Rating.objects.values_list("department_id", flat=True).first()
year = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
out = {"made": made, "insert_s": round(insert_s, 1), "rollup_rows": rows,
       "rebuild_s": round(rebuild_s, 1)}
for label, kwargs in (("all", {}), ("dept", {"department": dept}),
                      ("year", {"start": year[0], "end": year[1]})):
    selectors.satisfaction(user=supervisor, **kwargs)  # warm
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        figures = selectors.satisfaction(user=supervisor, **kwargs)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    out[label] = {"p50": round(statistics.median(times), 1),
                  "p95": round(times[max(0, -(-len(times) * 95 // 100) - 1)], 1),
                  "total": figures["total"], "rate": figures["satisfied_rate"]}
print(json.dumps(out))
"""


def stats_lines(result: dict) -> list[str]:
    lines = [
        f"  {result['made']:,} ratings made in {result['insert_s']} s; rollup rebuilt in "
        f"{result['rebuild_s']} s ({result['rollup_rows']:,} rows)"
    ]
    for label, what in (
        ("all", "all departments"),
        ("dept", "one department"),
        ("year", "all departments, 2025"),
    ):
        r = result[label]
        ok = r["p95"] <= TARGET_STATS_MS
        lines.append(
            f"  satisfaction statistics, {what} ({r['total']:,} ratings, 满意率 {r['rate']}%): "
            f"p50 {r['p50']} ms, p95 {r['p95']} ms (target ≤ {TARGET_STATS_MS} ms) {verdict(ok)}"
        )
    return lines


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
