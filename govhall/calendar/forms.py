"""Forms of the calendar staff pages (they only parse; the services validate)."""

from __future__ import annotations

import re

from django import forms

from govhall.core.web import StyledForm

from .models import DayKind


class EditDayForm(StyledForm):
    kind = forms.ChoiceField(label="类型", choices=DayKind.choices)
    name = forms.CharField(label="节日名称", max_length=50, required=False)
    reason = forms.CharField(label="调整理由", widget=forms.Textarea(attrs={"rows": 2}))


class ScheduleForm(StyledForm):
    """A year's schedule typed in (one day a line) or uploaded as Excel."""

    lines = forms.CharField(
        label="放假安排（每行一天：日期 类型 节日名称）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "class": "font-monospace"}),
        help_text="例如“2027-02-05 法定节假日 春节”“2027-02-20 调休上班 春节”。"
        "只填放假日和调休上班日，其余日期按周一至周五上班处理。",
    )
    file = forms.FileField(
        label="或上传 Excel（日期、类型、节日名称）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )
    note = forms.CharField(label="依据（如国务院办公厅通知文号）", required=False, max_length=200)

    def clean(self):
        data = super().clean()
        if not data.get("lines", "").strip() and not data.get("file"):
            raise forms.ValidationError("请填写放假安排或上传 Excel 文件")
        return data

    def rows(self) -> list[list[str]]:
        """The typed lines as (日期, 类型, 节日名称) rows; blank lines skipped."""
        out = []
        for line in self.cleaned_data.get("lines", "").splitlines():
            parts = [p for p in re.split(r"[\s,，、\t]+", line.strip()) if p]
            if parts:
                out.append((parts + ["", "", ""])[:3])
        return out
