"""The demo county's lists (issue 13 §3), through the services.

* 权责清单: one power per 行政许可/确认/征收/给付/奖励/裁决 item of the catalogue,
  linked to it, plus a 行政检查 and a 行政处罚 for each supervising department;
* 监管事项清单: for each licence, the 事中事后监管 of its holders by the competent
  department (the approval bureau's licences are supervised by the market bureau:
  相对集中许可 separates approval from supervision, seed 1);
* the history: 30 days ago every list is published for the first time (两优 items
  already marked); 7 days ago the centre adjusts — an item joins the 负面清单 (主动
  服务), the reason categories of the others are filled in, two more 两优 items, a new
  power and a retired one, a supervision method revised — and publishes again; today
  whatever else changed since (the rest of the demo) is published.

Safe to run again: entries are saved by code (unchanged ones change nothing), and
once any list has been published the back-dated history is not replayed.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from govhall.cases.models import OPEN_STATES, BundleItem, Case
from govhall.catalog import selectors as catalog_selectors
from govhall.catalog import services as catalog_services
from govhall.catalog.models import Item, ItemStatus, ItemType, NegativeListReason
from govhall.core import clock
from govhall.org.models import Department, Role, Staff

from . import services
from .models import ListPublication, PowerEntry, PowerKind, SupervisionMatter

FIRST_DAYS_BACK = 30
SECOND_DAYS_BACK = 7

_KINDS = {
    ItemType.LICENSING: PowerKind.LICENSING,
    ItemType.CONFIRMATION: PowerKind.CONFIRMATION,
    ItemType.LEVY: PowerKind.LEVY,
    ItemType.PAYMENT: PowerKind.PAYMENT,
    ItemType.REWARD: PowerKind.REWARD,
    ItemType.ADJUDICATION: PowerKind.ADJUDICATION,
}
_RESPONSIBILITIES = (
    "1. 受理责任：公示依法应当提交的材料，一次性告知补正材料，依法受理或不予受理；"
    "2. 审查责任：对申请材料进行审查，提出审查意见；3. 决定责任：作出准予或不予决定，"
    "不予的说明理由并告知救济途径；4. 送达责任：制作并送达决定文书，信息公开；"
    "5. 事后监管责任：依法开展监督检查；6. 其他法律法规规章规定应履行的责任。"
)
_ACCOUNTABILITY = (
    "因不履行或不正确履行职责，有下列情形的追究相应责任：对符合条件的申请不予受理、"
    "不予许可或不在法定期限内作出决定的；对不符合条件的申请准予许可的；未依法说明不受理"
    "或不予许可理由的；索取或收受他人财物或谋取其他利益的；其他违反法律法规规章的行为。"
)
_CATEGORY_WORDS = [
    ("国家秘密", NegativeListReason.SECRET),
    ("涉密", NegativeListReason.SECRET),
    ("隐私", NegativeListReason.PRIVACY),
    ("主动服务", NegativeListReason.PROACTIVE),
    ("场地", NegativeListReason.PREMISES),
]


def _at(days_back: int, hour: int = 10) -> dt.datetime:
    day = clock.today() - dt.timedelta(days=days_back)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _admin():
    staff = Staff.objects.filter(role=Role.CENTRE_ADMIN, is_active=True).select_related("user")
    found = staff.order_by("id").first()
    if found is not None:
        return found.user
    return get_user_model().objects.filter(is_superuser=True).order_by("id").first()


def _current():
    return {
        v.item_id: v
        for v in catalog_selectors.current_versions()
        .exclude(item__status=ItemStatus.CANCELLED)
        .select_related("item__department")
        .order_by("item__implementation_code")
    }


def _serial(item: Item) -> str:
    """基本编码 + 业务办理项: 食品经营许可 and its 变更/延续 share the 基本编码."""
    return item.implementation_code[-14:]


def _supervisor_of(item: Item, market: Department | None) -> Department:
    if item.department.is_approval and not item.department.is_supervising and market:
        return market
    return item.department


def _powers(admin, versions) -> int:
    """The powers not there yet (an entry the demo changed later is left as it is)."""
    made = 0
    there = set(PowerEntry.objects.values_list("code", flat=True))
    for version in versions.values():
        item = version.item
        kind = _KINDS.get(item.type)
        if kind is None or f"QL-{_serial(item)}" in there:
            continue
        saved = services.save_power(
            actor=admin,
            code=f"QL-{_serial(item)}",
            name=version.name,
            kind=kind,
            department=item.department,
            item=item.implementation_code,
            basis=version.legal_basis or "《中华人民共和国行政许可法》",
            responsibilities=_RESPONSIBILITIES,
            accountability=_ACCOUNTABILITY,
            reason="演示数据：权责清单",
        )
        made += saved.created
    for n, dept in enumerate(Department.objects.filter(is_supervising=True).order_by("code"), 1):
        for suffix, kind, name, basis in (
            ("JC", PowerKind.INSPECTION, "对本行业领域经营者的监督检查", "相关行业法律法规"),
            (
                "CF",
                PowerKind.PENALTY,
                "对未经许可擅自从事相关活动的行政处罚",
                "《中华人民共和国行政处罚法》及相关行业法律法规",
            ),
        ):
            if f"QL-{suffix}-{n:02d}" in there:
                continue
            saved = services.save_power(
                actor=admin,
                code=f"QL-{suffix}-{n:02d}",
                name=f"{dept.short_name or dept.name}{name}",
                kind=kind,
                department=dept,
                basis=basis,
                responsibilities="检查（调查）、审查、决定、送达、执行等责任，依法公开结果。",
                accountability=_ACCOUNTABILITY,
                reason="演示数据：权责清单",
            )
            made += saved.created
    return made


def _matters(admin, versions) -> int:
    market = Department.objects.filter(is_supervising=True, short_name="市场监管局").first()
    made = 0
    there = set(SupervisionMatter.objects.values_list("code", flat=True))
    for version in versions.values():
        item = version.item
        if item.type != ItemType.LICENSING or f"JG-{_serial(item)}" in there:
            continue
        supervisor = _supervisor_of(item, market)
        saved = services.save_supervision(
            actor=admin,
            code=f"JG-{_serial(item)}",
            name=f"对{version.result_name or version.name}持证主体的监督检查",
            department=supervisor,
            items=[item.implementation_code],
            target=f"取得“{version.name}”的公民、法人和其他组织",
            basis=version.legal_basis or "《中华人民共和国行政许可法》第六十一条",
            method="“双随机、一公开”抽查；信用分级分类监管；投诉举报核查",
            reason="演示数据：监管事项清单",
        )
        made += saved.created
    return made


def _category(reason: str) -> str:
    return next((c for word, c in _CATEGORY_WORDS if word in reason), NegativeListReason.PREMISES)


def _adjust(admin, versions) -> None:
    """Seven days ago: the centre's adjustments published the second time."""
    for item in Item.objects.filter(on_negative_list=True, negative_list_category=""):
        catalog_services.change_item_flags(
            actor=admin,
            item=item,
            reason="补充负面清单不进驻理由类别",
            negative_list_category=_category(item.negative_list_reason),
        )
    busy = set(Case.objects.filter(state__in=OPEN_STATES).values_list("item_id", flat=True))
    busy |= set(BundleItem.objects.values_list("item_id", flat=True))
    # 表彰奖励 are awarded on the department's own initiative (主动服务): nothing to
    # apply for at the hall
    rewards = [v.item for v in versions.values() if v.item.type == ItemType.REWARD]
    ranked = sorted(
        (i for i in rewards if i.accepting),
        key=lambda i: (i.pk in busy, "表彰" not in versions[i.pk].name, i.implementation_code),
    )
    joining = ranked[0] if ranked else None
    if joining is not None:
        catalog_services.change_item_flags(
            actor=admin,
            item=joining,
            reason="经旗人民政府同意列入负面清单（主动服务）",
            on_negative_list=True,
            is_stationed=False,
            negative_list_category=NegativeListReason.PROACTIVE,
            negative_list_reason="表彰奖励由实施部门主动组织评选，无需申请人到政务服务中心申请，"
            "依《乌审旗政务服务进驻事项负面清单管理制度》第三条不进驻政务服务中心",
        )
    _two_priority(admin, versions, start=4, count=2)
    power = PowerEntry.objects.filter(is_active=True, kind=PowerKind.PENALTY).order_by("code")
    if power.exists():
        services.retire(actor=admin, entry=power.first(), reason="法规修订，该处罚事项取消")
    dept = Department.objects.filter(is_supervising=True).order_by("code").first()
    services.save_power(
        actor=admin,
        code="QL-QZ-01",
        name=f"{dept.short_name or dept.name}查封、扣押涉嫌违法的物品",
        kind=PowerKind.COERCION,
        department=dept,
        basis="《中华人民共和国行政强制法》第九条",
        responsibilities="审批、实施、告知、送达、解除等责任。",
        accountability=_ACCOUNTABILITY,
        reason="演示数据：新增行政强制权力",
    )
    matter = SupervisionMatter.objects.filter(is_active=True).order_by("code").first()
    if matter is not None:
        services.save_supervision(
            actor=admin,
            code=matter.code,
            name=matter.name,
            department=matter.department,
            items=[i.implementation_code for i in matter.items.all()],
            target=matter.target,
            basis=matter.basis,
            method=matter.method + "；重点领域全覆盖检查",
            reason="演示数据：完善监管方式",
        )


def _two_priority(admin, versions, *, start: int, count: int) -> None:
    candidates = [
        v.item
        for v in versions.values()
        if v.item.type == ItemType.LICENSING and not v.item.on_two_priority_list
    ]
    for item in candidates[start : start + count]:
        catalog_services.change_item_flags(
            actor=admin, item=item, reason="列入“两优”清单（演示数据）", on_two_priority_list=True
        )


def load_demo_lists() -> dict[str, int]:
    admin = _admin()
    before = ListPublication.objects.count()
    if before:  # the history is there: save what is missing, publish what changed
        versions = _current()
        powers, matters = _powers(admin, versions), _matters(admin, versions)
    else:
        with clock.frozen(_at(FIRST_DAYS_BACK)):
            versions = _current()
            powers, matters = _powers(admin, versions), _matters(admin, versions)
            _two_priority(admin, versions, start=0, count=4)
            services.publish(actor=admin, note="首次公布（演示数据）")
        with clock.frozen(_at(SECOND_DAYS_BACK)):
            _adjust(admin, _current())
            services.publish(actor=admin, note="根据动态调整结果更新")
    services.publish(actor=admin, note="公布最新变化")
    return {
        "power_entries": powers,
        "supervision_matters": matters,
        "list_publications": ListPublication.objects.count() - before,
    }
