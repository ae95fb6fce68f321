"""Forms of the organisation pages. They parse input; ``org.services`` checks the
rules (levels, 部门专窗, ID numbers …) and writes with an audit row."""

from __future__ import annotations

from django import forms

from govhall.core.web import plain_model_form, style_form

from . import api_clients
from .models import ApiAccess, ApiScope, Centre, Department, Staff, Window

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

CENTRE_FIELDS = [
    "code",
    "name",
    "level",
    "parent",
    "address",
    "phone",
    "opening_hours",
    "is_active",
]
DEPARTMENT_FIELDS = [
    "code",
    "name",
    "short_name",
    "is_approval",
    "is_competent",
    "is_supervising",
    "phone",
    "complaint_phone",
    "address",
    "is_active",
]
WINDOW_FIELDS = ["centre", "number", "name", "type", "department", "is_active"]
STAFF_FIELDS = [
    "name",
    "role",
    "centre",
    "department",
    "window",
    "phone",
    "id_number",
    "joined_on",
    "is_active",
]


class _WithReason(forms.Form):
    """Every change states why; the reason goes into the audit row (审计日志)."""

    reason_required = True

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"] = forms.CharField(
            label="新增说明" if creating else "变更理由",
            required=not creating,
            widget=forms.Textarea(attrs={"rows": 2}),
        )
        for field in self.fields.values():
            if isinstance(field.widget, forms.DateInput):
                field.widget = DATE_WIDGET
        style_form(self)

    def data_for_service(self) -> dict:
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("reason", "username", "password")
        }


CentreForm = plain_model_form("CentreForm", Centre, CENTRE_FIELDS, base=_WithReason)
DepartmentForm = plain_model_form("DepartmentForm", Department, DEPARTMENT_FIELDS, base=_WithReason)
WindowForm = plain_model_form("WindowForm", Window, WINDOW_FIELDS, base=_WithReason)
StaffForm = plain_model_form("StaffForm", Staff, STAFF_FIELDS, base=_WithReason)


class NewStaffForm(StaffForm):
    """开户: a login account together with the staff record."""

    username = forms.CharField(label="登录用户名", max_length=150)
    password = forms.CharField(
        label="初始密码", min_length=8, widget=forms.PasswordInput(render_value=True)
    )

    field_order = ["username", "password", *STAFF_FIELDS]


class StationForm(forms.Form):
    """进驻: put this department in a centre."""

    centre = forms.ModelChoiceField(label="中心", queryset=Centre.objects.filter(is_active=True))
    since = forms.DateField(label="进驻日期", widget=DATE_WIDGET)
    reason = forms.CharField(label="理由", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


class ApiClientForm(forms.Form):
    """新增接口客户端. The service checks that the staff member may act for the scope."""

    name = forms.CharField(label="名称", max_length=50, help_text="如：市场监管业务系统")
    access = forms.ChoiceField(label="权限", choices=ApiAccess.choices, initial=ApiAccess.READ)
    scope = forms.ChoiceField(label="范围", choices=ApiScope.choices, initial=ApiScope.DEPARTMENT)
    department = forms.ModelChoiceField(
        label="部门",
        queryset=Department.objects.filter(is_active=True),
        required=False,
        help_text="范围为单个部门时必填",
    )
    acting_staff = forms.ModelChoiceField(
        label="代其操作的工作人员",
        queryset=Staff.objects.none(),
        help_text="单个部门：该部门在岗的首席代表或审批人员；全中心：中心管理员。"
        "客户端的每次操作都以此人的权限进行，并记作“接口客户端（代此人）”。",
    )
    note = forms.CharField(label="用途说明", max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["acting_staff"].queryset = api_clients.eligible_staff()
        self.fields["acting_staff"].label_from_instance = lambda s: (
            f"{s.name}（{s.get_role_display()}{'，' + s.department.name if s.department else ''}）"
        )
        style_form(self)


class RevokeApiClientForm(forms.Form):
    reason = forms.CharField(label="撤销理由", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)
