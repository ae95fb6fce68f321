"""Shared page helpers and the staff home page."""

from __future__ import annotations

import datetime as dt

import pytest
from django import forms
from django.urls import reverse

from govhall.core import web
from govhall.core.errors import ValidationFailed


class _Row(forms.Form):
    name = forms.CharField(required=False)


class _Guide(forms.Form):
    title = forms.CharField(required=False)


def test_apply_errors_places_every_message():
    formset = forms.formset_factory(_Row, extra=0)(
        initial=[{"name": "a"}, {"name": "b"}], prefix="m"
    )
    guide = _Guide(initial={"title": "x"})
    exc = ValidationFailed(
        "不通过",
        fields={
            "title": ["标题必须填写"],
            "m.1.name": ["第2项：名称不清"],
            "m": ["至少一项"],
            "elsewhere": ["别处的问题"],
        },
    )
    unplaced = web.apply_errors(exc, form=guide, formsets={"m": formset})
    assert guide.errors["title"] == ["标题必须填写"]
    assert formset.forms[1].errors["name"] == ["第2项：名称不清"]
    assert not formset.forms[0].errors
    assert list(formset.non_form_errors()) == ["至少一项"]
    assert unplaced == ["别处的问题"]
    assert "别处的问题" in guide.non_field_errors()


def test_login_required_and_login_page(client, org):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and reverse("core:login") in response["Location"]
    response = client.post(reverse("core:login"), {"username": "market_chief", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()


def test_home_shows_role_abilities(client, org):
    assert client.login(username="supervisor", password="govhall-test")
    html = client.get(reverse("core:home")).content.decode()
    assert "电子监察" in html and "组织机构" in html
    assert "新增事项" not in html  # supervisors change nothing


def test_permission_denied_becomes_403_page(client, org):
    assert client.login(username="clerk", password="govhall-test")
    response = client.get(reverse("org:centre_create"))
    assert response.status_code == 403
    assert "只有中心管理员可以维护组织机构" in response.content.decode()
    response = client.get(reverse("catalog:detail", args=["NOPE"]))
    assert response.status_code == 404 and "事项 NOPE 不存在" in response.content.decode()


def test_error_pages_are_titled_by_what_went_wrong(client, org):
    assert client.login(username="clerk", password="govhall-test")
    page = client.get(reverse("org:centre_create")).content.decode()
    assert "<title>无权访问" in page and "页面不存在" not in page
    page = client.get(reverse("catalog:detail", args=["NOPE"])).content.decode()
    assert "<title>页面不存在" in page and "无权访问" not in page


@pytest.mark.parametrize(
    "raw, maximum, expected",
    [
        ("12", None, 12),
        (" 7 ", None, 7),
        ("", None, None),
        ("0", None, None),
        ("-3", None, None),
        ("１２", None, None),
        ("99999999999", None, None),
        ("6", 5, None),
        ("5", 5, 5),
        ("abc", None, None),
    ],
)
def test_query_int_keeps_only_a_bounded_positive_number(raw, maximum, expected):
    kwargs = {} if maximum is None else {"maximum": maximum}
    assert web.query_int(raw, **kwargs) == expected


def test_query_date_reads_iso_and_reports_a_malformed_one_in_chinese():
    errors: list[str] = []
    assert web.query_date("2026-12-03") == dt.date(2026, 12, 3)
    assert web.query_date("2026-12-03T10:00") == dt.date(2026, 12, 3)
    assert web.query_date("", errors=errors) is None and errors == []
    assert web.query_date("2026-13-01", errors=errors, label="开始日期") is None
    assert errors == ["开始日期格式不正确，应为 YYYY-MM-DD"]
