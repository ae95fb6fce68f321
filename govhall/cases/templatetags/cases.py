"""Template filters of the cases app (``{% load cases %}``)."""

from __future__ import annotations

from django import template

from govhall.cases.services import intake

register = template.Library()


@register.filter
def may_register_applications(user) -> bool:
    """Show the 综合受理 desk only to who may register applications (the service's rule)."""
    return intake.may_register_applications(user)
