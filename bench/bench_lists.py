"""The public lists at county scale (issue 13 §3), on PostgreSQL.

A 3,000-item catalogue (imported through ``catalog.excel``, as ``bench_catalog.py``
builds it) with every list filled: 两优 and negative-list flags, 中介/证明/容缺
items, 1,000 fee lines, 600 special steps, 3,000 权责清单 powers and 1,500 监管事项
(written in bulk: the setup is not what is measured). Measured, each with its target:

1. **Publishing every list** (``lists.services.publish``, all thirteen, first time):
   ≤ 10 s; then again after 60 items changed (only the lists that changed are
   published, each diffed against its last publication): ≤ 10 s; and once more with
   nothing changed (every list computed and compared, nothing written);
2. **A public list page** (``/lists/<key>/`` through Django's test client, template
   rendered: the 3,000-row 事项目录, the 负面清单, the 权责清单, a search in the
   catalogue): p95 of ``--calls`` ≤ 200 ms;
3. the API's comparison of two dates of the 3,000-row catalogue (``compare``),
   reported.

    .venv/bin/python bench/bench_lists.py [--items 3000] [--calls 30]

The database is ``BENCH_LISTS_DB`` (default ``govhall_bench_lists``), dropped and
created on the server of ``BENCH_POSTGRES``/``DATABASE_URL``. Without a reachable
PostgreSQL the benchmark is skipped.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scratch  # noqa: E402
from report import pct, verdict  # noqa: E402

DB = os.environ.get("BENCH_LISTS_DB", "govhall_bench_lists")
TARGET_PUBLISH_S = 10.0
TARGET_PAGE_MS = 200.0


def _fill(items: int) -> None:
    """The catalogue and every list's data, in bulk."""
    import bench_catalog
    from django.contrib.auth import get_user_model
    from django.db import connection

    from govhall.catalog import excel as catalog_excel
    from govhall.catalog.models import FeeLine, Item, ItemVersion, Material, SpecialStep
    from govhall.core import clock
    from govhall.lists.models import PowerEntry, SupervisionMatter

    actor = get_user_model().objects.create_superuser("bench", password="bench-only")
    departments = bench_catalog._departments()
    data = bench_catalog.generate_workbook(departments, items=items)
    catalog_excel.import_workbook(actor=actor, stream=io.BytesIO(data))
    ids = list(Item.objects.order_by("id").values_list("id", flat=True))
    Item.objects.filter(id__in=ids[::10]).update(on_two_priority_list=True)
    Item.objects.filter(id__in=ids[5::30]).update(
        on_negative_list=True,
        is_stationed=False,
        negative_list_category="premises",
        negative_list_reason="受场地限制，不进驻政务服务中心",
    )
    versions = list(ItemVersion.objects.order_by("item_id").values_list("id", flat=True))
    ItemVersion.objects.filter(id__in=versions[::7]).update(
        intermediary_service=True, intermediary_note="检测报告"
    )
    ItemVersion.objects.filter(id__in=versions[1::9]).update(is_certification=True)
    ItemVersion.objects.filter(id__in=versions[2::8]).update(allows_tolerance=True)
    Material.objects.filter(version_id__in=versions[2::8], order=2).update(tolerance_allowed=True)
    ItemVersion.objects.filter(id__in=versions[::3]).update(has_fee=True)
    FeeLine.objects.bulk_create(
        FeeLine(
            version_id=v, order=1, name="工本费", standard="每证10元", amount=1000, basis="收费文件"
        )
        for v in versions[::3]
    )
    SpecialStep.objects.bulk_create(
        SpecialStep(
            version_id=v,
            order=1,
            kind="site_inspection",
            name="现场核查",
            basis="许可法",
            time_limit_days=3,
        )
        for v in versions[::5]
    )
    now = clock.now()
    items_by_id = dict(Item.objects.values_list("id", "department_id"))
    PowerEntry.objects.bulk_create(
        PowerEntry(
            code=f"QL-{n:05d}",
            name=f"权力事项{n}",
            kind="licensing",
            department_id=items_by_id[item_id],
            item_id=item_id,
            basis="《中华人民共和国行政许可法》",
            responsibilities="受理、审查、决定、送达、监管",
            accountability="不履行或不正确履行职责的依法追责",
            updated_at=now,
        )
        for n, item_id in enumerate(ids)
    )
    matters = SupervisionMatter.objects.bulk_create(
        SupervisionMatter(
            code=f"JG-{n:05d}",
            name=f"监管事项{n}",
            department_id=items_by_id[item_id],
            target="持证经营者",
            basis="相关法律法规",
            method="双随机一公开",
            updated_at=now,
        )
        for n, item_id in enumerate(ids[::2])
    )
    SupervisionMatter.items.through.objects.bulk_create(
        SupervisionMatter.items.through(supervisionmatter_id=m.pk, item_id=item_id)
        for m, item_id in zip(matters, ids[::2], strict=True)
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def measure(items: int, calls: int) -> int:
    os.environ["DJANGO_SETTINGS_MODULE"] = "govhall.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0, interactive=False)
    import datetime as dt

    from govhall.catalog.models import Item
    from govhall.core import actors, clock
    from govhall.lists import selectors, services

    started = time.perf_counter()
    _fill(items)
    print(f"  setup: {items:,} items and every list filled in {time.perf_counter() - started:.1f}s")
    failed = 0

    t = time.perf_counter()
    made = services.publish(actor=actors.SYSTEM, note="基准：首次公布")
    first = time.perf_counter() - t
    rows = sum(p.row_count for p in made)
    ok = first <= TARGET_PUBLISH_S
    failed += not ok
    print(f"  {'measure':<44}{'value':>12}  target")
    print(
        f"  {'publish all 13 lists (first time)':<44}{first:>10.2f} s  <= {TARGET_PUBLISH_S:.0f} s"
        f"  {verdict(ok)}  ({len(made)} lists, {rows:,} rows)"
    )

    changed = list(Item.objects.order_by("id").values_list("id", flat=True)[:60])
    Item.objects.filter(id__in=changed[:30]).update(on_two_priority_list=True)
    Item.objects.filter(id__in=changed[30:]).update(status="suspended")
    later = clock.now() + dt.timedelta(days=1)
    with clock.frozen(later):
        t = time.perf_counter()
        made = services.publish(actor=actors.SYSTEM, note="基准：变化后公布")
        second = time.perf_counter() - t
        ok = second <= TARGET_PUBLISH_S
        failed += not ok
        summary = ", ".join(f"{p.key} +{p.added}/-{p.removed}/~{p.changed}" for p in made)
        print(
            f"  {'publish after 60 items changed':<44}{second:>10.2f} s  <= {TARGET_PUBLISH_S:.0f} s"
            f"  {verdict(ok)}  ({summary})"
        )
        t = time.perf_counter()
        none = services.publish(actor=actors.SYSTEM)
        third = time.perf_counter() - t
        print(
            f"  {'publish with nothing changed':<44}{third:>10.2f} s  ({len(none)} lists published)"
        )
        t = time.perf_counter()
        comparison = selectors.compare(
            key="catalogue", start=clock.today() - dt.timedelta(days=1), end=clock.today()
        )
        took = (time.perf_counter() - t) * 1000
        print(
            f"  {'compare two dates of the catalogue':<44}{took:>9.0f} ms  "
            f"({len(comparison.diff.changed)} changed)"
        )

        client = Client()
        print(
            f"  {'public page (p95 of ' + str(calls) + ')':<44}{'p50 ms':>8}{'p95 ms':>8}  target p95 <= {TARGET_PAGE_MS:.0f} ms"
        )
        for label, url in (
            (f"/lists/catalogue/ ({items:,} rows, page 1)", "/lists/catalogue/"),
            ("/lists/catalogue/?q=许可 (search)", "/lists/catalogue/?q=%E8%AE%B8%E5%8F%AF"),
            ("/lists/negative/", "/lists/negative/"),
            ("/lists/powers/", "/lists/powers/"),
            ("/lists/ (index)", "/lists/"),
        ):
            client.get(url)  # warm
            timings = []
            for _ in range(calls):
                t = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, url
            p95 = pct(timings, 95)
            ok = p95 <= TARGET_PAGE_MS
            failed += not ok
            print(f"  {label:<44}{pct(timings, 50):>8.0f}{p95:>8.0f}  {verdict(ok)}")
    print(f"  (on {connection.vendor})")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        return measure(args.items, args.calls)
    server = scratch.server_url()
    if not scratch.reachable(server, "the lists benchmark"):
        return 0
    url = scratch.recreate(server, DB)
    if url is None:
        return 0
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "false"}
    try:
        result = subprocess.run(
            [
                scratch.PY,
                __file__,
                "--inside",
                "--items",
                str(args.items),
                "--calls",
                str(args.calls),
            ],
            cwd=ROOT,
            env=env,
        )
    finally:
        scratch.drop(server, DB)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
