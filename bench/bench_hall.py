"""The hall's queue at load (issue 15): tickets issued and called concurrently over
HTTP, on PostgreSQL, served by the production server (gunicorn, ``DEBUG`` off).

``--issuers`` processes (the ticket machines / 导服台, each a signed-in session) issue
tickets in **one** category (the worst case: every window competes for the same line)
at ``--rate`` tickets a minute in all, paced, for ``--seconds``; at the same time
``--windows`` processes (one clerk's session at each 综合受理 window) loop 叫号 →
办理结束 as fast as the server answers, and keep calling until the line is empty
after the issuers stop. Each client is a real HTTP client (``urllib``) in its own
process.

Printed: issued/min and called/min over the issuing period, p50/p95 latency of
``POST …/tickets/`` (取号) and ``POST …/windows/{id}/call-next/`` (叫号), then from the
database: duplicate ticket numbers, tickets called more than once (``Call`` rows of
kind ``call`` per ticket), tickets never called, and errors (any non-2xx). Target:
**≥ 500 issued/min sustained and the same called/min**, with 0 duplicates and 0 double
calls; the exit status is 1 if one is missed.

Uses its own database (``--db``, default ``govhall_bench_hall``; dropped and recreated,
dropped again at the end unless ``--keep``) on the server of ``BENCH_POSTGRES`` or
``DATABASE_URL`` (default postgres://postgres@127.0.0.1:5432). Skipped without
PostgreSQL. A default run takes about 3½ minutes.

    .venv/bin/python bench/bench_hall.py [--seconds 180] [--rate 600] [--windows 6]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import scratch
from report import pct, verdict
from scratch import PY, ROOT

GUNICORN = str(Path(PY).with_name("gunicorn"))
PG_DB = "govhall_bench_hall"
PASSWORD = "govhall-test"  # of govhall.testing.factories.make_staff
TARGET_PER_MIN = 500

SETUP = r"""
import django, json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
import datetime as dt
from govhall.calendar import selectors as calendar
from govhall.core import clock
from govhall.hall import services
from govhall.org.models import Role, Window
from govhall.testing import factories
windows, issuers = int(sys.argv[1]), int(sys.argv[2])
org = factories.build_org()
admin = org.staff.admin.user
category = services.save_category(
    actor=admin, centre=org.county, data={"prefix": "A", "name": "综合业务", "kind": "general"})
if not calendar.is_workday(day=clock.today()):  # the hall opens on a rest day by 周末服务
    services.open_extra_slot(actor=admin, category=category, day=clock.today(),
        starts_at=dt.time(0, 0), ends_at=dt.time(23, 59), capacity=1, kind="weekend")
out = {"centre": org.county.code, "category": category.pk, "windows": []}
for i in range(windows):
    w = Window.objects.create(centre=org.county, number=f"{31 + i}", name=f"综合受理{i}",
                              type="comprehensive")
    factories.make_staff(username=f"bench_w{i}", name=f"窗口{i}", role=Role.WINDOW_CLERK,
                         centre=org.county, window=w)
    out["windows"].append([w.pk, f"bench_w{i}"])
for i in range(issuers):
    factories.make_staff(username=f"bench_guide{i}", name=f"导服{i}", role=Role.WINDOW_CLERK,
                         centre=org.county)
print(json.dumps(out))
"""

CHECK = r"""
import django, json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
django.setup()
from django.db.models import Count
from govhall.hall.models import Call, Ticket
tickets = Ticket.objects.all()
dup = tickets.values("centre", "day", "code").annotate(n=Count("id")).filter(n__gt=1).count()
numbers = sorted(tickets.values_list("number", flat=True))
calls = Call.objects.filter(kind="call").values("ticket").annotate(n=Count("id"))
print(json.dumps({
    "tickets": len(numbers),
    "duplicates": dup,
    "gaps": (numbers[-1] - len(numbers)) if numbers else 0,
    "double_calls": calls.filter(n__gt=1).count(),
    "called": calls.count(),
    "never_called": tickets.filter(first_called_at__isnull=True).count(),
    "states": dict(tickets.values_list("state").annotate(n=Count("id"))),
}))
"""


class Client:
    """One signed-in session (a cookie jar, the CSRF token sent back as a header)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def login(self, username: str) -> None:
        self.opener.open(self.base + "/staff/login/").read()
        data = urllib.parse.urlencode(
            {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": self.csrf()}
        ).encode()
        req = urllib.request.Request(self.base + "/staff/login/", data=data)
        req.add_header("Referer", self.base + "/staff/login/")
        self.opener.open(req).read()
        if not any(c.name == "sessionid" for c in self.jar):
            raise RuntimeError(f"login of {username} failed")

    def post(self, path: str, body: dict | None = None) -> tuple[int, dict, float]:
        req = urllib.request.Request(
            self.base + path, data=json.dumps(body or {}).encode(), method="POST"
        )
        req.add_header("Content-Type", "application/json")
        req.add_header("X-CSRFToken", self.csrf())
        req.add_header("Referer", self.base + "/")
        start = time.perf_counter()
        try:
            with self.opener.open(req, timeout=30) as resp:
                status, payload = resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, json.loads(exc.read() or b"{}")
        return status, payload, time.perf_counter() - start


def _reporting(kind):
    """A client process always reports, also when it fails (its error counted)."""

    def wrap(fn):
        def run(*args):
            out = args[-1]
            try:
                fn(*args)
            except Exception as exc:  # noqa: BLE001 - reported as an error of the run
                out.put({"kind": kind, "lat": [], "at": [], "errors": [repr(exc)], "codes": []})

        return run

    return wrap


@_reporting("issue")
def issuer(base, username, setup, interval, start_at, stop_at, out):
    client = Client(base)
    client.login(username)
    lat, errors, done = [], [], []
    path = f"/api/v1/hall/{setup['centre']}/tickets/"
    due = start_at
    while due < stop_at:
        wait = due - time.time()
        if wait > 0:
            time.sleep(wait)
        status, payload, took = client.post(path, {"category": setup["category"]})
        if status == 201:
            lat.append(took)
            done.append(time.time())
        else:
            errors.append(f"{status} {payload.get('code')}")
        due += interval
    out.put({"kind": "issue", "lat": lat, "at": done, "errors": errors})


@_reporting("call")
def window(base, window_id, username, start_at, issue_stop, out):
    client = Client(base)
    client.login(username)
    lat, at, errors, codes = [], [], [], []
    call = f"/api/v1/hall/windows/{window_id}/call-next/"
    while time.time() < start_at:
        time.sleep(0.01)
    empty_after_stop = 0
    while True:
        status, payload, took = client.post(call)
        if status != 200:
            errors.append(f"{status} {payload.get('code')}")
            time.sleep(0.05)
            continue
        ticket = payload["ticket"]
        if ticket is None:
            if time.time() > issue_stop + 1:
                empty_after_stop += 1
                if empty_after_stop >= 3:
                    break
            time.sleep(0.05)
            continue
        empty_after_stop = 0
        lat.append(took)
        at.append(time.time())
        codes.append(ticket["code"])
        status, payload, _ = client.post(f"/api/v1/hall/tickets/{ticket['id']}/finish/")
        if status != 200:
            errors.append(f"finish {status} {payload.get('code')}")
    out.put({"kind": "call", "lat": lat, "at": at, "errors": errors, "codes": codes})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, tries: int = 200) -> None:
    for _ in range(tries):
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)


def _ms(values: list[float], p: float) -> str:
    return f"{pct(values, p) * 1000:.0f} ms" if values else "—"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=180, help="issuing period (s)")
    parser.add_argument("--rate", type=int, default=600, help="tickets issued a minute in all")
    parser.add_argument("--issuers", type=int, default=4, help="issuing clients")
    parser.add_argument("--windows", type=int, default=6, help="calling windows")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--db", default=PG_DB)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so the server is stopped
    server = scratch.server_url()
    if not scratch.reachable(server, "the hall benchmark"):
        return 0
    db_url = scratch.recreate(server, args.db)
    if db_url is None:
        return 0
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DEBUG": "false",
        "SECRET_KEY": "bench-hall-secret-key-0123456789abcdefghijkl",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CACHE_URL": "locmemcache://",
    }
    print(f"  setting up {args.db}: migrate, a county centre, {args.windows} windows …")
    setup = json.loads(scratch.run_code(SETUP, env, str(args.windows), str(args.issuers)))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = subprocess.Popen(
        [
            GUNICORN,
            "govhall.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    failed = False
    try:
        _wait_for(base + "/staff/login/")
        out: multiprocessing.Queue = multiprocessing.Queue()
        start_at = time.time() + 3 + 0.5 * (args.issuers + args.windows)  # after the logins
        stop_at = start_at + args.seconds
        interval = 60.0 * args.issuers / args.rate  # each issuer's pace
        procs = [
            multiprocessing.Process(
                target=issuer,
                args=(
                    base,
                    f"bench_guide{i}",
                    setup,
                    interval,
                    start_at + i * interval / args.issuers,
                    stop_at,
                    out,
                ),  # fmt: skip
            )
            for i in range(args.issuers)
        ] + [
            multiprocessing.Process(target=window, args=(base, wid, user, start_at, stop_at, out))
            for wid, user in setup["windows"]
        ]
        print(
            f"  {args.issuers} issuers at {args.rate}/min in all for {args.seconds}s, "
            f"{args.windows} windows calling, gunicorn {args.workers} workers"
        )
        for p in procs:
            p.start()
        results = [out.get(timeout=args.seconds + 600) for _ in procs]
        for p in procs:
            p.join(10)
        issues = [r for r in results if r["kind"] == "issue"]
        calls = [r for r in results if r["kind"] == "call"]
        issue_lat = [x for r in issues for x in r["lat"]]
        call_lat = [x for r in calls for x in r["lat"]]
        call_at = [x for r in calls for x in r["at"]]
        errors = [e for r in results for e in r["errors"]]
        minutes = args.seconds / 60
        issued_per_min = len(issue_lat) / minutes
        called_in_period = sum(1 for t in call_at if t <= stop_at)
        called_per_min = called_in_period / minutes
        drain = (max(call_at) - stop_at) if call_at else 0.0
        codes = [c for r in calls for c in r["codes"]]
        check = json.loads(scratch.run_code(CHECK, env))
        ok_issue = issued_per_min >= TARGET_PER_MIN
        ok_call = called_per_min >= TARGET_PER_MIN
        ok_clean = (
            check["duplicates"] == 0
            and check["double_calls"] == 0
            and len(codes) == len(set(codes))
            and check["never_called"] == 0
        )
        print(f"  issued:  {len(issue_lat)} in {args.seconds}s = {issued_per_min:.0f}/min "
              f"(target ≥ {TARGET_PER_MIN}/min: {verdict(ok_issue)})")  # fmt: skip
        print(f"  called:  {called_in_period} in the same {args.seconds}s = {called_per_min:.0f}/min"
              f" (target ≥ {TARGET_PER_MIN}/min: {verdict(ok_call)}); "
              f"{len(codes)} in all, the line empty {drain:.1f}s after the last issue")  # fmt: skip
        per_window = sorted(len(r["codes"]) for r in calls)
        print(f"  calls per window: {per_window}")
        print(f"  取号 latency:  p50 {_ms(issue_lat, 50)}, p95 {_ms(issue_lat, 95)}")
        print(f"  叫号 latency:  p50 {_ms(call_lat, 50)}, p95 {_ms(call_lat, 95)}")
        print(f"  duplicates (same number twice): {check['duplicates']}, number gaps: "
              f"{check['gaps']}")  # fmt: skip
        print(f"  double calls (a ticket called by two windows): {check['double_calls']}, "
              f"codes called twice by the clients: {len(codes) - len(set(codes))}, "
              f"never called: {check['never_called']} (target 0: {verdict(ok_clean)})")  # fmt: skip
        print(f"  errors (non-2xx): {len(errors)}" + (f" e.g. {errors[:5]}" if errors else ""))
        failed = not (ok_issue and ok_call and ok_clean) or bool(errors)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(30)
        if not args.keep:
            scratch.drop(server, args.db)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
