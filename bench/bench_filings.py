"""行政备案 at county scale (issue 13 §4), on PostgreSQL, through the REST API served as
``make run`` serves it (gunicorn, one worker per core, DEBUG off).

Measured, with its target: **即来即备** — ``POST /api/v1/filings/`` of a 事后告知类 item
(接口报送 by an API client of the centre, acting for its administrator, ``Authorization: Bearer``,
multipart with one PDF material, so the formal check and the upload run as they do for
a real client), ``--clients`` processes at once, until ``--count`` filings are filed or
a minute has passed: ≥ 1,000 filed per minute, none refused; then, in the database,
every 备案编号 of the year is there once: ``BA2026-000001`` … ``--count`` with no gap
and no duplicate.

    .venv/bin/python bench/bench_filings.py [--count 1000] [--clients 4] [--db NAME]
        [--keep]

The scratch database (``--db``, default ``govhall_bench_filings``) is created fresh,
migrated and dropped after. Without a reachable PostgreSQL the benchmark is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_feedback as feedback  # noqa: E402 - its load clients
import scratch  # noqa: E402
from report import verdict  # noqa: E402

GUNICORN = str(Path(scratch.PY).with_name("gunicorn"))
DB = "govhall_bench_filings"
TARGET_PER_MINUTE = 1_000

SETUP = r"""
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from govhall.catalog.models import CaseType, ItemType, ProcedurePattern
from govhall.org import services
from govhall.testing import factories
org = factories.build_org()
item = factories.publish_item(
    actor=org.staff.market_chief.user, department=org.market, basic_code="000111444001",
    name="仅销售预包装食品备案", type=ItemType.FILING, steps=[],
    materials=[{"name": "备案信息采集表", "required": True, "originals": 1, "copies": 0}],
    case_type=CaseType.INSTANT, legal_limit_days=None, promised_limit_days=0,
    procedure_pattern=ProcedurePattern.SIMPLE, result_name="备案回执", filing_kind="notify",
)
client, token = services.create_api_client(
    actor=org.staff.admin.user, name="备案报送压测", access="read_write", scope="centre",
    acting_staff=org.staff.admin,
)
open(sys.argv[1], "wb").write(factories.blank_pdf())  # the material every filing uploads
print(json.dumps({"token": token, "item": item.implementation_code}))
"""

CHECK = r"""
import json, os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
import django
django.setup()
from django.db.models import Count
from govhall.filings.models import Filing, FilingCounter
numbers = list(Filing.objects.exclude(number=None).values_list("number", flat=True))
dupes = Filing.objects.values("number").annotate(n=Count("id")).filter(n__gt=1).count()
seqs = sorted(int(n.split("-")[1]) for n in numbers)
print(json.dumps({"filed": len(numbers), "distinct": len(set(numbers)), "duplicates": dupes,
                  "gap_free": seqs == list(range(1, len(seqs) + 1)),
                  "counter": FilingCounter.objects.get(series="BA").last}))
"""


def _multipart(fields: dict, pdf: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        )
    head = "".join(parts).encode()
    file_head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="采集表.pdf"'
        "\r\nContent-Type: application/pdf\r\n\r\n"
    ).encode()
    body = head + file_head + pdf + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _id_number(serial: int) -> str:
    from govhall.core.validators import id_number_check_char  # no Django set-up needed

    body = f"15062619800101{serial % 1000:03d}"
    return body + id_number_check_char(body)


def _filing(item: str, serial: int) -> dict:
    return {
        "item": item,
        "filer_kind": "person",
        "filer_name": "压测备案人",
        "filer_id": _id_number(serial),
        "phone": f"139{serial % 100_000_000:08d}",
        "activity": f"开设便利店（第{serial}号），仅销售预包装食品",
        "activity_date": "2026-11-20",
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_filings.py")
    parser.add_argument("--count", type=int, default=1_000, help="filings to file")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--port", type=int, default=8109)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--db", default=DB, help="scratch database (dropped and created)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args(argv)
    if not 100 <= args.count <= 100_000 or not 1 <= args.clients <= 64:
        parser.error("--count 100 to 100,000; --clients 1 to 64")
    if not args.db.replace("_", "").isalnum():
        parser.error("--db: letters, digits and _ only")
    server = scratch.server_url()
    if not scratch.reachable(server, "filings benchmark"):
        return 0
    db_url = scratch.recreate(server, args.db)
    tmp = tempfile.mkdtemp(prefix="govhall_bench_filings_")
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MEDIA_ROOT": f"{tmp}/media",
    }
    t = time.perf_counter()
    setup = json.loads(scratch.run_code(SETUP, env, f"{tmp}/material.pdf"))
    print(f"  scratch database migrated and set up in {time.perf_counter() - t:.1f} s")
    pdf = Path(f"{tmp}/material.pdf").read_bytes()  # written by SETUP
    bodies = [_multipart(_filing(setup["item"], i), pdf) for i in range(args.count)]
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
        feedback._wait_for(f"http://127.0.0.1:{args.port}/favicon.ico")
        print(
            f"  {args.workers} gunicorn workers, {args.clients} clients; "
            f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
        )
        r = feedback.post_all(args.port, setup["token"], "/api/v1/filings/", bodies, args.clients)
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    ok = r["accepted"] >= min(args.count, TARGET_PER_MINUTE) and not r["errors"]
    print(
        f"  即来即备 (POST /api/v1/filings/, 1 PDF each): {r['accepted']:,} filed in "
        f"{r['seconds']:.1f} s = {r['per_minute']:,.0f}/min, p50 {r['p50']:.0f} ms, "
        f"p95 {r['p95']:.0f} ms, {len(r['errors'])} refused "
        f"(target ≥ {TARGET_PER_MINUTE:,}/min, none refused) "
        f"{verdict(ok and r['per_minute'] >= TARGET_PER_MINUTE)}"
    )
    if r["errors"]:
        print(f"    e.g. {r['errors'][0]}")
        failed += 1
    check = json.loads(scratch.run_code(CHECK, env))
    numbers_ok = (
        check["filed"] == r["accepted"]
        and check["distinct"] == check["filed"]
        and check["duplicates"] == 0
        and check["gap_free"]
        and check["counter"] == check["filed"]
    )
    print(
        f"  备案编号: {check['filed']:,} issued, {check['distinct']:,} distinct, "
        f"{check['duplicates']} duplicated, gap-free {check['gap_free']}, counter "
        f"{check['counter']:,} (target: one number per filing, no gap) {verdict(numbers_ok)}"
    )
    failed += not numbers_ok
    if not args.keep:
        scratch.drop(server, args.db)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
