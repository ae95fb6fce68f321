"""Forms of the case pages. They only collect input; ``to_inputs`` turns cleaned data
into the keyword arguments of ``services.transition`` (the rules live there)."""

from __future__ import annotations

from django import forms

from govhall.core.web import StyledForm
from govhall.org.models import Role, Staff

from .models import ApplicantKind, DeliveryMethod, Result, State


class ItemSearchForm(StyledForm):
    q = forms.CharField(label="事项名称/关键词", required=False)


class ApplicantForm(StyledForm):
    """申请人 (and 代理人) of a window or online application."""

    kind = forms.ChoiceField(label="申请人类型", choices=ApplicantKind.choices)
    name = forms.CharField(label="申请人名称", max_length=100)
    id_number = forms.CharField(label="身份证号/统一社会信用代码", max_length=18)
    phone = forms.CharField(label="联系电话", max_length=20)
    address = forms.CharField(label="联系地址", max_length=200, required=False)
    agent_name = forms.CharField(label="代理人姓名", max_length=50, required=False)
    agent_id_number = forms.CharField(label="代理人身份证号", max_length=18, required=False)
    agent_phone = forms.CharField(label="代理人电话", max_length=20, required=False)
    power_of_attorney = forms.FileField(label="授权委托书", required=False)

    def applicant(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("kind", "name", "id_number", "phone", "address")}

    def agent(self) -> dict | None:
        d = self.cleaned_data
        if not d.get("agent_name"):
            return None
        return {
            "name": d["agent_name"],
            "id_number": d["agent_id_number"],
            "phone": d["agent_phone"],
            "power_of_attorney": d.get("power_of_attorney"),
        }


DESK_ACTIONS = [
    ("accept", "受理（材料齐全、符合法定形式）"),
    ("request_correction", "一次性告知补正"),
    ("accept_with_tolerance", "容缺受理"),
    ("refuse", "不予受理"),
]


class DeskActionForm(StyledForm):
    """What the window clerk decides right after 收件 (行政许可法 §32)."""

    action = forms.ChoiceField(
        label="收件后处理", choices=DESK_ACTIONS, widget=forms.RadioSelect, initial="accept"
    )
    responsible = forms.TypedChoiceField(
        label="承办人", required=False, coerce=int, empty_value=None
    )
    reason = forms.CharField(label="不予受理理由", required=False, widget=forms.Textarea)
    commitment = forms.CharField(
        label="容缺承诺书内容", required=False, widget=forms.Textarea, initial=""
    )
    catch_up_days = forms.IntegerField(label="容缺补齐期限（工作日）", required=False, min_value=1)

    def __init__(self, *args, allow_tolerance: bool = False, department=None, **kwargs):
        super().__init__(*args, **kwargs)
        staff = Staff.objects.filter(
            department=department, is_active=True, role__in=[Role.CHIEF_REP, Role.APPROVER]
        ).order_by("role", "id")
        self.fields["responsible"].choices = [("", "（由部门指定）")] + [
            (s.pk, f"{s.name}（{s.get_role_display()}）") for s in staff
        ]
        self.fields["action"].widget.attrs.pop("class", None)
        if not allow_tolerance:
            self.fields["action"].choices = [
                c for c in DESK_ACTIONS if c[0] != "accept_with_tolerance"
            ]
            for name in ("commitment", "catch_up_days"):
                del self.fields[name]


# --------------------------------------------------------------------------- actions


class _ActionForm(StyledForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case=None, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)

    def to_inputs(self) -> dict:
        d = dict(self.cleaned_data)
        d.pop("expected_version", None)
        return {k: v for k, v in d.items() if v not in (None, "")}


def _staff_choices(case):
    qs = Staff.objects.filter(
        department=case.department, is_active=True, role__in=[Role.CHIEF_REP, Role.APPROVER]
    )
    return [("", "（本人/默认）")] + [(s.pk, s.name) for s in qs]


class AcceptForm(_ActionForm):
    responsible = forms.TypedChoiceField(label="承办人", required=False, coerce=int)
    opinion = forms.CharField(label="意见", required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = _staff_choices(self.case)

    def to_inputs(self):
        inputs = super().to_inputs()
        if inputs.get("responsible"):
            inputs["responsible"] = Staff.objects.get(pk=inputs["responsible"])
        return inputs


class CorrectionForm(_ActionForm):
    corrections = forms.CharField(
        label="需补正的材料及原因",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一项：材料名称：原因（一次性全部列明）",
    )
    opinion = forms.CharField(label="说明", required=False, widget=forms.Textarea)

    def to_inputs(self):
        inputs = super().to_inputs()
        inputs["corrections"] = parse_corrections(self.cleaned_data["corrections"], self.case)
        return inputs


def parse_corrections(text: str, case) -> list[dict]:
    """``名称：原因`` per line → ``[{"material", "name", "problem"}]``."""
    materials = {m.name: m for m in case.item_version.materials.all()} if case.item_version else {}
    out = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        for sep in ("：", ":"):
            if sep in line:
                name, problem = (p.strip() for p in line.split(sep, 1))
                break
        else:
            name, problem = line, ""
        out.append({"material": materials.get(name), "name": name, "problem": problem})
    return out


class ReasonActionForm(_ActionForm):
    reason = forms.CharField(label="理由", widget=forms.Textarea)


class OpinionForm(_ActionForm):
    opinion = forms.CharField(label="审查意见", widget=forms.Textarea)


class DecideForm(_ActionForm):
    result = forms.ChoiceField(label="办理结果", choices=[c for c in Result.choices if c[0]])
    opinion = forms.CharField(label="决定意见", widget=forms.Textarea)
    reason = forms.CharField(label="不予许可/退件理由", required=False, widget=forms.Textarea)


class SpecialStepForm(_ActionForm):
    special_step = forms.TypedChoiceField(label="特殊环节", coerce=int)
    time = forms.CharField(label="时间", required=False)
    place = forms.CharField(label="地点", required=False)
    content = forms.CharField(label="内容", required=False)
    persons = forms.CharField(label="人员", required=False)
    method = forms.CharField(label="方式", required=False)
    opinion = forms.CharField(label="说明", required=False, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        steps = self.case.item_version.special_steps.all() if self.case.item_version else []
        self.fields["special_step"].choices = [(s.pk, s.name) for s in steps]

    def to_inputs(self):
        d = self.cleaned_data
        step = self.case.item_version.special_steps.get(pk=d["special_step"])
        notice = {k: d[k] for k in ("time", "place", "content", "persons", "method") if d.get(k)}
        return {"special_step": step, "notice": notice, "opinion": d.get("opinion", "")}


class EndSpecialForm(_ActionForm):
    record = forms.CharField(label="环节记录/结论", widget=forms.Textarea)


class ExtendForm(_ActionForm):
    days = forms.IntegerField(label="延长工作日", min_value=1)
    reason = forms.CharField(label="延期理由", widget=forms.Textarea)


class CertifyForm(_ActionForm):
    result_number = forms.CharField(label="证照编号", max_length=60)


class DeliverForm(_ActionForm):
    method = forms.ChoiceField(
        label="送达方式", choices=[c for c in DeliveryMethod.choices if c[0]]
    )
    tracking_number = forms.CharField(label="邮寄单号", required=False)


class EmptyActionForm(_ActionForm):
    pass


class MaterialsActionForm(_ActionForm):
    """补正材料 / 容缺补齐: one file per material of the version (optional)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = (
            list(self.case.item_version.materials.all()) if self.case.item_version else []
        )
        if self.case.state != State.AWAITING_CORRECTION:
            outstanding = set(
                self.case.materials.filter(tolerated=True, caught_up_at__isnull=True).values_list(
                    "material_id", flat=True
                )
            )
            self.materials = [m for m in self.materials if m.pk in outstanding]
        for m in self.materials:
            self.fields[f"m{m.pk}"] = forms.BooleanField(label=f"收到：{m.name}", required=False)
            self.fields[f"f{m.pk}"] = forms.FileField(label="文件", required=False)

    def to_inputs(self):
        rows = []
        for m in self.materials:
            if self.cleaned_data.get(f"m{m.pk}") or self.cleaned_data.get(f"f{m.pk}"):
                row = {"material": m}
                if self.cleaned_data.get(f"f{m.pk}"):
                    row["file"] = self.cleaned_data[f"f{m.pk}"]
                rows.append(row)
        return {"materials": rows}


class ToleranceForm(_ActionForm):
    tolerated = forms.TypedMultipleChoiceField(
        label="容缺材料", coerce=int, widget=forms.CheckboxSelectMultiple
    )
    commitment = forms.CharField(label="承诺书内容", widget=forms.Textarea)
    catch_up_days = forms.IntegerField(label="补齐期限（工作日）", min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mats = self.case.item_version.materials.all() if self.case.item_version else []
        self.fields["tolerated"].choices = [(m.pk, m.name) for m in mats]

    def to_inputs(self):
        d = self.cleaned_data
        mats = list(self.case.item_version.materials.filter(pk__in=d["tolerated"]))
        return {
            "tolerated": mats,
            "commitment": d["commitment"],
            "catch_up_days": d["catch_up_days"],
        }


ACTION_FORMS = {
    "accept": AcceptForm,
    "request_correction": CorrectionForm,
    "refuse": ReasonActionForm,
    "accept_with_tolerance": ToleranceForm,
    "resubmit": MaterialsActionForm,
    "catch_up": MaterialsActionForm,
    "review": OpinionForm,
    "decide": DecideForm,
    "start_special_step": SpecialStepForm,
    "end_special_step": EndSpecialForm,
    "extend": ExtendForm,
    "certify": CertifyForm,
    "deliver": DeliverForm,
    "complete": EmptyActionForm,
    "archive": EmptyActionForm,
    "withdraw": ReasonActionForm,
    "terminate": ReasonActionForm,
}


class ProgressForm(forms.Form):
    number = forms.CharField(label="受理编号", max_length=40)
    phone_tail = forms.CharField(label="手机号后四位", min_length=4, max_length=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-control"


class DeskMaterialsForm(StyledForm):
    """The version's material list, ticked at the window (收件核验)."""

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.materials = list(version.materials.all())
        self.rows = []
        for m in self.materials:
            self.fields[f"m{m.pk}"] = forms.BooleanField(label=m.name, required=False)
            self.fields[f"f{m.pk}"] = forms.FileField(label="上传", required=False)
            self.fields[f"p{m.pk}"] = forms.CharField(label="缺失/不符合要求的原因", required=False)
            if m.tolerance_allowed and version.allows_tolerance:
                self.fields[f"t{m.pk}"] = forms.BooleanField(label="容缺", required=False)
        style_rows = self.fields
        for key, field in style_rows.items():
            if key.startswith(("m", "t")):
                field.widget.attrs["class"] = "form-check-input"
        for m in self.materials:
            self.rows.append(
                {
                    "material": m,
                    "tick": self[f"m{m.pk}"],
                    "file": self[f"f{m.pk}"],
                    "problem": self[f"p{m.pk}"],
                    "tolerate": self[f"t{m.pk}"] if f"t{m.pk}" in self.fields else None,
                }
            )

    def submitted(self) -> list[dict]:
        out = []
        for m in self.materials:
            d = self.cleaned_data
            if d.get(f"m{m.pk}") or d.get(f"f{m.pk}"):
                row = {"material": m, "is_original": m.originals > 0, "copies": m.copies}
                if d.get(f"f{m.pk}"):
                    row["file"] = d[f"f{m.pk}"]
                out.append(row)
        return out

    def missing(self) -> list:
        return [m for m in self.materials if not self.cleaned_data.get(f"m{m.pk}")]

    def corrections(self) -> list[dict]:
        """Every unticked material with its reason — listed all at once (一次性告知)."""
        out = []
        for m in self.missing():
            if not m.required and not self.cleaned_data.get(f"p{m.pk}"):
                continue
            problem = self.cleaned_data.get(f"p{m.pk}") or "未提交该材料"
            out.append({"material": m, "name": m.name, "problem": problem})
        return out

    def tolerated(self) -> list:
        return [m for m in self.materials if self.cleaned_data.get(f"t{m.pk}")]


# --------------------------------------------------------------------------- 一件事


class BundleForm(StyledForm):
    """一件事 definition (centre administrator). The rules live in ``cases.bundles``."""

    code = forms.CharField(
        label="编码", max_length=40, help_text="小写字母、数字和连字符，如 open-restaurant"
    )
    name = forms.CharField(label="名称", max_length=100)
    lead_department = forms.TypedChoiceField(label="牵头部门", coerce=int)
    items = forms.TypedMultipleChoiceField(
        label="包含事项",
        coerce=int,
        widget=forms.SelectMultiple(attrs={"size": 14}),
        help_text="按住 Ctrl 多选；至少两个事项，可来自多个部门",
    )
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
    reason = forms.CharField(label="变更理由", required=False, widget=forms.Textarea)

    def __init__(self, *args, departments=(), items=(), editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_department"].choices = [("", "（请选择）")] + [
            (d.pk, d.name) for d in departments
        ]
        self.fields["items"].choices = list(items)
        if editing:
            self.fields["code"].disabled = True
            self.fields["reason"].required = True


BUNDLE_DESK_ACTIONS = [
    ("accept", "受理（各事项材料齐全，一次受理全部子件）"),
    ("request_correction", "一次性告知补正（材料齐全的子件先行受理）"),
    ("accept_with_tolerance", "容缺受理（勾选“容缺”的事项容缺受理，其余事项直接受理）"),
    ("refuse", "不予受理（全部子件）"),
]


class BundleDeskActionForm(StyledForm):
    """What the window clerk decides for a whole 一件事 right after 收件."""

    action = forms.ChoiceField(
        label="收件后处理", choices=BUNDLE_DESK_ACTIONS, widget=forms.RadioSelect, initial="accept"
    )
    reason = forms.CharField(label="不予受理理由", required=False, widget=forms.Textarea)
    commitment = forms.CharField(
        label="容缺承诺书内容（申请人签署）", required=False, widget=forms.Textarea
    )
    catch_up_days = forms.IntegerField(
        label="容缺补齐期限（工作日，不超过该事项承诺时限）", required=False, min_value=1
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].widget.attrs.pop("class", None)

    def clean(self):
        d = super().clean()
        if d.get("action") == "accept_with_tolerance":
            if not (d.get("commitment") or "").strip():
                self.add_error("commitment", "容缺受理须有申请人签署的承诺书内容")
            if not d.get("catch_up_days"):
                self.add_error("catch_up_days", "请填写容缺补齐期限")
        return d


def place_applicant_errors(exc, applicant_form) -> list[str]:
    """Put a refused application's messages beside the applicant form's fields
    (``applicant.name`` → ``name``, ``agent.id_number`` → ``agent_id_number``) and
    return the ones that belong to no field, for the summary above the form."""
    leftover: list[str] = []
    for key, messages in (exc.fields or {}).items():
        prefix, _, rest = key.partition(".")
        if prefix == "applicant":
            key = rest
        elif prefix == "agent":
            key = rest if rest == "power_of_attorney" else f"agent_{rest}"
        if key in applicant_form.fields:
            applicant_form.add_error(key, messages)
        else:
            leftover.extend(messages)
    if not exc.fields:
        leftover.append(exc.message)
    return leftover
