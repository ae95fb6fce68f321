"""What supervision adds to the case page (``cases.sections``): the case's warnings,
for whoever may see them."""

from __future__ import annotations

from govhall.cases.sections import case_page_section

from . import selectors


@case_page_section(order=10)
def warnings_section(request, case):
    if not selectors.may_see_warnings(request.user):
        return None
    warnings = list(
        selectors.visible_warnings(user=request.user).filter(case=case).order_by("-raised_at")
    )
    if not warnings:
        return None
    return {
        "id": "supervision-warnings",
        "title": "电子监察预警",
        "template": "supervision/_case_warnings.html",
        "context": {"warnings": warnings},
    }


@case_page_section(order=20)
def orders_section(request, case):
    """督办单 of the case, for whoever may see them (the office, the department); the
    office also gets the link to issue one."""
    from . import services

    if not selectors.may_see_warnings(request.user):
        return None
    orders = list(
        selectors.visible_orders(user=request.user).filter(case=case).order_by("-issued_at")
    )
    may_issue = services.may_issue(request.user)
    if not orders and not may_issue:
        return None
    return {
        "id": "supervision-orders",
        "title": "督办单",
        "template": "supervision/_case_orders.html",
        "context": {"orders": orders, "may_issue": may_issue, "number": case.number},
    }
