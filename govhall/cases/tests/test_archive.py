"""一卷一档: the contents follow the material list; the zip holds index, files and the
notices as PDF; the 副卷 (restricted records, personal documents) only for permitted roles."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govhall.cases import archive, services
from govhall.testing import factories

from .conftest import PDF

ID = factories.make_id_number(11)


def _case(hall):
    item = hall.market_item
    # 申请书 with a file; 营业执照 on paper (受理 needs every 必要 material)
    first, second = item.versions.get().materials.all()
    case = services.submit_application(
        actor=hall.staff.clerk.user,
        item=item,
        centre=hall.county,
        channel="window",
        applicant={"kind": "person", "name": "张三丰", "id_number": ID, "phone": "13904771234"},
        agent={
            "name": "代理人甲",
            "id_number": factories.make_id_number(12),
            "phone": "13900000000",
            "power_of_attorney": SimpleUploadedFile("委托书.pdf", PDF),
        },
        materials=[
            {"material": first, "file": SimpleUploadedFile("申请书.pdf", PDF)},
            {"material": second},
        ],
    )
    chief = hall.staff.market_chief.user
    case = services.transition(
        action="accept", actor=chief, case=case, expected_version=case.version
    )
    case = services.transition(
        actor=chief,
        case=case,
        action="review",
        expected_version=case.version,
        opinion="内部意见：申请人曾有违规记录",
        restricted=True,
    )
    return case


def test_contents_follow_material_list(hall, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = _case(hall)
    a = archive.build(case=case, user=hall.staff.market_approver.user)
    marks = {t["name"]: t["mark"] for t in a["toc"]}
    assert marks == {"申请书": "已提交（电子件）", "营业执照": "已提交（纸质）"}
    assert [e["action"] for e in a["events"]][:2] == ["申请", "受理"]
    assert a["restricted"] is None


def test_zip_restricted_part_only_for_permitted_roles(client, hall, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = _case(hall)
    url = reverse("cases:archive_zip", args=[case.number])

    client.force_login(hall.staff.market_approver.user)
    plain = zipfile.ZipFile(io.BytesIO(client.get(url).content))
    names = plain.namelist()
    assert "index.html" in names and "index.csv" in names
    assert any(n.startswith("files/01-") for n in names)
    assert any(n.startswith("documents/") and n.endswith(".pdf") for n in names)
    assert not any(n.startswith("副卷/") for n in names)
    index = plain.read("index.html").decode()
    assert "受理通知书" in index and "营业执照" in index
    assert "违规记录" not in index and ID not in index

    client.force_login(hall.staff.market_chief.user)
    full = zipfile.ZipFile(io.BytesIO(client.get(url).content))
    assert any(n.startswith("副卷/授权委托书-") for n in full.namelist())
    index = full.read("index.html").decode()
    assert "副卷" in index and "违规记录" in index and ID in index


def test_archive_page_hidden_from_other_department(client, hall, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = _case(hall)
    client.force_login(hall.staff.health_chief.user)
    assert client.get(reverse("cases:archive", args=[case.number])).status_code == 403
    client.force_login(hall.staff.supervisor.user)
    page = client.get(reverse("cases:archive", args=[case.number])).content.decode()
    assert "一卷一档" in page and "违规记录" in page
