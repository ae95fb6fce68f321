"""卷宗评查 (issue 11 §3): the monthly sample is reproducible (same seed → same files,
another seed → generally others), sized per department by count or percentage, drawn
once a month; findings are pre-filled from the case; the score per file and per
department; special-step abuse listed apart; the checklist's versions; department
isolation; the evaluation's selectors."""

from __future__ import annotations

import datetime as dt

import pytest

from govhall.cases.models import Case
from govhall.core import clock
from govhall.core.audit import AuditEntry
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed
from govhall.supervision import reviews
from govhall.supervision.models import (
    Check,
    FileReview,
    QuotaKind,
    ReviewDraw,
    ReviewState,
)

from .helpers import act, submit

pytestmark = pytest.mark.django_db

NOVEMBER = dt.date(2026, 11, 1)
DECEMBER_2 = dt.datetime(2026, 12, 2, 9)


def complete(env, *, archive=False, item=None):
    """One case 申请 → 办结 (→ 归档) today, by the market department."""
    s = env.s
    case = submit(env, item)
    case = act(case, "accept", s.clerk.user)
    case = act(case, "review", s.market_chief.user, opinion="材料齐全，符合条件")
    case = act(case, "decide", s.market_chief.user, result="approved", opinion="同意许可")
    case = act(case, "certify", s.market_chief.user, result_number=f"JY{case.pk:06d}")
    case = act(case, "deliver", s.clerk.user, method="electronic")
    case = act(case, "complete", s.clerk.user)
    if archive:
        case = act(case, "archive", s.market_chief.user)
    return case


@pytest.fixture
def november(env):
    """Six market cases completed in November 2026, two of them archived."""
    return [complete(env, archive=i < 2) for i in range(6)]


def draw(env, *, value=3, kind=QuotaKind.COUNT, seed=42, month=NOVEMBER, who="supervisor"):
    with clock.frozen(DECEMBER_2):
        return reviews.draw_sample(
            actor=getattr(env.s, who).user,
            month=month,
            seed=seed,
            quotas=[{"department": env.c.market.pk, "kind": kind, "value": value}],
        )


def drawn_numbers(d: ReviewDraw) -> list[str]:
    return sorted(d.reviews.values_list("case__number", flat=True))


# --------------------------------------------------------------------------- the sample


def test_the_same_seed_over_the_same_cases_draws_the_same_files(env, november):
    first = draw(env, seed=42)
    numbers = drawn_numbers(first)
    assert len(numbers) == 3
    assert set(numbers) <= {c.number for c in november}
    # drawn again (a fresh month's row) with the same seed: the same files
    FileReview.objects.filter(draw=first).delete()
    first.quotas.all().delete()
    first.delete()
    assert drawn_numbers(draw(env, seed=42)) == numbers


def test_sample_numbers_is_a_pure_function_of_seed_and_cases():
    population = [f"N{i:03d}" for i in range(40)]
    a = reviews.sample_numbers(population, 5, seed=7, department_id=1)
    assert a == reviews.sample_numbers(list(reversed(population)), 5, seed=7, department_id=1)
    others = {
        tuple(reviews.sample_numbers(population, 5, seed=s, department_id=1)) for s in range(8, 18)
    }
    assert len(others - {tuple(a)}) >= 9  # another seed: generally another sample
    assert reviews.sample_numbers(population, 5, seed=7, department_id=2) != a


def test_count_and_percentage_per_department(env, november, health_item):
    assert reviews.quota_size(QuotaKind.COUNT, 3, 6) == 3
    assert reviews.quota_size(QuotaKind.COUNT, 10, 6) == 6
    assert reviews.quota_size(QuotaKind.PERCENT, 50, 6) == 3
    assert reviews.quota_size(QuotaKind.PERCENT, 10, 6) == 1  # rounded up, at least one
    assert reviews.quota_size(QuotaKind.PERCENT, 0, 6) == 0
    assert reviews.quota_size(QuotaKind.COUNT, 3, 0) == 0
    with clock.frozen(DECEMBER_2):
        d = reviews.draw_sample(
            actor=env.s.supervisor.user,
            month=NOVEMBER,
            seed=1,
            quotas=[
                {"department": env.c.market.pk, "kind": QuotaKind.PERCENT, "value": 50},
                {"department": env.c.health.pk, "kind": QuotaKind.COUNT, "value": 2},
            ],
        )
    quotas = {q.department_id: q for q in d.quotas.all()}
    assert (quotas[env.c.market.pk].population, quotas[env.c.market.pk].drawn) == (6, 3)
    assert (quotas[env.c.health.pk].population, quotas[env.c.health.pk].drawn) == (0, 0)
    assert d.reviews.count() == 3


def test_only_cases_completed_in_the_month_are_drawn(env, november):
    open_case = submit(env)
    with clock.frozen(DECEMBER_2):
        december = complete(env)
    d = draw(env, value=100)
    numbers = drawn_numbers(d)
    assert len(numbers) == 6
    assert open_case.number not in numbers and december.number not in numbers


def test_a_month_is_drawn_once(env, november):
    draw(env)
    with pytest.raises(Conflict) as exc:
        draw(env, seed=99)
    assert exc.value.code == "already_drawn" and "已抽取" in exc.value.message
    assert ReviewDraw.objects.count() == 1 and FileReview.objects.count() == 3


def test_a_month_not_over_is_refused_and_bad_quotas_are_named(env, november):
    with pytest.raises(ValidationFailed) as exc:
        reviews.draw_sample(
            actor=env.s.supervisor.user,
            month=NOVEMBER,
            quotas=[{"department": env.c.market.pk, "kind": "count", "value": 1}],
        )
    assert exc.value.code == "month_not_over"
    for quota, code in [
        ({"department": 999999, "kind": "count", "value": 1}, "department_not_found"),
        ({"department": env.c.market.pk, "kind": "half", "value": 1}, "invalid_choice"),
        ({"department": env.c.market.pk, "kind": "percent", "value": 101}, "out_of_range"),
        ({"department": env.c.market.pk, "kind": "count", "value": "x"}, "invalid_number"),
    ]:
        with clock.frozen(DECEMBER_2), pytest.raises(ValidationFailed) as exc:
            reviews.draw_sample(actor=env.s.supervisor.user, month=NOVEMBER, quotas=[quota])
        assert exc.value.code == code
    assert not ReviewDraw.objects.exists()


def test_only_the_office_draws(env, november):
    with pytest.raises(PermissionDenied):
        draw(env, who="market_chief")
    assert draw(env, who="admin").reviews.count() == 3  # the centre administrator may


def test_a_bundle_parent_is_not_drawn(env):
    from govhall.cases.models import Bundle

    case, child = complete(env), complete(env)
    bundle = Bundle.objects.create(code="b1", name="一件事", lead_department=env.c.market)
    Case.objects.filter(pk=case.pk).update(bundle=bundle)  # a 一件事 parent
    Case.objects.filter(pk=child.pk).update(bundle=bundle, parent=case)  # its child
    got = set(reviews.completed_cases(department_id=env.c.market.pk, month=NOVEMBER))
    assert got == {child}


# --------------------------------------------------------------------------- pre-fill, score


def test_findings_are_prefilled_from_the_case(env):
    archived = complete(env, archive=True)
    not_archived = complete(env)
    with clock.frozen(DECEMBER_2):
        d = reviews.draw_sample(
            actor=env.s.supervisor.user,
            month=NOVEMBER,
            seed=3,
            quotas=[{"department": env.c.market.pk, "kind": "count", "value": 5}],
        )
    by_case = {r.case_id: r for r in d.reviews.all()}
    good = {f.item.prefill: f for f in by_case[archived.pk].findings.select_related("item")}
    assert all(not f.system_problem for f in good.values()), [f.system_note for f in good.values()]
    assert all(f.awarded == f.item.points for f in good.values())
    bad = {f.item.prefill: f for f in by_case[not_archived.pk].findings.select_related("item")}
    assert bad[Check.ARCHIVE].system_problem and bad[Check.ARCHIVE].awarded == 0
    assert "未归档" in bad[Check.ARCHIVE].system_note


def test_prefill_names_missing_materials_notices_and_a_thin_reason(env):
    case = complete(env)
    case.documents.filter(kind="service_receipt").delete()
    Case.objects.filter(pk=case.pk).update(result_reason="材料不全", result="denied")
    case.refresh_from_db()
    notices = reviews.prefill(case, Check.NOTICES)
    assert notices.problem and "缺少送达回证" in notices.note
    reasons = reviews.prefill(case, Check.REASONS)
    assert reasons.problem and "材料不全" in reasons.note
    case.materials.all().delete()
    materials = reviews.prefill(case, Check.MATERIALS)
    assert materials.problem and "缺少或未补齐" in materials.note
    assert reviews.prefill(case, Check.NONE) is None


def test_prefill_flags_a_special_step_over_its_limit(env, special):
    from govhall.cases.models import SpecialStepRun

    case = submit(env, special)
    case = act(case, "accept", env.s.clerk.user)
    step = special.versions.get().special_steps.get(name="现场踏勘")
    SpecialStepRun.objects.create(
        case=case,
        special_step=step,
        kind=step.kind,
        name=step.name,
        counted_in_limit=False,
        started_at=clock.now(),
        started_on=dt.date(2026, 11, 2),
        ended_at=clock.now(),
        ended_on=dt.date(2026, 11, 20),
        record="已踏勘",
    )
    found = reviews.prefill(case, Check.SPECIAL_STEPS)
    assert found.problem and "时限 5 个工作日" in found.note


def test_the_reviewer_changes_findings_and_finishes_the_score(env, november):
    d = draw(env)
    review = d.reviews.order_by("id").first()
    items = {f.item.prefill: f.item for f in review.findings.select_related("item")}
    office = env.s.supervisor.user
    review = reviews.save_review(
        actor=office,
        review=review,
        findings=[
            {"item": items[Check.SPECIAL_STEPS].pk, "awarded": 5, "note": "现场踏勘无依据"},
        ],
        summary="基本规范",
    )
    assert review.state == ReviewState.OPEN and review.score is None
    review = reviews.finish_review(
        actor=office,
        review=review,
        findings=[{"item": items[Check.ARCHIVE].pk, "awarded": 20, "note": "已补归档"}],
    )
    # 25 + 20 + 5 + 20 + 20 = 90 of 100
    assert review.state == ReviewState.FINISHED and review.score == 90
    assert review.special_abuse and review.reviewer == env.s.supervisor
    with pytest.raises(Conflict) as exc:
        reviews.save_review(actor=office, review=review, findings=[])
    assert exc.value.code == "wrong_state"
    assert list(
        AuditEntry.objects.filter(
            object_id=str(review.pk), action__startswith="supervision.review."
        )
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["supervision.review.save", "supervision.review.finish"]
    abuse = reviews.special_abuse(reviews=FileReview.objects.filter(draw=d))
    assert [a["review"].pk for a in abuse] == [review.pk]
    assert "现场踏勘无依据" in abuse[0]["note"]


def test_bad_findings_are_refused(env, november):
    review = draw(env).reviews.first()
    item = review.findings.select_related("item").first().item
    office = env.s.supervisor.user
    for finding, code in [
        ({"item": item.pk, "awarded": item.points + 1}, "out_of_range"),
        ({"item": 999999, "awarded": 1}, "item_not_found"),
        ({"item": item.pk, "awarded": "多"}, "invalid_number"),
        ({"item": item.pk, "awarded": 1, "note": "长" * 2001}, "too_long"),
    ]:
        with pytest.raises(ValidationFailed) as exc:
            reviews.finish_review(actor=office, review=review, findings=[finding])
        assert exc.value.code == code
    with pytest.raises(PermissionDenied):
        reviews.finish_review(actor=env.s.market_chief.user, review=review)
    review.refresh_from_db()
    assert review.state == ReviewState.OPEN


def test_scores_per_department_and_month(env, november):
    d = draw(env)
    office = env.s.supervisor.user
    finished = []
    for review in d.reviews.order_by("id")[:2]:
        finished.append(reviews.finish_review(actor=office, review=review))
    rows = reviews.month_scores(reviews=FileReview.objects.filter(draw=d))
    assert len(rows) == 1
    row = rows[0]
    assert (row["drawn"], row["finished"]) == (3, 2)
    expected = round(float(sum(r.score for r in finished)) / 2, 1)
    assert row["average"] == expected
    scores = reviews.department_scores(start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    assert scores == {env.c.market.pk: expected}
    assert reviews.department_scores(start=dt.date(2026, 1, 1), end=dt.date(2026, 10, 31)) == {}
    assert reviews.department_scores(start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)) == {
        env.c.market.pk: expected
    }


# --------------------------------------------------------------------------- checklist


def test_a_new_checklist_version_leaves_drawn_reviews_on_theirs(env, november):
    d = draw(env)
    v1 = reviews.current_checklist()
    assert v1.version == 1 and sum(i.points for i in v1.items.all()) == 100
    v2 = reviews.publish_checklist(
        actor=env.s.supervisor.user,
        items=[
            {"title": "申请材料齐全", "points": 50, "prefill": Check.MATERIALS},
            {"title": "卷面整洁", "points": 50, "prefill": ""},
        ],
        note="简化",
    )
    assert v2.version == 2 and reviews.current_checklist() == v2
    review = reviews.finish_review(actor=env.s.supervisor.user, review=d.reviews.first())
    assert review.checklist == v1 and review.findings.count() == 5
    with pytest.raises(ValidationFailed) as exc:
        reviews.publish_checklist(actor=env.s.supervisor.user, items=[{"title": "", "points": 5}])
    assert exc.value.code == "required"
    with pytest.raises(PermissionDenied):
        reviews.publish_checklist(
            actor=env.s.market_chief.user, items=[{"title": "x", "points": 5}]
        )


# --------------------------------------------------------------------------- isolation


def test_a_department_sees_its_own_reviews_only(env, november, health_item):
    draw(env)
    assert reviews.visible_reviews(user=env.s.market_chief.user).count() == 3
    assert reviews.visible_reviews(user=env.s.health_chief.user).count() == 0
    assert reviews.visible_reviews(user=env.s.supervisor.user).count() == 3
    assert reviews.visible_reviews(user=env.s.clerk.user).count() == 0


def test_the_office_changes_no_case(env, november):
    before = list(Case.objects.order_by("pk").values())
    d = draw(env)
    for review in d.reviews.all():
        reviews.finish_review(actor=env.s.supervisor.user, review=review)
    assert list(Case.objects.order_by("pk").values()) == before
