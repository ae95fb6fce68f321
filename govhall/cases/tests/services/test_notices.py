"""The notices of a 一件事 (``services.notices``): one 一件事告知单 on the parent, as ONE
PDF (DocumentKind ``bundle_notice``) naming every child, its state and what it lacks;
an accepted bundle's 受理通知书 lists every child with its deadline."""

from __future__ import annotations

import subprocess

from django.urls import reverse

from govhall.cases.models import Case, DocumentKind, State
from govhall.core.models import AuditEntry

from ..conftest import bundle_desk_form


def _pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_correction_path_issues_exactly_one_bundle_notice_as_one_pdf(
    client, env, small_restaurant_bundle
):
    bundle = small_restaurant_bundle
    client.force_login(env.s.clerk.user)
    url = reverse("cases:desk_bundle", args=[bundle.pk])
    response = client.post(
        url, bundle_desk_form(bundle, action="request_correction", missing={"营业执照"})
    )
    assert response.status_code == 302
    parent = Case.objects.get(parent__isnull=True)
    small = parent.children.get(item=env.tolerance)
    health = parent.children.get(item=env.c.health_item)
    assert (small.state, health.state) == (State.IN_REVIEW, State.AWAITING_CORRECTION)
    # Exactly one notice for the applicant on the parent: the 一件事告知单.
    notice = parent.documents.get()
    assert notice.kind == DocumentKind.BUNDLE_NOTICE
    assert [c["number"] for c in notice.data["children"]] == [small.number, health.number]
    assert AuditEntry.objects.filter(action="cases.case.bundle_notice").count() == 1

    page = client.get(response["Location"]).content.decode()
    pdf_url = reverse("cases:notice_pdf", args=[parent.number, notice.number])
    assert pdf_url in page  # linked from the bundle notice page
    got = client.get(pdf_url)
    assert got["Content-Type"] == "application/pdf" and got.content.startswith(b"%PDF")
    text = _pdf_text(got.content)
    assert "一件事告知单" in text and parent.number in text
    for child in (small, health):
        assert child.number in text and child.item_version.name in text
    assert "待补正" in text and "审查中" in text  # each child's state
    assert "一次性告知书" in text and "营业执照" in text and "未带" in text
    # The notice URL of the bundle notice leads to the whole bundle page.
    assert client.get(reverse("cases:notice", args=[parent.number, notice.number]))[
        "Location"
    ] == reverse("cases:bundle_notice", args=[parent.number])


def test_accepted_bundle_pdf_is_the_whole_bundle_with_children_and_deadlines(
    client, env, small_restaurant_bundle
):
    bundle = small_restaurant_bundle
    client.force_login(env.s.clerk.user)
    url = reverse("cases:desk_bundle", args=[bundle.pk])
    assert client.post(url, bundle_desk_form(bundle, action="accept")).status_code == 302
    parent = Case.objects.get(parent__isnull=True)
    notice = parent.documents.get()  # still the one 受理通知书 of the parent
    assert notice.kind == DocumentKind.ACCEPTANCE
    assert {c["state"] for c in notice.data["children"]} == {State.IN_REVIEW}
    text = _pdf_text(
        client.get(reverse("cases:notice_pdf", args=[parent.number, notice.number])).content
    )
    assert "一件事告知单" in text and "受理通知书" in text
    for child in parent.children.all():
        assert child.number in text and child.item_version.name in text
        assert f"{child.due_date:%Y年%-m月%-d日}" in text
