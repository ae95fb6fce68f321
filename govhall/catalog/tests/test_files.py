"""示范文本 and 结果样本: uploaded onto a draft, offered for download once published."""

from __future__ import annotations

import io

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govhall.catalog import files, services
from govhall.catalog.models import CatalogFile
from govhall.core.errors import Conflict, ValidationFailed
from govhall.core.models import AuditEntry


def _pdf(name="开业登记申请书（空白）.pdf") -> SimpleUploadedFile:
    writer, out = pypdf.PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="text/html")


@pytest.fixture
def draft(county):
    return services.start_draft(actor=county.root, item=county.market_item)


def test_a_blank_form_and_a_result_sample_are_downloadable_once_published(client, county, draft):
    first = draft.materials.first()
    files.attach_sample(
        actor=county.root, version=draft, material_id=first.pk, file=_pdf(), reason="空白表格"
    )
    files.attach_result_sample(actor=county.root, version=draft, file=_pdf("许可证样本.pdf"))
    first.refresh_from_db()
    draft.refresh_from_db()
    key = first.sample_file
    assert key and first.sample_form == "开业登记申请书（空白）.pdf"
    assert client.get(f"/files/{key}/").status_code == 404  # a draft's file is not public

    services.publish(actor=county.root, version=draft, change_note="提供空白表格")
    guide = client.get(f"/items/{county.market_item.implementation_code}/").content.decode()
    assert f'href="/files/{key}/"' in guide and 'id="result-sample"' in guide
    response = client.get(f"/files/{key}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"  # not what the browser claimed
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditEntry.objects.filter(action="catalog.material.attach_sample").exists()


def test_the_same_file_is_stored_once_and_a_fake_is_refused(county, draft):
    material = draft.materials.first()
    for _ in range(2):
        files.attach_sample(actor=county.root, version=draft, material_id=material.pk, file=_pdf())
    assert CatalogFile.objects.count() == 1
    fake = SimpleUploadedFile("表格.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ValidationFailed) as exc:
        files.attach_sample(actor=county.root, version=draft, material_id=material.pk, file=fake)
    assert exc.value.message == "文件内容与扩展名不符"


def test_a_published_version_takes_no_file(county):
    version = county.market_item.versions.get()
    with pytest.raises(Conflict):
        files.attach_result_sample(actor=county.root, version=version, file=_pdf())


def test_a_reference_to_a_file_never_uploaded_stops_publishing(county, draft):
    """A workbook from elsewhere may name files this installation does not hold."""
    draft.materials.filter(pk=draft.materials.first().pk).update(sample_file="0123456789abcdef")
    with pytest.raises(ValidationFailed) as exc:
        services.publish(actor=county.root, version=draft, change_note="导入")
    assert exc.value.fields["materials.0.sample_file"] == [
        "第1项材料：示范文本文件 0123456789abcdef 未上传"
    ]


def test_the_draft_page_uploads_a_sample(client, county, draft):
    client.force_login(county.root)
    code = county.market_item.implementation_code
    material = draft.materials.first()
    response = client.post(
        reverse("catalog:draft_files", args=[code]),
        {"target": str(material.pk), "file": _pdf(), "reason": "空白表格"},
    )
    assert response.status_code == 302
    material.refresh_from_db()
    assert material.sample_file
    page = client.get(reverse("catalog:draft", args=[code])).content.decode()
    assert 'id="sample-files"' in page
