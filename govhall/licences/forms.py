"""Forms of the 审管联动 staff pages. They only collect input; every rule (who may,
which status, the subject's ID, the period, the URL and key) is in ``services``."""

from __future__ import annotations

from django import forms

from govhall.core.web import StyledForm, style_form

from . import workflow
from .models import HolderKind, PenaltyKind, ReportKind

DATE = {"type": "date"}


def _date(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
    )


def _subject_kinds():
    return [("", "请选择"), *HolderKind.choices]


# --------------------------------------------------------------------------- licence


class LicenceActionForm(forms.Form):
    """One row of ``workflow.TRANSITIONS`` on the licence page: the reason, the row's
    inputs (延续: the new end of validity; 变更: the new names) and the version seen."""

    INPUTS = {
        "valid_until": lambda: _date("新的有效期截止日期", required=True),
        "holder_name": lambda: forms.CharField(
            label="新的持证主体名称", max_length=100, required=False
        ),
        "name": lambda: forms.CharField(label="新的证照名称", max_length=100, required=False),
    }

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, row: workflow.Transition, licence, **kwargs):
        kwargs.setdefault("prefix", row.action)
        kwargs.setdefault("initial", {"expected_version": licence.version})
        super().__init__(*args, **kwargs)
        self.row = row
        for name in row.inputs:
            self.fields[name] = self.INPUTS[name]()
        self.fields["reason"] = forms.CharField(
            label="原因",
            max_length=workflow.REASON_MAX,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text="记入证照状态变更记录",
        )
        style_form(self)

    def inputs(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.row.inputs}


# --------------------------------------------------------------------------- reports


class ReportForm(StyledForm):
    """登记监管反馈 (form channel). With a licence number the subject is the licence's
    holder; without one the subject is typed."""

    department = forms.ModelChoiceField(label="监管部门", queryset=None)
    kind = forms.ChoiceField(label="反馈类型", choices=[("", "请选择"), *ReportKind.choices])
    penalty = forms.ChoiceField(
        label="处罚种类",
        required=False,
        choices=[("", "无（非行政处罚）"), *[c for c in PenaltyKind.choices if c[0]]],
        help_text="吊销许可证件将使证照状态变为“吊销”，并要求审批部门限期注销",
    )
    licence_number = forms.CharField(
        label="涉及证照编号",
        max_length=60,
        required=False,
        help_text="填写后当事人取自证照库；吊销许可证件时必填",
    )
    subject_kind = forms.ChoiceField(label="当事人类型", required=False, choices=_subject_kinds)
    subject_name = forms.CharField(label="当事人名称", max_length=100, required=False)
    subject_code = forms.CharField(
        label="当事人证件号码",
        max_length=18,
        required=False,
        help_text="自然人填身份证号，法人或其他组织填统一社会信用代码（未填证照编号时必填）",
    )
    description = forms.CharField(
        label="情况说明", max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    decision_number = forms.CharField(
        label="处罚决定书文号", max_length=60, required=False, help_text="行政处罚时必填"
    )
    effective_on = _date("处罚决定生效日期", help_text="行政处罚时必填")
    serious = forms.BooleanField(label="严重违法，列入警示信息库", required=False)
    warning_until = _date("警示截止日期", help_text="留空表示长期，直至移出")

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        if departments is None:
            del self.fields["department"]
        else:
            self.fields["department"].queryset = departments
        self.fields["description"].widget.attrs["rows"] = 4

    def report_inputs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("department", None)
        return data


# --------------------------------------------------------------------------- warnings


class WarningForm(StyledForm):
    """列入警示信息库 by hand (the centre administrator)."""

    subject_kind = forms.ChoiceField(label="主体类型", choices=_subject_kinds)
    subject_name = forms.CharField(label="主体名称", max_length=100)
    subject_code = forms.CharField(
        label="证件号码", max_length=18, help_text="身份证号或统一社会信用代码"
    )
    reason = forms.CharField(
        label="列入原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    source = forms.ModelChoiceField(label="来源部门", queryset=None)
    starts_on = _date("起始日期", help_text="留空为今天")
    ends_on = _date("截止日期", help_text="留空表示长期，直至移出")

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = departments


class LiftForm(StyledForm):
    reason = forms.CharField(label="移出理由", max_length=500)


# --------------------------------------------------------------------------- settings


class LiaisonForm(StyledForm):
    staff = forms.ModelChoiceField(label="联络员", queryset=None)
    note = forms.CharField(label="职责说明", max_length=200, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = candidates
        self.fields["staff"].label_from_instance = lambda s: f"{s.name}（{s.get_role_display()}）"


class EndpointForm(StyledForm):
    url = forms.CharField(label="接收地址", max_length=300, help_text="以 http:// 或 https:// 开头")
    secret = forms.CharField(
        label="签名密钥",
        max_length=128,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="至少 16 个字符；已设置时留空则保持原密钥",
    )
    is_active = forms.BooleanField(label="启用", required=False, initial=True)


class LinkageForm(StyledForm):
    licence_name = forms.CharField(
        label="证照名称", max_length=100, required=False, help_text="留空则取办事指南的结果名称"
    )
    type_code = forms.CharField(
        label="证照类型代码", max_length=40, required=False, help_text="电子证照目录中的类型代码"
    )
    validity_months = forms.IntegerField(
        label="有效期（月）", min_value=0, max_value=1200, initial=0, help_text="0 表示长期有效"
    )
    supervisors = forms.ModelMultipleChoiceField(
        label="监管部门（监管事项清单未列明时）",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    publish_results = forms.BooleanField(label="公开审批结果", required=False, initial=True)

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisors"].queryset = departments
        self.fields["supervisors"].label_from_instance = lambda d: d.short_name or d.name
