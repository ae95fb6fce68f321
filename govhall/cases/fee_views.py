"""收费记录 on the case page (a ``cases.sections`` section): the case's fees for
whoever may see the case, and for its department the forms 登记收费 and 撤销.

Thin: the forms collect input; ``services.record_fee`` / ``cancel_fee`` decide.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from govhall.catalog.models import FEE_AMOUNT_MAX
from govhall.core import web
from govhall.core.errors import DomainError, NotFound
from govhall.core.web import StyledForm

from . import selectors, services
from .models import CaseFee
from .sections import case_page_section

OFF_LIST = ""


class FeeForm(StyledForm):
    fee_line = forms.ChoiceField(label="收费清单项目", required=False)
    name = forms.CharField(
        label="收费项目",
        max_length=CaseFee._meta.get_field("name").max_length,
        required=False,
        help_text="选择收费清单项目时可不填",
    )
    amount = forms.DecimalField(
        label="金额（元）",
        min_value=Decimal("0.01"),
        max_value=Decimal(FEE_AMOUNT_MAX) / 100,
        decimal_places=2,
        max_digits=9,
    )
    note = forms.CharField(
        label="备注",
        max_length=CaseFee._meta.get_field("note").max_length,
        required=False,
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = list(case.item_version.fee_lines.all()) if case.item_version else []
        self.fields["fee_line"].choices = [
            (str(line.pk), f"{line.name}（{line.amount_yuan}）") for line in self.lines
        ] + [(OFF_LIST, "其他（不在收费清单内）")]
        if self.lines and not self.is_bound:
            self.initial.setdefault("fee_line", str(self.lines[0].pk))

    def inputs(self) -> dict:
        data = self.cleaned_data
        chosen = data["fee_line"]
        line = next((x for x in self.lines if str(x.pk) == chosen), None)
        return {
            "fee_line": line,
            "name": data["name"],
            "amount": int(data["amount"] * 100),
            "note": data["note"],
        }


class CancelFeeForm(StyledForm):
    reason = forms.CharField(
        label="撤销理由", max_length=CaseFee._meta.get_field("cancel_reason").max_length
    )


@case_page_section(order=5)
def fees_section(request, case):
    """收费记录: shown when there is a fee or the user may record one."""
    if case.is_bundle_parent:
        return None
    may = services.may_record_fee(request.user, case)
    fees = list(selectors.case_fees(case=case))
    if not fees and not may:
        return None
    form = getattr(request, "fee_form", None) or FeeForm(case=case)
    cancelling = getattr(request, "fee_cancel", None)
    version = case.item_version
    off = {
        f.pk
        for f in selectors.off_list_fees(
            fees=fees, lines=form.lines, has_fee=bool(version and version.has_fee)
        )
    }
    for fee in fees:
        fee.off_list = fee.pk in off
        bound = cancelling is not None and cancelling[0] == fee.pk
        fee.cancel_form = cancelling[1] if bound else CancelFeeForm(prefix=f"c{fee.pk}")
    return {
        "id": "case-fees",
        "title": "收费记录",
        "template": "cases/_case_fees.html",
        "context": {
            "fees": fees,
            "may_record": may,
            "form": form,
            "number": case.number,
            "has_fee": bool(case.item_version and case.item_version.has_fee),
            "has_lines": bool(form.lines),
        },
    }


def _page_again(request, case):
    from .views import _case_context  # the case page, with the form's errors

    return render(request, "cases/detail.html", _case_context(request, case), status=400)


@web.staff_page
@require_POST
def record(request, number: str):
    case = selectors.case_by_number(number=number, user=request.user)
    form = FeeForm(request.POST, case=case)
    if form.is_valid():
        try:
            services.record_fee(actor=request.user, case=case, **form.inputs())
        except DomainError as exc:
            if exc.http_status in (403, 404):
                raise
            web.apply_errors(exc, form=form)
        else:
            messages.success(request, "已登记收费")
            return redirect("cases:detail", number=case.number)
    request.fee_form = form
    return _page_again(request, case)


@web.staff_page
@require_POST
def cancel(request, number: str, fee_id: int):
    case = selectors.case_by_number(number=number, user=request.user)
    fee = selectors.case_fee(case=case, pk=fee_id)
    if fee is None:
        raise NotFound("没有该收费记录", code="fee_not_found")
    form = CancelFeeForm(request.POST, prefix=f"c{fee.pk}")
    if form.is_valid():
        try:
            services.cancel_fee(actor=request.user, fee=fee, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            if exc.http_status in (403, 404):
                raise
            web.apply_errors(exc, form=form)
        else:
            messages.success(request, "已撤销收费记录")
            return redirect("cases:detail", number=case.number)
    request.fee_cancel = (fee.pk, form)
    return _page_again(request, case)
