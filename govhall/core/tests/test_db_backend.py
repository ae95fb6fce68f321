"""The PostgreSQL backend of ``core/db/postgresql``: small bulk inserts go as VALUES
rows, large ones as Django's UNNEST arrays, and both store exactly what was given."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.core import actors, audit
from govhall.core.models import AuditEntry
from govhall.core.security import LOGIN_FAIL as ACTION

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
]


def _entries(count: int, user) -> list[AuditEntry]:
    return [
        audit.record(
            actor=actors.SYSTEM,
            action=ACTION,
            obj=user,
            changes={"n": [None, n], "text": [None, f"第{n}条"]},
            reason=f"批量 {n}",
            save=False,
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("count, form", [(2, "VALUES"), (60, "UNNEST")])
def test_bulk_insert_form_and_rows(django_user_model, count, form):
    user = django_user_model.objects.create(username="bulk")
    with CaptureQueriesContext(connection) as queries:
        made = AuditEntry.objects.bulk_create(_entries(count, user))
    insert = next(q["sql"] for q in queries.captured_queries if q["sql"].startswith("INSERT"))
    assert form in insert.upper()
    assert all(e.pk for e in made)  # ids come back either way (attachments need them)
    rows = AuditEntry.objects.filter(pk__in=[e.pk for e in made]).order_by("pk")
    assert [(r.reason, r.changes["text"][1]) for r in rows] == [
        (f"批量 {n}", f"第{n}条") for n in range(count)
    ]
