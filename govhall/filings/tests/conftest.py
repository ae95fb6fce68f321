"""Helpers of the filing tests: the organisation of ``govhall/conftest.py`` (``org``:
admin, clerk, market_chief, market_approver, health_chief, supervisor) and three
行政备案 items of the market department: 事后告知类, 确认类 (5 working days), and one
whose guide lists a fee."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.catalog.models import CaseType, FilingKind, ItemType, ProcedurePattern
from govhall.filings import services
from govhall.filings.demo import PDF  # noqa: E402
from govhall.filings.models import FilerKind, Filing
from govhall.testing.factories import make_id_number, make_uscc, publish_item

MATERIALS = [{"name": "备案信息采集表", "required": True, "originals": 1, "copies": 0}]


def pdf(name: str = "备案表.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def notify_item(org, *, basic_code="000111444001", name="仅销售预包装食品备案", **guide):
    return publish_item(
        actor=org.root,
        department=org.market,
        basic_code=basic_code,
        name=name,
        type=ItemType.FILING,
        materials=MATERIALS,
        steps=[],
        case_type=CaseType.INSTANT,
        legal_limit_days=None,
        promised_limit_days=0,
        procedure_pattern=ProcedurePattern.SIMPLE,
        result_name="备案回执",
        **{"filing_kind": FilingKind.NOTIFY, **guide},
    )


def confirm_item(org, *, basic_code="000111444002", name="第二类医疗器械经营备案", **guide):
    return publish_item(
        actor=org.root,
        department=org.market,
        basic_code=basic_code,
        name=name,
        type=ItemType.FILING,
        materials=MATERIALS,
        legal_limit_days=10,
        promised_limit_days=5,
        result_name="备案凭证",
        **{"filing_kind": FilingKind.CONFIRM, **guide},
    )


PERSON = {
    "filer_kind": FilerKind.PERSON,
    "filer_name": "张晓燕",
    "filer_id": make_id_number(501),
    "phone": "13904771201",
}
COMPANY = {
    "filer_kind": FilerKind.ORGANISATION,
    "filer_name": "乌审旗康宁大药房有限公司",
    "filer_id": make_uscc(7101, prefix="91150626"),
    "phone": "13904771211",
}


def online(item, filer=None, **overrides) -> Filing:
    data = {
        **(filer or PERSON),
        "activity": "开设便利店，仅销售预包装食品",
        "activity_date": dt.date(2026, 11, 20),
        "files": [pdf()],
    }
    data.update(overrides)
    return services.file_online(item=item, **data)


def act(filing: Filing, action: str, staff_or_actor, **inputs) -> Filing:
    filing.refresh_from_db()
    actor = getattr(staff_or_actor, "user", staff_or_actor)
    return services.transition(
        actor=actor, filing=filing, action=action, expected_version=filing.version, **inputs
    )


@pytest.fixture
def items(org):
    return SimpleNamespace(notify=notify_item(org), confirm=confirm_item(org))
