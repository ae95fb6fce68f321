"""Forms of the catalogue staff pages. They parse input only; every rule is checked
by ``catalog.services`` (and shown back through ``core.web.apply_errors``)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import QuerySet

from govhall.core import clock
from govhall.core.web import StyledForm, plain_model_form
from govhall.org import selectors as org_selectors
from govhall.org.models import Department, Staff

from .authorisations import eligible_chief_reps
from .models import (
    FEE_AMOUNT_MAX,
    FEE_LINE_FIELDS,
    GUIDE_FIELDS,
    MATERIAL_FIELDS,
    SPECIAL_STEP_FIELDS,
    STEP_FIELDS,
    FeeLine,
    Item,
    ItemStatus,
    ItemType,
    ItemVersion,
    Material,
    SpecialStep,
    Step,
)

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _plain_form(name: str, model, fields: list[str]) -> type[forms.Form]:
    """Drafts may stay incomplete until 发布: the form checks types only, the service
    (not the form) saves."""
    return plain_model_form(name, model, fields)


GuideForm = _plain_form("GuideForm", ItemVersion, GUIDE_FIELDS)
MaterialRowForm = _plain_form(
    "MaterialRowForm", Material, [f for f in MATERIAL_FIELDS if f != "order"]
)
StepRowForm = _plain_form("StepRowForm", Step, [f for f in STEP_FIELDS if f != "order"])
SpecialStepRowForm = _plain_form(
    "SpecialStepRowForm", SpecialStep, [f for f in SPECIAL_STEP_FIELDS if f != "order"]
)


CENT = Decimal("0.01")


class FeeLineRowForm(_plain_form("_FeeLineBase", FeeLine, ["name", "standard", "basis"])):
    """A 收费项目 row: the amount is typed in 元 (two decimals) and handed on in fen."""

    field_order = ["name", "standard", "amount", "basis"]

    amount = forms.DecimalField(
        label="金额（元）",
        required=False,
        min_value=Decimal("0.01"),
        max_value=Decimal(FEE_AMOUNT_MAX) / 100,
        decimal_places=2,
        max_digits=9,
        help_text="空表示按收费标准计收",
    )

    def __init__(self, *args, initial=None, **kwargs):
        if initial and isinstance(initial.get("amount"), int):
            initial = {**initial, "amount": (Decimal(initial["amount"]) / 100).quantize(CENT)}
        super().__init__(*args, initial=initial, **kwargs)

    def clean_amount(self):
        value = self.cleaned_data.get("amount")
        return None if value is None else int(value * 100)


# Rows are ordered by position: row N of the page is row N the service sees, so the
# publish messages "materials.N.field" land on the right row.
MaterialFormSet = forms.formset_factory(MaterialRowForm, extra=0, can_delete=True)
StepFormSet = forms.formset_factory(StepRowForm, extra=0, can_delete=True)
SpecialStepFormSet = forms.formset_factory(SpecialStepRowForm, extra=0, can_delete=True)
FeeLineFormSet = forms.formset_factory(FeeLineRowForm, extra=0, can_delete=True)

FORMSETS = {
    "materials": (MaterialFormSet, MATERIAL_FIELDS),
    "steps": (StepFormSet, STEP_FIELDS),
    "special_steps": (SpecialStepFormSet, SPECIAL_STEP_FIELDS),
    "fee_lines": (FeeLineFormSet, FEE_LINE_FIELDS),
}


def editor_forms(version: ItemVersion, data=None) -> tuple[forms.Form, dict]:
    """The guide form and the row formsets of the draft editor (the three lists and
    the 收费清单): bound to ``data`` when given, else filled from the saved draft."""
    if data is not None:
        guide = GuideForm(data)
        formsets = {p: cls(data, prefix=p) for p, (cls, _) in FORMSETS.items()}
        return guide, formsets
    guide = GuideForm(initial=forms.model_to_dict(version, fields=GUIDE_FIELDS))
    formsets = {}
    for prefix, (cls, fields) in FORMSETS.items():
        rows = getattr(version, prefix).all()
        initial = [forms.model_to_dict(r, fields=fields) for r in rows]
        formsets[prefix] = cls(initial=initial, prefix=prefix)
    return guide, formsets


class ItemFilterForm(StyledForm):
    q = forms.CharField(label="关键词", required=False)
    department = forms.ModelChoiceField(
        label="实施部门", queryset=Department.objects.all(), required=False, empty_label="全部部门"
    )
    type = forms.ChoiceField(
        label="事项类型", required=False, choices=[("", "全部类型")] + ItemType.choices
    )
    status = forms.ChoiceField(
        label="状态", required=False, choices=[("", "全部状态")] + ItemStatus.choices
    )
    has_draft = forms.ChoiceField(
        label="草稿", required=False, choices=[("", "不限"), ("1", "有草稿"), ("0", "无草稿")]
    )
    negative = forms.ChoiceField(
        label="负面清单", required=False, choices=[("", "不限"), ("1", "在负面清单"), ("0", "不在")]
    )

    def filters(self) -> dict:
        """The cleaned values as ``selectors.staff_items`` arguments (after ``is_valid``)."""
        data = self.cleaned_data

        def yes_no(value: str) -> bool | None:
            return None if not value else value == "1"

        return {
            "q": data.get("q") or "",
            "department": data.get("department"),
            "type": data.get("type") or "",
            "status": data.get("status") or "",
            "has_draft": yes_no(data.get("has_draft")),
            "on_negative_list": yes_no(data.get("negative")),
        }


class CreateItemForm(StyledForm):
    department = forms.ModelChoiceField(label="实施部门", queryset=Department.objects.none())
    basic_code = forms.CharField(label="基本编码", max_length=12, help_text="12位数字")
    implementation_code = forms.CharField(
        label="实施编码",
        max_length=32,
        required=False,
        help_text="32位；留空则按“部门统一社会信用代码+基本编码+01”生成",
    )
    type = forms.ChoiceField(label="事项类型", choices=ItemType.choices)
    name = forms.CharField(label="事项名称", max_length=200)
    reason = forms.CharField(label="新增理由", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = org_selectors.departments_where(user=user)


class SampleFileForm(StyledForm):
    """上传示范文本/空白表格 (for one material) or 结果样本 (``target`` = "result")."""

    target = forms.ChoiceField(label="用途")
    file = forms.FileField(label="文件（PDF、OFD、DOCX、XLSX、JPG、PNG）")
    reason = forms.CharField(label="说明", required=False, max_length=200)

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("result", "结果样本")] + [
            (str(m.pk), f"示范文本：{m.name}") for m in version.materials.all()
        ]


class PublishForm(StyledForm):
    valid_from = forms.DateField(label="生效日期", widget=DATE_WIDGET)
    change_note = forms.CharField(
        label="修订说明",
        required=False,  # required by services.publish (one rule for page, API, import)
        max_length=1000,
        help_text="必填：本版改了什么、为什么（公开在办事指南的版本记录中）",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"valid_from": clock.today()})
        super().__init__(*args, **kwargs)


class FlagsForm(StyledForm):
    """暂停/取消/在用, 进驻, 负面清单 — each change with a reason (审计)."""

    status = forms.ChoiceField(label="状态", choices=ItemStatus.choices)
    is_stationed = forms.BooleanField(label="进驻中心", required=False)
    on_negative_list = forms.BooleanField(label="列入负面清单", required=False)
    negative_list_reason = forms.CharField(
        label="不进驻理由", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reason = forms.CharField(
        label="变更理由", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    @classmethod
    def for_item(cls, item: Item) -> FlagsForm:
        return cls(
            initial={
                "status": item.status,
                "is_stationed": item.is_stationed,
                "on_negative_list": item.on_negative_list,
                "negative_list_reason": item.negative_list_reason,
            }
        )


class ImportForm(StyledForm):
    file = forms.FileField(label="Excel文件（.xlsx）")


class AuthorisationForm(StyledForm):
    department = forms.ModelChoiceField(label="授权部门", queryset=Department.objects.none())
    chief_rep = forms.ModelChoiceField(label="首席代表", queryset=Staff.objects.none())
    number = forms.CharField(label="授权书编号", max_length=50)
    signed_on = forms.DateField(label="签署日期", widget=DATE_WIDGET)
    valid_from = forms.DateField(label="有效期自", widget=DATE_WIDGET)
    valid_to = forms.DateField(label="有效期至", widget=DATE_WIDGET)
    scope_note = forms.CharField(
        label="授权范围说明", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    is_revoked = forms.BooleanField(label="已撤销", required=False)
    reason = forms.CharField(label="变更理由", required=False)

    def __init__(self, *args, departments: QuerySet[Department], instance=None, **kwargs):
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    **forms.model_to_dict(instance),
                    "department": instance.department_id,
                    "chief_rep": instance.chief_rep_id,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        signed_for = departments
        if instance is not None:
            self.fields["department"].disabled = True
            signed_for = Department.objects.filter(pk=instance.department_id)
        else:
            del self.fields["is_revoked"]
        self.fields["chief_rep"].queryset = eligible_chief_reps(departments=signed_for)
        self.fields["chief_rep"].label_from_instance = lambda s: f"{s.name}（{s.department}）"

    def data_for_service(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "reason"}


class AuthorisedItemForm(StyledForm):
    """One item of a 授权书 and the approvers named for it."""

    item = forms.ModelChoiceField(label="事项", queryset=Item.objects.none())
    approvers = forms.ModelMultipleChoiceField(
        label="审批人员", queryset=Staff.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label="变更理由", required=False)
    # What the page showed ticked, and for which item: the service applies only the
    # user's changes to the current list (catalog.authorisations.set_authorised_item).
    shown_item = forms.IntegerField(required=False, widget=forms.HiddenInput, max_value=2**31 - 1)
    shown_approvers = forms.ModelMultipleChoiceField(
        queryset=Staff.objects.none(), required=False, widget=forms.MultipleHiddenInput
    )

    def __init__(self, *args, items: QuerySet[Item], approvers: QuerySet[Staff], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shown_approvers"].queryset = approvers
        self.fields["item"].widget.attrs["data-navigate-param"] = "item"
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda i: (
            f"{getattr(i, 'display_name', '') or ''}（{i.implementation_code}）"
        )
        self.fields["approvers"].queryset = approvers
        self.fields["approvers"].label_from_instance = lambda s: (
            f"{s.name}（{s.get_role_display()}）"
        )

    def shown_for_item(self) -> list[Staff]:
        """The approvers the page showed ticked for the chosen item (none when the
        item was chosen after the page was drawn)."""
        data = self.cleaned_data
        if data.get("shown_item") != data["item"].pk:
            return []
        return list(data.get("shown_approvers") or [])
