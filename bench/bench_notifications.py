"""Notification benchmark (issue 9 §2, §3), PostgreSQL only.

1. **Enqueue cost per case.** The full case 申请 → 受理 → 审查 → 决定 → 制证 → 送达
   (electronic) → 办结 through the services with the database task backend, as in
   production: 受理, 决定, 制证 and 送达 each queue the applicant's SMS (one INSERT
   in the event's transaction; after commit, at most once a second per process, the
   drain task: its delivery row and task row). The same cases with ``cases.messages.enqueue_for`` switched off give
   the case without notifications. Blocks of each alternate (so machine noise falls
   on both); printed: Python CPU ms and wall ms per case, statements per case, and
   the cost of the notifications as a share of the case. Target: <= 10 %.
2. **Drain rate.** 10,000 queued notifications (SMS, one group per event, as the
   cases queue them; the commit queues one drain task) sent by real ``manage.py
   db_worker`` processes (started when the drain is due, stopped once all are sent;
   the drains take batches of 200 and queue the next ones) with the SMS backend
   ``GOVHALL_SMS_BACKEND`` = the console backend (output to /dev/null) or
   ``--sms null``. Printed: notifications/s from the workers' start to the last one
   sent (process start-up included) and between the first and the last ``sent_at``,
   and the workers' CPU. Target: >= 500/s.

Uses a dedicated database (``--db``, default ``govhall_bench_notifications``; dropped
and recreated, dropped again at the end) on the server named by DATABASE_URL (default
postgres://postgres@127.0.0.1:5432); the project's own databases are never touched.
``--cases N`` (per variant), ``--notifications N``, ``--workers 1,2``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import scratch
from lifecycle import life_fn
from report import met as _ok

ROOT = Path(__file__).resolve().parent.parent
PG_DB = "govhall_bench_notifications"
TARGET_SHARE = 0.10  # enqueueing a case's notifications: <= 10 % of the case
TARGET_DRAIN = 500  # notifications/s drained by the worker(s)
BLOCK = 50  # cases per block; blocks with and without notifications alternate


def _server_url() -> str:
    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/postgres"
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


_recreate, _drop = scratch.recreate, scratch.drop


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "govhall.settings"
    os.environ.setdefault("DEBUG", "false")
    os.environ["GOVHALL_TASK_BACKEND"] = "db"  # as in production
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --------------------------------------------------------------------------- 1. enqueue


class _Switch:
    """``cases.messages.enqueue_for`` on or off (the hook ``announce`` calls)."""

    def __init__(self):
        from govhall.cases import messages

        self.module = messages
        self.real = messages.enqueue_for

    def __call__(self, on: bool):
        self.module.enqueue_for = self.real if on else (lambda **kw: None)


def _statements(life, first: int, count: int = 20) -> float:
    """Statements per case over ``count`` cases (a drain queued after commit, at most
    once a second, falls on some of them)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        for i in range(first, first + count):
            life(i)
    return sum(1 for q in ctx.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")) / count


def bench_enqueue(county, cases: int) -> None:
    from govhall.notifications.models import Notification

    life = life_fn(county, prefix="N")
    switch = _Switch()
    for i in range(20):  # warm: prepared statements, the working-day copy, templates
        switch(i % 2 == 0)
        life(i)
    switch(True)
    with_statements = _statements(life, 100)
    switch(False)
    without_statements = _statements(life, 200)
    totals = {True: [0.0, 0.0, 0], False: [0.0, 0.0, 0]}  # cpu, wall, n
    i = 1000
    blocks = max(1, cases // BLOCK)
    for b in range(2 * blocks):
        on = b % 2 == 0
        switch(on)
        cpu0, t0 = time.process_time(), time.perf_counter()
        for _ in range(BLOCK):
            life(i)
            i += 1
        totals[on][0] += time.process_time() - cpu0
        totals[on][1] += time.perf_counter() - t0
        totals[on][2] += BLOCK
    switch(True)
    queued = Notification.objects.count()
    (cpu_on, wall_on, n_on), (cpu_off, wall_off, n_off) = totals[True], totals[False]
    cpu_on, cpu_off = cpu_on / n_on * 1000, cpu_off / n_off * 1000
    wall_on, wall_off = wall_on / n_on * 1000, wall_off / n_off * 1000
    print(f"  case without notifications   CPU {cpu_off:6.2f} ms  wall {wall_off:6.2f} ms  "
          f"{without_statements:.1f} statements  [{n_off:,} cases]")  # fmt: skip
    print(f"  case with notifications      CPU {cpu_on:6.2f} ms  wall {wall_on:6.2f} ms  "
          f"{with_statements:.1f} statements  [{n_on:,} cases, 4 events notify]")  # fmt: skip
    for label, on, off in (("CPU", cpu_on, cpu_off), ("wall", wall_on, wall_off)):
        extra = on - off
        share = extra / on if on else 0
        print(f"  notifications' share of the case ({label}): +{extra:.2f} ms = "
              f"{share:.1%} of the case, {extra / off:.1%} on top of it "
              f"(<= {TARGET_SHARE:.0%}: {_ok(share <= TARGET_SHARE)})")  # fmt: skip
    print(f"  statements: +{with_statements - without_statements:.1f} per case: 1 INSERT per "
          f"notifying event, and the drain queued after commit (6 statements) at most once "
          f"a second per process; {queued:,} notifications queued")  # fmt: skip


# --------------------------------------------------------------------------- 2. drain


def queue_notifications(n: int) -> float:
    """``n`` SMS queued as the cases queue them: one group (one INSERT) per event;
    committed at once, which queues the drain of this second. Returns when it is due."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from govhall.core import clock
    from govhall.core.models import TaskDelivery
    from govhall.notifications import services
    from govhall.notifications.models import Channel, Notification
    from govhall.notifications.services import Message, Recipient

    Notification.objects.all().delete()
    DBTaskResult.objects.all().delete()
    TaskDelivery.objects.all().delete()
    stamp = clock.now().strftime("%H%M%S%f")
    with transaction.atomic():
        for i in range(n):
            services.notify(
                messages=[
                    Message(
                        channel=Channel.SMS,
                        template="cases/accepted",
                        to=Recipient(name="基准申请人", phone=f"139{i:08d}"),
                        context={
                            "number": f"B-{i}",
                            "item": "食品经营许可",
                            "accepted_on": "2026年11月23日",
                            "due_date": "2026年11月30日",
                            "progress_url": f"http://127.0.0.1:8000/cases/progress/?number=B-{i}",
                        },
                    )
                ],
                ref=f"bench.event:{i}",
                group=f"bench:{stamp}:{i}",
            )
    return max(t.timestamp() for t in DBTaskResult.objects.values_list("run_after", flat=True))


def drain(url: str, n: int, workers: int, sms: str) -> None:
    import signal

    from django.db import connections
    from django.db.models import Max, Min

    from govhall.notifications.models import Notification, Status

    due = queue_notifications(n)
    connections.close_all()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "GOVHALL_TASK_BACKEND": "db",
        "GOVHALL_SMS_BACKEND": f"govhall.notifications.sms.{sms.capitalize()}Backend",
        "DEBUG": "false",
    }
    command = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--no-reload",
               "--no-startup-delay", "--interval", "0.05", "--verbosity", "0"]  # fmt: skip
    time.sleep(max(0.0, due - time.time()))  # the drain of the second the rows committed
    t0 = time.perf_counter()
    procs = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    sent = 0
    while time.perf_counter() - t0 < 300:
        sent = Notification.objects.filter(status=Status.SENT).count()
        if sent >= n:
            break
        time.sleep(0.05)
    took = time.perf_counter() - t0
    connections.close_all()
    cpu = 0.0
    for p in procs:
        p.send_signal(signal.SIGTERM)
    for p in procs:
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        cpu += usage.ru_utime + usage.ru_stime
    span = Notification.objects.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    between = (span["last"] - span["first"]).total_seconds() if span["first"] else 0
    rate, inner = sent / took, (sent - 1) / between if between else 0
    print(f"  {workers} db_worker process{'es' if workers > 1 else '':<3} ({sms:<7}) "
          f"{rate:>6,.0f}/s incl. start-up, {inner:>6,.0f}/s first→last sent "
          f"(>= {TARGET_DRAIN}: {_ok(inner >= TARGET_DRAIN)})  "
          f"worker CPU {cpu / max(sent, 1) * 1000:.2f} ms each (start-up included)  "
          f"[{sent:,}/{n:,} sent in {took:.1f} s]")  # fmt: skip
    assert sent == n, f"only {sent} of {n} sent"


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=500, help="cases per variant")
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--workers", default="1,2", help="db_worker processes, e.g. 1,2")
    parser.add_argument("--sms", default="console", choices=["console", "null"])
    parser.add_argument("--db", default=PG_DB, help="scratch database (dropped)")
    args = parser.parse_args()
    server = _server_url()
    url = _recreate(server, args.db)
    if url is None:
        return 0
    try:
        _setup(url)
        from govhall.core import clock
        from govhall.testing import factories

        print(f"\n[{args.db}] postgresql, {os.cpu_count()} cores, task backend db")
        with clock.frozen(dt.datetime(2026, 11, 23, 9)):
            county = factories.build_county()
            if args.cases:
                bench_enqueue(county, args.cases)
        for workers in [int(w) for w in args.workers.split(",") if w]:
            drain(url, args.notifications, workers, args.sms)
        return 0
    finally:
        from django.db import connections

        connections.close_all()
        _drop(server, args.db)


if __name__ == "__main__":
    sys.exit(main())
