"""The demo's 行政备案 (``govhall/demo/loaders.py`` ``load_demo_filings``): filings of
both kinds through every channel and in every state, each taken step by step through
the services with the clock frozen some days back, so limits and the overdue flag are
real. Run again, it creates nothing (the filer's activity is the natural key)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.catalog.models import FilingKind
from govhall.core import actors, clock
from govhall.org.models import Staff
from govhall.testing.factories import blank_pdf, make_id_number, make_uscc

from . import selectors, services
from .models import FilerKind, Filing

PDF = blank_pdf()  # a material for the demo's uploads


def _user(username: str):
    return Staff.objects.select_related("user").get(user__username=username).user


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{name}.pdf", PDF, content_type="application/pdf")


def _versions() -> dict[str, object]:
    """The first item of each kind on the 备案清单 (by name, fee-free)."""
    out = {}
    for v in selectors.filing_list():
        if v.has_fee:
            continue
        out.setdefault(v.filing_kind, v)
        out.setdefault(v.name, v)
    return out


def _person(serial: int, name: str, phone: str) -> dict:
    return {
        "filer_kind": FilerKind.PERSON,
        "filer_name": name,
        "filer_id": make_id_number(serial, birth="19800101"),
        "phone": phone,
    }


def _org(serial: int, name: str, phone: str) -> dict:
    return {
        "filer_kind": FilerKind.ORGANISATION,
        "filer_name": name,
        "filer_id": make_uscc(serial, prefix="91150626"),
        "phone": phone,
    }


class _Story:
    def __init__(self, filing: Filing):
        self.f = filing

    def __call__(self, action: str, username: str | None, days: int = 1, **inputs):
        clock.advance(days=days)
        actor = actors.Applicant(self.f.filer_name) if username is None else _user(username)
        self.f = services.transition(
            actor=actor, filing=self.f, action=action, expected_version=self.f.version, **inputs
        )
        return self


def _scenarios(v: dict) -> list[tuple[str, int, callable]]:
    notify = v.get("仅销售预包装食品备案") or v.get(FilingKind.NOTIFY)
    elderly = v.get("养老机构备案") or notify
    plan = v.get("生产经营单位生产安全事故应急预案备案") or notify
    confirm = v.get(FilingKind.CONFIRM)
    clerk = "clerk"
    chief = "chief"  # 政务服务局首席代表: the 确认类 demo item is the bureau's

    def online(version, activity, filer, **kw):
        return services.file_online(
            item=version.item, activity=activity, activity_date=clock.today(),
            files=[_pdf("备案材料")], **filer, **kw,
        )  # fmt: skip

    def window(version, activity, filer):
        return services.file_at_window(
            actor=_user(clerk), item=version.item, activity=activity,
            activity_date=clock.today() - dt.timedelta(days=5), paper_checked=True, **filer,
        )  # fmt: skip

    def api(version, activity, filer):
        return services.file_through_api(
            actor=_user(clerk), item=version.item, activity=activity,
            activity_date=clock.today() - dt.timedelta(days=10), files=[_pdf("应急预案")],
            **filer,
        )  # fmt: skip

    out = [
        ("在嘎鲁图镇团结路开设便利店，仅销售预包装食品", 20, lambda a: online(
            notify, a, _person(501, "张晓燕", "13904771201"))),
        ("乌审旗夕阳红养老院收住老年人", 12, lambda a: window(
            elderly, a, _org(7001, "乌审旗夕阳红养老服务有限公司", "04777211301"))),
        ("天然气处理厂生产安全事故应急预案公布实施", 3, lambda a: api(
            plan, a, _org(7002, "乌审旗苏里格天然气处理有限公司", "04777211302"))),
    ]  # fmt: skip
    if confirm is None:
        return out
    c = confirm
    out += [
        ("医疗器械零售（第二类）——萨拉乌苏大街店", 1, lambda a: online(
            c, a, _org(7101, "乌审旗康宁大药房有限公司", "13904771211"))),
        ("医疗器械批发（第二类）——嘎鲁图仓库", 14, lambda a: window(
            c, a, _org(7102, "鄂尔多斯市安康医疗器械有限公司", "13904771212"))),
        ("医疗器械零售（第二类）——图克镇店", 6, lambda a: _Story(online(
            c, a, _org(7103, "乌审旗图克镇惠民药店", "13904771213")))(
            "return", chief, reason="经营场所平面图未标注库房面积，请补正后重新提交")),
        ("医疗器械零售（第二类）——无定河镇店", 8, lambda a: _Story(online(
            c, a, _org(7104, "乌审旗无定河镇百姓药房", "13904771214")))(
            "return", chief, reason="质量管理人员学历证明复印件不清晰")(
            "resubmit", None, note="已重新上传清晰的学历证明", files=[_pdf("学历证明")])),
        ("医疗器械零售（第二类）——乌审召店", 15, lambda a: _Story(window(
            c, a, _org(7105, "乌审旗乌审召镇济民药店", "13904771215")))(
            "confirm", chief, days=2, opinion="经营场所与备案信息一致")),
        ("医疗器械批发（第二类）——苏力德街仓库", 25, lambda a: _Story(online(
            c, a, _org(7106, "乌审旗苏力德医疗器械经营部", "13904771216")))(
            "return", chief, reason="未提交库房产权证明或租赁协议")(
            "resubmit", clerk, note="备案人到窗口补交租赁协议")(
            "confirm", chief, days=2, opinion="补正后材料齐全")),
    ]  # fmt: skip
    return out


def load_demo_filings(ctx=None) -> dict[str, int]:
    versions = _versions()
    today = clock.today()
    made = 0
    # Oldest first, so the 备案编号 follow the days they were issued on.
    for activity, days_back, story in sorted(_scenarios(versions), key=lambda s: -s[1]):
        if Filing.objects.filter(activity=activity).exists():
            continue
        start = dt.datetime.combine(today - dt.timedelta(days=days_back), dt.time(9, 40))
        with clock.frozen(start):
            story(activity)
        made += 1
    return {"行政备案": made}
