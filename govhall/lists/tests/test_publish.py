"""公布: a snapshot of each list that changed, numbered, with what was added, removed
and changed; the list as published on a date; two dates compared; the morning run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from govhall.cases.signals import daily_rules_done
from govhall.catalog import services as catalog_services
from govhall.core import actors, clock
from govhall.core.errors import PermissionDenied, ValidationFailed
from govhall.core.models import AuditEntry
from govhall.lists import registry, selectors, services
from govhall.lists.models import ListPublication

from .conftest import take_off_negative_list

pytestmark = pytest.mark.django_db


def test_the_first_publication_publishes_every_list_once(county):
    made = services.publish(actor=county.admin, note="首次")
    assert sorted(p.key for p in made) == sorted(registry.KEYS)
    negative = ListPublication.objects.get(key="negative")
    assert negative.sequence == 1 and negative.row_count == 1 and negative.added == 1
    assert negative.rows[0]["code"] == county.secret.implementation_code
    assert negative.actor_name == "管理员" and negative.note == "首次"
    assert AuditEntry.objects.filter(action="lists.publication.publish").count() == 13
    # nothing changed: nothing published again
    assert services.publish(actor=county.admin) == []
    assert ListPublication.objects.count() == 13


def test_only_the_lists_that_changed_are_published_with_their_changes(county):
    services.publish(actor=county.admin)
    catalog_services.change_item_flags(
        actor=county.root,
        item=county.secret,
        reason="调整理由",
        negative_list_reason="涉及国家秘密",
    )
    services.save_power(
        actor=county.admin,
        code="QL-002",
        name="食品生产许可",
        kind="行政许可",
        department=county.org.market,
        basis="《食品安全法》",
        responsibilities="受理、审查",
    )
    services.retire(actor=county.admin, entry=county.matter, reason="撤销")
    with clock.frozen(dt.datetime(2026, 11, 25, 10, 0)):
        made = {p.key: p for p in services.publish(actor=county.admin)}
    assert set(made) == {"negative", "powers", "supervision"}
    negative = made["negative"]
    assert (negative.sequence, negative.added, negative.removed, negative.changed) == (2, 0, 0, 1)
    (change,) = negative.changes["changed"]
    assert change["before"]["reason"] == "涉及国家秘密，不宜进驻"
    assert change["after"]["reason"] == "涉及国家秘密"
    assert change["columns"] == ["reason"]
    assert (made["powers"].added, made["powers"].row_count) == (1, 2)
    assert made["powers"].changes["added"][0]["code"] == "QL-002"
    assert (made["supervision"].removed, made["supervision"].row_count) == (1, 0)


def test_the_list_as_published_on_a_date_and_two_dates_compared(county):
    code = county.secret.implementation_code
    services.publish(actor=county.admin)  # Monday 2026-11-23
    with clock.frozen(dt.datetime(2026, 11, 26, 10, 0)):
        take_off_negative_list(county)
        services.publish(actor=county.admin, keys=["negative", "catalogue"])
    assert selectors.published_on(key="negative", day=dt.date(2026, 11, 22)) is None
    monday = selectors.published_on(key="negative", day=dt.date(2026, 11, 25))
    assert [r["code"] for r in monday.rows] == [code]
    assert selectors.published_on(key="negative", day=dt.date(2026, 11, 26)).rows == []
    result = selectors.compare(
        key="negative", start=dt.date(2026, 11, 23), end=dt.date(2026, 11, 30)
    )
    assert [r["code"] for r in result.diff.removed] == [code]
    assert result.diff.added == [] and result.diff.changed == []
    catalogue = selectors.compare(
        key="catalogue", start=dt.date(2026, 11, 23), end=dt.date(2026, 11, 26)
    )
    (changed,) = catalogue.diff.changed
    assert changed.before["hall"] == "负面清单（不进驻）" and changed.after["hall"] == "进驻中心"
    with pytest.raises(ValidationFailed) as exc:
        selectors.compare(key="negative", start=dt.date(2026, 11, 30), end=dt.date(2026, 11, 23))
    assert exc.value.code == "invalid_range"


def test_a_publication_keeps_its_rows_whatever_the_catalogue_becomes(county):
    services.publish(actor=county.admin, keys=["negative"])
    catalog_services.change_item_flags(
        actor=county.root, item=county.secret, reason="取消", status="cancelled"
    )
    assert selectors.current_rows(key="negative") == []
    assert len(selectors.latest(key="negative").rows) == 1


def test_only_the_centre_administrator_and_the_morning_run_publish(county):
    for staff in (
        county.org.staff.market_chief,
        county.org.staff.clerk,
        county.org.staff.supervisor,
    ):
        with pytest.raises(PermissionDenied):
            services.publish(actor=staff.user)
    assert not ListPublication.objects.exists()
    assert len(services.publish(actor=actors.SYSTEM, keys=["fees"])) == 1
    assert ListPublication.objects.get().actor_name == "系统"
    with pytest.raises(ValidationFailed) as exc:
        services.publish(actor=county.admin, keys=["fees", "nope"])
    assert exc.value.code == "list_not_found"


def test_the_morning_run_publishes_what_changed_once_a_day(county):
    with clock.frozen(dt.datetime(2026, 11, 24, 6, 30)):
        daily_rules_done.send(sender=None, day=clock.today(), result={})
        daily_rules_done.send(sender=None, day=clock.today(), result={})
    assert ListPublication.objects.count() == 13
    assert set(ListPublication.objects.values_list("actor_name", flat=True)) == {"系统"}
    assert set(ListPublication.objects.values_list("note", flat=True)) == {"每日早间自动公布"}


def test_publishing_every_list_costs_a_fixed_number_of_queries(county):
    with CaptureQueriesContext(connection) as first:
        services.publish(actor=county.admin)
    services.save_power(
        actor=county.admin,
        code="QL-003",
        name="另一项权力",
        kind="行政检查",
        department=county.org.market,
        basis="依据",
        responsibilities="检查",
    )
    catalog_services.change_item_flags(
        actor=county.root, item=county.filing, reason="两优", on_two_priority_list=True
    )
    with CaptureQueriesContext(connection) as second:
        services.publish(actor=county.admin)
    assert len(first.captured_queries) <= 40
    assert len(second.captured_queries) <= len(first.captured_queries)


def test_diff_tells_rows_of_the_same_identity_apart():
    spec = registry.get("fees")
    row = {
        "code": "A",
        "name": "x",
        "department": "d",
        "fee": "工本费",
        "standard": "1",
        "amount": "1.00",
        "basis": "b",
    }
    twice = [row, {**row, "standard": "2"}]
    assert selectors.diff_rows(spec=spec, old=twice, new=twice).empty
    diff = selectors.diff_rows(spec=spec, old=twice, new=[row])
    assert diff.removed == [{**row, "standard": "2"}] and not diff.added
    assert selectors.diff_rows(spec=spec, old=[row], new=list(reversed(twice[:1]))).empty


def test_an_entry_dates_from_its_last_return_to_the_list(county):
    code = (county.secret.implementation_code,)
    services.publish(actor=county.admin, keys=["negative"])
    clock.set_now(dt.datetime(2026, 11, 24, 10, 0))
    take_off_negative_list(county)
    services.publish(actor=county.admin, keys=["negative"])
    clock.set_now(dt.datetime(2026, 11, 25, 10, 0))
    catalog_services.change_item_flags(
        actor=county.root,
        item=county.secret,
        reason="再次列入",
        on_negative_list=True,
        is_stationed=False,
        negative_list_category="secret",
        negative_list_reason="涉密",
    )
    (third,) = services.publish(actor=county.admin, keys=["negative"])
    first = selectors.publication(key="negative", sequence=1)
    assert selectors.entry_dates(publication=first) == {code: dt.date(2026, 11, 23)}
    assert selectors.entry_dates(publication=third) == {code: dt.date(2026, 11, 25)}
