"""Forms of the lists' staff pages: they collect input only (the services check it)."""

from __future__ import annotations

from django import forms

from govhall.core import web

from . import registry
from .models import PowerKind

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class PublishForm(web.StyledForm):
    keys = forms.MultipleChoiceField(
        label="公布的清单",
        choices=[(s.key, s.name) for s in registry.SPECS],
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label="说明", max_length=200, required=False)


class CompareForm(web.StyledForm):
    key = forms.ChoiceField(label="清单", choices=[(s.key, s.name) for s in registry.SPECS])
    start = forms.DateField(label="起始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="截止日期", widget=forms.DateInput(attrs={"type": "date"}))


class _EntryForm(web.StyledForm):
    def __init__(self, *args, departments, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        if editing:
            self.fields["code"].disabled = True


class PowerForm(_EntryForm):
    code = forms.CharField(label="权力编码", max_length=40)
    name = forms.CharField(label="权力名称", max_length=200)
    kind = forms.ChoiceField(label="权力类型", choices=PowerKind.choices)
    department = forms.ModelChoiceField(label="实施部门", queryset=None)
    item = forms.CharField(
        label="对应政务服务事项（实施编码）", max_length=40, required=False, help_text="可空"
    )
    basis = forms.CharField(label="设定依据", widget=TEXTAREA)
    responsibilities = forms.CharField(label="责任事项", widget=TEXTAREA)
    accountability = forms.CharField(label="追责情形", widget=TEXTAREA, required=False)
    reason = forms.CharField(label="变更理由", max_length=200, required=False)


class SupervisionForm(_EntryForm):
    code = forms.CharField(label="监管事项编码", max_length=40)
    name = forms.CharField(label="监管事项名称", max_length=200)
    department = forms.ModelChoiceField(label="监管部门", queryset=None)
    items = forms.CharField(
        label="对应审批事项（实施编码）",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="多个以空格、逗号或顿号分隔",
    )
    target = forms.CharField(label="监管对象", widget=TEXTAREA)
    basis = forms.CharField(label="监管依据", widget=TEXTAREA)
    method = forms.CharField(label="监管方式", widget=TEXTAREA)
    reason = forms.CharField(label="变更理由", max_length=200, required=False)


class ImportForm(web.StyledForm):
    file = forms.FileField(label="Excel 工作簿（.xlsx）")


class RetireForm(web.StyledForm):
    reason = forms.CharField(label="撤销理由", max_length=200)
