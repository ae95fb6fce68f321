"""绩效评估 (issue 11 §4): periods, the indicators of a small known set of cases (built
through the case services, counted by ``rollups.rebuild``), the weights, the ranking,
department isolation, the reports (Excel, PDF) and the API's error codes."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from govhall.cases.tests.conftest import api
from govhall.core import clock
from govhall.core.errors import ValidationFailed
from govhall.org.models import Staff
from govhall.supervision import evaluation, report, rollups, services
from govhall.supervision.evaluation import Period
from govhall.supervision.models import Warning
from govhall.testing import factories

from .helpers import act, submit

pytestmark = pytest.mark.django_db

# The arithmetic of these tests uses these weights (not the policy's defaults, which
# the centre may tune): 30/15/10/10/10/15/10, inspections and satisfaction 0.
WEIGHTS = {
    "on_time_rate": 30,
    "time_used_ratio": 15,
    "deemed_acceptances": 10,
    "warnings_per_100": 10,
    "orders_replied_on_time": 10,
    "file_review_score": 15,
    "instant_and_online_share": 10,
    "inspection_score": 0,
    "satisfaction": 0,
    "complaint_handling": 0,
}


@pytest.fixture(autouse=True)
def _weights(settings):
    settings.GOVHALL_POLICY = {"EVALUATION_WEIGHTS": WEIGHTS}


# --------------------------------------------------------------------------- periods


def test_periods_parse_with_labels_and_bounds():
    m = Period.parse("2026-11")
    assert (m.label, m.code, str(m.start), str(m.end)) == (
        "2026年11月",
        "2026-11",
        "2026-11-01",
        "2026-11-30",
    )
    q = Period.parse("2026-Q4")
    assert (q.label, str(q.start), str(q.end)) == ("2026年第四季度", "2026-10-01", "2026-12-31")
    y = Period.year(2026)
    assert (y.label, y.code, y.year, str(y.start), str(y.end)) == (
        "2026年度",
        "2026",
        2026,
        "2026-01-01",
        "2026-12-31",
    )
    assert Period.parse("2024-02").end.day == 29
    assert [p.code for p in Period.parse("2026-Q2").months()] == ["2026-04", "2026-05", "2026-06"]
    assert len(y.months()) == 12


@pytest.mark.parametrize("bad", ["", "2026-13", "2026-Q5", "26", "1999", "2026/11", "x" * 500])
def test_a_bad_period_is_refused_with_its_code(bad):
    with pytest.raises(ValidationFailed) as exc:
        Period.parse(bad)
    assert exc.value.code == "invalid_period"
    assert "评估期间" in exc.value.message


# --------------------------------------------------------------------------- the cases


def complete(env, case, chief):
    case = act(case, "accept", env.s.clerk.user, responsible=chief.staff)
    case = act(case, "review", chief, opinion="符合")
    case = act(case, "decide", chief, result="approved", opinion="同意")
    case = act(case, "certify", chief, result_number=f"R{case.pk}")
    case = act(case, "deliver", env.s.clerk.user, method="electronic")
    return act(case, "complete", env.s.clerk.user)


@pytest.fixture
def known(env, health_item):
    """市场监管局: two cases received — one completed on the day, one refused with a
    boilerplate reason (a 理由不充分 warning) and given a 督办单 that escalated unanswered.
    卫健委: one case completed on the day. 交通局: no case at all."""
    market_done = complete(env, submit(env), env.s.market_chief.user)
    refused = act(submit(env), "refuse", env.s.clerk.user, reason="材料不全")
    services.evaluate_case(case=refused, today=clock.today())
    warning = Warning.objects.get(case=refused)
    services.issue_order(
        actor=env.s.supervisor.user, case=refused, warning=warning, subject="请说明理由"
    )
    services.escalate_overdue(today=clock.today().replace(year=clock.today().year + 1))
    health_done = complete(env, submit(env, health_item), env.s.health_chief.user)
    idle = factories.make_department(serial=3, name="测试县交通运输局", short_name="交通局")
    Staff.objects.filter(pk=env.s.market_chief.pk).update(window=env.c.window)
    rollups.rebuild()
    today = clock.today()
    return {
        "period": Period.month(today.year, today.month),
        "market": env.c.market,
        "health": env.c.health,
        "idle": idle,
        "cases": (market_done, refused, health_done),
    }


def by_id(rows):
    return {r.unit_id: r for r in rows}


def test_the_indicators_of_known_cases(known):
    rows = by_id(evaluation.evaluate(period=known["period"], level="department"))
    market = rows[known["market"].pk]
    f = market.figures
    assert (f["received"], f["completed"], f["completed_on_time"], f["warnings"]) == (2, 1, 1, 1)
    v = {x.key: x for x in market.values}
    assert v["on_time_rate"].score == 100 and v["on_time_rate"].shown.startswith("100.0%（1/1）")
    assert v["time_used_ratio"].raw == 0 and v["time_used_ratio"].score == 100
    assert v["deemed_acceptances"].shown == "0 件" and v["deemed_acceptances"].score == 100
    # one warning on two cases received: 50 per 100 cases → 100 − 1 × 50
    assert v["warnings_per_100"].raw == 50 and v["warnings_per_100"].score == 50
    # the one order was escalated unanswered: 0 of 1 on time
    assert v["orders_replied_on_time"].shown.startswith("0.0%（0/1）")
    assert v["orders_replied_on_time"].score == 0
    # window cases, no 即办件: both shares 0
    assert v["instant_and_online_share"].score == 0
    assert v["satisfaction"].shown == "暂无数据" and v["satisfaction"].score is None
    # weights 30/15/10/10/10/(15 file review: no data)/10/0/0:
    # (30·100 + 15·100 + 10·100 + 10·50 + 10·0 + 10·0) / 85
    assert market.score == pytest.approx(6000 / 85)

    health = rows[known["health"].pk]
    hv = {x.key: x for x in health.values}
    assert hv["orders_replied_on_time"].shown == "未被督办"
    assert hv["warnings_per_100"].score == 100
    assert health.score == pytest.approx(7500 / 85)


def test_ranking_best_first_and_a_department_without_cases_is_shown_not_ranked(known):
    rows = evaluation.evaluate(period=known["period"], level="department")
    assert [r.unit_id for r in rows[:2]] == [known["health"].pk, known["market"].pk]
    assert [(r.rank, r.of) for r in rows[:2]] == [(1, 2), (2, 2)]
    idle = by_id(rows)[known["idle"].pk]
    assert idle.rank is None and idle.score is None and rows[-1].unit_id == known["idle"].pk


def test_equal_scores_share_a_rank(known, settings):
    settings.GOVHALL_POLICY = {"EVALUATION_WEIGHTS": {"on_time_rate": 1}}
    rows = evaluation.evaluate(period=known["period"], level="department")
    assert [(r.rank, r.score) for r in rows[:2]] == [(1, 100), (1, 100)]


def test_weights_change_the_score(known, settings):
    settings.GOVHALL_POLICY = {
        "EVALUATION_WEIGHTS": {"warnings_per_100": 1, "orders_replied_on_time": 1}
    }
    rows = by_id(evaluation.evaluate(period=known["period"], level="department"))
    assert rows[known["market"].pk].score == pytest.approx(25)  # (50 + 0) / 2
    assert rows[known["health"].pk].score == pytest.approx(100)
    settings.GOVHALL_POLICY = {"EVALUATION_WEIGHTS": {"orders_replied_on_time": 5, "bogus": 9}}
    assert evaluation.weights()["orders_replied_on_time"] == 5
    rows = evaluation.evaluate(period=known["period"], level="department")
    assert rows[0].unit_id == known["health"].pk and rows[1].score == 0


def test_another_month_has_no_cases_and_nobody_is_ranked(known):
    p = known["period"]
    other = Period.month(p.year - 1, p.number)
    rows = evaluation.evaluate(period=other, level="department")
    assert rows and all(r.rank is None and r.score is None for r in rows)


def test_window_and_staff_levels(known, env):
    """Cases count under their 承办人 (named at 受理) and that person's window; the
    refused case has no 承办人 and counts at the department level only."""
    staff = by_id(evaluation.evaluate(period=known["period"], level="staff"))
    chief, health_chief = staff[env.s.market_chief.pk], staff[env.s.health_chief.pk]
    assert (chief.figures["received"], chief.figures["completed"], chief.rank) == (1, 1, 1)
    assert chief.name == "市场首代（市场监管局）" and health_chief.rank == 1
    windows = evaluation.evaluate(
        period=known["period"], level="window", department_id=known["market"].pk
    )
    assert [(r.unit_id, r.figures["completed"], r.rank) for r in windows] == [
        (env.c.window.pk, 1, 1)
    ]
    assert windows[0].value("file_review_score").shown == "暂无数据"
    assert windows[0].value("on_time_rate").score == 100


def test_a_few_aggregate_queries_not_one_per_unit(known, django_assert_max_num_queries):
    for serial in range(10, 30):
        factories.make_department(serial=serial, name=f"测试县部门{serial}")
    # 11: the rollups, warnings, orders, ratings, reviews, complaints, adjustment
    # filings (issue 13), the units …; none per unit.
    with django_assert_max_num_queries(11):
        rows = evaluation.evaluate(period=Period.year(known["period"].year), level="department")
    assert len(rows) >= 23


def test_the_level_is_checked():
    with pytest.raises(ValidationFailed) as exc:
        evaluation.evaluate(period=Period.year(2026), level="everyone")
    assert exc.value.code == "invalid_filter"


# --------------------------------------------------------------------------- reports


def test_the_department_workbook_has_the_figures(known):
    content = report.department_workbook(period=known["period"], department_id=known["market"].pk)
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["汇总", "指标", "月度趋势"]
    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert summary["部门"] == "测试县市场监督管理局"
    assert summary["综合得分"] == round(6000 / 85, 1)
    assert summary["收件"] == 2 and summary["办结"] == 1 and summary["电子监察预警"] == 1
    assert summary["排名"] == "第 2 名（共 2 个）"
    indicators = {r[0]: r for r in wb["指标"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert indicators["每百件预警数"][2] == 50 and indicators["每百件预警数"][3] == 10
    assert indicators["满意度"][1] == "暂无数据"
    trend = list(wb["月度趋势"].iter_rows(min_row=2, values_only=True))
    assert trend[-1][:3] == (known["period"].label, 2, 1)


def test_the_all_departments_workbook_ranks_every_department(known):
    wb = load_workbook(io.BytesIO(report.all_departments_workbook(period=known["period"])))
    assert wb.sheetnames == ["汇总", "指标", "月度趋势"]
    rows = [r for r in wb["汇总"].iter_rows(min_row=4, values_only=True) if r[1]]
    assert [(r[0], r[1]) for r in rows] == [(1, "卫健委"), (2, "市场监管局"), ("未排名", "交通局")]
    assert rows[0][2] == round(7500 / 85, 1)


def test_the_pdf_is_an_a4_report_with_pages(known):
    import pypdf

    content = report.department_pdf(period=Period.year(known["period"].year),
                                     department_id=known["market"].pk)  # fmt: skip
    assert content.startswith(b"%PDF")
    doc = pypdf.PdfReader(io.BytesIO(content))
    assert len(doc.pages) >= 2
    box = doc.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


# --------------------------------------------------------------------------- pages


def login(client, staff):
    client.force_login(staff.user)
    return client


def test_the_office_sees_every_department_with_the_formula(client, known, env):
    login(client, env.s.supervisor)
    page = client.get("/staff/supervision/evaluation/", {"period": known["period"].code})
    html = page.content.decode()
    assert page.status_code == 200
    assert "计分方法与权重" in html and "EVALUATION_WEIGHTS" in html
    assert "市场监管局" in html and "卫健委" in html and "交通局" in html
    assert "vendor/echarts/echarts.min.js" in html and 'id="chart-scores-data"' in html
    assert html.count('class="evaluation-row"') == 3
    page = client.get("/staff/supervision/evaluation/ranking/", {"period": known["period"].code})
    assert page.status_code == 200 and "第 1 名" in page.content.decode()
    for level in ("window", "staff"):
        assert client.get("/staff/supervision/evaluation/", {"level": level}).status_code == 200


def test_a_bad_period_on_the_page_says_so(client, env):
    login(client, env.s.supervisor)
    page = client.get("/staff/supervision/evaluation/", {"period": "2026-13"})
    assert page.status_code == 400 and "评估期间" in page.content.decode()
    old = client.get("/staff/supervision/evaluation/", {"period": "2019-Q2"}).content.decode()
    assert '<option value="2019-Q2" selected>2019年第二季度</option>' in old


def test_a_department_sees_its_own_figures_only(client, known, env):
    login(client, env.s.market_chief)
    page = client.get("/staff/supervision/evaluation/", {"period": known["period"].code})
    html = page.content.decode()
    assert page.status_code == 200 and html.count('class="evaluation-row"') == 1
    assert "市场监管局" in html and "卫健委" not in html.split("evaluation-table")[1]
    ranking = client.get("/staff/supervision/evaluation/ranking/").content.decode()
    assert ranking.count('class="ranking-row"') == 1
    mine = client.get("/staff/supervision/evaluation/mine/")
    assert mine.status_code == 302 and f"/departments/{known['market'].pk}/" in mine["Location"]
    own = client.get(mine["Location"], {"period": known["period"].code})
    assert own.status_code == 200 and "第 2 名" in own.content.decode()
    other = f"/staff/supervision/evaluation/departments/{known['health'].pk}/"
    assert client.get(other).status_code == 403
    assert client.get(other + "report.pdf").status_code == 403
    assert client.get("/staff/supervision/evaluation/report.xlsx").status_code == 403


def test_a_window_clerk_sees_no_evaluation(client, env):
    login(client, env.s.clerk)
    assert client.get("/staff/supervision/evaluation/").status_code == 403


def test_downloads(client, known, env):
    login(client, env.s.supervisor)
    base = f"/staff/supervision/evaluation/departments/{known['market'].pk}/"
    q = {"period": known["period"].code}
    xlsx = client.get(base + "report.xlsx", q)
    assert xlsx.status_code == 200 and xlsx["Content-Type"] == report.XLSX
    assert "attachment" in xlsx["Content-Disposition"]
    load_workbook(io.BytesIO(xlsx.content))
    pdf = client.get(base + "report.pdf", q)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    everyone = client.get("/staff/supervision/evaluation/report.xlsx", q)
    assert everyone.status_code == 200
    assert client.get(base + "report.pdf", {"period": "bad"}).status_code == 404
    page = client.get(base, q).content.decode()
    assert 'id="chart-trend-data"' in page and 'id="indicator-table"' in page


# --------------------------------------------------------------------------- API


def test_api_evaluation_and_ranking(known, env):
    client = api(env.s.supervisor.user)
    body = client.get("/api/v1/supervision/evaluation/", {"period": known["period"].code}).json()
    assert body["period"]["code"] == known["period"].code and body["level"] == "department"
    assert body["weights"]["on_time_rate"] == 30
    first = body["results"][0]
    assert (first["name"], first["rank"], first["score"]) == ("卫健委", 1, round(7500 / 85, 1))
    keys = [i["key"] for i in first["indicators"]]
    assert keys == evaluation.INDICATOR_KEYS
    body = client.get("/api/v1/supervision/evaluation/ranking/", {"period": "2026"}).json()
    assert [r["rank"] for r in body["results"]][:2] == [1, 2]
    body = client.get("/api/v1/supervision/evaluation/", {"level": "staff"}).json()
    assert body["level"] == "staff"
    one = client.get(
        "/api/v1/supervision/evaluation/",
        {"period": known["period"].code, "department": known["market"].pk},
    ).json()["results"]
    assert [(r["id"], r["rank"], r["ranked_of"]) for r in one] == [(known["market"].pk, 2, 2)]


def test_api_department_isolation(known, env):
    client = api(env.s.market_chief.user)
    body = client.get("/api/v1/supervision/evaluation/").json()
    assert [r["id"] for r in body["results"]] == [known["market"].pk]
    other = client.get("/api/v1/supervision/evaluation/", {"department": known["health"].pk})
    assert other.status_code == 403 and other.json()["code"] == "permission_denied"
    ranking = client.get("/api/v1/supervision/evaluation/ranking/").json()["results"]
    assert [r["department"] for r in ranking] == [known["market"].pk]
    clerk = api(env.s.clerk.user).get("/api/v1/supervision/evaluation/")
    assert clerk.status_code == 403


@pytest.mark.parametrize(
    "query,code",
    [
        ({"period": "2026-13"}, "invalid_period"),
        ({"period": "2026-Q0"}, "invalid_period"),
        ({"period": "abc"}, "invalid_period"),
        ({"period": "9" * 300}, "invalid_period"),
        ({"period": "2026\x00"}, "invalid_filter"),
        ({"level": "everyone"}, "invalid_filter"),
        ({"department": "abc"}, "invalid_filter"),
        ({"department": "99999999999"}, "invalid_filter"),
        ({"perod": "2026"}, "invalid_filter"),
    ],
)
def test_api_errors(env, query, code):
    response = api(env.s.supervisor.user).get("/api/v1/supervision/evaluation/", query)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert response.json()["message"]


def test_api_ranking_bad_period_and_anonymous(env):
    response = api(env.s.supervisor.user).get(
        "/api/v1/supervision/evaluation/ranking/", {"period": "2026-1-1"}
    )
    assert response.status_code == 400 and response.json()["code"] == "invalid_period"
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/supervision/evaluation/").status_code in (401, 403)


def test_satisfaction_counts_the_period_s_ratings_without_upheld_appeals(known, env):
    """满意度 from 好差评: 基本满意 and better over all ratings of the period, for the
    department (from the ratings' rollup) and for the 承办人; a 差评 taken out by an
    upheld 申诉复核 no longer counts."""
    from govhall.feedback.ratings import services as ratings

    market_done, _, health_done = known["cases"]
    clerk = env.s.clerk.user
    ratings.rate_as_staff(actor=clerk, case=market_done, channel="window", level=5)
    bad = ratings.rate_as_staff(
        actor=clerk, case=market_done, channel="phone", level=1, reasons=["attitude"]
    )
    ratings.rate_as_staff(actor=clerk, case=health_done, channel="window", level=3)
    rows = by_id(evaluation.evaluate(period=known["period"], level="department"))
    v = {x.key: x for x in rows[known["market"].pk].values}["satisfaction"]
    assert v.shown == "50.0%（1/2）" and v.score == 50
    h = {x.key: x for x in rows[known["health"].pk].values}["satisfaction"]
    assert h.score == 100  # 基本满意 is satisfied
    staff = by_id(
        evaluation.evaluate(period=known["period"], level="staff", department_id=known["market"].pk)
    )
    assert {x.key: x for x in staff[env.s.market_chief.pk].values}["satisfaction"].score == 50

    appeal = ratings.file_appeal(
        actor=env.s.market_chief.user, rating=bad, reason="评价人误操作，已电话核实"
    )
    ratings.decide_appeal(
        actor=env.s.supervisor.user, appeal=appeal, upheld=True, opinion="经核实为误评"
    )
    rows = by_id(evaluation.evaluate(period=known["period"], level="department"))
    v = {x.key: x for x in rows[known["market"].pk].values}["satisfaction"]
    assert v.shown == "100.0%（1/1）"
    assert {x.key: x for x in rows[known["idle"].pk].values}["satisfaction"].score is None
