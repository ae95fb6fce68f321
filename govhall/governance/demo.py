"""Demo adjustment requests (issue 13 §1–§2) for the demo county 乌审旗, filed and
reviewed through the services as the real people (each department's 首席代表, the
centre administrator): every state (草稿, 待中心审核, 已退回, 待县政府批准, 已生效,
已撤回) and every kind, among them a 划转 that moved the item with the most open
cases to 行政审批和政务服务局 (its cases handed over), a 取消 whose open cases go on
(the 停止受理事项的在办件 page), and 负面清单 entries added and removed with the
county's approval recorded. One late filing shows in the evaluation.

Idempotent: nothing is loaded when a request exists. Each scenario runs with the
clock frozen some days back, so deadlines and 逾期申请 are real."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count

from govhall.cases.models import OPEN_STATES, Case
from govhall.catalog import selectors as catalog_selectors
from govhall.catalog import services as catalog
from govhall.catalog.models import (
    GUIDE_FIELDS,
    MATERIAL_FIELDS,
    STEP_FIELDS,
    Item,
    ItemStatus,
)
from govhall.core import clock
from govhall.org.models import Department, Role, Staff

from . import services
from .models import AdjustmentRequest


def _pdf(title: str) -> SimpleUploadedFile:
    import io

    import pypdf

    writer, out = pypdf.PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    writer.write(out)
    return SimpleUploadedFile(f"{title}.pdf", out.getvalue(), content_type="application/pdf")


def _chief(department_id: int):
    staff = Staff.objects.filter(
        department=department_id, role=Role.CHIEF_REP, is_active=True
    ).first()
    return staff.user if staff else None


def _admin():
    staff = Staff.objects.filter(role=Role.CENTRE_ADMIN, is_active=True).order_by("pk").first()
    return staff.user


def _act(r, action, actor, **inputs):
    r.refresh_from_db()
    return services.transition(
        actor=actor, request=r, action=action, expected_version=r.version, **inputs
    )


class _Picker:
    """Items for the scenarios, each used once: published, 在用, stationed, its
    department with a 首席代表; the ones with open cases first when asked."""

    def __init__(self):
        self.used: set[int] = set()
        chiefs = set(
            Staff.objects.filter(role=Role.CHIEF_REP, is_active=True).values_list(
                "department_id", flat=True
            )
        )
        self.candidates = [
            i
            for i in Item.objects.filter(
                status=ItemStatus.ACTIVE, on_negative_list=False, department_id__in=chiefs
            ).order_by("implementation_code")
            if catalog_selectors.current_version(item=i) is not None
        ]
        counts = dict(
            Case.objects.filter(state__in=OPEN_STATES, item__isnull=False)
            .values_list("item_id")
            .annotate(n=Count("id"))
            .values_list("item_id", "n")
        )
        self.open_cases = counts

    def take(self, *, with_cases=False, exclude_department=None, where=None):
        pool = [i for i in self.candidates if i.pk not in self.used]
        if exclude_department is not None:
            pool = [i for i in pool if i.department_id != exclude_department]
        if where is not None:
            pool = [i for i in pool if where(i)]
        if with_cases:
            pool.sort(key=lambda i: -self.open_cases.get(i.pk, 0))
        else:
            pool.sort(key=lambda i: self.open_cases.get(i.pk, 0))
        item = pool[0]
        self.used.add(item.pk)
        return item


def _file(item, kind, *, trigger="law", trigger_days=2, files=True, **data):
    chief = _chief(item.department_id)
    today = clock.today()
    fields = {
        "trigger": trigger,
        "trigger_date": today - dt.timedelta(days=trigger_days),
        "reasons": "",
    }
    fields.update(data)
    return services.create_request(
        actor=chief,
        kind=kind,
        item=item,
        files=[_pdf(f"关于{item.implementation_code[-6:]}事项调整的申请")] if files else [],
        **fields,
    )


def _edit_draft(r, **guide):
    r.refresh_from_db()
    catalog.save_draft(
        actor=_chief(r.department_id), version=r.draft, guide=guide, reason="调整申请修订指南"
    )


def _copied_guide(source) -> tuple[dict, list[dict], list[dict]]:
    guide = {f: getattr(source, f) for f in GUIDE_FIELDS if f != "name"}
    materials = [{f: getattr(m, f) for f in MATERIAL_FIELDS} for m in source.materials.all()]
    steps = [{f: getattr(s, f) for f in STEP_FIELDS} for s in source.steps.all()]
    return guide, materials, steps


def _authorise_at(department, item) -> None:
    """划入部门重新签订授权书 (乌审旗 动态管理 §3): its 首席代表 names the item's
    approvers on its 授权书 in force."""
    from govhall.catalog.authorisations import eligible_approvers, set_authorised_item
    from govhall.org.models import Authorisation

    today = clock.today()
    authorisation = (
        Authorisation.objects.filter(
            department=department, is_revoked=False, valid_from__lte=today, valid_to__gte=today
        )
        .order_by("-valid_from")
        .first()
    )
    approvers = list(eligible_approvers(department=department).filter(role=Role.APPROVER)[:1])
    if authorisation is None or not approvers:
        return
    set_authorised_item(
        actor=_chief(department.pk),
        authorisation=authorisation,
        item=item,
        approvers=approvers,
        reason="事项划转，划入部门重新签订授权书",
    )


def load_demo_governance(ctx=None) -> dict[str, int]:
    if AdjustmentRequest.objects.exists():
        return {"调整申请": 0}
    admin = _admin()
    pick = _Picker()
    chiefs = Staff.objects.filter(role=Role.CHIEF_REP, is_active=True)
    approval = (
        Department.objects.filter(is_approval=True, pk__in=chiefs.values("department_id"))
        .order_by("pk")
        .first()
    )
    made = []
    start = clock.now()

    def at(days_back: int):
        return clock.frozen(start - dt.timedelta(days=days_back))

    # 划转 (已生效, today: the cases received so far go with it): the item with the most
    # open cases moves to 行政审批局.
    with at(0):
        item = pick.take(with_cases=True, exclude_department=approval.pk)
        r = _file(
            item,
            "transfer",
            trigger="institution_reform",
            trigger_days=3,
            basis="乌审旗机构编制委员会《关于相对集中行政许可权改革事项划转的通知》",
            reasons="相对集中行政许可权改革，该事项划转至行政审批和政务服务局办理",
            target_department=approval,
            handover_note="政策文件 3 份；证照文书存根 2 册；许可档案 46 卷（2019—2026 年）",
        )
        r = _act(r, "submit", _chief(item.department_id))
        made.append(_act(r, "approve", admin, opinion="同意划转，在办件一并移交"))
        _authorise_at(approval, Item.objects.get(pk=item.pk))

    # 变更 (已生效, on time): the promised limit cut by a working day.
    with at(15):
        item = pick.take()
        r = _file(item, "change", touches_elements=True, trigger="guide_revision",
                  trigger_days=1, reasons="办事指南修订：增加网上咨询方式")  # fmt: skip
        current = catalog_selectors.current_version(item=item)
        _edit_draft(
            r, consult_contact=f"{current.consult_contact}；网上咨询：蒙速办“{current.name}”"[:200]
        )
        r = _act(r, "submit", _chief(item.department_id))
        made.append(_act(r, "approve", admin, opinion="同意"))

    # 变更 (已生效, 逾期申请): the law was published 9 days before the filing.
    with at(12):
        item = pick.take()
        r = _file(item, "change", touches_elements=True, trigger_days=9,
                  basis="《内蒙古自治区优化营商环境条例》（2026年修订）",
                  reasons="依修订后的条例调整申请条件表述")  # fmt: skip
        _edit_draft(r, conditions=(catalog_selectors.current_version(item=item).conditions
                                   + "（依2026年修订条例）"))  # fmt: skip
        r = _act(r, "submit", _chief(item.department_id), note="逾期原因：修订文件转发延迟")
        made.append(_act(r, "approve", admin, opinion="同意；请今后在3个工作日内申请"))

    # 取消 (已生效 today, after the cases received so far): its open cases go on
    # (停止受理事项的在办件).
    with at(0):
        item = pick.take(with_cases=True, exclude_department=approval.pk)
        r = _file(item, "cancel", trigger_days=1, two_priority=True,
                  basis="《国务院关于取消和下放一批行政许可事项的决定》",
                  reasons="上级依法取消该事项，已受理的办件继续办结")  # fmt: skip
        r = _act(r, "submit", _chief(item.department_id))
        made.append(_act(r, "approve", admin, opinion="同意取消，在办件继续办理"))

    # 新增 (已生效) with its approvers on the 授权书; 新增 (草稿) not yet submitted.
    with at(9):
        source = pick.take()
        dept = Department.objects.get(pk=source.department_id)
        approvers = list(
            Staff.objects.filter(department=dept, role=Role.APPROVER, is_active=True)[:1]
        ) or list(Staff.objects.filter(department=dept, role=Role.CHIEF_REP)[:1])
        version = catalog_selectors.current_version(item=source)
        for n, (name, submit) in enumerate(
            [(f"{version.name}（告知承诺）", True), (f"{version.name}（延续）", False)], start=1
        ):
            basic = f"{source.basic_code[:10]}{90 + n:02d}"
            r = services.create_request(
                actor=_chief(dept.pk),
                kind="add",
                new_item={"basic_code": basic, "type": source.type, "name": name},
                files=[_pdf("新增事项书面申请")],
                approvers=approvers,
                trigger="delegation",
                trigger_date=clock.today() - dt.timedelta(days=2),
                reasons="上级下放，新增事项，明确审批人员",
            )
            guide, materials, steps = _copied_guide(version)
            catalog.save_draft(
                actor=_chief(dept.pk),
                version=r.draft,
                guide=guide,
                materials=materials,
                steps=steps,
            )
            if submit:
                r = _act(r, "submit", _chief(dept.pk))
                r = _act(r, "approve", admin, opinion="同意新增")
            made.append(r)

    # 下沉 (已生效): accepted at the townships too.
    with at(8):
        item = pick.take(
            where=lambda i: not catalog_selectors.current_version(item=i).accept_at_township
        )
        r = _file(item, "sink", trigger="township_reform", trigger_days=2,
                  reasons="苏木镇管理体制改革，下沉至苏木镇便民服务中心受理")  # fmt: skip
        _edit_draft(r, accept_at_township=True)
        r = _act(r, "submit", _chief(item.department_id))
        made.append(_act(r, "approve", admin, opinion="同意下沉"))

    # 下放 (已退回): the draft's level is questioned.
    with at(6):
        item = pick.take()
        r = _file(item, "delegate", trigger="delegation", trigger_days=1,
                  reasons="自治区下放行使层级")  # fmt: skip
        _edit_draft(r, accept_at_township=True, accept_at_village=True)
        r = _act(r, "submit", _chief(item.department_id))
        made.append(_act(r, "return", admin, reason="请附自治区下放文件，并明确村级受理的条件"))

    # 恢复 (已生效) of the demo's suspended item, 暂停 (待中心审核) of another.
    with at(5):
        suspended = (
            Item.objects.filter(
                status=ItemStatus.SUSPENDED, department_id__in=chiefs.values("department_id")
            )
            .order_by("implementation_code")
            .first()
        )
        if suspended is not None:
            r = _file(suspended, "resume", trigger="other", trigger_days=1,
                      reasons="办事指南已按上级要求调整，恢复受理")  # fmt: skip
            r = _act(r, "submit", _chief(suspended.department_id))
            made.append(_act(r, "approve", admin, opinion="同意恢复"))
    with at(1):
        item = pick.take()
        r = _file(item, "suspend", trigger="other", trigger_days=0,
                  reasons="业务系统升级改造，暂停受理两周")  # fmt: skip
        made.append(_act(r, "submit", _chief(item.department_id)))

    # 负面清单: an entry added (县政府批准 recorded), one waiting for the county, one
    # removed.
    with at(7):
        item = pick.take()
        r = _file(item, "negative_add", trigger="other", trigger_days=2,
                  negative_category="premises",
                  negative_statement="需在部门专用检测场地现场查验，政务服务中心无相应场地",
                  reasons="场地限制，申请列入负面清单")  # fmt: skip
        r = _act(r, "submit", _chief(item.department_id))
        r = _act(r, "approve", admin, opinion="同意，报旗人民政府批准")
    with at(4):
        made.append(_act(r, "record_county", admin, document="乌政办字〔2026〕87号",
                         approved_on=clock.today() - dt.timedelta(days=1)))  # fmt: skip
    with at(3):
        item = pick.take()
        r = _file(item, "negative_add", trigger="law", trigger_days=1,
                  negative_category="privacy",
                  negative_statement="涉及个人隐私信息的核查，依规定不进驻",
                  reasons="涉及个人隐私，申请列入负面清单")  # fmt: skip
        r = _act(r, "submit", _chief(item.department_id))
        made.append(_act(r, "approve", admin, opinion="同意，报旗人民政府批准"))
    with at(6):
        negative = (
            Item.objects.filter(
                on_negative_list=True, department_id__in=chiefs.values("department_id")
            )
            .exclude(pk__in=pick.used)
            .order_by("implementation_code")
            .first()
        )
        if negative is not None:
            r = _file(negative, "negative_remove", trigger="other", trigger_days=1,
                      reasons="中心已设置专用场地，具备进驻条件，申请移出负面清单")  # fmt: skip
            r = _act(r, "submit", _chief(negative.department_id))
            r = _act(r, "approve", admin, opinion="同意，报旗人民政府批准")
            made.append(_act(r, "record_county", admin, document="乌政办字〔2026〕91号",
                             approved_on=clock.today()))  # fmt: skip

    # 撤回: a 变更 the department withdrew.
    with at(2):
        item = pick.take()
        r = _file(item, "change", touches_elements=True, trigger_days=1,
                  reasons="拟调整申请材料")  # fmt: skip
        made.append(_act(r, "withdraw", _chief(item.department_id), reason="上级通知暂缓调整"))

    handed = sum(len(r.handed_over) for r in made)
    return {"调整申请": len(made), "划转移交办件": handed}
