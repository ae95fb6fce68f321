"""Catalogue benchmark (issue 2 §6): Excel import of 10,000 items and search latency.

Runs on a fresh temporary SQLite file and, when DATABASE_URL names PostgreSQL, also
on a dedicated database ``govhall_bench`` on that server (dropped and recreated;
the database named in DATABASE_URL itself is never touched). Each database is
measured in its own process, because Django's settings are read once.

Targets: import >= 1,000 items/s; search p95 <= 50 ms (first page of 20).
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
ITEMS = 10_000
RUNS = 200
PG_DB = "govhall_bench"

TOPICS = [
    ("户口迁移", "户籍 迁户口"),
    ("居民身份证换领", "身份证"),
    ("社会保障卡申领", "社保卡"),
    ("城乡居民养老保险参保登记", "社保 养老"),
    ("个体工商户营业执照设立登记", "营业执照 个体户"),
    ("食品经营许可", "食品 许可证"),
    ("建设工程规划许可", "规划 许可"),
    ("医师执业注册", "医生 执业"),
    ("道路运输经营许可", "运输 许可"),
    ("最低生活保障审批", "低保"),
    ("不动产登记", "房产证"),
    ("民办学校办学许可", "办学"),
    ("生育登记", "生育 二孩"),
    ("失业保险金申领", "失业金 社保"),
    ("公共场所卫生许可", "卫生许可证"),
    ("农药经营许可", "农药"),
]
TYPES = ["licensing", "confirmation", "payment", "public_service", "filing", "other_power"]


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "govhall.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _departments(count: int = 20):
    from govhall.org.models import Department
    from govhall.testing import factories

    return [
        Department.objects.create(code=factories.make_uscc(500 + i), name=f"基准县第{i + 1}局")
        for i in range(count)
    ]


def generate_workbook(departments, items: int = ITEMS) -> bytes:
    """A valid workbook: ~4 materials and 2-3 steps per item, names that search hits."""
    from govhall.catalog import excel
    from govhall.core.validators import make_implementation_code
    from govhall.testing.factories import guide

    rows, materials, steps = [], [], []
    base = guide()
    for n in range(items):
        dept = departments[n % len(departments)]
        topic, keywords = TOPICS[n % len(TOPICS)]
        basic = f"{n + 1:012d}"
        code = make_implementation_code(uscc=dept.code, basic_code=basic)
        complex_ = n % 2 == 1
        name = f"{topic}（第{n + 1}项）"
        rows.append(
            {
                **base,
                "implementation_code": code,
                "basic_code": basic,
                "department_code": dept.code,
                "department_name": dept.name,
                "type": TYPES[n % len(TYPES)],
                "status": "active",
                "is_stationed": True,
                "on_negative_list": False,
                "name": name,
                "keywords": keywords,
                "exercise_level": "county",
                "handling_form": "both",
                "visits": 1,
                "has_fee": False,
                "needs_no_materials": False,
                "procedure_pattern": "complex" if complex_ else "general",
                "at_most_one_visit": n % 3 == 0,
                "allows_tolerance": False,
                "is_certification": False,
                "intermediary_service": False,
                "cross_region": "",
                "accept_at_county": True,
                "accept_at_township": n % 4 == 0,
                "accept_at_village": False,
            }
        )
        key = {"implementation_code": code, "item_name": name}
        for m in range(3 + n % 3):  # 3, 4 or 5: 4 on average
            materials.append(
                {
                    **key,
                    "order": m + 1,
                    "name": f"申请材料{m + 1}",
                    "required": True,
                    "tolerance_allowed": False,
                    "originals": 1,
                    "copies": m % 2,
                    "form": "both",
                    "source": "申请人自备",
                    "notes": "加盖公章",
                }
            )
        kinds = ["examine", "verify", "decide"] if complex_ else ["examine", "decide"]
        for s, kind in enumerate(kinds):
            steps.append(
                {
                    **key,
                    "order": s + 1,
                    "kind": kind,
                    "name": ["审查", "审核", "决定"][s],
                    "time_limit_days": 1,
                    "review_standard": "材料齐全、符合法定形式",
                }
            )
    buf = io.BytesIO()
    excel.write_workbook(stream=buf, items=rows, materials=materials, steps=steps, special_steps=[])
    return buf.getvalue()


def _percentile(values, pct):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(pct / 100 * (len(values) - 1))))]


def measure(url: str, label: str) -> None:
    _setup(url)
    from django.contrib.auth import get_user_model
    from django.db import connection

    from govhall.catalog import excel, selectors

    actor = get_user_model().objects.create_superuser("bench", password="bench-only")
    departments = _departments()
    t = time.perf_counter()
    data = generate_workbook(departments)
    gen = time.perf_counter() - t

    t = time.perf_counter()
    report = excel.import_workbook(actor=actor, stream=io.BytesIO(data))
    took = time.perf_counter() - t
    rate = report.created / took
    if connection.vendor == "postgresql":  # what autovacuum does soon after a bulk load
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    t = time.perf_counter()
    again = excel.import_workbook(actor=actor, stream=io.BytesIO(data))
    took_again = time.perf_counter() - t
    t = time.perf_counter()
    excel.export_workbook(stream=io.BytesIO())
    took_export = time.perf_counter() - t

    print(
        f"\n[{label}] {connection.vendor}  ({len(data) / 1e6:.1f} MB workbook, generated in {gen:.1f}s)"
    )
    print(f"  {'measure':<34}{'value':>14}  target")
    ok = "OK" if rate >= 1000 else "MISSED"
    print(
        f"  {'import 10,000 new items':<34}{rate:>10,.0f} /s  >= 1,000 /s  {ok}  ({took:.2f}s, {report})"
    )
    print(
        f"  {'re-import, all unchanged':<34}{again.unchanged / took_again:>10,.0f} /s  ({took_again:.2f}s)"
    )
    print(f"  {'export 10,000 items':<34}{ITEMS / took_export:>10,.0f} /s  ({took_export:.2f}s)")

    dept = departments[3]
    cases = [
        ("q=户口", {"q": "户口"}),
        ("q=社保", {"q": "社保"}),
        ("q=营业", {"q": "营业"}),
        ("q=许可", {"q": "许可"}),
        ("department filter", {"department_id": dept.pk}),
        ("type filter (行政确认)", {"type": "confirmation"}),
        ("q=许可 + type filter", {"q": "许可", "type": "licensing"}),
    ]
    print(
        f"  {'search (first page of 20)':<34}{'hits':>7}{'p50 ms':>9}{'p95 ms':>9}  target p95 <= 50 ms"
    )
    worst = 0.0
    for name, params in cases:
        hits = selectors.search_items(**params).count()
        timings = []
        for _ in range(RUNS):
            t = time.perf_counter()
            page = list(selectors.search_items(**params)[:20])
            timings.append((time.perf_counter() - t) * 1000)
        assert page, name
        p95 = _percentile(timings, 95)
        worst = max(worst, p95)
        print(
            f"  {name:<34}{hits:>7}{statistics.median(timings):>9.1f}{p95:>9.1f}  {'OK' if p95 <= 50 else 'MISSED'}"
        )
    print(f"  worst search p95: {worst:.1f} ms over {RUNS} runs each")


def _pg_bench_url(url: str) -> str:
    """Recreate ``govhall_bench`` on the server of ``url`` and return its URL."""
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return urlunsplit(parts._replace(path=f"/{PG_DB}"))


def main() -> int:
    if len(sys.argv) == 3:
        measure(sys.argv[1], sys.argv[2])
        return 0
    targets = []
    with tempfile.TemporaryDirectory(prefix="govhall-bench-") as tmp:
        targets.append((f"sqlite:///{tmp}/bench.sqlite3", "SQLite"))
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith(("postgres://", "postgresql://")):
            targets.append((_pg_bench_url(url), "PostgreSQL"))
        code = 0
        for target, label in targets:
            result = subprocess.run([sys.executable, __file__, target, label], cwd=ROOT)
            code = code or result.returncode
    return code


if __name__ == "__main__":
    sys.exit(main())
