"""``{{ row|cells:spec }}``: a list row's values in the order of the spec's columns
(empty cells as "—"), for the pages that show rows of any list."""

from django import template

register = template.Library()


@register.filter
def cells(row: dict, spec) -> list:
    return [_shown(row.get(c.key)) for c in spec.columns]


@register.filter
def changed_cells(change: dict, spec) -> list:
    """(header, before, after) of each column that differs in a changed row (a
    ``selectors.Changed`` or its stored dict)."""
    if isinstance(change, dict):
        before, after = change["before"], change["after"]
    else:
        before, after = change.before, change.after
    return [
        (c.header, _shown(before.get(c.key)), _shown(after.get(c.key)))
        for c in spec.columns
        if before.get(c.key) != after.get(c.key)
    ]


def _shown(value):
    return "—" if value is None or value == "" else value


@register.filter
def cell(row: dict, key: str):
    return _shown(row.get(key))


@register.filter
def label(row: dict, spec) -> str:
    return spec.label_of(row)
