"""The demo county: what `make run` shows a visitor, and that loading twice is harmless.

Loading the demo is slow (a few hundred cases through the services), so this module
loads it once (``demo``) and every test reads that one load; it is rolled back after
the module's last test, and each test's own writes are rolled back after the test.
"""

import datetime as dt
import re
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

from govhall.cases import selectors as case_selectors
from govhall.cases.demo import load_demo_cases
from govhall.cases.models import Case
from govhall.catalog import selectors
from govhall.catalog.models import (
    AuthorisedItem,
    CaseType,
    Item,
    ItemStatus,
    ItemType,
    ItemVersion,
    LifeEvent,
    Material,
    SpecialStep,
)
from govhall.catalog.validation import validate_version
from govhall.core import clock
from govhall.core.models import AuditEntry
from govhall.org.models import Authorisation, Centre, Department, Role, Staff, Window

MODELS = [
    Centre,
    Department,
    Window,
    Staff,
    Authorisation,
    Item,
    ItemVersion,
    Material,
    SpecialStep,
    LifeEvent,
    AuthorisedItem,
    AuditEntry,
    get_user_model(),
]


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def _load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """``load_demo`` run once for the module, as the function fixtures of
    ``govhall/conftest.py`` would have run it: on Monday 2026-11-23 09:00 with the
    fast password hasher. Rolled back when the module is done."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        clock.frozen(dt.datetime(2026, 11, 23, 9, 0)),
        transaction.atomic(),
    ):
        yield SimpleNamespace(output=_load())
        transaction.set_rollback(True)


@pytest.fixture
def output(demo, db):
    """What the first ``load_demo`` printed (each test runs inside the loaded data)."""
    return demo.output


def test_demo_organisation_is_a_whole_banner(output):
    # Organisation: 旗 → 苏木镇 → 嘎查村社区, departments, windows, staff.
    county = Centre.objects.get(code="150626")
    assert county.name == "乌审旗政务服务中心"
    townships = Centre.objects.filter(level="township")
    villages = Centre.objects.filter(level="village")
    assert townships.count() >= 3 and all(len(c.code) == 9 for c in townships)
    assert villages.count() >= 6 and all(len(c.code) == 12 for c in villages)
    assert all(v.parent.level == "township" for v in villages)
    assert Department.objects.count() >= 12
    assert Department.objects.filter(is_approval=True).exists()
    assert Department.objects.filter(is_supervising=True, is_approval=False).exists()
    assert Window.objects.count() >= 20
    assert {w.type for w in Window.objects.all()} == {
        "comprehensive",
        "department",
        "result",
        "complaint",
        "cross_region",
        "tidal",
    }
    assert Staff.objects.count() >= 40
    assert {s.role for s in Staff.objects.all()} == set(Role.values)
    assert Authorisation.objects.count() == Department.objects.count()


def test_demo_catalogue_is_complete_and_publishable(output):
    # Catalogue: ≥80 items, each with a current, publishable guide.
    current = selectors.current_versions().select_related("item__department")
    # every item but a 新增 still being applied for (its draft not yet approved)
    applying = Item.objects.filter(adjustment_requests__kind="add").exclude(
        adjustment_requests__state="applied"
    )
    assert current.count() == Item.objects.exclude(pk__in=applying).count() >= 80
    assert {v.item.type for v in current} == set(ItemType.values)
    assert validate_version(current.get(name="食品经营许可")) == {}
    assert (
        Item.objects.filter(on_negative_list=True, is_stationed=False)
        .exclude(negative_list_reason="")
        .exists()
    )
    assert Item.objects.filter(status=ItemStatus.SUSPENDED).exists()
    assert current.filter(allows_tolerance=True, materials__tolerance_allowed=True).exists()
    assert current.filter(case_type=CaseType.INSTANT, promised_limit_days=0).exists()
    assert current.filter(accept_at_township=True).exists()
    assert current.filter(accept_at_village=True).exists()
    assert SpecialStep.objects.filter(counted_in_limit=True).exists()
    assert SpecialStep.objects.filter(counted_in_limit=False).exists()
    assert all(v.promised_limit_days <= v.legal_limit_days for v in current if v.legal_limit_days)
    # Review steps plus the special steps counted in the limit fit in the promised days.
    for version in selectors.with_guide(current):
        used = sum(s.time_limit_days for s in version.steps.all()) + sum(
            s.time_limit_days for s in version.special_steps.all() if s.counted_in_limit
        )
        assert used <= version.promised_limit_days, version.name
    assert LifeEvent.objects.get(code="kaiban").items.exists()
    # 主题 and each item's 主题 are written through audited services, like all the rest.
    assert AuditEntry.objects.filter(
        object_type="catalog.lifeevent", action="catalog.life_event.create"
    ).count() == (LifeEvent.objects.count())
    assert AuditEntry.objects.filter(action="catalog.item.set_life_events").count() == (
        Item.objects.filter(life_events__isnull=False).distinct().count()
    )
    assert AuthorisedItem.objects.filter(approvers__isnull=False).distinct().count() == (
        Item.objects.exclude(pk__in=applying).count()
    )
    # The portal's two-character search finds what citizens type.
    assert selectors.search_items(q="户口").exists()
    assert selectors.search_items(q="社保").exists()


def test_demo_badges_tell_items_apart(client, output):
    """Issue 10 §2: every item carried 最多跑一次 and all but two were offered online,
    结婚登记 included. Items that need the applicant in person are window-only; the
    badges differ between items; the guide's 在线申请 follows the item."""
    current = selectors.current_versions()
    marriage = current.get(name="内地居民结婚登记")
    assert marriage.handling_form == "window"
    guide = client.get(f"/items/{marriage.item.implementation_code}/").content.decode()
    assert "仅窗口办理" in guide and "在线申请</a>" not in guide
    assert client.get(f"/cases/apply/{marriage.item_id}/").status_code == 404
    assert current.filter(at_most_one_visit=False).exists()
    assert current.filter(visits=0).exists()
    assert current.filter(handling_form="window").count() >= 10
    online = current.filter(
        handling_form="both", item__status="active", item__is_stationed=True
    ).first()
    guide = client.get(f"/items/{online.item.implementation_code}/").content.decode()
    assert f'href="/cases/apply/{online.item_id}/">在线申请</a>' in guide


def test_demo_guides_offer_real_blank_forms_and_result_samples(client, output):
    """Issue 10 §2: 示范文本 and 结果样本 were named but could not be downloaded."""
    version = selectors.current_versions().filter(materials__sample_file__gt="").first()
    assert version is not None
    guide = client.get(f"/items/{version.item.implementation_code}/").content.decode()
    key = version.materials.exclude(sample_file="").first().sample_file
    assert f'href="/files/{key}/"' in guide
    response = client.get(f"/files/{key}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    licence = selectors.current_versions().filter(item__type="licensing").first()
    assert licence.result_sample_file


def test_demo_accounts_sign_in_with_the_printed_password(client, output):
    # One printed account per role, and it signs in with the printed password.
    for username in ("admin", "chief", "clerk", "approver", "supervisor"):
        assert username in output
        assert client.login(username=username, password="govhall2026"), username
        client.logout()
    assert "govhall2026" in output
    # The demo administrator also opens the back office (issue 10 §3: it was refused).
    assert client.login(username="admin", password="govhall2026")
    response = client.get("/admin/")
    assert response.status_code == 200 and "没有这个页面的访问权限" not in response.content.decode()


def test_demo_cases_cover_states_and_lights_and_are_idempotent(output):
    # Cases (issue 3): a few hundred ordinary cases in every state, and 一件事 bundles.
    ordinary = Case.objects.filter(bundle__isnull=True, parent__isnull=True)
    assert ordinary.count() >= 250
    assert ordinary.values("state").distinct().count() >= 8
    assert Case.objects.filter(bundle__isnull=False).exists()
    # ``cases.demo.load_demo_cases`` (run by ``load_demo``) made as many cases as it
    # reported, in the main states, with overdue and normal ones in a department …
    assert "[load_cases] 新建：办件 300" in output
    history = int(re.search(r"历史办件（迁移） (\d+)", output).group(1))
    # … and 审管联动 (issue 14) a few of its own (short-lived licences, a refused 容缺).
    linkage = int(re.search(r"审管联动演示办件 (\d+)", output).group(1))
    assert ordinary.count() == 300 + history + linkage
    states = set(ordinary.values_list("state", flat=True))
    assert {"submitted", "in_review", "completed", "archived"} <= states and len(states) >= 8
    food = selectors.current_versions().get(name="食品经营许可").item.department
    lights = set(case_selectors.department_cases(department=food).values_list("light", flat=True))
    assert {"overdue", "normal"} <= lights
    # … and running it again makes none.
    total = Case.objects.count()
    assert load_demo_cases(stdout=StringIO()) == 0
    assert Case.objects.count() == total


def test_loading_the_demo_twice_changes_nothing(output):
    before = _counts()
    again = _load()
    assert _counts() == before
    assert "新建：无（已是最新）" in again


def test_demo_cases_show_their_sent_notifications_and_one_failed(client, output):
    """Issue 9 §2: the case pages list the messages sent (dated when the case was
    handled), one SMS failed with its dead-letter task, and staff have 红黄灯 inbox
    messages."""
    from govhall.core.models import TaskDelivery
    from govhall.notifications.models import Notification

    assert "[load_notifications] 新建：已发送消息" in output and "发送失败消息 1" in output
    assert not Notification.objects.filter(status="queued").exists()
    sent = Notification.objects.filter(status="sent")
    assert sent.filter(channel="sms").count() >= 100
    assert sent.filter(channel="inbox", template="cases/light").exists()
    first = sent.filter(channel="sms").order_by("created_at").first()
    assert (first.sent_at - first.created_at).total_seconds() == 3
    failed = Notification.objects.get(status="failed")
    dead = TaskDelivery.objects.get(delivery_id=f"notifications:{failed.pk}")
    assert dead.state == "dead"
    case = Case.objects.get(pk=int(first.ref.split(":")[1]))
    staff = Staff.objects.filter(role=Role.CENTRE_ADMIN, centre__code="150626").first()
    client.force_login(staff.user)
    page = client.get(f"/staff/cases/{case.number}/").content.decode()
    assert first.subject in page and "已送达" in page
    assert case.applicant_phone not in page


def test_the_demo_county_has_a_year_of_archived_cases_counted_by_day(output):
    """Issue 11 §4: a year of 历史办件 before the live cases, each with its 办理记录,
    imported once (one audit entry), and every day of them in the rollup."""
    from govhall.core.models import AuditEntry
    from govhall.supervision.models import DailyCount

    history = int(re.search(r"历史办件（迁移） (\d+)", output).group(1))
    assert history >= 1000
    months = {
        (d.year, d.month)
        for d in Case.objects.filter(state="archived").values_list("received_at", flat=True)
    }
    assert len(months) >= 12
    assert AuditEntry.objects.filter(action="demo.history.import").count() == 1
    one = Case.objects.filter(events__action="archive").order_by("received_at").first()
    actions = list(one.events.order_by("at", "id").values_list("action", flat=True))
    assert actions[0] == "submit" and actions[-2:] == ["complete", "archive"]
    received = sum(DailyCount.objects.values_list("received", flat=True))
    assert received == Case.objects.exclude(bundle__isnull=False, parent__isnull=True).count()
