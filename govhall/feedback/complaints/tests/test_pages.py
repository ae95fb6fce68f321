"""The staff pages: the list with its filters and lights, the detail's forms built from
the transition table (stale version, a refused step's message), masking, the window
with 直接办结 from the 知识库, the 知识库 pages and the 12345 exchange page."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govhall.core import clock
from govhall.feedback.complaints import services
from govhall.feedback.complaints.models import Complaint, KnowledgeEntry, State

from .conftest import act, portal
from .test_api import png

pytestmark = pytest.mark.django_db


def _client(client, staff):
    client.force_login(staff.user)
    return client


def _post_action(client, c, action, **data):
    c.refresh_from_db()
    body = {"action": action, f"{action}-expected_version": c.version}
    body.update({f"{action}-{k}": v for k, v in data.items()})
    return client.post(reverse("complaints:detail", args=[c.number]), body)


def test_list_filters_and_lights(org, client):
    late = act(portal(subject="路灯不亮"), "accept", org.staff.clerk)
    Complaint.objects.filter(pk=late.pk).update(due_date=clock.today().replace(year=2020))
    act(portal(category="suggestion", subject="建议增设停车位"), "accept", org.staff.clerk)
    page = _client(client, org.staff.clerk).get(reverse("complaints:list"))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-light="red"' in body and "超期" in body
    assert "张三丰" in body  # the centre sees the name in full
    only_late = client.get(reverse("complaints:list"), {"overdue": "1"}).content.decode()
    assert "路灯不亮" in only_late and "建议增设停车位" not in only_late
    only_sugg = client.get(reverse("complaints:list"), {"category": "suggestion"}).content.decode()
    assert "路灯不亮" not in only_sugg and "建议增设停车位" in only_sugg


def test_department_sees_masked_names_and_only_its_own(org, client, assigned):
    other = act(portal(subject="别家的"), "accept", org.staff.clerk)
    body = _client(client, org.staff.market_chief).get(reverse("complaints:list")).content.decode()
    assert assigned.number in body and other.number not in body
    assert "张**" in body and "张三丰" not in body
    detail = client.get(reverse("complaints:detail", args=[assigned.number])).content.decode()
    assert "139****1234" in detail and "13904771234" not in detail
    assert "张三丰" not in detail  # nor in the history (提交 by the complainant)
    assert "有诉即办窗口" not in detail  # no tab to a page they may not open
    assert client.get(reverse("complaints:detail", args=[other.number])).status_code == 404


def test_the_loop_through_the_detail_forms(org, client):
    c = portal()
    clerk = _client(client, org.staff.clerk)
    page = clerk.get(reverse("complaints:detail", args=[c.number])).content.decode()
    assert 'data-action="accept"' in page and 'data-action="direct_close"' in page
    assert _post_action(clerk, c, "accept", opinion="受理").status_code == 302
    assert _post_action(clerk, c, "assign", handler=str(org.market.pk)).status_code == 302
    chief = _client(client, org.staff.market_chief)
    assert _post_action(chief, c, "handle").status_code == 302
    reply = png("答复.png")
    c.refresh_from_db()
    response = chief.post(
        reverse("complaints:detail", args=[c.number]),
        {"action": "reply", "reply-expected_version": c.version, "reply-reply": "已整改",
         "reply-files": reply},
    )  # fmt: skip
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.state == State.REPLIED and c.reply == "已整改" and c.attachments.count() == 1


def test_stale_version_and_a_refused_step_show_the_message(org, client, assigned):
    chief = _client(client, org.staff.market_chief)
    url = reverse("complaints:detail", args=[assigned.number])
    stale = chief.post(url, {"action": "handle", "handle-expected_version": assigned.version - 1})
    assert stale.status_code == 400 and "已被他人处理" in stale.content.decode()
    assert _post_action(chief, assigned, "return", reason="不属本部门职责").status_code == 302
    clerk = _client(client, org.staff.clerk)
    assert _post_action(clerk, assigned, "assign", handler=str(org.market.pk)).status_code == 302
    chief = _client(client, org.staff.market_chief)
    again = _post_action(chief, assigned, "return", reason="仍不属于")
    assert again.status_code == 400 and "不能再次退单" in again.content.decode()
    missing = _post_action(chief, assigned, "handle")  # fine: opinion optional
    assert missing.status_code == 302


def test_a_form_the_user_may_not_take_is_not_shown(org, client, accepted):
    page = _client(client, org.staff.supervisor).get(
        reverse("complaints:detail", args=[accepted.number])
    )
    assert page.status_code == 200 and 'data-action="assign"' not in page.content.decode()
    refused = _post_action(client, accepted, "assign", handler="centre")
    assert refused.status_code == 400


def _entry(org, **kw):
    entry = services.create_entry(
        actor=org.staff.admin.user,
        question=kw.get("question", "社保卡怎么激活"),
        answer="携带身份证到社保窗口或合作银行网点激活。",
    )
    return services.set_published(actor=org.staff.admin.user, entry=entry, published=True)


def test_window_searches_the_knowledge_base_and_closes_a_consultation(org, client):
    entry = _entry(org)
    clerk = _client(client, org.staff.clerk)
    search = clerk.get(reverse("complaints:window"), {"q": "社保"}).content.decode()
    assert "社保卡怎么激活" in search and f'data-entry="{entry.pk}"' in search
    response = clerk.post(
        reverse("complaints:window"),
        {"category": "consultation", "subject": "社保卡激活", "content": "新卡如何激活",
         "name": "李四", "phone": "13904770000", "entry": str(entry.pk)},
    )  # fmt: skip
    assert response.status_code == 302
    c = Complaint.objects.get(subject="社保卡激活")
    assert c.state == State.CLOSED and c.reply == entry.answer
    refused = clerk.post(
        reverse("complaints:window"),
        {
            "category": "complaint",
            "subject": "态度差",
            "content": "……",
            "phone": "13904770000",
            "answer": "已解释",
        },
    )
    assert refused.status_code == 400 and "只有咨询类诉求可以直接办结" in refused.content.decode()
    assert not Complaint.objects.filter(subject="态度差").exists()


def test_window_is_the_centres(org, client):
    assert (
        _client(client, org.staff.market_chief).get(reverse("complaints:window")).status_code == 403
    )


def test_knowledge_pages_add_edit_publish(org, client):
    clerk = _client(client, org.staff.clerk)
    response = clerk.post(
        reverse("complaints:knowledge_new"),
        {"question": "营业执照遗失补办", "answer": "到市场监管窗口申请补领。", "keywords": "执照"},
    )
    entry = KnowledgeEntry.objects.get(question="营业执照遗失补办")
    assert response.status_code == 302 and not entry.published
    edit = clerk.post(
        reverse("complaints:knowledge_edit", args=[entry.pk]),
        {"question": entry.question, "answer": "可网上申请补领。", "expected_version": 0},
    )
    assert edit.status_code == 400 and "已被他人修改" in edit.content.decode()
    clerk.post(
        reverse("complaints:knowledge_edit", args=[entry.pk]),
        {"question": entry.question, "answer": "可网上申请补领。", "expected_version": 1},
    )
    entry.refresh_from_db()
    assert entry.version == 2
    clerk.post(reverse("complaints:knowledge_publish", args=[entry.pk]), {"published": "1"})
    entry.refresh_from_db()
    assert not entry.published  # only the centre administrator publishes
    admin = _client(client, org.staff.admin)
    admin.post(reverse("complaints:knowledge_publish", args=[entry.pk]), {"published": "1"})
    entry.refresh_from_db()
    assert entry.published
    listing = admin.get(reverse("complaints:knowledge"), {"q": "执照"}).content.decode()
    assert "营业执照遗失补办" in listing


ORDERS = {
    "format": "govhall-12345",
    "version": 1,
    "orders": [
        {"external_id": "WS12345-0001", "category": "投诉", "subject": "小区噪音扰民",
         "content": "夜间施工噪音。", "name": "王五", "phone": "13904775555",
         "received_at": "2026-01-05 09:30"},
    ],
}  # fmt: skip


def _upload(doc, name="12345.json"):
    return SimpleUploadedFile(name, json.dumps(doc, ensure_ascii=False).encode())


def test_exchange_page_imports_once_reports_rows_and_exports(org, client):
    clerk = _client(client, org.staff.clerk)
    url = reverse("complaints:exchange")
    first = clerk.post(url, {"file": _upload(ORDERS)}).content.decode()
    assert "新建 1 条" in first
    again = clerk.post(url, {"file": _upload(ORDERS)}).content.decode()
    assert "本次未做任何更改" in again
    bad = {"orders": [{**ORDERS["orders"][0], "external_id": "X2", "category": "表扬"}]}
    refused = clerk.post(url, {"file": _upload(bad, "bad.json")})
    assert refused.status_code == 400 and "诉求类别“表扬”无效" in refused.content.decode()
    changed = {"orders": [{**ORDERS["orders"][0], "subject": "小区夜间噪音"}]}
    report = clerk.post(url, {"file": _upload(changed, "c.json")}).content.decode()
    assert 'class="changed-row"' in report and "标题" in report
    exported = clerk.get(reverse("complaints:exchange_export"), {"as": "json"})
    assert json.loads(exported.content)["orders"][0]["external_id"] == "WS12345-0001"
    xlsx = clerk.get(reverse("complaints:exchange_export"), {"as": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert _client(client, org.staff.market_chief).get(url).status_code == 403


def test_window_use_this_answer_preselects_the_entry_and_consultation(org, client):
    entry = _entry(org)
    page = _client(client, org.staff.clerk).get(
        reverse("complaints:window"), {"q": "社保", "entry": str(entry.pk)}
    )
    body = page.content.decode()
    assert f'<option value="{entry.pk}" selected>' in body
    assert '<option value="consultation" selected>' in body
