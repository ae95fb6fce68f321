"""Forms of the hall's pages: bounded input only (lengths, choices, numbers); every
rule is the services' (a form never decides who may do what)."""

from __future__ import annotations

import datetime as dt

from django import forms

from govhall.catalog import selectors as catalog_selectors
from govhall.catalog.models import Item, LifeEvent
from govhall.core.web import StyledForm
from govhall.org.models import Department

from .models import CategoryKind, Priority, SlotKind

TIME_RE = r"^\d{1,2}:\d{2}\s*[-–~]\s*\d{1,2}:\d{2}$"


class KioskForm(forms.Form):
    """取号: the category chosen, an optional ID number (老年人 by rule) or phone."""

    category = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    id_number = forms.CharField(required=False, max_length=18, strip=True)
    phone = forms.CharField(required=False, max_length=11, strip=True)


class CheckInForm(forms.Form):
    code = forms.RegexField(
        label="预约码", regex=r"^\d{6}$", error_messages={"invalid": "预约码为 6 位数字"}
    )


class ReasonForm(StyledForm):
    reason = forms.CharField(label="理由", max_length=200)


class TransferForm(StyledForm):
    to_window = forms.IntegerField(label="转至窗口", min_value=1, max_value=2**31 - 1)
    reason = forms.CharField(label="转窗口理由", max_length=200)


class SwitchForm(StyledForm):
    window = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    category = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    reason = forms.CharField(label="切换理由", max_length=200)


class PriorityTicketForm(StyledForm):
    """导服台 绿色通道 取号."""

    category = forms.IntegerField(label="业务类别", min_value=1, max_value=2**31 - 1)
    priority = forms.ChoiceField(
        label="绿色通道",
        choices=[
            (Priority.DISABLED, Priority.DISABLED.label),
            (Priority.OTHER, Priority.OTHER.label),
        ],
    )
    name = forms.CharField(label="姓名", max_length=50, required=False)
    id_number = forms.CharField(label="身份证号", max_length=18, required=False)
    phone = forms.CharField(label="手机号", max_length=11, required=False)


class CodeForm(StyledForm):
    code = forms.RegexField(
        label="排队号",
        regex=r"^[A-Za-z]\d{3,4}$",
        max_length=5,
        error_messages={"invalid": "排队号如 A023"},
    )


class CategoryForm(StyledForm):
    prefix = forms.RegexField(
        label="号码字头", regex=r"^[A-Za-z]$", max_length=1, error_messages={"invalid": "一个字母"}
    )
    name = forms.CharField(label="名称", max_length=50)
    kind = forms.ChoiceField(label="类别", choices=CategoryKind.choices)
    department = forms.ModelChoiceField(
        label="部门（按部门时）", queryset=Department.objects.none(), required=False
    )
    life_event = forms.ModelChoiceField(
        label="主题（按主题时）", queryset=LifeEvent.objects.none(), required=False
    )
    items = forms.TypedMultipleChoiceField(
        label="事项（办理业务时带出，可多选）", coerce=int, choices=(), required=False
    )
    description = forms.CharField(label="说明", max_length=200, required=False)
    order = forms.IntegerField(label="排序", min_value=0, max_value=999, required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
    reason = forms.CharField(label="理由", max_length=200, required=False)

    def __init__(self, *args, centre=None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(is_active=True)
        if centre is not None:
            departments = departments.filter(centres=centre).distinct()
        self.fields["department"].queryset = departments.order_by("name")
        self.fields["life_event"].queryset = LifeEvent.objects.order_by("order", "name")
        versions = catalog_selectors.search_items(accepting_only=True).select_related(
            "item__department"
        )
        self.fields["items"].choices = [
            (v.item_id, f"{v.name}（{v.item.department.short_name or v.item.department.name}）")
            for v in versions
        ]

    def clean_items(self):
        return list(Item.objects.filter(pk__in=self.cleaned_data["items"]))


class BookingForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18)
    phone = forms.CharField(label="手机号", max_length=11)


class PhoneBookingForm(BookingForm):
    slot = forms.IntegerField(label="时段", min_value=1, max_value=2**31 - 1)
    note = forms.CharField(label="备注", max_length=200, required=False)


class LookupForm(StyledForm):
    code = forms.RegexField(
        label="预约码", regex=r"^\d{6}$", error_messages={"invalid": "预约码为 6 位数字"}
    )
    phone_tail = forms.RegexField(
        label="手机号后四位", regex=r"^\d{4}$", error_messages={"invalid": "请填写 4 位数字"}
    )


def parse_times(text: str) -> list[tuple[dt.time, dt.time]]:
    """``"09:00-10:00"`` one a line (or separated by commas) → [(start, end)]."""
    out = []
    for part in text.replace("，", ",").replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        left, _, right = part.replace("–", "-").replace("~", "-").partition("-")
        try:
            start = dt.time.fromisoformat(left.strip().zfill(5))
            end = dt.time.fromisoformat(right.strip().zfill(5))
        except ValueError:
            raise forms.ValidationError(f"时段“{part[:20]}”格式不正确，应如 09:00-10:00") from None
        out.append((start, end))
    if not out:
        raise forms.ValidationError("请至少填写一个时段")
    if len(out) > 24:
        raise forms.ValidationError("每天最多 24 个时段")
    return out


class OpenSlotsForm(StyledForm):
    category = forms.IntegerField(label="业务类别", min_value=1, max_value=2**31 - 1)
    start = forms.DateField(
        label="起始日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    end = forms.DateField(
        label="截止日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    times = forms.CharField(
        label="每天时段",
        max_length=600,
        initial="09:00-10:00, 10:00-11:00, 15:00-16:00, 16:00-17:00",
        help_text="如 09:00-10:00，逗号或换行分隔",
    )
    capacity = forms.IntegerField(label="每个时段人数", min_value=1, max_value=500, initial=5)

    def clean_times(self):
        return parse_times(self.cleaned_data["times"])


class ExtraSlotForm(StyledForm):
    category = forms.IntegerField(label="业务类别", min_value=1, max_value=2**31 - 1)
    kind = forms.ChoiceField(
        label="类型",
        choices=[
            (SlotKind.EXTENDED, SlotKind.EXTENDED.label),
            (SlotKind.WEEKEND, SlotKind.WEEKEND.label),
        ],
    )
    day = forms.DateField(
        label="日期", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    starts_at = forms.TimeField(label="开始", widget=forms.TimeInput(attrs={"type": "time"}))
    ends_at = forms.TimeField(label="结束", widget=forms.TimeInput(attrs={"type": "time"}))
    capacity = forms.IntegerField(label="人数", min_value=1, max_value=500, initial=10)
