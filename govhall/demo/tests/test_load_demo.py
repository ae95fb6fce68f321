"""The demo county: what `make run` shows a visitor, and that loading twice is harmless."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

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


@pytest.mark.django_db
def test_demo_county_is_complete_and_loading_twice_changes_nothing(client):
    output = _load()

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

    # Catalogue: ≥80 items, each with a current, publishable guide.
    current = selectors.current_versions().select_related("item__department")
    assert current.count() == Item.objects.count() >= 80
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
    assert AuditEntry.objects.filter(object_type="catalog.lifeevent", action="catalog.life_event.create").count() == (
        LifeEvent.objects.count()
    )
    assert AuditEntry.objects.filter(action="catalog.item.set_life_events").count() == (
        Item.objects.filter(life_events__isnull=False).distinct().count()
    )
    assert AuthorisedItem.objects.filter(approvers__isnull=False).distinct().count() == (
        Item.objects.count()
    )
    # The portal's two-character search finds what citizens type.
    assert selectors.search_items(q="户口").exists()
    assert selectors.search_items(q="社保").exists()

    # One printed account per role, and it signs in with the printed password.
    for username in ("admin", "chief", "clerk", "approver", "supervisor"):
        assert username in output
        assert client.login(username=username, password="govhall2026"), username
        client.logout()
    assert "govhall2026" in output

    # Cases (issue 3): a few hundred ordinary cases in every state, and 一件事 bundles.
    ordinary = Case.objects.filter(bundle__isnull=True, parent__isnull=True)
    assert ordinary.count() >= 250
    assert ordinary.values("state").distinct().count() >= 8
    assert Case.objects.filter(bundle__isnull=False).exists()

    before = _counts()
    again = _load()
    assert _counts() == before
    assert "新建：无（已是最新）" in again
