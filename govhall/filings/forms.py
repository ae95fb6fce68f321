"""Forms of the filing pages. They only collect input; the rules are in ``services``
(what may be filed, the filer's ID, the formal check)."""

from __future__ import annotations

from django import forms

from govhall.core.web import MultipleFileField, StyledForm, style_form

from . import services, workflow
from .models import FilerKind

FILES_HELP = f"PDF/JPG/PNG/OFD，最多 {services.MAX_FILES} 个"


class FilingForm(StyledForm):
    """网上备案 (portal) and 窗口备案: the filer, the activity, the materials."""

    filer_kind = forms.ChoiceField(
        label="备案人类型",
        choices=FilerKind.choices,
        initial=FilerKind.PERSON,
    )
    filer_name = forms.CharField(label="备案人姓名或单位名称", max_length=100)
    filer_id = forms.CharField(
        label="身份证号或统一社会信用代码",
        max_length=18,
        help_text="自然人填写居民身份证号码，单位填写统一社会信用代码",
    )
    phone = forms.CharField(
        label="手机号码", max_length=20, help_text="凭编号和手机号后四位查询备案"
    )
    activity = forms.CharField(
        label="备案活动",
        max_length=services.ACTIVITY_MAX,
        help_text="所从事的活动，如：在XX路12号开设便利店，仅销售预包装食品",
    )
    activity_date = forms.DateField(
        label="活动开始日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    files = MultipleFileField(label="备案材料", help_text=FILES_HELP)

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        if version is not None:
            names = [m.name for m in version.materials.all()]
            if names:
                self.fields["files"].help_text = "请上传：" + "；".join(names) + f"（{FILES_HELP}）"

    def filer(self) -> dict:
        return {f: self.cleaned_data[f] for f in services.FILER_FIELDS}


class WindowFilingForm(FilingForm):
    """窗口备案: the item chosen from the 备案清单, the papers seen at the window."""

    field_order = ["item"]
    item = forms.TypedChoiceField(label="备案事项", coerce=int)
    paper_checked = forms.BooleanField(label="已当场核验纸质备案材料（无需上传）", required=False)

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "请选择")] + [
            (
                v.item_id,
                f"{v.name}（{v.item.department.short_name or v.item.department.name}，"
                f"{v.get_filing_kind_display()}）",
            )
            for v in versions
        ]
        self.order_fields(["item"])


class ActionForm(forms.Form):
    """The form of one row: its inputs, ``expected_version`` and, on 补正提交, files."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, row: workflow.Transition, filing, **kwargs):
        kwargs.setdefault("prefix", row.action)
        kwargs.setdefault("initial", {"expected_version": filing.version})
        super().__init__(*args, **kwargs)
        self.row = row
        for spec in row.inputs:
            self.fields[spec.name] = forms.CharField(
                label=spec.label,
                required=spec.required,
                max_length=workflow.TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        if row.attachments:
            self.fields["files"] = MultipleFileField(label="补正材料", help_text=FILES_HELP)
        style_form(self)

    def inputs(self) -> dict:
        return {s.name: self.cleaned_data.get(s.name, "") for s in self.row.inputs}

    def files_sent(self) -> list:
        return self.cleaned_data.get("files") or []


class ResubmitForm(StyledForm):
    """补正提交 on the portal: the filer proves the filing is theirs."""

    ref = forms.CharField(label="申报编号", max_length=20)
    phone_tail = forms.CharField(label="手机号后四位", min_length=4, max_length=4)
    filer_id = forms.CharField(label="身份证号或统一社会信用代码", max_length=18)
    note = forms.CharField(
        label="补正说明", max_length=workflow.TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    files = MultipleFileField(label="补正材料", help_text=FILES_HELP)
