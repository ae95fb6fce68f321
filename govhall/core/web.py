"""Shared helpers for staff pages, so every view stays thin.

What a page needs around a service call, in one place:

* :func:`staff_page` — decorator: login required, the access rules apps register with
  :func:`page_access_rule` (org: only staff on duty), and a ``DomainError`` that escapes
  the view becomes a page (``core/error.html``): ``PermissionDenied`` → 403 无权访问
  with its Chinese message, ``NotFound`` → 404 页面不存在. Views catch only the
  errors they can show beside a form (``ValidationFailed``, ``Conflict``).
* :func:`apply_errors` — copy ``exc.fields`` of a ``DomainError`` onto a form and onto
  formsets (keys ``"materials.3.name"`` go to row 3 of the formset registered under
  ``"materials"``; ``"materials"`` alone goes to that formset's non-form errors);
  what matches nothing is returned so the page can list it at the top.
* :func:`style_form` — Bootstrap 5 classes on every widget.
* :func:`dashboard_panel` — apps above ``core`` contribute panels to the home page
  without ``core`` importing them (layering: core < catalog < cases …).
* :func:`progress_source` — apps above ``cases`` let the public progress query find
  their own records too (filings: 备案编号), without ``cases`` importing them.

Usage::

    @web.staff_page
    def edit(request, pk):
        form = ThingForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.change(actor=request.user, **form.cleaned_data)
            except ValidationFailed as exc:
                web.apply_errors(exc, form=form)
            else:
                return redirect(...)
        return render(request, "app/edit.html", {"form": form})
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.forms.forms import NON_FIELD_ERRORS
from django.http import HttpResponse
from django.shortcuts import render

from . import audit, history
from .errors import DomainError, NotFound, PermissionDenied

ERROR_TITLES = {403: "无权访问", 404: "页面不存在"}


def error_page(request, exc: DomainError, *, status: int | None = None):
    """Render a DomainError as a full page (403/404/409/400), titled by its status."""
    status = status or exc.http_status
    title = ERROR_TITLES.get(status, "操作未完成")
    context = {"error": exc, "message": exc.message, "title": title}
    return render(request, "core/error.html", context, status=status)


AccessRule = Callable[..., bool]
_ACCESS_RULES: list[tuple[AccessRule, str]] = []


def page_access_rule(message: str):
    """Register ``rule(user) -> bool``: every :func:`staff_page` answers a signed-in
    user the rule refuses with a 403 page saying ``message``. The rule lives in the
    app that knows it (``org.permissions.may_use_staff_site``, registered in
    ``OrgConfig.ready``), so core imports nothing above it."""

    def register(rule: AccessRule) -> AccessRule:
        if rule not in [r for r, _ in _ACCESS_RULES]:
            _ACCESS_RULES.append((rule, message))
        return rule

    return register


def staff_page(view: Callable) -> Callable:
    """Login required, the registered access rules; PermissionDenied → 403 page,
    NotFound → 404 page (Chinese)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        for rule, message in _ACCESS_RULES:
            if not rule(request.user):
                return error_page(request, PermissionDenied(message))
        try:
            return view(request, *args, **kwargs)
        except (PermissionDenied, NotFound) as exc:
            return error_page(request, exc)

    return login_required(wrapper)


def _add(form: forms.BaseForm, field: str | None, messages: list[str]) -> None:
    if not hasattr(form, "cleaned_data"):
        # An unbound form (e.g. the editor re-shown from saved data) has no
        # cleaned_data; add_error needs one.
        form.errors  # noqa: B018 — initialises form._errors
        form.cleaned_data = {}
    form.add_error(field if field in form.fields else None, list(messages))


def apply_errors(
    exc: DomainError,
    *,
    form: forms.BaseForm | None = None,
    formsets: dict[str, forms.BaseFormSet] | None = None,
) -> list[str]:
    """Put each message of ``exc.fields`` beside its field; return the rest.

    Keys: a form field name → that field; ``"<prefix>.<N>.<field>"`` → row N of
    ``formsets[prefix]`` (N counts the rows sent to the service, deleted/empty rows
    excluded — the same order the service saw); ``"<prefix>"`` → the formset's
    non-form errors. Messages whose key matches nothing are returned (and, if a form
    is given, shown as its non-field errors), so none is ever lost.
    """
    formsets = formsets or {}
    unplaced: list[str] = []
    for key, messages in (exc.fields or {}).items():
        messages = list(messages)
        prefix, _, rest = key.partition(".")
        if prefix in formsets:
            formset = formsets[prefix]
            if not rest:
                _formset_non_form_errors(formset).extend(messages)
                continue
            index, _, field = rest.partition(".")
            rows = submitted_rows(formset)
            if index.isdigit() and int(index) < len(rows):
                row = rows[int(index)]
                _add(row, field if field in row.fields else None, messages)
                continue
            _formset_non_form_errors(formset).extend(messages)
            continue
        if form is not None and key in form.fields:
            _add(form, key, messages)
            continue
        unplaced.extend(messages)
    if not exc.fields:
        unplaced.append(exc.message)
    if form is not None and unplaced:
        _add(form, NON_FIELD_ERRORS, unplaced)
    return unplaced


def _formset_non_form_errors(formset: forms.BaseFormSet):
    return formset.non_form_errors()  # the formset's own (mutable) ErrorList


def submitted_rows(formset: forms.BaseFormSet) -> list[forms.BaseForm]:
    """Rows of a formset as the service sees them: deleted and untouched extra rows
    left out, order kept. Unbound formsets: every row."""
    if not formset.is_bound:
        return list(formset.forms)
    rows = []
    for row in formset.forms:
        if formset.can_delete and formset._should_delete_form(row):
            continue
        if row.has_changed() or row in formset.initial_forms:
            rows.append(row)
    return rows


def rows_data(formset: forms.BaseFormSet) -> list[dict]:
    """cleaned_data of :func:`submitted_rows` (formset must be valid), minus DELETE."""
    data = []
    for row in submitted_rows(formset):
        values = {k: v for k, v in row.cleaned_data.items() if k != "DELETE"}
        data.append(values)
    return data


EMPTY_CHOICE = "请选择"


INT_MAX = 2**31 - 1


def query_int(value: str | None, *, maximum: int = INT_MAX) -> int | None:
    """A positive whole number from the query string (an id to filter by, a level), or
    ``None`` when empty, malformed or out of ``1…maximum``: a filter that does not parse
    is left out, and the form shows it empty."""
    value = (value or "").strip()
    if value.isascii() and value.isdigit() and len(value) <= 10 and 0 < int(value) <= maximum:
        return int(value)
    return None


def query_date(
    value: str | None, *, errors: list[str] | None = None, label: str = "日期"
) -> dt.date | None:
    """An ISO date (``YYYY-MM-DD``) from the query string, or ``None`` when empty or
    malformed; a malformed one is also reported in ``errors`` (when given) in Chinese,
    for pages that say why a filter was ignored."""
    value = (value or "").strip()[:10]
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        if errors is not None:
            errors.append(f"{label}格式不正确，应为 YYYY-MM-DD")
        return None


def _empty_choice_in_chinese(field: forms.Field) -> None:
    """A select's empty choice reads 请选择, not Django's ``---------``."""
    if isinstance(field, forms.ModelChoiceField):
        if field.empty_label is not None:
            field.empty_label = EMPTY_CHOICE
    elif isinstance(field, forms.TypedChoiceField | forms.ChoiceField):
        choices = list(field.choices)
        if choices and choices[0][0] in ("", None) and str(choices[0][1]).startswith("---"):
            field.choices = [("", EMPTY_CHOICE), *choices[1:]]


def style_form(form: forms.BaseForm) -> forms.BaseForm:
    """Add Bootstrap 5 classes to every widget (called in form ``__init__``), and say
    请选择 for a select's empty choice."""
    for field in form.fields.values():
        _empty_choice_in_chinese(field)
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple) and not isinstance(
            widget, forms.CheckboxSelectMultiple
        ):
            css = "form-select"
        elif isinstance(widget, forms.CheckboxSelectMultiple):
            css = ""
        else:
            css = "form-control"
        if isinstance(widget, forms.Textarea):
            widget.attrs["rows"] = 2  # Django defaults to 10: too tall for a dense editor
        if css:
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
    return form


def plain_model_form(name: str, model, fields: list[str], base=None) -> type[forms.Form]:
    """A plain (non-model) Form with the model's field types, choices and Chinese
    labels. Pages use it so that a *service* — not ``ModelForm.save`` — writes."""
    declared = forms.fields_for_model(model, fields=fields)
    return type(name, (base or StyledForm,), dict(declared))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; the service checks type, size and count."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class StyledForm(forms.Form):
    """A plain form with Bootstrap classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_form(self)


class ReasonForm(StyledForm):
    """Every change of organisation or catalogue data states why (审计日志 理由)."""

    reason = forms.CharField(label="变更理由", widget=forms.Textarea(attrs={"rows": 2}))


DashboardPanel = Callable[..., dict | None]
_PANELS: list[tuple[int, DashboardPanel]] = []


def dashboard_panel(order: int = 100):
    """Register ``fn(request) -> {"title", "counts": [(label, value, url)], "links":
    [(label, url)]} | None`` for the staff home page. Apps call it at import time of
    their ``views`` module (loaded with the URLconf)."""

    def register(fn: DashboardPanel) -> DashboardPanel:
        if fn not in [f for _, f in _PANELS]:
            _PANELS.append((order, fn))
            _PANELS.sort(key=lambda p: p[0])
        return fn

    return register


def dashboard_panels(request) -> list[dict]:
    panels = []
    for _, fn in _PANELS:
        panel = fn(request)
        if panel:
            panels.append(panel)
    return panels


ProgressSource = Callable[..., dict | None]
_PROGRESS_SOURCES: list[tuple[int, ProgressSource]] = []


def progress_source(order: int = 100):
    """Register ``fn(*, number, phone_tail) -> dict | None`` for the public progress
    page (``cases.public_views.progress``): asked in ``order`` when the number is no
    受理编号, it returns what the page shows — the keys of
    ``cases.selectors.public_progress`` (``number``, ``item``, ``department``,
    ``applicant``, ``state``, ``state_label``, ``received_at``, ``accepted_on``,
    ``due_date``, ``result``, ``steps``; optional ``labels`` renaming the rows) — or
    ``None`` when the number and the phone's last 4 digits do not match one of its
    records (nothing personal either way). Apps register it in ``AppConfig.ready``."""

    def register(fn: ProgressSource) -> ProgressSource:
        if fn not in [f for _, f in _PROGRESS_SOURCES]:
            _PROGRESS_SOURCES.append((order, fn))
            _PROGRESS_SOURCES.sort(key=lambda s: s[0])
        return fn

    return register


def progress_from_sources(*, number: str, phone_tail: str) -> dict | None:
    for _, fn in _PROGRESS_SOURCES:
        found = fn(number=number, phone_tail=phone_tail)
        if found is not None:
            return found
    return None


@dataclass(frozen=True)
class NavLink:
    """One entry of a staff nav menu: its label, its URL, and (optional) the path
    prefix of the pages beneath it that mark it as the page being shown."""

    label: str
    url: str
    prefix: str = ""

    def active(self, path: str) -> bool:
        return path == self.url or bool(self.prefix and path.startswith(self.prefix))


NavMenu = Callable[..., list[NavLink]]
_MENUS: list[tuple[int, str, NavMenu]] = []


def staff_nav_menu(*, label: str, order: int = 100):
    """Register ``fn(user) -> [NavLink, …]`` under the staff nav dropdown ``label``:
    apps above ``core`` add their pages to the nav without ``core`` (or the base
    template) knowing them, and without the template restating who may open what —
    ``fn`` asks the app's own services. Registrations with the same label share one
    dropdown (in ``order``); a dropdown with no link for the user is not shown. Apps
    call it at import time of a module their ``AppConfig.ready`` imports."""

    def register(fn: NavMenu) -> NavMenu:
        if fn not in [f for _, _, f in _MENUS]:
            _MENUS.append((order, label, fn))
            _MENUS.sort(key=lambda m: m[0])
        return fn

    return register


def staff_nav_menus(user, path: str = "") -> list[dict]:
    """The registered dropdowns for ``user``: ``{"label", "links", "active"}``, each
    link with ``active`` for ``path``."""
    menus: dict[str, list[NavLink]] = {}
    for _, label, fn in _MENUS:
        menus.setdefault(label, []).extend(fn(user) or [])
    return [
        {
            "label": label,
            "links": [{"link": x, "active": x.active(path)} for x in links],
            "active": any(x.active(path) for x in links),
        }
        for label, links in menus.items()
        if links
    ]


def history_rows(entries) -> list:
    """Audit entries for ``core/_history.html``, with a Chinese ``action_label`` and
    ``change_rows`` (field names, choices, names and times as staff read them)."""
    rows = list(entries)
    for entry in rows:
        entry.action_label = audit.label_of(entry.action)
    history.change_rows(rows)
    return rows


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(workbook, *, filename: str) -> HttpResponse:
    """An openpyxl ``workbook`` as a download named ``filename`` (ASCII: the name is
    in the header as it is)."""
    out = io.BytesIO()
    workbook.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
