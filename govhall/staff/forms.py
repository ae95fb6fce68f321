"""Forms of the 人员管理 pages: they collect input; the rules are in ``services``."""

from __future__ import annotations

from django import forms

from govhall.core.web import StyledForm

from .models import Grade, LeaveKind

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AssignForm(StyledForm):
    staff = forms.IntegerField(
        label="工作人员", widget=forms.Select, min_value=1, max_value=2**31 - 1
    )
    window = forms.IntegerField(label="窗口", widget=forms.Select, min_value=1, max_value=2**31 - 1)
    starts_on = forms.DateField(label="进驻日期", widget=DATE)
    reason = forms.CharField(label="派驻说明", max_length=200, required=False)
    early_reason = forms.CharField(
        label="未满一年提前调整的批准理由",
        max_length=200,
        required=False,
        help_text="当前派驻未满一年时必填（内乡县 §33）",
    )

    def __init__(self, *args, staff_choices=(), window_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].widget.choices = [("", "请选择"), *staff_choices]
        self.fields["window"].widget.choices = [("", "请选择"), *window_choices]


class EndForm(StyledForm):
    ends_on = forms.DateField(label="最后在岗日", widget=DATE)
    reason = forms.CharField(label="离岗原因", max_length=200)
    early_reason = forms.CharField(
        label="未满一年提前调整的批准理由", max_length=200, required=False
    )


class MoveForm(StyledForm):
    staff = forms.IntegerField(
        label="工作人员", widget=forms.Select, min_value=1, max_value=2**31 - 1
    )
    planned_on = forms.DateField(label="拟调整日期", widget=DATE, help_text="须提前五个工作日")
    to_window = forms.IntegerField(
        label="调往窗口", widget=forms.Select, required=False, min_value=1, max_value=2**31 - 1
    )
    reason = forms.CharField(label="书面调整意见", max_length=2000, widget=forms.Textarea)

    def __init__(self, *args, staff_choices=(), window_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].widget.choices = [("", "请选择"), *staff_choices]
        self.fields["to_window"].widget.choices = [("", "调离中心（不再派驻）"), *window_choices]


class DecideForm(StyledForm):
    approve = forms.TypedChoiceField(
        label="审核结果",
        choices=[("1", "同意"), ("0", "不同意")],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(label="意见", max_length=200, required=False)
    early_reason = forms.CharField(
        label="未满一年提前调整的批准理由", max_length=200, required=False
    )


class ReturnForm(StyledForm):
    staff = forms.IntegerField(
        label="工作人员", widget=forms.Select, min_value=1, max_value=2**31 - 1
    )
    opinion = forms.CharField(label="书面意见", max_length=2000, widget=forms.Textarea)

    def __init__(self, *args, staff_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].widget.choices = [("", "请选择"), *staff_choices]


class ReplaceForm(StyledForm):
    replacement = forms.IntegerField(
        label="补派人员", widget=forms.Select, min_value=1, max_value=2**31 - 1
    )

    def __init__(self, *args, staff_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replacement"].widget.choices = [("", "请选择"), *staff_choices]


class ImportForm(StyledForm):
    file = forms.FileField(label="考勤机文件（.csv 或 .xlsx，表头：工号、时间）")


class LeaveForm(StyledForm):
    staff = forms.IntegerField(
        label="请假人", widget=forms.Select, required=False, min_value=1, max_value=2**31 - 1
    )
    kind = forms.ChoiceField(label="假别", choices=LeaveKind.choices)
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    ends_on = forms.DateField(label="结束日期", widget=DATE)
    reason = forms.CharField(label="事由", max_length=200)

    def __init__(self, *args, staff_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].widget.choices = [("", "本人"), *staff_choices]


class TrainingForm(StyledForm):
    title = forms.CharField(label="培训主题", max_length=100)
    place = forms.CharField(label="地点", max_length=100)
    starts_at = forms.DateTimeField(
        label="开始时间", widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"]
    )
    ends_at = forms.DateTimeField(
        label="结束时间", widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M"]
    )
    hours = forms.DecimalField(
        label="学时", max_digits=4, decimal_places=1, min_value=0.1, max_value=24
    )


class AppraisalForm(StyledForm):
    score = forms.DecimalField(
        label="中心评分（0–100）",
        max_digits=5,
        decimal_places=1,
        min_value=0,
        max_value=100,
        required=False,
    )
    grade = forms.ChoiceField(
        label="鉴定等次", choices=[("", "请选择"), *Grade.choices], required=False
    )
    comments = forms.CharField(
        label="鉴定意见", max_length=2000, widget=forms.Textarea, required=False
    )
    reason = forms.CharField(label="修改理由（已定稿的鉴定必填）", max_length=200, required=False)
