"""``{% load notifications %}``: the bell of the staff header and the messages of an
object (the case page), so the pages that show them need no view changes."""

from __future__ import annotations

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def inbox_bell(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"unread": selectors.unread_count(user=user) if user is not None else 0}


@register.inclusion_tag("notifications/_for_ref.html")
def notifications_for(obj):
    """The messages about ``obj`` (ref ``<app_label>.<model>:<pk>``), phones masked."""
    rows = list(selectors.for_ref(ref=selectors.ref_of(obj)))
    for n in rows:
        n.who = selectors.recipient_label(n)
    return {"notifications": rows}
