"""Staff pages: year view, edit a day, enter a year's schedule (form and Excel)."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from govhall.calendar import rules, selectors

D = dt.date


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


def test_year_view_marks_holidays_makeup_days_and_provisional_years(clerk_client):
    page = clerk_client.get("/staff/calendar/2026/").content.decode()
    assert 'data-date="2026-10-01" data-kind="holiday"' in page
    assert 'data-date="2026-10-10" data-kind="makeup"' in page
    assert "暂定（推算）" not in page
    assert "/staff/calendar/day/" not in page  # no edit links for a clerk
    page = clerk_client.get("/staff/calendar/2027/").content.decode()
    assert "暂定（推算）" in page
    assert 'data-date="2027-09-15" data-kind="holiday"' in page
    assert clerk_client.get("/staff/calendar/").url == "/staff/calendar/2026/"


def test_year_view_marks_uncertain_days_of_a_predicted_year(clerk_client):
    page = clerk_client.get("/staff/calendar/2027/").content.decode()
    # 2027-10-10 (Sunday after 国庆) is 待定: dashed border, the word, counted as worked
    cell = page.split('data-date="2027-10-10"')[0].rsplit("<td", 1)[1]
    assert "cal-uncertain" in cell
    after = page.split('data-date="2027-10-10"')[1].split("</td>")[0]
    assert 'data-uncertain="1"' in after and "待定" in after
    assert "待定（按工作日计）" in page  # the legend
    assert "按工作日计算（期限只会提前，不会推后）" in page
    # a certain predicted day has no mark
    after = page.split('data-date="2027-10-04"')[1].split("</td>")[0]
    assert 'data-kind="holiday"' in after and "待定" not in after
    # a year with the State Council's schedule has none
    page = clerk_client.get("/staff/calendar/2026/").content.decode()
    assert 'data-uncertain="1"' not in page and "待定（按工作日计）" not in page


def test_clerk_cannot_open_edit_pages(clerk_client):
    r = clerk_client.post(
        "/staff/calendar/day/2026-12-04/", {"kind": "holiday", "name": "x", "reason": "y"}
    )
    assert r.status_code == 403 and "中心管理员" in r.content.decode()
    assert selectors.is_workday(day=D(2026, 12, 4))
    assert clerk_client.get("/staff/calendar/2027/schedule/").status_code == 403


def test_admin_edits_a_day(admin_client):
    r = admin_client.post(
        "/staff/calendar/day/2026-12-04/",
        {"kind": "holiday", "name": "地方假日", "reason": "县政府通知"},
    )
    assert r.status_code == 302
    assert not selectors.is_workday(day=D(2026, 12, 4))
    r = admin_client.post(
        "/staff/calendar/day/2026-12-09/", {"kind": "makeup", "name": "", "reason": "x"}
    )
    assert r.status_code == 200 and "调休上班只能是周六或周日" in r.content.decode()


def test_admin_enters_a_schedule_by_text_and_sees_row_errors(admin_client):
    lines = "2027-01-01 法定节假日 元旦\n2027-02-05 法定节假日 春节\n2027-02-31 调休上班 春节"
    r = admin_client.post("/staff/calendar/2027/schedule/", {"lines": lines})
    assert r.status_code == 200
    assert "第3行" in r.content.decode()
    assert selectors.is_provisional_year(year=2027)
    lines = "2027-01-01 法定节假日 元旦\n2027-02-05 法定节假日 春节\n2027-02-20 调休上班 春节"
    r = admin_client.post("/staff/calendar/2027/schedule/", {"lines": lines})
    assert r.status_code == 302
    assert not selectors.is_provisional_year(year=2027)
    assert selectors.is_workday(day=D(2027, 2, 20))
    assert selectors.is_workday(day=D(2027, 2, 8))  # not listed → ordinary Monday


def test_admin_downloads_template_and_uploads_it(admin_client):
    r = admin_client.get("/staff/calendar/2027/template.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    wb.active.append(["2027-02-20", "调休上班", "春节"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "2027.xlsx"
    r = admin_client.post("/staff/calendar/2027/schedule/", {"file": buf})
    assert r.status_code == 302
    assert selectors.is_workday(day=D(2027, 2, 20))
    assert not selectors.is_provisional_year(year=2027)


def test_schedule_form_is_prefilled_with_the_years_holidays(admin_client):
    page = admin_client.get("/staff/calendar/2027/schedule/").content.decode()
    assert "2027-09-15 法定节假日 中秋节" in page
    assert admin_client.get("/staff/calendar/?year=2030").url == "/staff/calendar/2030/"


def test_the_centre_admin_is_told_on_the_home_page_when_a_schedule_is_due(
    admin_client, admin, clerk
):
    """From late October (the State Council publishes next year's schedule between late
    October and December) the administrator's 工作台 shows the 推算 year, its 待定 days
    and the way to enter it, until it is entered; nobody else is shown it."""
    from django.test import Client

    from govhall.calendar import services
    from govhall.core import clock

    with clock.frozen(D(2026, 10, 19)):
        assert selectors.schedules_to_enter() == []
        assert "待录入放假安排" not in admin_client.get("/staff/").content.decode()
    with clock.frozen(D(2026, 10, 20)):
        assert selectors.schedules_to_enter() == [2027]
        page = admin_client.get("/staff/").content.decode()
    assert "工作日历 · 待录入放假安排" in page and "2027年待定日（按工作日计）" in page
    assert "/staff/calendar/2027/schedule/" in page
    assert str(len(selectors.uncertain_days(year=2027))) in page
    with clock.frozen(D(2027, 3, 1)):  # still not entered in the new year: still due
        assert selectors.schedules_to_enter() == [2027]
    other = Client()  # admin_client is the test's client: the clerk gets their own
    other.force_login(clerk)
    with clock.frozen(D(2026, 11, 23)):
        assert "待录入放假安排" not in other.get("/staff/").content.decode()
    services.enter_year_schedule(
        actor=admin,
        year=2027,
        days=[(d, "法定节假日", n) for d, n in sorted(rules.statutory_holidays(2027).items())],
    )
    with clock.frozen(D(2026, 11, 23)):
        assert selectors.schedules_to_enter() == []
        assert "待录入放假安排" not in admin_client.get("/staff/").content.decode()
