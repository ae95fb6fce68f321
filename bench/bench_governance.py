"""事项动态调整 at county scale (issue 13 §1), on PostgreSQL.

Measured, each with its target:

1. **划转 of an item with 5,000 open cases**: the centre administrator approves the
   request (``services.transition(action="approve")``): the item moves, every open case
   is handed over (its department, 承办人 and version, a 划转移交 event and an audit row
   each), the request keeps the list — one transaction ≤ 5 s;
2. **审核通过 of a 变更** (a draft published), median of ``--changes`` requests: ≤ 200 ms;
3. **the late filings per department** (``selectors.filing_timeliness``, what the
   evaluation reads) over the requests filed: ≤ 50 ms.

It drops and creates its own scratch database (``BENCH_GOVERNANCE_DB``, default
``govhall_bench_governance``), migrates it, builds the hall of the tests
(``testing.factories.build_hall``) and clones one window case into ``--cases`` open
cases with one bulk INSERT.

    .venv/bin/python bench/bench_governance.py [--cases 5000] [--changes 20] [--keep]

Without a reachable PostgreSQL the benchmark is skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scratch  # noqa: E402
from report import verdict  # noqa: E402

DB = os.environ.get("BENCH_GOVERNANCE_DB", "govhall_bench_governance")
TARGET_TRANSFER_S = 5.0
TARGET_CHANGE_MS = 200
TARGET_TIMELINESS_MS = 50


def inner(cases: int, changes: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govhall.settings")
    import datetime as dt
    import io
    import statistics

    import django

    django.setup()
    import pypdf
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - started

    from govhall.cases.models import Case
    from govhall.catalog import services as catalog
    from govhall.core import clock
    from govhall.governance import selectors, services
    from govhall.testing import factories

    writer, out = pypdf.PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=72, height=72)
    writer.write(out)
    pdf = out.getvalue()

    def application():
        return SimpleUploadedFile("书面申请.pdf", pdf, content_type="application/pdf")

    def act(r, action, actor, **inputs):
        r.refresh_from_db()
        return services.transition(
            actor=actor, request=r, action=action, expected_version=r.version, **inputs
        )

    with clock.frozen(dt.datetime(2026, 11, 23, 9, 0)):
        hall = factories.build_hall()
        chief, admin = hall.staff.market_chief.user, hall.staff.admin.user
        case = factories.window_case(hall)
        fields = {
            f.attname: getattr(case, f.attname)
            for f in Case._meta.concrete_fields
            if not f.primary_key
        }
        clones = [Case(**{**fields, "number": f"BENCH-{n:07d}"}) for n in range(1, cases)]
        started = time.perf_counter()
        Case.objects.bulk_create(clones, batch_size=2000)
        insert_s = time.perf_counter() - started

        r = services.create_request(
            actor=chief,
            kind="transfer",
            item=hall.market_item,
            files=[application()],
            trigger="institution_reform",
            trigger_date=dt.date(2026, 11, 20),
            reasons="相对集中行政许可权改革",
            target_department=hall.health,
            handover_note="许可档案 500 卷",
        )
        r = act(r, "submit", chief)
        connection.queries_log.clear()
        started = time.perf_counter()
        r = act(r, "approve", admin, opinion="同意")
        transfer_s = time.perf_counter() - started
        moved = len(r.handed_over)
        on_health = Case.objects.filter(department=hall.health).count()

        # 变更 of the (now health) item, approved again and again.
        health_chief = hall.staff.health_chief.user
        change_ms = []
        for n in range(changes):
            r = services.create_request(
                actor=health_chief,
                kind="change",
                item=hall.market_item,
                files=[application()],
                trigger="guide_revision",
                trigger_date=dt.date(2026, 11, 20),
                touches_elements=True,
                reasons=f"修订第{n + 1}次",
            )
            r.refresh_from_db()
            catalog.save_draft(
                actor=health_chief, version=r.draft, guide={"keywords": f"修订{n + 1}"}
            )
            r = act(r, "submit", health_chief)
            started = time.perf_counter()
            act(r, "approve", admin)
            change_ms.append(1000 * (time.perf_counter() - started))

        timeliness = []
        for _ in range(7):
            started = time.perf_counter()
            figures = selectors.filing_timeliness(
                start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
            )
            timeliness.append(1000 * (time.perf_counter() - started))
    return {
        "migrate_s": round(migrate_s, 1),
        "insert_s": round(insert_s, 2),
        "cases": cases,
        "moved": moved,
        "on_new_department": on_health,
        "transfer_s": round(transfer_s, 2),
        "change_median_ms": round(statistics.median(change_ms), 1) if change_ms else None,
        "timeliness_ms": round(sorted(timeliness)[len(timeliness) // 2], 2),
        "filed": sum(f["filed"] for f in figures.values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner(args.cases, args.changes)))
        return 0
    server = scratch.server_url()
    if not scratch.reachable(server, "the governance benchmark"):
        return 0
    url = scratch.recreate(server, DB)
    if url is None:
        return 0
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false"}
    try:
        out = subprocess.run(
            [scratch.PY, __file__, "--inner", "--cases", str(args.cases),
             "--changes", str(args.changes)],
            cwd=ROOT, env=env, capture_output=True, text=True,
        )  # fmt: skip
        if out.returncode:
            print(out.stderr[-3000:])
            return 1
        f = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        if not args.keep:
            scratch.drop(server, DB)
    print(f"  scratch database {DB}: migrated in {f['migrate_s']} s, "
          f"{f['cases']:,} open cases inserted in {f['insert_s']} s")  # fmt: skip
    ok = f["transfer_s"] <= TARGET_TRANSFER_S and f["moved"] == f["cases"]
    print(
        f"  划转 approved with {f['moved']:,} open cases handed over "
        f"({f['on_new_department']:,} now with the new department): {f['transfer_s']} s "
        f"(target ≤ {TARGET_TRANSFER_S:.0f} s) {verdict(ok)}"
    )
    change_ok = f["change_median_ms"] is not None and f["change_median_ms"] <= TARGET_CHANGE_MS
    print(
        f"  审核通过 of a 变更 (draft published), median of {args.changes}: "
        f"{f['change_median_ms']} ms (target ≤ {TARGET_CHANGE_MS} ms) {verdict(change_ok)}"
    )
    t_ok = f["timeliness_ms"] <= TARGET_TIMELINESS_MS
    print(
        f"  late filings per department ({f['filed']} requests filed): "
        f"{f['timeliness_ms']} ms (target ≤ {TARGET_TIMELINESS_MS} ms) {verdict(t_ok)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
