"""卷宗评查 and 巡查 pages and API (issue 11 §3): the office draws, reviews and records;
a department reads its own rows and its 首席代表 replies 整改; every bad input is a
400 with a stable code, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from govhall.cases.tests.conftest import api
from govhall.core import clock
from govhall.supervision import reviews
from govhall.supervision.models import (
    FileReview,
    Inspection,
    InspectionState,
    ReviewDraw,
    ReviewState,
    ThirdPartyScore,
)

from .test_reviews import DECEMBER_2, complete, draw
from .test_reviews_inspections import png

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def drawn(env):
    for i in range(4):
        complete(env, archive=i == 0)
    return draw(env, value=3)


# --------------------------------------------------------------------------- pages


def test_the_office_draws_on_the_page(env):
    for _ in range(3):
        complete(env)
    office = browser(env.s.supervisor.user)
    with clock.frozen(DECEMBER_2):
        page = office.get("/staff/supervision/reviews/draw/")
        assert page.status_code == 200 and "抽取评查卷宗" in page.content.decode()
        form = {"month": "2026-11", "seed": "7"}
        form[f"kind-{env.c.market.pk}"] = "percent"
        form[f"value-{env.c.market.pk}"] = "50"
        form[f"value-{env.c.health.pk}"] = "0"
        done = office.post("/staff/supervision/reviews/draw/", form, follow=True)
        text = done.content.decode()
        assert "已抽取 2026年11月 的评查卷宗 2 件（随机种子 7）" in text
        again = office.post("/staff/supervision/reviews/draw/", form)
        assert again.status_code == 400 and "不能重复抽取" in again.content.decode()
        bad = office.post("/staff/supervision/reviews/draw/", {**form, "month": "2026-13"})
        assert bad.status_code == 400 and "格式不正确" in bad.content.decode()
    assert ReviewDraw.objects.count() == 1


def test_the_month_page_lists_scores_and_files(env, drawn):
    review = drawn.reviews.first()
    reviews.finish_review(actor=env.s.supervisor.user, review=review)
    text = browser(env.s.supervisor.user).get("/staff/supervision/reviews/?month=2026-11")
    text = text.content.decode()
    assert "卷宗评查 · 2026年11月" in text and f"随机种子 <code>{drawn.seed}</code>" in text
    assert text.count('class="review-row"') == 3
    assert "测试县市场监督管理局" in text
    bad = browser(env.s.supervisor.user).get("/staff/supervision/reviews/?month=x&state=zz")
    assert bad.status_code == 200


def test_the_reviewer_scores_and_finishes_on_the_page(env, drawn):
    review = drawn.reviews.order_by("id").first()
    findings = list(review.findings.select_related("item"))
    office = browser(env.s.supervisor.user)
    url = f"/staff/supervision/reviews/{review.pk}/"
    page = office.get(url).content.decode()
    assert "系统预填" in page and "完成评查" in page
    form = {"action": "finish", "summary": "规范"}
    for f in findings:
        form[f"awarded-{f.item_id}"] = str(f.item.points)
        form[f"note-{f.item_id}"] = ""
    form[f"awarded-{findings[0].item_id}"] = "999"
    bad = office.post(url, form)
    assert bad.status_code == 400 and "得分应在 0 到" in bad.content.decode()
    form[f"awarded-{findings[0].item_id}"] = "10"
    done = office.post(url, form, follow=True).content.decode()
    review.refresh_from_db()
    assert review.state == ReviewState.FINISHED
    assert f"评查完成，得分 {review.score}" in done and "完成评查</button>" not in done


def test_a_department_reads_its_own_reviews_only(env, drawn, health_item):
    review = drawn.reviews.first()
    chief = browser(env.s.market_chief.user)
    page = chief.get(f"/staff/supervision/reviews/{review.pk}/")
    assert page.status_code == 200 and "完成评查</button>" not in page.content.decode()
    assert (
        chief.post(f"/staff/supervision/reviews/{review.pk}/", {"action": "finish"}).status_code
        == 403
    )
    assert (
        browser(env.s.health_chief.user).get(f"/staff/supervision/reviews/{review.pk}/").status_code
        == 404
    )
    listing = browser(env.s.health_chief.user).get("/staff/supervision/reviews/?month=2026-11")
    assert listing.content.decode().count('class="review-row"') == 0
    assert browser(env.s.clerk.user).get("/staff/supervision/reviews/").status_code == 403
    assert chief.get("/staff/supervision/reviews/draw/").status_code == 403


def test_the_checklist_page_publishes_a_new_version(env):
    office = browser(env.s.supervisor.user)
    page = office.get("/staff/supervision/reviews/checklist/").content.decode()
    assert "卷宗评查标准 · 第 1 版" in page
    form = {"title-0": "申请材料齐全", "points-0": "60", "prefill-0": "materials"}
    form.update({"title-1": "卷面整洁", "points-1": "40", "prefill-1": "", "note": "试行"})
    done = office.post("/staff/supervision/reviews/checklist/", form, follow=True)
    assert "已发布评查标准第 2 版" in done.content.decode()
    bad = office.post("/staff/supervision/reviews/checklist/", {"title-0": "x", "points-0": "0"})
    assert bad.status_code == 400 and "分值应在 1 到 100 之间" in bad.content.decode()
    chief = browser(env.s.market_chief.user)
    assert "发布新版本" not in chief.get("/staff/supervision/reviews/checklist/").content.decode()
    assert chief.post("/staff/supervision/reviews/checklist/", form).status_code == 403


def test_the_inspection_loop_on_the_pages(hall):
    office = browser(hall.staff.supervisor.user)
    page = office.get("/staff/supervision/inspections/new/")
    assert page.status_code == 200
    form = {
        "kind": "patrol",
        "department": str(hall.market.pk),
        "window": str(hall.window.pk),
        "inspected_on": "2026-11-23",
        "inspector": "监察",
        "findings": "巡查窗口",
        "problem": "工作人员未佩戴工牌",
        "photos": png(),
    }
    done = office.post("/staff/supervision/inspections/new/", form, follow=True)
    assert "已登记" in done.content.decode()
    i = Inspection.objects.get()
    photo = i.photos.get()
    assert (
        office.get(f"/staff/supervision/inspections/{i.pk}/photos/{photo.pk}/").status_code == 200
    )
    assert (
        browser(hall.staff.health_chief.user)
        .get(f"/staff/supervision/inspections/{i.pk}/photos/{photo.pk}/")
        .status_code
        == 404
    )
    chief = browser(hall.staff.market_chief.user)
    page = chief.get(f"/staff/supervision/inspections/{i.pk}/").content.decode()
    assert "提交整改" in page and "复查通过" not in page
    chief.post(f"/staff/supervision/inspections/{i.pk}/", {"action": "fix", "fix": "已佩戴"})
    i.refresh_from_db()
    assert i.state == InspectionState.FIXED
    bad = office.post(f"/staff/supervision/inspections/{i.pk}/", {"action": "reject"})
    assert bad.status_code == 400 and "请填写复查意见" in bad.content.decode()
    office.post(f"/staff/supervision/inspections/{i.pk}/", {"action": "pass"})
    i.refresh_from_db()
    assert i.state == InspectionState.CLOSED
    listing = office.get("/staff/supervision/inspections/?state=closed").content.decode()
    assert listing.count('class="inspection-row"') == 1
    bad = office.post(
        "/staff/supervision/inspections/new/", {**form, "photos": png(), "inspected_on": "x"}
    )
    assert bad.status_code == 400 and "检查日期格式不正确" in bad.content.decode()
    # the chief may record the department's own 窗口自查 (test_reviews_inspections.py)
    assert 'value="patrol"' not in chief.get("/staff/supervision/inspections/new/").content.decode()


def test_the_third_party_page(hall):
    office = browser(hall.staff.supervisor.user)
    form = {
        "department": str(hall.market.pk),
        "period_start": "2026-07-01",
        "period_end": "2026-09-30",
        "score": "91.5",
        "source": "县社情民意调查中心",
    }
    done = office.post("/staff/supervision/third-party/", form, follow=True).content.decode()
    assert "已录入第三方评估" in done and "91.5" in done
    bad = office.post("/staff/supervision/third-party/", {**form, "score": "120"})
    assert bad.status_code == 400 and "0 到 100" in bad.content.decode()
    assert (
        browser(hall.staff.market_chief.user)
        .post("/staff/supervision/third-party/", form)
        .status_code
        == 403
    )
    assert ThirdPartyScore.objects.count() == 1
    assert (
        "91.5"
        in browser(hall.staff.market_chief.user)
        .get("/staff/supervision/third-party/")
        .content.decode()
    )
    assert (
        "91.5"
        not in browser(hall.staff.health_chief.user)
        .get("/staff/supervision/third-party/")
        .content.decode()
    )


# --------------------------------------------------------------------------- API


def test_the_review_api(env, drawn, health_item):
    office = api(env.s.supervisor.user)
    body = office.get("/api/v1/supervision/reviews/?month=2026-11").json()
    assert body["count"] == 3
    pk = body["results"][0]["id"]
    detail = office.get(f"/api/v1/supervision/reviews/{pk}/").json()
    assert len(detail["findings"]) == 5
    item = detail["findings"][0]
    done = office.post(
        f"/api/v1/supervision/reviews/{pk}/finish/",
        {"findings": [{"item": item["item"], "awarded": 0, "note": "缺申请书"}], "summary": "差"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["state"] == "finished"
    rest = sum(f["awarded"] for f in detail["findings"][1:])  # pre-filled, kept
    assert done.json()["score"] == f"{rest:.1f}"  # the checklist's points add up to 100
    again = office.post(f"/api/v1/supervision/reviews/{pk}/save/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "wrong_state"
    scores = office.get("/api/v1/supervision/review-scores/?month=2026-11").json()
    assert scores["seed"] == drawn.seed and scores["departments"][0]["finished"] == 1
    assert api(env.s.health_chief.user).get(f"/api/v1/supervision/reviews/{pk}/").status_code == 404
    assert api(env.s.clerk.user).get("/api/v1/supervision/reviews/").status_code == 403
    chief = api(env.s.market_chief.user)
    other = body["results"][1]["id"]
    denied = chief.post(f"/api/v1/supervision/reviews/{other}/finish/", {}, format="json")
    assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"


def test_the_review_api_errors(env, drawn):
    office = api(env.s.supervisor.user)
    pk = drawn.reviews.first().pk
    item = drawn.reviews.first().findings.first().item_id
    cases = [
        ("get", "/api/v1/supervision/reviews/?month=2026-13", None, 400, "invalid_month"),
        ("get", "/api/v1/supervision/reviews/?stat=open", None, 400, "invalid_filter"),
        ("get", "/api/v1/supervision/reviews/?state=zz", None, 400, "invalid_filter"),
        ("get", "/api/v1/supervision/reviews/?department=-1", None, 400, "invalid_filter"),
        ("get", "/api/v1/supervision/review-scores/", None, 400, "required"),
        ("get", "/api/v1/supervision/reviews/99999999/", None, 404, "not_found"),
        (
            "post",
            f"/api/v1/supervision/reviews/{pk}/save/",
            {"findings": [{"item": item, "awarded": 99}]},
            400,
            "out_of_range",
        ),
        (
            "post",
            f"/api/v1/supervision/reviews/{pk}/save/",
            {"findings": [{"item": 123456789, "awarded": 1}]},
            400,
            "item_not_found",
        ),
        (
            "post",
            f"/api/v1/supervision/reviews/{pk}/save/",
            {"findings": "x"},
            400,
            "validation_failed",
        ),
        (
            "post",
            "/api/v1/supervision/review-draws/",
            {"month": "2026-11", "quotas": [{"department": env.c.market.pk, "value": 1}]},
            409,
            "already_drawn",
        ),
        (
            "post",
            "/api/v1/supervision/review-draws/",
            {"month": "2026-12", "quotas": [{"department": env.c.market.pk, "value": 1}]},
            400,
            "month_not_over",
        ),
        (
            "post",
            "/api/v1/supervision/review-draws/",
            {"month": "2026-10", "quotas": [{"department": 99999, "value": 1}]},
            400,
            "department_not_found",
        ),
        (
            "post",
            "/api/v1/supervision/review-draws/",
            {"month": "2026-10", "quotas": [{"department": 1, "value": 1, "kind": "x"}]},
            400,
            "validation_failed",
        ),
        (
            "post",
            "/api/v1/supervision/review-checklist/",
            {"items": []},
            400,
            "validation_failed",
        ),
    ]
    with clock.frozen(DECEMBER_2):
        for method, url, data, status, code in cases:
            if method == "get":
                r = office.get(url)
            else:
                r = office.post(url, data, format="json")
            assert (r.status_code, r.json()["code"]) == (status, code), (url, data, r.json())
            assert r.json()["message"]
    assert FileReview.objects.count() == 3


def test_the_draw_and_checklist_api(env):
    for _ in range(2):
        complete(env)
    office = api(env.s.supervisor.user)
    with clock.frozen(DECEMBER_2):
        r = office.post(
            "/api/v1/supervision/review-draws/",
            {
                "month": "2026-11",
                "seed": 5,
                "quotas": [{"department": env.c.market.pk, "value": 1}],
            },
            format="json",
        )
    assert r.status_code == 201 and r.json()["seed"] == 5 and len(r.json()["reviews"]) == 1
    assert r.json()["quotas"][0]["population"] == 2
    current = office.get("/api/v1/supervision/review-checklist/").json()
    assert current["version"] == 1 and len(current["items"]) == 5
    new = office.post(
        "/api/v1/supervision/review-checklist/",
        {"items": [{"title": "材料", "points": 100, "prefill": "materials"}], "note": "简化"},
        format="json",
    )
    assert new.status_code == 201 and new.json()["version"] == 2
    denied = api(env.s.market_chief.user).post(
        "/api/v1/supervision/review-checklist/",
        {"items": [{"title": "材料", "points": 100}]},
        format="json",
    )
    assert denied.status_code == 403


def test_the_inspection_api(hall):
    office = api(hall.staff.supervisor.user)
    r = office.post(
        "/api/v1/supervision/inspections/",
        {
            "kind": "self_check",
            "department": hall.market.pk,
            "inspected_on": "2026-11-20",
            "inspector": "市场首代",
            "findings": "窗口自查",
            "problem": "一次性告知单未放置",
            "photos": png(),
        },
        format="multipart",
    )
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert r.json()["state"] == "open" and len(r.json()["photos"]) == 1
    chief = api(hall.staff.market_chief.user)
    wrong = office.post(
        f"/api/v1/supervision/inspections/{pk}/check/", {"passed": True}, format="json"
    )
    assert wrong.status_code == 409 and wrong.json()["code"] == "wrong_state"
    empty = chief.post(f"/api/v1/supervision/inspections/{pk}/fix/", {"fix": ""}, format="json")
    assert empty.status_code == 400 and empty.json()["code"] == "required"
    fixed = chief.post(
        f"/api/v1/supervision/inspections/{pk}/fix/", {"fix": "已放置"}, format="json"
    )
    assert fixed.json()["state"] == "fixed"
    checked = office.post(
        f"/api/v1/supervision/inspections/{pk}/check/", {"passed": True}, format="json"
    )
    assert checked.json()["state"] == "closed"
    assert office.get("/api/v1/supervision/inspections/?state=closed").json()["count"] == 1
    assert (
        api(hall.staff.health_chief.user).get(f"/api/v1/supervision/inspections/{pk}/").status_code
        == 404
    )
    for data, code in [
        ({"kind": "x"}, "validation_failed"),
        (
            {
                "kind": "patrol",
                "department": 999999,
                "inspected_on": "2026-11-20",
                "inspector": "a",
                "findings": "b",
            },
            "department_not_found",
        ),
        (
            {
                "kind": "patrol",
                "department": hall.market.pk,
                "inspected_on": "2026-12-20",
                "inspector": "a",
                "findings": "b",
            },
            "future_date",
        ),
    ]:
        r = office.post("/api/v1/supervision/inspections/", data, format="json")
        assert (r.status_code, r.json()["code"]) == (400, code)
    assert office.get("/api/v1/supervision/inspections/?kind=zz").json()["code"] == "invalid_filter"


def test_the_third_party_api(hall):
    office = api(hall.staff.supervisor.user)
    data = {
        "department": hall.market.pk,
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "score": "87.5",
        "source": "第三方评估机构",
    }
    r = office.post("/api/v1/supervision/third-party-scores/", data, format="json")
    assert r.status_code == 201 and r.json()["score"] == "87.5"
    bad = office.post(
        "/api/v1/supervision/third-party-scores/", {**data, "score": "200"}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "validation_failed"
    period = office.post(
        "/api/v1/supervision/third-party-scores/",
        {**data, "period_end": "2025-01-01"},
        format="json",
    )
    assert period.json()["code"] == "invalid_period"
    denied = api(hall.staff.market_chief.user).post(
        "/api/v1/supervision/third-party-scores/", data, format="json"
    )
    assert denied.status_code == 403
    assert (
        api(hall.staff.market_chief.user)
        .get("/api/v1/supervision/third-party-scores/")
        .json()["count"]
        == 1
    )
    assert (
        api(hall.staff.health_chief.user)
        .get("/api/v1/supervision/third-party-scores/")
        .json()["count"]
        == 0
    )


def test_odd_query_values_are_no_500(env, drawn):
    office = browser(env.s.supervisor.user)
    for url in [
        "/staff/supervision/reviews/?department=²&month=2026-11-01&page=x",
        "/staff/supervision/reviews/?department=99999999999999999999",
        "/staff/supervision/inspections/?department=①&kind=zz&state=yy&page=-1",
        "/staff/supervision/third-party/?page=abc",
    ]:
        assert office.get(url).status_code == 200, url
    assert office.get("/staff/supervision/reviews/999999/").status_code == 404
    assert office.get("/staff/supervision/inspections/999999/").status_code == 404
    assert office.get("/staff/supervision/inspections/1/photos/1/").status_code == 404
