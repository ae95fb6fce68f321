"""The portal / QR rating form and the staff's phone entry page."""

from __future__ import annotations

from govhall.feedback.ratings.models import Rating

from .conftest import PHONE_TAIL, submit

RATE = "/feedback/ratings/rate/"


def test_the_portal_form_rates_with_the_progress_pair(client, done):
    page = client.get(RATE, {"number": done.number}).content.decode()
    assert done.number in page and "手机号后四位" in page
    r = client.post(RATE, {"number": done.number, "phone_tail": PHONE_TAIL, "level": "4"})
    assert "感谢您的评价" in r.content.decode()
    assert Rating.objects.get().channel == "portal"


def test_the_qr_code_rates_on_the_qr_channel_and_a_bad_rating_needs_reasons(client, done):
    url = RATE + "?via=qr"
    r = client.post(url, {"number": done.number, "phone_tail": PHONE_TAIL, "level": "1"})
    assert r.status_code == 400 and "至少选择一项原因" in r.content.decode()
    r = client.post(
        url, {"number": done.number, "phone_tail": PHONE_TAIL, "level": "1", "reasons": ["slow"]}
    )
    assert "回访并整改" in r.content.decode()
    assert Rating.objects.get().channel == "qr"


def test_a_wrong_pair_finds_nothing_and_a_flood_is_throttled(client, done, settings):
    settings.GOVHALL_POLICY = {"RATINGS_POST_RATE": "2/min"}
    for _ in range(2):
        r = client.post(RATE, {"number": done.number, "phone_tail": "0000", "level": "5"})
        assert r.status_code == 400 and "未找到该办件" in r.content.decode()
    r = client.post(RATE, {"number": done.number, "phone_tail": PHONE_TAIL, "level": "5"})
    assert r.status_code == 429 and "过于频繁" in r.content.decode()
    assert not Rating.objects.exists()


def test_staff_enter_a_phone_rating(client, env, done):
    client.force_login(env.s.market_chief.user)
    r = client.post(
        "/staff/feedback/ratings/phone/", {"number": done.number, "level": "5", "real_name": "1"}
    )
    assert r.status_code == 302
    rating = Rating.objects.get()
    assert rating.channel == "phone" and rating.entered_by == env.s.market_chief
    assert rating.real_name
    page = client.get("/staff/feedback/ratings/phone/").content.decode()
    assert "已录入办件" in page


def test_the_handler_cannot_enter_their_own_phone_rating(client, env, done):
    client.force_login(env.s.market_approver.user)
    r = client.post("/staff/feedback/ratings/phone/", {"number": done.number, "level": "5"})
    assert r.status_code == 403 and "本人承办" in r.content.decode()
    assert not Rating.objects.exists()
    r = client.post("/staff/feedback/ratings/phone/", {"number": "NOPE", "level": "5"})
    assert r.status_code == 404 and "没有该受理编号" in r.content.decode()


def test_the_progress_page_offers_the_rating_once_the_case_is_done(client, env, done):
    """办件进度 (cases) shows 好差评's section through cases.sections: the link to the
    rating form once 办结, marked 扫码 when the notice's QR code brought the applicant;
    an open case shows none."""
    page = client.get("/cases/progress/", {"number": done.number, "phone_tail": PHONE_TAIL})
    body = page.content.decode()
    assert "评价本次服务" in body and f"/feedback/ratings/rate/?number={done.number}" in body
    via_qr = client.get(
        "/cases/progress/", {"number": done.number, "phone_tail": PHONE_TAIL, "via": "qr"}
    ).content.decode()
    assert f"/feedback/ratings/rate/?number={done.number}&amp;via=qr" in via_qr
    open_case = submit(env)
    other = client.get("/cases/progress/", {"number": open_case.number, "phone_tail": PHONE_TAIL})
    assert "评价本次服务" not in other.content.decode()
