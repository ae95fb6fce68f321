"""Forms of the complaint pages. They only collect input: an action's form is built
from its row's inputs (``workflow.TRANSITIONS``), one builder per input kind, and
gives back the values in the shape the API sends (ids, ``centre``), which
``selectors.resolve_inputs`` turns into objects. The rules stay in ``services``."""

from __future__ import annotations

from django import forms

from govhall.core.web import MultipleFileField, StyledForm, style_form
from govhall.org.models import Department, Staff

from . import services, workflow
from .models import Category, KnowledgeEntry

FILES_HELP = f"PDF/JPG/PNG/OFD，最多 {services.MAX_FILES} 个"


def handler_choices(complaint) -> list[tuple[str, str]]:
    """中心 and the active departments (the service's guard decides who may get it)."""
    depts = Department.objects.filter(is_active=True).order_by("name")
    return [(workflow.CENTRE, "中心（自办）")] + [(str(d.pk), d.name) for d in depts]


def staff_choices(centre_id) -> list[tuple[str, str]]:
    staff = (
        Staff.objects.filter(is_active=True, centre=centre_id)
        .select_related("department")
        .order_by("department__name", "name")
    )
    return [("", "（无）")] + [
        (
            str(s.pk),
            f"{s.name}（{s.department.short_name or s.department.name if s.department else '中心'}）",
        )
        for s in staff
    ]


def entry_choices() -> list[tuple[str, str]]:
    entries = KnowledgeEntry.objects.filter(published=True).order_by("question")
    return [("", "（不引用）")] + [(str(e.pk), e.question) for e in entries]


def _field(spec: workflow.Input, complaint):
    K = workflow.Kind
    if spec.kind in (K.TEXT, K.LONG_TEXT):
        long = spec.kind == K.LONG_TEXT
        return forms.CharField(
            label=spec.label,
            required=spec.required,
            max_length=workflow.LONG_TEXT_MAX if long else workflow.TEXT_MAX,
            widget=forms.Textarea(attrs={"rows": 3}) if long else None,
        )
    if spec.kind == K.CHOICE:
        choices = list(spec.choices)
        if not spec.required:
            choices = [("", "（不变）")] + choices
        return forms.ChoiceField(label=spec.label, required=spec.required, choices=choices)
    if spec.kind == K.HANDLER:
        return forms.ChoiceField(
            label=spec.label, required=spec.required, choices=handler_choices(complaint)
        )
    if spec.kind == K.STAFF:
        return forms.ChoiceField(
            label=spec.label, required=False, choices=staff_choices(complaint.centre_id)
        )
    if spec.kind == K.ENTRY:
        return forms.ChoiceField(label=spec.label, required=False, choices=entry_choices())
    return forms.CharField(label=spec.label, required=spec.required, max_length=40)  # CASE


class ActionForm(forms.Form):
    """The form of one row: its inputs, ``expected_version`` and, where the row takes
    them, files. ``inputs()`` gives what ``selectors.resolve_inputs`` reads."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, row: workflow.Transition, complaint, **kwargs):
        kwargs.setdefault("prefix", row.action)
        kwargs.setdefault("initial", {"expected_version": complaint.version})
        super().__init__(*args, **kwargs)
        self.row = row
        for spec in row.inputs:
            self.fields[spec.name] = _field(spec, complaint)
        if row.attachments:
            self.fields["files"] = MultipleFileField(label="附件", help_text=FILES_HELP)
        style_form(self)

    def inputs(self) -> dict:
        d = self.cleaned_data
        return {s.name: d.get(s.name) for s in self.row.inputs if s.name in d}

    def files_sent(self) -> list:
        return self.cleaned_data.get("files") or []


class SubmitForm(StyledForm):
    """网上诉求 (portal)."""

    category = forms.ChoiceField(label="诉求类别", choices=[("", "请选择")] + Category.choices)
    subject = forms.CharField(label="标题", max_length=services.SUBJECT_MAX)
    content = forms.CharField(
        label="诉求内容", max_length=services.CONTENT_MAX, widget=forms.Textarea(attrs={"rows": 6})
    )
    name = forms.CharField(label="姓名", max_length=100)
    phone = forms.CharField(label="手机号码", max_length=20)
    files = MultipleFileField(label="附件（可选）", help_text=FILES_HELP)


class WindowForm(SubmitForm):
    """有诉即办窗口: the portal's fields, optional name/phone, a case, a staff member
    complained about, and an answer on the spot (直接办结) from the 知识库."""

    name = forms.CharField(label="诉求人姓名", max_length=100, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    id_number = forms.CharField(label="身份证号（可选）", max_length=18, required=False)
    case = forms.CharField(label="涉及办件（受理编号，可选）", max_length=40, required=False)
    about_staff = forms.ChoiceField(label="被投诉工作人员（可选）", required=False)
    entry = forms.ChoiceField(label="引用知识库答复（咨询当场办结）", required=False)
    answer = forms.CharField(
        label="当场答复内容（咨询当场办结时填写）",
        max_length=workflow.LONG_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, centre_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["about_staff"].choices = staff_choices(centre_id)
        self.fields["entry"].choices = entry_choices()
        order = ["category", "subject", "content", "name", "phone", "id_number", "case"]
        order += ["about_staff", "files", "entry", "answer"]
        self.order_fields(order)


class TrackForm(StyledForm):
    number = forms.CharField(label="诉求编号", max_length=20)
    phone_tail = forms.RegexField(
        label="手机号后四位",
        regex=r"^\d{4}$",
        max_length=4,
        error_messages={"invalid": "请输入4位数字"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class EntryForm(StyledForm):
    question = forms.CharField(label="问题", max_length=200)
    answer = forms.CharField(label="答复口径", widget=forms.Textarea(attrs={"rows": 6}))
    keywords = forms.CharField(label="关键词（空格分隔）", max_length=200, required=False)
    item = forms.CharField(label="相关事项实施编码（可选）", max_length=40, required=False)
    department = forms.ChoiceField(label="相关部门（可选）", required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        depts = Department.objects.filter(is_active=True).order_by("name")
        self.fields["department"].choices = [("", "（无）")] + [(str(d.pk), d.name) for d in depts]


class ImportForm(StyledForm):
    file = forms.FileField(label="12345工单文件（.json 或 .xlsx）")
