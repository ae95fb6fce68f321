"""Forms of the case pages. They only collect input; ``to_inputs`` turns cleaned data
into the keyword arguments of ``services.transition`` (the rules live there)."""

from __future__ import annotations

from django import forms

from govhall.core.web import StyledForm, style_form

from . import selectors, workflow
from .models import ApplicantKind


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
        staff = selectors.staff_choices(department=department)
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
# The form of each case action is built from its row's inputs (workflow.TRANSITIONS),
# one builder per input kind, so the page asks for exactly what the service takes.
# A builder gives the fields of one input and reads its value back in the shape the
# API sends (ids); ``selectors.resolve_inputs`` turns both into objects.


class _Builder:
    def fields(self, spec, case) -> dict:
        raise NotImplementedError

    def value(self, spec, cleaned: dict, case, form):
        return cleaned.get(spec.name)


class _Text(_Builder):
    def __init__(self, *, long: bool):
        self.long = long

    def fields(self, spec, case):
        widget = forms.Textarea(attrs={"rows": 3}) if self.long else None
        return {
            spec.name: forms.CharField(
                label=spec.label,
                required=spec.required,
                max_length=workflow.LONG_TEXT_MAX if self.long else workflow.TEXT_MAX,
                widget=widget,
            )
        }


class _Days(_Builder):
    def fields(self, spec, case):
        return {
            spec.name: forms.IntegerField(
                label=spec.label, required=spec.required, min_value=1, max_value=workflow.DAYS_MAX
            )
        }


class _Choice(_Builder):
    def fields(self, spec, case):
        return {spec.name: forms.ChoiceField(label=spec.label, choices=list(spec.choices))}


class _Staff(_Builder):
    def fields(self, spec, case):
        staff = selectors.staff_choices(department=case.department)
        return {
            spec.name: forms.TypedChoiceField(
                label=spec.label,
                required=False,
                coerce=int,
                empty_value=None,
                # What the service does with no choice (effects._responsible): the
                # accepting staff member if of the department, else nobody yet.
                choices=[("", "本人（本部门人员受理时）；否则暂不指定，由首席代表分配")]
                + [(s.pk, s.name) for s in staff],
            )
        }


class _Materials(_Builder):
    """补正材料 / 容缺补齐: one tick and one file per material of the version (for
    容缺补齐 only the tolerated ones not yet caught up)."""

    def _materials(self, spec, case):
        materials = list(case.item_version.materials.all()) if case.item_version else []
        if spec.outstanding_only:
            outstanding = set(
                case.materials.filter(tolerated=True, caught_up_at__isnull=True).values_list(
                    "material_id", flat=True
                )
            )
            materials = [m for m in materials if m.pk in outstanding]
        return materials

    def fields(self, spec, case):
        out = {}
        for m in self._materials(spec, case):
            out[f"m{m.pk}"] = forms.BooleanField(label=f"收到：{m.name}", required=False)
            out[f"f{m.pk}"] = forms.FileField(label="文件", required=False)
        return out

    def value(self, spec, cleaned, case, form):
        rows = []
        for m in self._materials(spec, case):
            if cleaned.get(f"m{m.pk}") or cleaned.get(f"f{m.pk}"):
                row = {"material": m.pk}
                if cleaned.get(f"f{m.pk}"):
                    row["file"] = cleaned[f"f{m.pk}"]
                rows.append(row)
        return rows


class _Corrections(_Builder):
    def fields(self, spec, case):
        return {
            spec.name: forms.CharField(
                label=spec.label,
                max_length=workflow.LONG_TEXT_MAX,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text="每行一项：材料名称：原因（一次性全部列明）",
            )
        }

    def value(self, spec, cleaned, case, form):
        return parse_corrections(cleaned.get(spec.name), case)


class _MaterialIds(_Builder):
    def fields(self, spec, case):
        materials = case.item_version.materials.all() if case.item_version else []
        return {
            spec.name: forms.TypedMultipleChoiceField(
                label=spec.label,
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                choices=[(m.pk, m.name) for m in materials],
            )
        }


class _SpecialStep(_Builder):
    def fields(self, spec, case):
        steps = case.item_version.special_steps.all() if case.item_version else []
        return {
            spec.name: forms.TypedChoiceField(
                label=spec.label, coerce=int, choices=[(s.pk, s.name) for s in steps]
            )
        }


class _Notice(_Builder):
    def fields(self, spec, case):
        return {
            key: forms.CharField(label=label, required=False, max_length=workflow.TEXT_MAX)
            for key, label in workflow.NOTICE_FIELDS.items()
        }

    def value(self, spec, cleaned, case, form):
        return {key: cleaned[key] for key in workflow.NOTICE_FIELDS if cleaned.get(key)}


_BUILDERS = {
    workflow.Kind.TEXT: _Text(long=False),
    workflow.Kind.LONG_TEXT: _Text(long=True),
    workflow.Kind.DAYS: _Days(),
    workflow.Kind.CHOICE: _Choice(),
    workflow.Kind.STAFF: _Staff(),
    workflow.Kind.MATERIALS: _Materials(),
    workflow.Kind.CORRECTIONS: _Corrections(),
    workflow.Kind.MATERIAL_IDS: _MaterialIds(),
    workflow.Kind.SPECIAL_STEP: _SpecialStep(),
    workflow.Kind.NOTICE: _Notice(),
}
assert set(_BUILDERS) == workflow.Kind.ALL, "every input kind needs a form builder"


class ActionForm(StyledForm):
    """The form of one case action on the case page, built from its row."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, case, action: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.row = workflow.get(action)
        for spec in self.row.inputs:
            for name, field in _BUILDERS[spec.kind].fields(spec, case).items():
                self.fields[name] = field
        style_form(self)

    def to_inputs(self) -> dict:
        """The row's inputs as the API would send them (ids), blanks left out."""
        out = {}
        for spec in self.row.inputs:
            value = _BUILDERS[spec.kind].value(spec, self.cleaned_data, self.case, self)
            if value not in (None, "", [], {}):
                out[spec.name] = value
        return out


def parse_corrections(text: str, case) -> list[dict]:
    """``名称：原因`` per line → ``[{"material": id|None, "name", "problem"}]``."""
    materials = (
        {m.name: m.pk for m in case.item_version.materials.all()} if case.item_version else {}
    )
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


class ProgressForm(forms.Form):
    number = forms.CharField(label="受理编号", max_length=40)
    phone_tail = forms.CharField(label="手机号后四位", min_length=4, max_length=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs["class"] = "form-control"


class DeskMaterialsForm(StyledForm):
    """The version's material list, ticked at the window (收件核验)."""

    def __init__(self, *args, version, supplied=None, **kwargs):
        """``supplied``: ``{material pk: the sibling item's name}`` of a 一件事 — those
        materials are not asked (R-BUNDLE-6): never listed as missing."""
        super().__init__(*args, **kwargs)
        self.materials = list(version.materials.all())
        self.supplied = supplied or {}
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
                    "supplied_by": self.supplied.get(m.pk, ""),
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
        return [
            m
            for m in self.materials
            if not self.cleaned_data.get(f"m{m.pk}") and m.pk not in self.supplied
        ]

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
