"""Intake (``services.intake``): numbering, who may file where, the applicant's
identity, uploaded files, and online applications."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from govhall.cases import services
from govhall.cases.models import Case, Channel
from govhall.catalog import services as catalog_services
from govhall.core import clock
from govhall.core.actors import Applicant
from govhall.core.errors import Conflict, PermissionDenied, ValidationFailed

from ..conftest import person, submit


def test_number_is_centre_date_and_daily_sequence(env):
    first, second = submit(env), submit(env)
    assert first.number == "150626-20261123-0001"
    assert second.number == "150626-20261123-0002"
    with clock.frozen(dt.datetime(2026, 11, 24, 9)):
        assert submit(env).number == "150626-20261124-0001"
    assert first.item_version.number == 1 and first.department == env.c.market


def test_item_not_accepting_is_refused_and_nothing_created(env):
    root = env.c.root
    item = env.c.market_item
    catalog_services.change_item_flags(actor=root, item=item, reason="整改", status="suspended")
    with pytest.raises(Conflict) as exc:
        submit(env)
    assert exc.value.code == "item_not_accepting" and "暂停" in exc.value.message
    catalog_services.change_item_flags(
        actor=root,
        item=item,
        reason="涉密",
        status="active",
        on_negative_list=True,
        negative_list_reason="涉及国家秘密",
    )
    with pytest.raises(Conflict) as exc:
        submit(env)
    assert "负面清单" in exc.value.message
    catalog_services.change_item_flags(
        actor=root, item=item, reason="撤销", on_negative_list=False, status="cancelled"
    )
    with pytest.raises(Conflict) as exc:
        submit(env)
    assert "取消" in exc.value.message
    assert Case.objects.count() == 0


def test_wrong_level_and_not_stationed(env, township_item, health_item):
    # The county item is not offered at township level.
    with pytest.raises(Conflict) as exc:
        submit(env, actor=env.township_clerk.user, centre=env.c.township)
    assert exc.value.code == "wrong_level"
    # The township item is, and market is stationed there.
    case = submit(env, env.township_item, actor=env.township_clerk.user, centre=env.c.township)
    assert case.number.startswith("150626101-20261123-")
    # Health is not stationed at the township.
    with pytest.raises(Conflict) as exc:
        services.submit_application(
            actor=env.township_clerk.user,
            item=env.c.health_item,
            centre=env.c.township,
            channel=Channel.WINDOW,
            applicant=person(),
        )
    assert exc.value.code == "department_not_stationed"
    assert Case.objects.count() == 1


def test_applicant_identity_is_checked(env):
    with pytest.raises(ValidationFailed) as exc:
        submit(env, applicant=person(id_number="150626198503120001"))
    assert exc.value.code == "invalid_id_number"
    assert "applicant.id_number" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        submit(env, applicant=person(kind="organisation", name="某公司", id_number="91150626X"))
    assert exc.value.code == "invalid_uscc"
    org = submit(
        env,
        applicant=person(kind="organisation", name="某餐饮公司", id_number=env.c.market.code),
    )
    assert org.applicant_kind == "organisation"
    with pytest.raises(ValidationFailed) as exc:
        submit(env, agent={"name": "李四", "id_number": person()["id_number"]})
    assert exc.value.code == "power_of_attorney_required"
    assert Case.objects.count() == 1


def test_files_are_checked_by_extension_and_content(env):
    material = env.c.market_item.versions.get().materials.first()
    fake = SimpleUploadedFile("申请书.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationFailed) as exc:
        submit(env, materials=[{"material": material, "file": fake}])
    assert exc.value.fields == {"materials.0.file": ["文件内容与扩展名不符"]}
    exe = SimpleUploadedFile("申请书.exe", b"%PDF-1.4")
    with pytest.raises(ValidationFailed):
        submit(env, materials=[{"material": material, "file": exe}])
    assert Case.objects.count() == 0


def test_online_only_where_offered_and_idempotent(env):
    version = env.c.market_item.versions.get()
    assert version.handling_form == "both"
    one = submit(
        env, actor=Applicant(), channel=Channel.ONLINE, idempotency_key="k1", fingerprint="f"
    )
    again = submit(
        env, actor=Applicant(), channel=Channel.ONLINE, idempotency_key="k1", fingerprint="f"
    )
    assert one.pk == again.pk and Case.objects.count() == 1
    with pytest.raises(Conflict):
        submit(
            env, actor=Applicant(), channel=Channel.ONLINE, idempotency_key="k1", fingerprint="g"
        )
    with pytest.raises(PermissionDenied):  # the public cannot file a window application
        submit(env, actor=Applicant(), channel=Channel.WINDOW)
