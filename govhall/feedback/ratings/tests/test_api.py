"""The REST API of 好差评: the three ways to rate, throttling, visibility, the 差评
loop, appeals and the GB/T 39735 export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from rest_framework.test import APIClient

from govhall.core import clock
from govhall.feedback.ratings import selectors, tokens
from govhall.feedback.ratings.models import BadReviewState, Rating

from .conftest import PHONE_TAIL, api, pdf
from .helpers import rate

URL = "/api/v1/ratings/"


def _post(data, client=None, **extra):
    return (client or APIClient()).post(URL, data, format="json", **extra)


def test_the_applicant_rates_with_the_progress_pair(env, done):
    r = _post({"number": done.number, "phone_tail": PHONE_TAIL, "level": 4})
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["channel"] == "portal" and body["round"] == 1 and "staff_name" not in body
    again = _post(
        {"number": done.number, "phone_tail": PHONE_TAIL, "level": 1, "reasons": ["slow"]}
    )
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    wrong = _post({"number": done.number, "phone_tail": "0000", "level": 5, "channel": "qr"})
    assert wrong.status_code == 404 and wrong.json()["code"] == "case_not_found"


def test_a_bad_rating_returns_its_deadline(env, done):
    r = _post(
        {
            "number": done.number,
            "phone_tail": PHONE_TAIL,
            "level": 2,
            "reasons": ["slow"],
            "channel": "qr",
        }
    )
    assert r.status_code == 201 and r.json()["is_bad"] and r.json()["bad_review_due"]
    missing = _post({"number": done.number, "phone_tail": PHONE_TAIL, "level": 1})
    assert missing.status_code == 400 and missing.json()["code"] == "reasons_required"


def test_tokens_forged_expired_or_reused_are_refused_with_a_code(env, done, settings):
    token = tokens.make(case_id=done.pk)
    assert _post({"token": token, "level": 5}).status_code == 201
    reused = _post({"token": token, "level": 1, "reasons": ["slow"]})
    assert reused.status_code == 409 and reused.json()["code"] == "token_used"
    forged = _post({"token": token[:-3] + "abc", "level": 5})
    assert forged.status_code == 400 and forged.json()["code"] == "token_invalid"
    old = tokens.make(case_id=done.pk)
    with clock.frozen(dt.datetime(2026, 12, 24, 9, 0)):
        expired = _post({"token": old, "level": 5})
    assert expired.status_code == 400 and expired.json()["code"] == "token_expired"
    assert "过期" in expired.json()["message"]
    assert Rating.objects.count() == 1


def test_staff_enter_a_phone_rating_signed_in(env, done):
    r = _post({"case": done.number, "channel": "phone", "level": 5}, api(env.s.market_chief.user))
    assert r.status_code == 201
    anonymous = _post({"case": done.number, "channel": "window", "level": 5})
    assert anonymous.status_code == 403
    assert _post({"level": 5}).json()["code"] == "mode_required"


def test_a_flood_from_one_address_is_throttled(env, done, settings):
    settings.GOVHALL_POLICY = {"RATINGS_POST_RATE": "3/min"}
    codes = [
        _post({"number": done.number, "phone_tail": "0000", "level": 5}).status_code
        for _ in range(4)
    ]
    assert codes == [404, 404, 404, 429]
    r = _post({"number": done.number, "phone_tail": PHONE_TAIL, "level": 5})
    assert r.status_code == 429 and r.json()["code"] == "throttled"
    other = _post(
        {"number": done.number, "phone_tail": PHONE_TAIL, "level": 5}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 201
    assert Rating.objects.count() == 1
    # Staff signed in at the evaluator screen or the phone share the hall's address but
    # are named in the audit: their entries are not counted against it.
    staff = _post(
        {"case": done.number, "channel": "phone", "level": 5}, api(env.s.market_chief.user)
    )
    assert staff.status_code == 201
    assert Rating.objects.count() == 2


def test_a_department_lists_its_own_ratings(env, done):
    rate(done, level=5, real_name=True)
    mine = api(env.s.market_chief.user).get(URL).json()
    assert mine["count"] == 1 and mine["results"][0]["rater_phone"] == "138****1234"
    assert mine["results"][0]["rater"] == "张**"
    assert api(env.s.health_chief.user).get(URL).json()["count"] == 0
    assert APIClient().get(URL).status_code == 403
    assert api(env.s.market_chief.user).get(URL, {"chanel": "qr"}).status_code == 400
    stats = api(env.s.supervisor.user).get(URL + "statistics/").json()
    assert stats["total"] == 1 and stats["satisfied_rate"] == 100.0


def test_the_reasons_are_public(db):
    reasons = APIClient().get(URL + "reasons/").json()
    assert {"code": "attitude", "label": "服务态度差"} in reasons


def test_the_export_has_the_fields_of_gbt_39735_as_json_and_excel(env, done):
    rate(done, level=1, reasons=["fees"], real_name=True)
    body = api(env.s.admin.user).get(URL + "export/").json()
    assert body["count"] == 1 and "39735" in body["standard"]
    [row] = body["records"]
    assert tuple(row) == selectors.EXPORT_FIELDS
    assert row["办件编号"] == done.number and row["评价渠道"] == "1" and row["评价等级"] == 1
    assert row["差评原因"] == ["违规收费"] and row["联系电话"] == "138****1234"
    assert row["整改状态"] == "待回访" and row["实施主体编码"] == done.department.code
    excel = api(env.s.admin.user).get(URL + "export.xlsx")
    assert excel.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(excel.content)).active
    rows = list(sheet.values)
    assert rows[0][:2] == ("评价编号", "办件编号") and rows[1][1] == done.number


def test_the_bad_review_loop_through_the_api(env, done):
    bad = rate(done, level=1, reasons=["attitude"]).bad_review
    client = api(env.s.market_chief.user)
    base = f"{URL}bad-reviews/{bad.pk}/"
    assert client.get(URL + "bad-reviews/", {"state": "open"}).json()["count"] == 1
    assert client.post(base + "close/", {}, format="json").json()["code"] == "wrong_state"
    steps = [
        ("callback", {"method": "phone", "content": "已联系", "contact": "申请人本人"}),
        ("verify", {"finding": "属实"}),
        ("rectify", {"measures": "批评教育"}),
        ("feedback", {"method": "phone", "content": "已反馈"}),
        ("close", {}),
    ]
    for action, data in steps:
        r = client.post(base + f"{action}/", data, format="json")
        assert r.status_code == 200, (action, r.json())
    body = client.get(base).json()
    assert (
        body["review_state"] == BadReviewState.CLOSED
        and body["callbacks"][0]["contact"] == "申请人本人"
    )
    assert body["actions"] == ["callback"] or body["actions"] == []
    assert api(env.s.health_chief.user).get(base).status_code == 404
    assert client.post(base + "dance/", {}, format="json").status_code == 404
    assert client.post(base + "void/", {}, format="json").status_code == 404


def test_appeal_and_review_through_the_api(env, done):
    rating = rate(done, level=1, reasons=["conduct"])
    r = api(env.s.market_approver.user).post(
        f"{URL}{rating.pk}/appeal/", {"reason": "录像为证", "files": [pdf()]}, format="multipart"
    )
    assert r.status_code == 201, r.json()
    appeal = r.json()
    assert appeal["appeal_state"] == "pending" and len(appeal["attachments"]) == 1
    denied = api(env.s.market_chief.user).post(
        f"{URL}appeals/{appeal['id']}/decide/", {"upheld": True, "opinion": "x"}, format="json"
    )
    assert denied.status_code == 403
    decided = api(env.s.supervisor.user).post(
        f"{URL}appeals/{appeal['id']}/decide/", {"upheld": True, "opinion": "属实"}, format="json"
    )
    assert decided.status_code == 200 and decided.json()["appeal_state"] == "upheld"
    assert decided.json()["rating"]["excluded"] is True


@pytest.mark.parametrize("path", ["bad-reviews/99999999999/", "appeals/99999999999/"])
def test_out_of_range_ids_are_404(env, path):
    assert api(env.s.admin.user).get(URL + path).status_code == 404
