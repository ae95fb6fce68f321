"""Forms of the adjustment request pages. They only collect input; the rules stay in
``services`` (an action's form is built from its row's inputs)."""

from __future__ import annotations

from django import forms

from govhall.catalog.authorisations import eligible_approvers
from govhall.catalog.models import Item, ItemType, NegativeListReason
from govhall.core.web import MultipleFileField, StyledForm, style_form
from govhall.org.models import Department

from . import selectors, workflow
from .models import Kind, Trigger

FILES_HELP = "书面申请（盖章扫描件）等，PDF/JPG/PNG/OFD，最多 10 个"


class RequestForm(StyledForm):
    kind = forms.ChoiceField(label="调整类型", choices=Kind.choices)
    item = forms.ChoiceField(
        label="事项", required=False, help_text="新增事项可在下方填写编码和名称"
    )
    new_basic_code = forms.CharField(
        label="新增事项基本编码（12位）", max_length=12, required=False
    )
    new_type = forms.ChoiceField(
        label="新增事项类型", choices=[("", "（新增时选择）")] + ItemType.choices, required=False
    )
    new_name = forms.CharField(label="新增事项名称", max_length=200, required=False)
    trigger = forms.ChoiceField(label="调整事由", choices=Trigger.choices)
    trigger_date = forms.DateField(
        label="事由发生日期（如法律法规公布之日）", widget=forms.DateInput(attrs={"type": "date"})
    )
    basis = forms.CharField(label="依据文件名称及文号", max_length=200, required=False)
    touches_elements = forms.BooleanField(
        label="涉及受理条件、申请材料、办理流程或时限（须在3个工作日内申请）", required=False
    )
    two_priority = forms.BooleanField(
        label="“两优”清单调整（须在一个月内申请；两优事项自动视为两优调整）", required=False
    )
    reasons = forms.CharField(
        label="申请理由（取消、暂停、恢复的理由向社会公开）",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    target_department = forms.ChoiceField(label="划入部门（划转）", required=False)
    handover_note = forms.CharField(
        label="移交清单：政策文件、证照文书、档案资料（划转）",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    negative_category = forms.ChoiceField(
        label="负面清单理由类别（列入负面清单）",
        choices=[("", "（列入负面清单时选择）")] + NegativeListReason.choices,
        required=False,
    )
    negative_statement = forms.CharField(
        label="不进驻情况说明（列入负面清单）",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    approvers = forms.MultipleChoiceField(
        label="新增事项的审批人员（授权书）", required=False, widget=forms.CheckboxSelectMultiple
    )
    files = MultipleFileField(label="书面申请及附件", help_text=FILES_HELP)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, department: Department, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        items = Item.objects.filter(department=department).order_by("implementation_code")
        names = selectors.item_names(items=items)
        self.fields["item"].choices = [("", "（选择事项）")] + [
            (i.implementation_code, f"{names.get(i.pk, '')} {i.implementation_code}") for i in items
        ]
        others = Department.objects.filter(is_active=True).exclude(pk=department.pk)
        self.fields["target_department"].choices = [("", "（划转时选择）")] + [
            (str(d.pk), d.name) for d in others.order_by("name")
        ]
        self.fields["approvers"].choices = [
            (str(s.pk), f"{s.name}（{s.get_role_display()}）")
            for s in eligible_approvers(department=department)
        ]
        if editing:
            for name in ("kind", "item", "new_basic_code", "new_type", "new_name"):
                del self.fields[name]


def _field(spec: workflow.Input):
    K = workflow.Kind
    if spec.kind == K.DATE:
        return forms.DateField(
            label=spec.label, required=spec.required, widget=forms.DateInput(attrs={"type": "date"})
        )
    long = spec.kind == K.LONG_TEXT
    return forms.CharField(
        label=spec.label,
        required=spec.required,
        max_length=workflow.LONG_TEXT_MAX if long else workflow.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}) if long else None,
    )


class ActionForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, row: workflow.Transition, request, **kwargs):
        kwargs.setdefault("prefix", row.action)
        kwargs.setdefault("initial", {"expected_version": request.version})
        super().__init__(*args, **kwargs)
        self.row = row
        for spec in row.inputs:
            self.fields[spec.name] = _field(spec)
        if row.attachments:
            self.fields["files"] = MultipleFileField(label="附件", help_text=FILES_HELP)
        style_form(self)

    def inputs(self) -> dict:
        d = self.cleaned_data
        return {s.name: d.get(s.name) for s in self.row.inputs if s.name in d}

    def files_sent(self) -> list:
        return self.cleaned_data.get("files") or []
